export { cgroupPids, createCgroups, destroyCgroups, joinCgroups, plannedCgroupDirs } from './manage';
export { planCgroups, type CgroupDir, type CgroupMode, type CgroupPlan, type CgroupRequest } from './plan';
