// A container's resource usage read from its cgroup files, in the shape of
// runc 1.1's `events` stats (types.Stats): cpu, cpuset, memory, pids, blkio,
// hugetlb. Go's omitempty is followed: zero values of such fields are left
// out. Numbers are bigints (limits reach 2^64 - 1).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { dirFor, type CgroupDir, type CgroupMode } from './dirs';

type Obj = Record<string, unknown>;
const MAX_U64 = (1n << 64n) - 1n;
const NS_PER_TICK = 10_000_000n; // USER_HZ is 100 on Linux

function readText(dir: string | undefined, file: string): string | undefined {
  if (!dir) return undefined;
  try {
    return fs.readFileSync(path.join(dir, file), 'utf8');
  } catch {
    return undefined;
  }
}

/** A file holding one number ("max" is 2^64 - 1 as in runc). */
function num(dir: string | undefined, file: string): bigint {
  const t = readText(dir, file)?.trim();
  if (!t) return 0n;
  if (t === 'max') return MAX_U64;
  return /^-?\d+$/.test(t) ? BigInt(t) : 0n;
}

/** "key value" lines */
function keyed(text: string | undefined): Map<string, bigint> {
  const m = new Map<string, bigint>();
  for (const line of (text ?? '').split('\n')) {
    const [k, v] = line.trim().split(/\s+/);
    if (k && v && /^\d+$/.test(v)) m.set(k, BigInt(v));
  }
  return m;
}

/** Go's omitempty for numbers and lists */
function omitEmpty(o: Obj, keys: string[]): Obj {
  for (const k of keys) {
    const v = o[k];
    if (v === 0n || v === undefined || (Array.isArray(v) && v.length === 0)) delete o[k];
  }
  return o;
}

/** "0-2,4" -> [0, 1, 2, 4] */
function cpuList(text: string | undefined): number[] {
  const out: number[] = [];
  for (const part of (text ?? '').trim().split(',').filter(Boolean)) {
    const [a, b] = part.split('-').map(Number);
    for (let i = a; i <= (b ?? a); i++) out.push(i);
  }
  return out;
}

function numbers(text: string | undefined): bigint[] {
  return (text ?? '')
    .trim()
    .split(/\s+/)
    .filter((s) => /^\d+$/.test(s))
    .map(BigInt);
}

function memoryEntry(usage: bigint, max: bigint, failcnt: bigint, limit: bigint): Obj {
  return omitEmpty({ limit, usage, max, failcnt }, ['usage', 'max']);
}

function v1Memory(dir: string | undefined): Obj {
  const entry = (prefix: string) =>
    memoryEntry(
      num(dir, `${prefix}.usage_in_bytes`),
      num(dir, `${prefix}.max_usage_in_bytes`),
      num(dir, `${prefix}.failcnt`),
      num(dir, `${prefix}.limit_in_bytes`),
    );
  const raw = keyed(readText(dir, 'memory.stat'));
  return omitEmpty(
    {
      cache: raw.get('cache') ?? 0n,
      usage: entry('memory'),
      swap: entry('memory.memsw'),
      kernel: entry('memory.kmem'),
      kernelTCP: entry('memory.kmem.tcp'),
      raw: raw.size > 0 ? Object.fromEntries(raw) : undefined,
    },
    ['cache'],
  );
}

function v2Memory(dir: string): Obj {
  const raw = keyed(readText(dir, 'memory.stat'));
  const usage = num(dir, 'memory.current');
  const limit = num(dir, 'memory.max');
  const swapLimit = num(dir, 'memory.swap.max');
  const empty = { limit: 0n, failcnt: 0n };
  return omitEmpty(
    {
      cache: raw.get('file') ?? 0n,
      usage: memoryEntry(usage, 0n, 0n, limit),
      // v1's memsw is memory + swap: runc reports v2's swap that way
      swap: memoryEntry(
        num(dir, 'memory.swap.current') + usage,
        0n,
        0n,
        swapLimit === MAX_U64 ? swapLimit : swapLimit + limit,
      ),
      kernel: empty,
      kernelTCP: empty,
      raw: raw.size > 0 ? Object.fromEntries(raw) : undefined,
    },
    ['cache'],
  );
}

function v1Cpu(cpu: string | undefined, acct: string | undefined): Obj {
  const all = (readText(acct, 'cpuacct.usage_all') ?? '')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.trim().split(/\s+/));
  const stat = keyed(readText(acct, 'cpuacct.stat'));
  const thr = keyed(readText(cpu, 'cpu.stat'));
  return {
    usage: omitEmpty(
      {
        total: num(acct, 'cpuacct.usage'),
        percpu: numbers(readText(acct, 'cpuacct.usage_percpu')),
        percpu_kernel: all.filter((f) => f.length === 3).map((f) => BigInt(f[2])),
        percpu_user: all.filter((f) => f.length === 3).map((f) => BigInt(f[1])),
        kernel: (stat.get('system') ?? 0n) * NS_PER_TICK,
        user: (stat.get('user') ?? 0n) * NS_PER_TICK,
      },
      ['total', 'percpu', 'percpu_kernel', 'percpu_user'],
    ),
    throttling: omitEmpty(
      {
        periods: thr.get('nr_periods') ?? 0n,
        throttledPeriods: thr.get('nr_throttled') ?? 0n,
        throttledTime: thr.get('throttled_time') ?? 0n,
      },
      ['periods', 'throttledPeriods', 'throttledTime'],
    ),
  };
}

