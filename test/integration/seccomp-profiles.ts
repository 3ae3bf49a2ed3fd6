// Seccomp profiles for the tests that need a deny-by-default filter under
// which runc's Go init and the container's programs still run.
import * as fs from 'node:fs';
import type { Config } from './harness';

export const podmanProfile = '/usr/share/containers/seccomp.json';

/** The syscalls after pidfd_open (x86_64 434), through Linux 6.10. */
const NEWER_THAN_PIDFD_OPEN = [
  'clone3',
  'close_range',
  'openat2',
  'pidfd_getfd',
  'faccessat2',
  'process_madvise',
  'epoll_pwait2',
  'mount_setattr',
  'quotactl_fd',
  'landlock_create_ruleset',
  'landlock_add_rule',
  'landlock_restrict_self',
  'memfd_secret',
  'process_mrelease',
  'futex_waitv',
  'set_mempolicy_home_node',
  'cachestat',
  'fchmodat2',
  'map_shadow_stack',
  'futex_wake',
  'futex_wait',
  'futex_requeue',
  'statmount',
  'listmount',
  'lsm_get_self_attr',
  'lsm_set_self_attr',
  'lsm_list_modules',
  'mseal',
];

/**
 * An ALLOW rule with podman's unconditional allow list without the syscalls
 * after pidfd_open (so the newest it names is pidfd_open, 434 on x86_64) and
 * without `except`.
 */
export function allowUpToPidfdOpen(except: string[] = []): Config {
  const names = podmanUnconditionalAllows().filter((n) => !NEWER_THAN_PIDFD_OPEN.includes(n) && !except.includes(n));
  return { names, action: 'SCMP_ACT_ALLOW' };
}

/** The syscalls podman's profile allows on x86_64 with no condition (no args, no capability). */
export function podmanUnconditionalAllows(): string[] {
  const podman = JSON.parse(fs.readFileSync(podmanProfile, 'utf8')) as { syscalls: Config[] };
  return podman.syscalls
    .filter(
      (r) =>
        r.action === 'SCMP_ACT_ALLOW' &&
        !r.args?.length &&
        !r.includes?.caps &&
        (!r.includes?.arches || r.includes.arches.includes('amd64')),
    )
    .flatMap((r) => r.names as string[]);
}
