// linux.resources -> the cgroup v1 files runc's fs driver writes, in its
// order. Pure. Anything minirun does not implement is an error naming the
// field, never ignored (kernel memory apart: runc ignores it with a warning,
// and so does minirun). (v2: resources-v2.ts; what both share: resources-common.ts.)
import { configError } from '../errors';
import type { Resources } from '../config/types';
import { checkPageSize, rdmaValue, type CgroupWrite } from './resources-common';

/** What runc's fs driver refuses once it has written (and read back) the v1 files; refused here first. */
function checkV1Ranges(r: Resources): void {
  const shares = r.cpu?.shares;
  // the kernel clamps cpu.shares to [2, 262144]; runc reads it back and fails on a difference
  if (shares !== undefined && shares !== 0n && shares < 2n)
    throw configError(
      'linux.resources.cpu.shares',
      `${shares} is below the minimum of 2 (runc: "the minimum allowed cpu-shares is 2")`,
    );
  if (shares !== undefined && shares > 262144n)
    throw configError(
      'linux.resources.cpu.shares',
      `${shares} is above the maximum of 262144 (runc: "the maximum allowed cpu-shares is 262144")`,
    );
  const sw = r.memory?.swappiness;
  if (sw !== undefined && sw > 100n)
    throw configError('linux.resources.memory.swappiness', `invalid value ${sw} (valid range is 0-100)`);
}

/** -1 means unlimited, as runc writes it. */
const limit = (n: bigint) => (n < 0n ? '-1' : String(n));
const set = (n: bigint | undefined): n is bigint => n !== undefined && n !== 0n;

const UNLIMITED = (1n << 63n) - 1n;

/**
 * currentMemoryLimit: memory.limit_in_bytes now (update); a new cgroup's is
 * unlimited. memsw goes first when it is -1 or above the current limit, so
 * that the kernel never sees a limit above memsw (runc's order).
 */
