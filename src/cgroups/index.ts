export { cgroupPids, createCgroups, destroyCgroups, joinCgroups } from './manage';
export { planCgroups, type CgroupDir, type CgroupMode, type CgroupPlan, type CgroupRequest } from './plan';
