// Which sysctls a container may set: only namespaced ones, and only when the
// container has that namespace (runc's validator rules).
import { configError } from '../errors';

const IPC_PREFIXES = ['kernel.msg', 'kernel.sem', 'kernel.shm', 'fs.mqueue.'];

export function checkSysctl(key: string, hasNs: (type: string) => boolean): void {
  const where = `linux.sysctl.${key}`;
  if (!/^[A-Za-z0-9_\-]+(\.[A-Za-z0-9_\-]+)*$/.test(key)) {
    throw configError(where, 'is not a valid sysctl name');
  }
  if (IPC_PREFIXES.some((p) => key.startsWith(p))) {
    if (!hasNs('ipc')) throw configError(where, 'requires an ipc namespace (linux.namespaces)');
    return;
  }
  if (key.startsWith('net.')) {
    if (!hasNs('network')) throw configError(where, 'requires a network namespace (linux.namespaces)');
    return;
  }
  if (key === 'kernel.hostname' || key === 'kernel.domainname') {
    if (!hasNs('uts')) throw configError(where, 'requires a uts namespace (linux.namespaces)');
    return;
  }
  throw configError(where, 'is not a namespaced sysctl; a container may not set it');
}
