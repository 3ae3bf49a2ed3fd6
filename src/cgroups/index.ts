export { cgroupPids, createCgroups, destroyCgroups, joinCgroups, placeInCgroups, plannedCgroupDirs } from './manage';
export type { CgroupDir, CgroupMode } from './dirs';
export { planCgroups, type CgroupPlan, type CgroupRequest } from './plan';
