// linux.netDevices (pure): which host interfaces move into the container's
// network namespace, under which names. validate.ts keeps the field as
// parsed; create reads it here (lifecycle/prepare.ts). The move itself is
// host-side work (the addon's moveNetDevice) done while the init waits.
import { configError } from '../errors';
import type { Namespace } from './types';

export interface NetDevice {
  hostName: string;
  name: string;
}

/** A Linux interface name: 1-15 bytes, not . or .., no slash, colon or space (dev_valid_name). */
function checkName(name: unknown, where: string): string {
  if (typeof name !== 'string') throw configError(where, 'must be a string');
  if (name === '' || Buffer.byteLength(name) > 15 || name === '.' || name === '..' || /[/:\s]/.test(name)) {
    throw configError(
      where,
      `${JSON.stringify(name)} is not a valid interface name (1-15 bytes, no "/", ":" or spaces)`,
    );
  }
  return name;
}

export function readNetDevices(raw: unknown, namespaces: readonly Namespace[]): NetDevice[] {
  if (raw === undefined || raw === null) return [];
  if (typeof raw !== 'object' || Array.isArray(raw))
    throw configError('linux.netDevices', 'must be an object of host interface names');
  const entries = Object.entries(raw as Record<string, unknown>);
  if (entries.length > 0 && !namespaces.some((n) => n.type === 'network')) {
    throw configError(
      'linux.netDevices',
      'needs a network namespace in linux.namespaces (the devices would stay on the host)',
    );
  }
  const taken = new Map<string, string>();
  return entries.map(([hostName, v]) => {
    const where = `linux.netDevices[${JSON.stringify(hostName)}]`;
    checkName(hostName, where);
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw configError(where, 'must be an object');
    for (const k of Object.keys(v)) if (k !== 'name') throw configError(`${where}.${k}`, 'unknown field (name)');
    const name =
      (v as { name?: unknown }).name === undefined
        ? hostName
        : checkName((v as { name?: unknown }).name, `${where}.name`);
    const other = taken.get(name);
    if (other !== undefined)
      throw configError(`${where}.name`, `${JSON.stringify(name)} is also the name for ${JSON.stringify(other)}`);
    taken.set(name, hostName);
    return { hostName, name };
  });
}