export function v1ResourceWrites(r: Resources | undefined, currentMemoryLimit = UNLIMITED): CgroupWrite[] {
  if (!r) return [];
  checkV1Ranges(r);
  if (r.unified && Object.keys(r.unified).length > 0)
    throw configError(
      'linux.resources.unified',
      "invalid configuration: cannot use unified on cgroup v1 (runc's words)",
    );
  const w: CgroupWrite[] = [];
  const { cpu, memory, pids, blockIO: io, network } = r;
  if (cpu?.cpus) w.push({ controller: 'cpuset', file: 'cpuset.cpus', value: cpu.cpus });
  if (cpu?.mems) w.push({ controller: 'cpuset', file: 'cpuset.mems', value: cpu.mems });
  if (set(memory?.limit)) w.push({ controller: 'memory', file: 'memory.limit_in_bytes', value: limit(memory.limit) });
  // In v1 "swap" is memory+swap together (memsw), set after the memory limit.
  // An unlimited memory without a swap value makes swap unlimited too (runc).
  if (set(memory?.swap))
    w.push({ controller: 'memory', file: 'memory.memsw.limit_in_bytes', value: limit(memory.swap) });
  else if (memory?.limit === -1n)
    w.push({ controller: 'memory', file: 'memory.memsw.limit_in_bytes', value: '-1', ifExists: true });
  if (set(memory?.reservation))
    w.push({ controller: 'memory', file: 'memory.soft_limit_in_bytes', value: limit(memory.reservation) });
  if (memory?.swappiness !== undefined) {
    w.push({ controller: 'memory', file: 'memory.swappiness', value: String(memory.swappiness) });
  }
  if (memory?.disableOOMKiller) w.push({ controller: 'memory', file: 'memory.oom_control', value: '1' });
  const limitAt = w.findIndex((x) => x.file === 'memory.limit_in_bytes');
  const swapAt = w.findIndex((x) => x.file === 'memory.memsw.limit_in_bytes');
  if (limitAt >= 0 && swapAt > limitAt && (w[swapAt].value === '-1' || currentMemoryLimit < BigInt(w[swapAt].value))) {
    w.splice(limitAt, 0, ...w.splice(swapAt, 1));
  }
  // runc's fs driver: cpuset, devices, memory, then cpu (a failed memory write stops it before cpu)
  if (set(cpu?.shares)) w.push({ controller: 'cpu', file: 'cpu.shares', value: String(cpu.shares) });
  // A period smaller than the current one may exceed the parent's quota (EINVAL) until the quota is
  // lowered: with a quota to write, runc writes the period again after it.
  if (set(cpu?.period))
    w.push({
      controller: 'cpu',
      file: 'cpu.cfs_period_us',
      value: String(cpu.period),
      ...(set(cpu?.quota) ? { retryAfterNext: true } : {}),
    });
  if (set(cpu?.quota)) w.push({ controller: 'cpu', file: 'cpu.cfs_quota_us', value: String(cpu.quota) });
  if (set(cpu?.burst)) w.push({ controller: 'cpu', file: 'cpu.cfs_burst_us', value: String(cpu.burst) });
  if (set(cpu?.realtimePeriod))
    w.push({ controller: 'cpu', file: 'cpu.rt_period_us', value: String(cpu.realtimePeriod) });
  if (set(cpu?.realtimeRuntime))
    w.push({ controller: 'cpu', file: 'cpu.rt_runtime_us', value: String(cpu.realtimeRuntime) });
  if (cpu?.idle !== undefined) w.push({ controller: 'cpu', file: 'cpu.idle', value: String(cpu.idle) });
  if (pids?.limit !== undefined && pids.limit !== 0n)
    w.push({ controller: 'pids', file: 'pids.max', value: pids.limit > 0n ? String(pids.limit) : 'max' });
  // blkio: the bfq scheduler's files where the legacy ones do not exist (runc)
  if (io?.weight)
    w.push({
      controller: 'blkio',
      file: 'blkio.weight',
      value: String(io.weight),
      alt: { file: 'blkio.bfq.weight', value: String(io.weight) },
    });
  if (io?.leafWeight) w.push({ controller: 'blkio', file: 'blkio.leaf_weight', value: String(io.leafWeight) });
  for (const d of io?.weightDevice ?? []) {
    const dev = `${d.major}:${d.minor}`;
    if (d.weight)
      w.push({
        controller: 'blkio',
        file: 'blkio.weight_device',
        value: `${dev} ${d.weight}`,
        alt: { file: 'blkio.bfq.weight_device', value: `${dev} ${d.weight}` },
      });
    if (d.leafWeight)
      w.push({ controller: 'blkio', file: 'blkio.leaf_weight_device', value: `${dev} ${d.leafWeight}` });
  }
  const throttles = [
    ['throttleReadBpsDevice', 'read_bps_device'],
    ['throttleWriteBpsDevice', 'write_bps_device'],
    ['throttleReadIOPSDevice', 'read_iops_device'],
    ['throttleWriteIOPSDevice', 'write_iops_device'],
  ] as const;
  for (const [key, file] of throttles) {
    for (const t of io?.[key] ?? [])
      w.push({ controller: 'blkio', file: `blkio.throttle.${file}`, value: `${t.major}:${t.minor} ${t.rate}` });
  }
  (r.hugepageLimits ?? []).forEach((h, i) => {
    const size = checkPageSize(h.pageSize, `linux.resources.hugepageLimits[${i}].pageSize`);
    w.push({ controller: 'hugetlb', file: `hugetlb.${size}.limit_in_bytes`, value: String(h.limit) });
  });
  if (network?.classID !== undefined)
    w.push({ controller: 'net_cls', file: 'net_cls.classid', value: String(network.classID) });
  for (const p of network?.priorities ?? [])
    w.push({ controller: 'net_prio', file: 'net_prio.ifpriomap', value: `${p.name} ${p.priority}` });
  for (const [dev, v] of Object.entries(r.rdma ?? {}))
    w.push({ controller: 'rdma', file: 'rdma.max', value: `${dev} ${rdmaValue(v)}` });
  return w;
}
