import type { Command } from 'commander';
import type { Globals } from './globals';

type Flags = Record<string, string | undefined>;

const FLAGS: [string, string][] = [
  ['--blkio-weight <value>', 'per cgroup weight, range is from 10 to 1000'],
  ['--cpu-period <value>', 'CPU CFS period (in usecs); 0 to use the system default'],
  ['--cpu-quota <value>', 'CPU CFS hardcap limit (in usecs) per period'],
  ['--cpu-share <value>', 'CPU shares (relative weight vs. other containers)'],
  ['--cpu-rt-period <value>', 'CPU realtime period (in usecs)'],
  ['--cpu-rt-runtime <value>', 'CPU realtime hardcap limit (in usecs) per period'],
  ['--cpuset-cpus <value>', 'CPU(s) to use'],
  ['--cpuset-mems <value>', 'memory node(s) to use'],
  ['--memory <value>', 'memory limit (in bytes; k, m, g suffixes)'],
  ['--memory-reservation <value>', 'memory reservation or soft limit (in bytes)'],
  ['--memory-swap <value>', "total memory usage (memory + swap); '-1' for unlimited swap"],
  ['--pids-limit <value>', 'maximum number of pids allowed in the container'],
  ['--l3-cache-schema <value>', 'Intel RDT/CAT L3 cache schema (not supported)'],
  ['--mem-bw-schema <value>', 'Intel RDT/MBA memory bandwidth schema (not supported)'],
];

export function register(program: Command, globals: Globals): void {
  const cmd = program
    .command('update')
    .description('update container resource constraints')
    .argument('<container-id>', 'the container id')
    .option(
      '-r, --resources <file>',
      "a file with a linux.resources object, or '-' for stdin (other flags are then ignored)",
    );
  for (const [flag, help] of FLAGS) cmd.option(flag, help);
  cmd.action(async (id: string, o: Flags) => {
    const u = await import('../lifecycle/update');
    const { integer } = await import('./numbers');
    const { MiniRunError } = await import('../errors');
    // an empty value is not given, as runc reads these string flags
    if (o.l3CacheSchema || o.memBwSchema) {
      throw new MiniRunError(
        'USAGE',
        `--${o.l3CacheSchema ? 'l3-cache-schema' : 'mem-bw-schema'}: Intel RDT is not supported`,
      );
    }
    let given;
    if (o.resources !== undefined) {
      const fs = await import('node:fs');
      given = u.resourcesFromFile(o.resources, () => fs.readFileSync(0, 'utf8'));
    } else {
      const big = (name: string, v: string | undefined, min: bigint) =>
        v === undefined ? undefined : integer(name, v, min, (1n << 63n) - 1n);
      const bytes = (name: string, v: string | undefined) =>
        v === undefined || v === '' ? undefined : u.parseBytes(name, v);
      given = u.resourcesFromFlags({
        blkioWeight:
          o.blkioWeight === undefined ? undefined : Number(integer('blkio-weight', o.blkioWeight, 0n, 1000n)),
        cpuPeriod: big('cpu-period', o.cpuPeriod, 0n),
        cpuQuota: big('cpu-quota', o.cpuQuota, -(1n << 63n)),
        cpuShare: big('cpu-share', o.cpuShare, 0n),
        cpuRtPeriod: big('cpu-rt-period', o.cpuRtPeriod, 0n),
        cpuRtRuntime: big('cpu-rt-runtime', o.cpuRtRuntime, -(1n << 63n)),
        cpusetCpus: o.cpusetCpus,
        cpusetMems: o.cpusetMems,
        memory: bytes('memory', o.memory),
        memoryReservation: bytes('memory-reservation', o.memoryReservation),
        memorySwap: bytes('memory-swap', o.memorySwap),
        pidsLimit: big('pids-limit', o.pidsLimit, -(1n << 63n)),
      });
    }
    u.update(globals().root, id, given);
  });
}