function v2Cpu(dir: string): Obj {
  const s = keyed(readText(dir, 'cpu.stat'));
  const us = (k: string) => (s.get(k) ?? 0n) * 1000n;
  return {
    usage: omitEmpty({ total: us('usage_usec'), kernel: us('system_usec'), user: us('user_usec') }, ['total']),
    throttling: omitEmpty(
      {
        periods: s.get('nr_periods') ?? 0n,
        throttledPeriods: s.get('nr_throttled') ?? 0n,
        throttledTime: us('throttled_usec'),
      },
      ['periods', 'throttledPeriods', 'throttledTime'],
    ),
  };
}

function v1Cpuset(dir: string | undefined): Obj {
  const n = (f: string) => num(dir, `cpuset.${f}`);
  const relax = readText(dir, 'cpuset.sched_relax_domain_level')?.trim();
  return omitEmpty(
    {
      cpus: cpuList(readText(dir, 'cpuset.cpus')),
      cpu_exclusive: n('cpu_exclusive'),
      mems: cpuList(readText(dir, 'cpuset.mems')),
      mem_hardwall: n('mem_hardwall'),
      mem_exclusive: n('mem_exclusive'),
      memory_migrate: n('memory_migrate'),
      memory_spread_page: n('memory_spread_page'),
      memory_spread_slab: n('memory_spread_slab'),
      memory_pressure: n('memory_pressure'),
      sched_load_balance: n('sched_load_balance'),
      sched_relax_domain_level: relax && /^-?\d+$/.test(relax) ? BigInt(relax) : 0n,
    },
    ['cpus', 'mems'],
  );
}

// runc's groups of v1 blkio files, tried in order: BFQ with its debug files,
// BFQ, CFQ, the throttle policy's recursive files, its plain ones. A group
// whose first file is missing or empty gives way to the next; within a group
// the first missing or empty file ends the stats with what was read so far.
const DETAILED: [string, string][] = [
  ['sectorsRecursive', 'sectors_recursive'],
  ['ioServiceTimeRecursive', 'io_service_time_recursive'],
  ['ioWaitTimeRecursive', 'io_wait_time_recursive'],
  ['ioMergedRecursive', 'io_merged_recursive'],
  ['ioQueueRecursive', 'io_queued_recursive'],
  ['ioTimeRecursive', 'time_recursive'],
  ['ioServicedRecursive', 'io_serviced_recursive'],
  ['ioServiceBytesRecursive', 'io_service_bytes_recursive'],
];
const BLKIO_GROUPS: [string, [string, string][]][] = [
  ['blkio.bfq.', DETAILED],
  ['blkio.bfq.', DETAILED.slice(-2)],
  ['blkio.', DETAILED],
  ['blkio.throttle.', DETAILED.slice(-2)],
  [
    'blkio.throttle.',
    [
      ['ioServicedRecursive', 'io_serviced'],
      ['ioServiceBytesRecursive', 'io_service_bytes'],
    ],
  ],
];

function blkioEntry(major: bigint, minor: bigint, op: string, value: bigint): Obj {
  const e: Obj = { major, minor, op, value };
  if (op === '') delete e.op;
  return omitEmpty(e, ['major', 'minor', 'value']);
}

/** A blkio file's device lines ("Total" lines apart); none when missing or empty. */
function blkioLines(dir: string | undefined, file: string): Obj[] {
  const entries: Obj[] = [];
  for (const line of (readText(dir, file) ?? '').split('\n')) {
    const f = line.trim().split(/\s+/);
    const dev = /^(\d+):(\d+)$/.exec(f[0] ?? '');
    if (!dev) continue;
    const [op, value] = f.length === 3 ? [f[1], f[2]] : ['', f[1]];
    if (!/^\d+$/.test(value ?? '')) continue;
    entries.push(blkioEntry(BigInt(dev[1]), BigInt(dev[2]), op, BigInt(value)));
  }
  return entries;
}

/** The keys in runc's order (its Blkio struct's). */
const BLKIO_KEYS = [
  'ioServiceBytesRecursive',
  'ioServicedRecursive',
  'ioQueueRecursive',
  'ioServiceTimeRecursive',
  'ioWaitTimeRecursive',
  'ioMergedRecursive',
  'ioTimeRecursive',
  'sectorsRecursive',
];

