// linux.resources -> the cgroup v1 files runc's fs driver writes, in its
// order. Pure; the subset minirun implements so far (cpu, cpuset, memory,
// pids). Anything else is an error naming the field, never ignored.
import { configError } from '../errors';
import type { Resources } from '../spec/types';

export interface CgroupWrite {
  /** the v1 controller whose hierarchy holds the file */
  controller: string;
  file: string;
  value: string;
}

const SUPPORTED: Record<string, readonly string[]> = {
  cpu: ['shares', 'quota', 'period', 'cpus', 'mems'],
  memory: ['limit', 'reservation', 'swap', 'swappiness', 'disableOOMKiller'],
  pids: ['limit'],
};

function checkSupported(r: Resources): void {
  for (const [key, value] of Object.entries(r)) {
    if (key === 'devices' || value === undefined || value === null) continue;
    const fields = SUPPORTED[key];
    if (!fields) throw configError(`linux.resources.${key}`, 'not supported yet');
    for (const [field, v] of Object.entries(value as Record<string, unknown>)) {
      if (v !== undefined && v !== null && !fields.includes(field)) {
        throw configError(`linux.resources.${key}.${field}`, 'not supported yet');
      }
    }
  }
}

/** -1 means unlimited, as runc writes it. */
const limit = (n: bigint) => (n < 0n ? '-1' : String(n));

export function v1Writes(r: Resources | undefined): CgroupWrite[] {
  if (!r) return [];
  checkSupported(r);
  const w: CgroupWrite[] = [];
  const { cpu, memory, pids } = r;
  if (cpu?.cpus) w.push({ controller: 'cpuset', file: 'cpuset.cpus', value: cpu.cpus });
  if (cpu?.mems) w.push({ controller: 'cpuset', file: 'cpuset.mems', value: cpu.mems });
  if (cpu?.shares !== undefined && cpu.shares !== 0n) w.push({ controller: 'cpu', file: 'cpu.shares', value: String(cpu.shares) });
  if (cpu?.period !== undefined && cpu.period !== 0n) w.push({ controller: 'cpu', file: 'cpu.cfs_period_us', value: String(cpu.period) });
  if (cpu?.quota !== undefined && cpu.quota !== 0n) w.push({ controller: 'cpu', file: 'cpu.cfs_quota_us', value: String(cpu.quota) });
  if (memory?.limit !== undefined && memory.limit !== 0n) w.push({ controller: 'memory', file: 'memory.limit_in_bytes', value: limit(memory.limit) });
  // In v1 "swap" is memory+swap together (memsw), set after the memory limit.
  if (memory?.swap !== undefined && memory.swap !== 0n) w.push({ controller: 'memory', file: 'memory.memsw.limit_in_bytes', value: limit(memory.swap) });
  if (memory?.reservation !== undefined && memory.reservation !== 0n) {
    w.push({ controller: 'memory', file: 'memory.soft_limit_in_bytes', value: limit(memory.reservation) });
  }
  if (memory?.swappiness !== undefined && memory.swappiness <= 100n) {
    w.push({ controller: 'memory', file: 'memory.swappiness', value: String(memory.swappiness) });
  }
  if (memory?.disableOOMKiller) w.push({ controller: 'memory', file: 'memory.oom_control', value: '1' });
  if (pids?.limit !== undefined && pids.limit !== 0n) w.push({ controller: 'pids', file: 'pids.max', value: pids.limit > 0n ? String(pids.limit) : 'max' });
  return w;
}
