// The cgroup files minirun writes for a config, read back from the
// container's cgroups and compared with runc's on the same config (v1 host).
import * as fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { v1ResourceWrites } from '../../src/cgroups/resources-v1';
import { parseJson } from '../../src/config/json';
import { readResources } from '../../src/config/validate';
import { hasRunc, isRoot, Sandbox, uniqueId } from './harness';

const v1 = fs.existsSync('/sys/fs/cgroup/cpu/cpu.shares');
const suite = isRoot && hasRunc && v1 ? describe : describe.skip;

/** Every v1 file minirun writes for the suite's config, from the same table the runtime uses, plus devices.list. */
function filesWritten(resources: Record<string, unknown>): string[] {
  const specResources = readResources(parseJson(JSON.stringify(resources)), 'linux.resources');
  const files = v1ResourceWrites(specResources).map(
    (w) =>
      `${w.controller}/${fs.existsSync(`/sys/fs/cgroup/${w.controller}/${w.file}`) || !w.alt ? w.file : w.alt.file}`,
  );
  return [...new Set([...files, 'devices/devices.list'])];
}

/** The first whole disk of this machine, for blkio device rules ("254:0"). */
function firstDisk(): { major: number; minor: number } {
  const line = fs
    .readFileSync('/proc/partitions', 'utf8')
    .split('\n')
    .slice(2)
    .find((l) => /^\s*\d+\s+0\s/.test(l))!;
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
        blockIO: {
          weight: 500,
          throttleReadBpsDevice: [{ ...firstDisk(), rate: 1048576 }],
          throttleWriteIOPSDevice: [{ ...firstDisk(), rate: 100 }],
        },
      };
      c.linux.devices = [{ path: '/dev/fuse', type: 'c', major: 10, minor: 229, fileMode: 0o666 }];
    });
  });
  afterAll(() => sb?.cleanup());

  it('every file minirun writes (cpu, cpuset, memory, pids, blkio, devices) holds what runc writes', () => {
    const id = uniqueId('cg');
    const values: Record<string, string[]> = {};
    const FILES = filesWritten(sb.config().linux.resources);
    expect(FILES).toEqual(
      expect.arrayContaining([
        'cpu/cpu.shares',
        'memory/memory.memsw.limit_in_bytes',
        'pids/pids.max',
        'blkio/blkio.bfq.weight',
        'blkio/blkio.throttle.read_bps_device',
      ]),
    );
    for (const [rt, cli] of [
      ['runc', (a: string[]) => sb.runc(a)],
      ['minirun', (a: string[]) => sb.minirun(a)],
    ] as const) {
      const cid = `${id}-${rt}`;
      expect(cli(['run', '-d', cid]).code).toBe(0);
      try {
        const pid = JSON.parse(cli(['state', cid]).stdout).pid;
        const own = fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8');
        values[rt] = FILES.map((f) => {
          const [ctrl, file] = f.split('/');
          const rel = own
            .split('\n')
            .find((l) => l.split(':')[1] === ctrl)!
            .split(':')[2];
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
      for (const [rt, cli] of [
        ['runc', (a: string[]) => sb.runc(a)],
        ['minirun', (a: string[]) => sb.minirun(a)],
      ] as const) {
        const cid = `${id}-${rt}`;
        expect(cli(['run', '-d', cid]).code).toBe(0);
        try {
          const pid = JSON.parse(cli(['state', cid]).stdout).pid;
          const rel = fs
            .readFileSync(`/proc/${pid}/cgroup`, 'utf8')
            .split('\n')
            .find((l) => l.split(':')[1] === 'devices')!
            .split(':')[2];
          lists[rt] = fs
            .readFileSync(`/sys/fs/cgroup/devices${rel}/devices.list`, 'utf8')
            .trim()
            .split('\n')
            .sort()
            .join(', ');
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

  it('a deny under an allowed wildcard is refused up front, as runc refuses it (v1 cannot enforce it)', () => {
    const config = sb.config();
    sb.edit((c) => {
      c.linux.resources = {
        devices: [
          { allow: false, access: 'rwm' },
          { allow: true, type: 'c', access: 'rwm' },
          { allow: false, type: 'c', major: 1, minor: 3, access: 'rwm' },
        ],
      };
      c.process.args = ['sh', '-c', 'echo > /dev/null && echo wrote'];
    });
    try {
      const { runc, minirun } = sb.runBoth();
      expect(runc.stdout + runc.stderr).toContain('cannot punch hole in existing wildcard rule');
      expect(runc.code).not.toBe(0);
      expect(minirun.code).not.toBe(0);
      expect(minirun.stdout).not.toContain('wrote');
      expect(minirun.stderr.trim()).toBe(
        'minirun run failed: config.json: linux.resources.devices[2]: "deny c 1:3 rwm" cannot be enforced by cgroup v1: it would punch a hole in the earlier wildcard rule "allow c *:* rwm" (runc refuses it too)',
      );
      expect(sb.residue()).toEqual([]);
    } finally {
      sb.setConfig(config);
    }
  });

  it('kernel memory is ignored with a warning; cpu.shares and swappiness out of range are refused, as runc', () => {
    const config = sb.config();
    const seen: string[] = [];
    const cases: [string, Record<string, unknown>][] = [
      ['kernel', { memory: { kernel: 33554432, kernelTCP: 1048576 } }],
      ['shares 1', { cpu: { shares: 1 } }],
      ['shares 300000', { cpu: { shares: 300000 } }],
      ['swappiness 200', { memory: { swappiness: 200 } }],
    ];
    try {
      for (const [name, resources] of cases) {
        sb.edit((c) => {
          c.linux.resources = resources;
          c.process.args = ['sh', '-c', 'cat /sys/fs/cgroup/memory/memory.kmem.limit_in_bytes'];
        });
        const { runc, minirun } = sb.runBoth();
        const warned = (r: { stderr: string }) =>
          /Kernel memory settings are ignored and will be removed/.test(r.stderr);
        expect(`${name}: ${minirun.code === 0} ${minirun.stdout} ${warned(minirun)}`).toBe(
          `${name}: ${runc.code === 0} ${runc.stdout} ${warned(runc)}`,
        );
        seen.push(`${name}: ${minirun.code} ${minirun.stderr.split('\n').filter(Boolean).length} line(s)`);
        if (name !== 'kernel')
          expect(minirun.stderr).toMatch(
            new RegExp(
              `^minirun run failed: config\\.json: linux\\.resources\\.${name.startsWith('shares') ? 'cpu\\.shares' : 'memory\\.swappiness'}: [^\n]+\n$`,
            ),
          );
      }
    } finally {
      sb.setConfig(config);
    }
    expect(seen).toEqual([
      'kernel: 0 1 line(s)',
      'shares 1: 1 1 line(s)',
      'shares 300000: 1 1 line(s)',
      'swappiness 200: 1 1 line(s)',
    ]);
    expect(sb.residue()).toEqual([]);
  });

  it('unified keys on a v1 host are refused before anything is made, with runc\'s "invalid configuration"', () => {
    const config = sb.config();
    const t = uniqueId('minirun-unified');
    sb.edit((c) => {
      c.linux.cgroupsPath = `/${t}/ct`;
      c.linux.resources = { pids: { limit: 10 }, unified: { 'memory.min': '131072' } };
      c.process.args = ['true'];
    });
    try {
      const { runc, minirun } = sb.runBoth();
      expect(runc.stderr).toContain('invalid configuration: cannot use unified on cgroup v1');
      expect(minirun.stderr).toBe(
        "minirun run failed: config.json: linux.resources.unified: invalid configuration: cannot use unified on cgroup v1 (runc's words)\n",
      );
      expect([minirun.code, runc.code]).toEqual([1, 1]);
      expect(fs.readdirSync('/sys/fs/cgroup').filter((h) => fs.existsSync(`/sys/fs/cgroup/${h}/${t}`))).toEqual([]);
    } finally {
      sb.setConfig(config);
      for (const h of fs.readdirSync('/sys/fs/cgroup')) {
        for (const d of [`/sys/fs/cgroup/${h}/${t}/ct`, `/sys/fs/cgroup/${h}/${t}`])
          if (fs.existsSync(d)) fs.rmdirSync(d);
      }
    }
    expect(sb.residue()).toEqual([]);
  });

  it('a pids limit of 10 stops a fork loop, as with runc', () => {
    // Builtins only once the limit is reached: nothing else can fork then.
    sb.setArgs([
      'sh',
      '-c',
      'for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15; do sleep 5 & done 2>/dev/null; read n < /sys/fs/cgroup/pids/pids.current; echo $n',
    ]);
    const { runc, minirun } = sb.runBoth();
    expect(minirun.stdout).toBe(runc.stdout);
    expect(minirun.code).toBe(runc.code);
    // busybox sh gives up once a fork fails: it must not have got past the limit
    expect(minirun.code).not.toBe(0);
  });
});
