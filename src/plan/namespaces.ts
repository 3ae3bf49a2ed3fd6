// runtime-spec namespace names -> CLONE_NEW* flags.
import { CLONE } from '../native/kernel-constants.generated';

export const CLONE_NEW: Readonly<Record<string, number>> = Object.freeze({
  mount: CLONE.NEWNS,
  cgroup: CLONE.NEWCGROUP,
  uts: CLONE.NEWUTS,
  ipc: CLONE.NEWIPC,
  user: CLONE.NEWUSER,
  pid: CLONE.NEWPID,
  network: CLONE.NEWNET,
  time: CLONE.NEWTIME,
});

export function cloneFlag(type: string): number | undefined {
  return Object.prototype.hasOwnProperty.call(CLONE_NEW, type) ? CLONE_NEW[type] : undefined;
}
