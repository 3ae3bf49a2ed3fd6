// AppArmor and SELinux on this host, checked before anything starts, with
// runc's outcomes: a profile without AppArmor fails (runc at init, writing
// /proc/self/attr/exec: EINVAL), a process label without SELinux fails (as
// runc's config check), a mount label without SELinux fails (runc passes
// context= to its mounts: EINVAL). SELinux labels on an SELinux host are not
// implemented yet.
import * as fs from 'node:fs';
import { MiniRunError } from '../errors';

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

export interface LsmFields {
  apparmorProfile?: string;
  selinuxLabel?: string;
  mountLabel?: string;
}

/** How each field is named in an error: a config.json path, a process file's, or a flag. */
export type LsmNames = Record<keyof LsmFields, string>;

export const CONFIG_LSM_NAMES: LsmNames = {
  apparmorProfile: 'config.json: process.apparmorProfile',
  selinuxLabel: 'config.json: process.selinuxLabel',
  mountLabel: 'config.json: linux.mountLabel',
};

export function checkLsm(f: LsmFields, names: LsmNames = CONFIG_LSM_NAMES): void {
  const fail = (field: keyof LsmFields, reason: string) => new MiniRunError('CONFIG', `${names[field]}: ${reason}`);
  if (f.apparmorProfile && !apparmorEnabled()) {
    throw fail(
      'apparmorProfile',
      'AppArmor is not enabled on this host (runc fails too: write /proc/self/attr/exec: EINVAL)',
    );
  }
  if (f.selinuxLabel) {
    if (!selinuxEnabled())
      throw fail('selinuxLabel', 'SELinux is disabled or not supported on this host (runc refuses this too)');
    throw fail('selinuxLabel', 'SELinux labels are not supported yet');
  }
  if (f.mountLabel) {
    if (!selinuxEnabled())
      throw fail(
        'mountLabel',
        'SELinux is disabled or not supported on this host (runc fails too: its mounts get context=...: EINVAL)',
      );
    throw fail('mountLabel', 'SELinux labels are not supported yet');
  }
}
