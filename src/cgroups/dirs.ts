// A container's cgroup directories, one a hierarchy, and which of them holds
// a controller's files. Pure: no file is read.

export type CgroupMode = 'v1' | 'hybrid' | 'v2';

export interface CgroupDir {
  /** the hierarchy's name: "cpu", "systemd", "unified" ... */
  hierarchy: string;
  path: string;
  /** the hierarchy's mount point */
  mount?: string;
  /** the top-most directory this container created for it (undefined: it already existed) */
  made?: string;
}

/** The hierarchy name of the cgroup v2 directory. */
const UNIFIED = 'unified';

/** Whether a v1 hierarchy has a controller (its name lists them: "cpu,cpuacct"). */
export function hasController(d: CgroupDir, controller: string): boolean {
  return d.hierarchy.split(',').includes(controller);
}

/**
 * The directory that holds a controller's files: on a cgroup v2 host (mode
 * 'v2') the one unified directory; else the v1 hierarchy that has the
 * controller. 'unified' asks for the v2 directory on any host (a hybrid one
 * has both).
 */
export function dirFor(dirs: readonly CgroupDir[], controller: string, mode?: CgroupMode): CgroupDir | undefined {
  if (mode === 'v2' || controller === UNIFIED) return dirs.find((d) => d.hierarchy === UNIFIED);
  return dirs.find((d) => hasController(d, controller));
}

/** The mode of a container whose state.json does not record it: v2 when all its dirs are unified. */
export function modeOfDirs(dirs: readonly CgroupDir[]): CgroupMode {
  return dirs.some((d) => d.hierarchy !== UNIFIED) ? 'v1' : 'v2';
}