function v1Blkio(dir: string | undefined): Obj {
  const found: Obj = {};
  const ordered = () => Object.fromEntries(BLKIO_KEYS.filter((k) => k in found).map((k) => [k, found[k]]));
  for (const [prefix, files] of BLKIO_GROUPS) {
    for (const [i, [key, file]] of files.entries()) {
      const entries = blkioLines(dir, prefix + file);
      if (entries.length === 0) {
        if (i === 0) break;
        return ordered();
      }
      found[key] = entries;
      if (i === files.length - 1) return ordered();
    }
  }
  return ordered();
}

function v2Io(dir: string): Obj {
  const bytes: Obj[] = [];
  const ios: Obj[] = [];
  for (const line of (readText(dir, 'io.stat') ?? '').split('\n')) {
    const [devText, ...items] = line.trim().split(/\s+/);
    const dev = /^(\d+):(\d+)$/.exec(devText ?? '');
    if (!dev) continue;
    for (const item of items) {
      const [k, v] = item.split('=');
      const table = { rbytes: bytes, wbytes: bytes, rios: ios, wios: ios }[k];
      if (!table || !/^\d+$/.test(v ?? '')) continue;
      table.push(blkioEntry(BigInt(dev[1]), BigInt(dev[2]), k.startsWith('r') ? 'Read' : 'Write', BigInt(v)));
    }
  }
  const out: Obj = {};
  if (bytes.length) out.ioServiceBytesRecursive = bytes;
  if (ios.length) out.ioServicedRecursive = ios;
  return out;
}

/** The huge page sizes the kernel has, as hugetlb files name them ("2MB", "1GB"). */
function pageSizes(): string[] {
  let names: string[];
  try {
    names = fs.readdirSync('/sys/kernel/mm/hugepages');
  } catch {
    return [];
  }
  return names
    .map((n) => /^hugepages-(\d+)kB$/.exec(n))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => {
      const kb = Number(m[1]);
      if (kb >= 1 << 20 && kb % (1 << 20) === 0) return `${kb >> 20}GB`;
      if (kb >= 1 << 10 && kb % (1 << 10) === 0) return `${kb >> 10}MB`;
      return `${kb}KB`;
    });
}

function hugetlb(dir: string | undefined, v2: boolean): Obj {
  const out: Obj = {};
  if (!dir) return out;
  for (const size of pageSizes()) {
    const base = `hugetlb.${size}`;
    if (v2) {
      if (readText(dir, `${base}.current`) === undefined) continue;
      const events = keyed(readText(dir, `${base}.events`));
      out[size] = omitEmpty({ usage: num(dir, `${base}.current`), failcnt: events.get('max') ?? 0n }, ['usage']);
    } else {
      if (readText(dir, `${base}.usage_in_bytes`) === undefined) continue;
      out[size] = omitEmpty(
        {
          usage: num(dir, `${base}.usage_in_bytes`),
          max: num(dir, `${base}.max_usage_in_bytes`),
          failcnt: num(dir, `${base}.failcnt`),
        },
        ['usage', 'max'],
      );
    }
  }
  return out;
}

function pids(dir: string | undefined): Obj {
  const limit = num(dir, 'pids.max');
  return omitEmpty({ current: num(dir, 'pids.current'), limit: limit === MAX_U64 ? 0n : limit }, ['current', 'limit']);
}

const ZERO_CPUSET: Obj = {
  cpu_exclusive: 0n,
  mem_hardwall: 0n,
  mem_exclusive: 0n,
  memory_migrate: 0n,
  memory_spread_page: 0n,
  memory_spread_slab: 0n,
  memory_pressure: 0n,
  sched_load_balance: 0n,
  sched_relax_domain_level: 0n,
};

export function readStats(mode: CgroupMode, dirs: readonly CgroupDir[]): Obj {
  const of = (c: string) => dirFor(dirs, c)?.path;
  const tail = { intel_rdt: {}, network_interfaces: null };
  if (mode === 'v2') {
    const dir = dirFor(dirs, 'unified')!.path;
    return {
      cpu: v2Cpu(dir),
      cpuset: { ...ZERO_CPUSET },
      memory: v2Memory(dir),
      pids: pids(dir),
      blkio: v2Io(dir),
      hugetlb: hugetlb(dir, true),
      ...tail,
    };
  }
  return {
    cpu: v1Cpu(of('cpu'), of('cpuacct')),
    cpuset: v1Cpuset(of('cpuset')),
    memory: v1Memory(of('memory')),
    pids: pids(of('pids')),
    blkio: v1Blkio(of('blkio')),
    hugetlb: hugetlb(of('hugetlb'), false),
    ...tail,
  };
}

/** The OOM-kill counter (v1 memory.oom_control, v2 memory.events); undefined once the cgroup is gone. */
export function oomKills(mode: CgroupMode, dirs: readonly CgroupDir[]): bigint | undefined {
  const dir = dirFor(dirs, 'memory', mode)?.path;
  const text = readText(dir, mode === 'v2' ? 'memory.events' : 'memory.oom_control');
  if (text === undefined) return undefined;
  return keyed(text).get('oom_kill') ?? 0n;
}
