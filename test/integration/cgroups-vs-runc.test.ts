// The cgroup files minirun writes for a config, read back from the
// container's cgroups and compared with runc's on the same config (v1 host).
import * as fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { v1Writes } from '../../src/cgroups/resources';
import { parseJson } from '../../src/spec/json';
import { readResources } from '../../src/spec/validate';
import { hasRunc, isRoot, Sandbox, uniqueId } from './harness';

const v1 = fs.existsSync('/sys/fs/cgroup/cpu/cpu.shares');
const suite = isRoot && hasRunc && v1 ? describe : describe.skip;

/** Every v1 file minirun writes for the suite's config, from the same table the runtime uses, plus devices.list. */
function filesWritten(resources: Record<string, unknown>): string[] {
  const specResources = readResources(parseJson(JSON.stringify(resources)), 'linux.resources');
  const files = v1Writes(specResources).map((w) => `${w.controller}/${fs.existsSync(`/sys/fs/cgroup/${w.controller}/${w.file}`) || !w.alt ? w.file : w.alt.file}`);
  return [...new Set([...files, 'devices/devices.list'])];
}

/** The first whole disk of this machine, for blkio device rules ("254:0"). */
function firstDisk(): { major: number; minor: number } {
  const line = fs.readFileSync('/proc/partitions', 'utf8').split('\n').slice(2).find((l) => /^\s*\d+\s+0\s/.test(l))!;
  const [major, minor] = line.trim().split(/\s+/).map(Number);
  return { major, minor };
}

suite('cgroup v1 files match runc', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await Sandbox.create(['sh', '-c', 'exec sleep 300 </dev/null >/dev/null 2>&1']);
    sb.edit((c) => {
      c.linux.resources = {
        ...c.linux.resources,
        cpu: { shares: 512, quota: 10000, period: 100000, cpus: '0', mems: '0' },
        memory: { limit: 33554432, reservation: 16777216, swap: 67108864, swappiness: 10, disableOOMKiller: false },
        pids: { limit: 10 },
        blockIO: { weight: 500, throttleReadBpsDevice: [{ ...firstDisk(), rate: 1048576 }], throttleWriteIOPSDevice: [{ ...firstDisk(), rate: 100 }] },
      };
      c.linux.devices = [{ path: '/dev/fuse', type: 'c', major: 10, minor: 229, fileMode: 0o666 }];
    });
  });
  afterAll(() => sb?.cleanup());

  it('every file minirun writes (cpu, cpuset, memory, pids, blkio, devices) holds what runc writes', () => {
    const id = uniqueId('cg');
    const values: Record<string, string[]> = {};
    const FILES = filesWritten(sb.config().linux.resources);
    expect(FILES).toEqual(expect.arrayContaining(['cpu/cpu.shares', 'memory/memory.memsw.limit_in_bytes', 'pids/pids.max', 'blkio/blkio.bfq.weight', 'blkio/blkio.throttle.read_bps_device']));
    for (const [rt, cli] of [['runc', (a: string[]) => sb.runc(a)], ['minirun', (a: string[]) => sb.minirun(a)]] as const) {
      const cid = `${id}-${rt}`;
      expect(cli(['run', '-d', cid]).code).toBe(0);
      try {
        const pid = JSON.parse(cli(['state', cid]).stdout).pid;
        const own = fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8');
        values[rt] = FILES.map((f) => {
          const [ctrl, file] = f.split('/');
          const rel = own.split('\n').find((l) => l.split(':')[1] === ctrl)!.split(':')[2];
          // devices.list comes in the kernel's order: compare the rules as a set
          const text = fs.readFileSync(`/sys/fs/cgroup/${ctrl}${rel}/${file}`, 'utf8').trim();
          return `${f} = ${file === 'devices.list' ? text.split('\n').sort().join(', ') : text}`;
        });
      } finally {
        cli(['delete', '-f', cid]);
      }
    }
    expect(values.minirun).toEqual(values.runc);
    expect(values.minirun).toContain('pids/pids.max = 10');
    expect(sb.residue()).toEqual([]);
  });

  it('no device rules in the config still means deny-all plus the defaults, as runc', () => {
    const id = uniqueId('nodev');
    const lists: Record<string, string> = {};
    const config = sb.config();
    sb.edit((c) => {
      delete c.linux.resources;
      c.process.args = ['sh', '-c', 'exec sleep 300 </dev/null >/dev/null 2>&1'];
    });
    try {
      for (const [rt, cli] of [['runc', (a: string[]) => sb.runc(a)], ['minirun', (a: string[]) => sb.minirun(a)]] as const) {
        const cid = `${id}-${rt}`;
        expect(cli(['run', '-d', cid]).code).toBe(0);
        try {
          const pid = JSON.parse(cli(['state', cid]).stdout).pid;
          const rel = fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n').find((l) => l.split(':')[1] === 'devices')!.split(':')[2];
          lists[rt] = fs.readFileSync(`/sys/fs/cgroup/devices${rel}/devices.list`, 'utf8').trim().split('\n').sort().join(', ');
        } finally {
          cli(['delete', '-f', cid]);
        }
      }
    } finally {
      sb.setConfig(config);
    }
    expect(lists.minirun).toBe(lists.runc);
    expect(lists.minirun).not.toContain('a *:* rwm');
  });

  it('a pids limit of 10 stops a fork loop, as with runc', () => {
    // Builtins only once the limit is reached: nothing else can fork then.
    sb.setArgs(['sh', '-c', 'for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15; do sleep 5 & done 2>/dev/null; read n < /sys/fs/cgroup/pids/pids.current; echo $n']);
    const { runc, minirun } = sb.runBoth();
    expect(minirun.stdout).toBe(runc.stdout);
    expect(minirun.code).toBe(runc.code);
    // busybox sh gives up once a fork fails: it must not have got past the limit
    expect(minirun.code).not.toBe(0);
  });
});
