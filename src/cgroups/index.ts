export { cgroupPids, createCgroups, destroyCgroups, placeInCgroups, plannedCgroupDirs } from './manage';
export { joinCgroups } from './join';
export type { CgroupDir, CgroupMode } from './dirs';
export { planCgroups, type CgroupPlan, type CgroupRequest } from './plan';
