// Which sysctls a container may set: only namespaced ones, and only when the
// container has that namespace of its own (runc's validator rules).
import { configError } from '../errors';

const IPC_PREFIXES = ['kernel.msg', 'kernel.sem', 'kernel.shm', 'fs.mqueue.'];

/** "net/ipv4/ip_forward" is "net.ipv4.ip_forward": slashes and dots swap, as runc reads the slash form. */
export function dottedSysctl(key: string): string {
  if (!key.includes('/')) return key;
  return key.replace(/[./]/g, (c) => (c === '.' ? '/' : '.'));
}

export interface SysctlNamespaces {
  has(type: string): boolean;
  /** the joined network namespace is the host's own (runc compares it with its own) */
  hostNetwork(): boolean;
}

export function checkSysctl(key: string, ns: SysctlNamespaces): void {
  const where = `linux.sysctl.${key}`;
  const name = dottedSysctl(key);
  if (!/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*)*$/.test(name)) {
    throw configError(where, 'is not a valid sysctl name');
  }
  if (IPC_PREFIXES.some((p) => name.startsWith(p))) {
    if (!ns.has('ipc')) throw configError(where, 'requires an ipc namespace (linux.namespaces)');
    return;
  }
  if (name.startsWith('net.')) {
    if (!ns.has('network')) throw configError(where, 'requires a network namespace (linux.namespaces)');
    if (ns.hostNetwork())
      throw configError(
        where,
        "is not allowed in the host's network namespace (the network namespace path is the host's)",
      );
    return;
  }
  if (name === 'kernel.hostname' && ns.has('uts')) {
    throw configError(where, 'conflicts with the hostname field: set that instead (runc refuses it too)');
  }
  if (name === 'kernel.domainname') {
    if (!ns.has('uts')) throw configError(where, 'requires a uts namespace (linux.namespaces)');
    return;
  }
  throw configError(where, 'is not a namespaced sysctl; a container may not set it');
}
