// What state.json holds (and the journal, while create runs).
import type { CgroupDir, CgroupMode } from '../cgroups/dirs';
import type { Hooks, Namespace } from '../config/types';

/** A layered rootfs's overlay (lifecycle/overlay.ts): mounted on target, the container's upper and work dirs in dir. */
export interface OverlayMount {
  target: string;
  dir: string;
  /** the layers' dirs, top first */
  lowers: string[];
}

export interface ContainerState {
  ociVersion: string;
  id: string;
  pid: number;
  status: 'creating' | 'created' | 'running' | 'paused' | 'stopped';
  bundle: string;
  rootfs: string;
  created: string;
  owner: string;
  annotations?: Record<string, string>;
  /** minirun's own: to never signal a reused pid, and to clean up */
  pidStartTime?: string;
  cgroupDirs?: CgroupDir[];
  cgroupMode?: CgroupMode;
  /** --systemd-cgroup: the container's transient unit (journaled before it is started), stopped on delete */
  systemdUnit?: string;
  /** the unit's manager's bus when it is the user's (rootless): delete and update use it too */
  systemdBus?: string;
  /** linux.resources as last applied (create, then update), JSON with exact 64-bit numbers */
  resources?: string;
  /** the status a paused container returns to on resume (created or running) */
  pausedFrom?: 'created' | 'running';
  /** what later commands need from config.json: start and delete run hooks */
  hooks?: Hooks;
  namespaces?: Namespace[];
  /** no mount namespace of its own: the mounts on the rootfs path before create, to unmake the rest */
  rootfsMountsBefore?: number;
  /** a layered rootfs: the overlay create mounts on root.path, to unmake it */
  overlay?: OverlayMount;
}
