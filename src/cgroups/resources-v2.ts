// linux.resources -> the cgroup v2 interface files, converted as runc's fs2
// driver converts them (cpu shares -> cpu.weight, memory+swap -> swap alone,
// blkio weight -> io.weight), in its order: pids, memory, io, cpu, cpuset,
// hugetlb, rdma, then `unified` verbatim. Pure.
import { configError } from '../errors';
import type { Resources } from '../config/types';
import { checkPageSize, rdmaValue, type CgroupWrite } from './resources-common';

/** runc's numToStr: 0 is unset, -1 is "max". */
function v2Limit(n: bigint | undefined): string | undefined {
  if (n === undefined || n === 0n) return undefined;
  return n === -1n ? 'max' : String(n);
}

/** cpu.shares [2, 262144] onto cpu.weight [1, 10000], as runc 1.1 converts. */
export function sharesToWeight(shares: bigint): bigint {
  return 1n + ((shares - 2n) * 9999n) / 262142n;
}

/** blkio.weight [10, 1000] onto io.weight [1, 10000], as runc converts. */
export function blkioToIoWeight(weight: number): number {
  return 1 + Math.trunc(((weight - 10) * 9999) / 990);
}

/** v1's memory+swap total onto v2's swap alone (runc's ConvertMemorySwapToCgroupV2Value). */
export function swapToV2(swap: bigint | undefined, memory: bigint | undefined): bigint {
  const s = swap ?? 0n;
  const m = memory ?? 0n;
  if (m === -1n && s === 0n) return -1n;
  if (s === -1n || s === 0n) return s;
  if (m === 0n || m === -1n)
    throw configError(
      'linux.resources.memory.swap',
      'a swap limit needs a memory limit (on cgroup v2 swap is set as swap - limit)',
    );
  if (s < m) throw configError('linux.resources.memory.swap', `must be >= linux.resources.memory.limit (${s} < ${m})`);
  return s - m;
}

export function v2ResourceWrites(r: Resources | undefined): CgroupWrite[] {
  if (!r) return [];
  const w: CgroupWrite[] = [];
  const { cpu, memory, pids, blockIO: io } = r;
  if (cpu?.realtimePeriod || cpu?.realtimeRuntime) {
    throw configError(
      cpu.realtimePeriod ? 'linux.resources.cpu.realtimePeriod' : 'linux.resources.cpu.realtimeRuntime',
      'realtime cpu limits do not exist on cgroup v2',
    );
  }
  const pidsMax = pids?.limit !== undefined && pids.limit < 0n ? 'max' : v2Limit(pids?.limit);
  if (pidsMax) w.push({ controller: 'pids', file: 'pids.max', value: pidsMax });

  if (memory && (memory.limit || memory.swap || memory.reservation)) {
    const swap = swapToV2(memory.swap, memory.limit);
    // memory == swap total: no swap at all
    const swapMax = v2Limit(swap) ?? (swap === 0n && (memory.swap ?? 0n) > 0n ? '0' : undefined);
    if (swapMax) w.push({ controller: 'memory', file: 'memory.swap.max', value: swapMax });
    const max = v2Limit(memory.limit);
    if (max) w.push({ controller: 'memory', file: 'memory.max', value: max });
    const low = v2Limit(memory.reservation);
    if (low) w.push({ controller: 'memory', file: 'memory.low', value: low });
  }

  // io: bfq's weight when the scheduler is there, else io.weight converted (runc)
  if (io?.weight) {
    w.push({
      controller: 'io',
      file: 'io.bfq.weight',
      value: String(io.weight),
      alt: { file: 'io.weight', value: String(blkioToIoWeight(io.weight)) },
    });
  }
  // per-device weights exist only with bfq; without it runc skips them, and so does minirun
  for (const d of io?.weightDevice ?? []) {
    if (d.weight)
      w.push({ controller: 'io', file: 'io.bfq.weight', value: `${d.major}:${d.minor} ${d.weight}`, ifExists: true });
  }
  const throttles = [
    ['throttleReadBpsDevice', 'rbps'],
    ['throttleWriteBpsDevice', 'wbps'],
    ['throttleReadIOPSDevice', 'riops'],
    ['throttleWriteIOPSDevice', 'wiops'],
  ] as const;
  for (const [key, name] of throttles) {
    for (const t of io?.[key] ?? [])
      w.push({ controller: 'io', file: 'io.max', value: `${t.major}:${t.minor} ${name}=${t.rate}` });
  }

  if (cpu?.shares) w.push({ controller: 'cpu', file: 'cpu.weight', value: String(sharesToWeight(cpu.shares)) });
  if (cpu?.idle !== undefined) w.push({ controller: 'cpu', file: 'cpu.idle', value: String(cpu.idle) });
  if (cpu?.quota || cpu?.period) {
    const quota = cpu.quota !== undefined && cpu.quota > 0n ? String(cpu.quota) : 'max';
    w.push({ controller: 'cpu', file: 'cpu.max', value: `${quota} ${cpu.period || 100000n}` });
  }
  if (cpu?.burst !== undefined) w.push({ controller: 'cpu', file: 'cpu.max.burst', value: String(cpu.burst) });
  if (cpu?.cpus) w.push({ controller: 'cpuset', file: 'cpuset.cpus', value: cpu.cpus });
  if (cpu?.mems) w.push({ controller: 'cpuset', file: 'cpuset.mems', value: cpu.mems });

  (r.hugepageLimits ?? []).forEach((h, i) => {
    const size = checkPageSize(h.pageSize, `linux.resources.hugepageLimits[${i}].pageSize`);
    w.push({ controller: 'hugetlb', file: `hugetlb.${size}.max`, value: String(h.limit) });
  });
  for (const [dev, v] of Object.entries(r.rdma ?? {}))
    w.push({ controller: 'rdma', file: 'rdma.max', value: `${dev} ${rdmaValue(v)}` });
  if (r.network && (r.network.classID !== undefined || r.network.priorities?.length)) {
    throw configError('linux.resources.network', 'net_cls and net_prio do not exist on cgroup v2');
  }

  for (const [key, value] of Object.entries(r.unified ?? {})) {
    const field = `linux.resources.unified[${JSON.stringify(key)}]`;
    if (key.includes('/') || key === '.' || key === '..') throw configError(field, 'must be a file name (no slashes)');
    const dot = key.indexOf('.');
    if (dot <= 0) throw configError(field, 'must be CONTROLLER.PARAMETER');
    w.push({ controller: key.slice(0, dot), file: key, value });
  }
  return w;
}
