// AppArmor and SELinux on this host, checked before anything starts, with
// runc's outcomes: a profile without AppArmor fails (runc at init, writing
// /proc/self/attr/exec: EINVAL), a process label without SELinux fails (as
// runc's config check), a mount label without SELinux fails (runc passes
// context= to its mounts: EINVAL). SELinux labels on an SELinux host are not
// implemented yet.
import * as fs from 'node:fs';
import { configError } from '../errors';
import type { Process } from '../spec/types';

export function apparmorEnabled(): boolean {
  try {
    return fs.readFileSync('/sys/module/apparmor/parameters/enabled', 'utf8').trim() === 'Y';
  } catch {
    return false;
  }
}

export function selinuxEnabled(): boolean {
  return fs.existsSync('/sys/fs/selinux/enforce');
}

export function checkLsm(proc: Process | undefined, mountLabel: string | undefined, where = 'process'): void {
  if (proc?.apparmorProfile && !apparmorEnabled()) {
    throw configError(`${where}.apparmorProfile`, 'AppArmor is not enabled on this host (runc fails too: write /proc/self/attr/exec: EINVAL)');
  }
  if (proc?.selinuxLabel) {
    if (!selinuxEnabled()) throw configError(`${where}.selinuxLabel`, 'SELinux is disabled or not supported on this host (runc refuses this too)');
    throw configError(`${where}.selinuxLabel`, 'SELinux labels are not supported yet');
  }
  if (mountLabel) {
    if (!selinuxEnabled()) throw configError('linux.mountLabel', 'SELinux is disabled or not supported on this host (runc fails too: its mounts get context=...: EINVAL)');
    throw configError('linux.mountLabel', 'SELinux labels are not supported yet');
  }
}
