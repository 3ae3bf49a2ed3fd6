// A container whose cgroup, or a parent of it, is there before create (a
// pod's parent cgroup, a cgroup another container uses, a frozen one),
// through runc and minirun on the same bundle (v1/hybrid host). Each test
// makes its cgroups under a unique top-level name and removes them after,
// even on failure (thawed first, its processes killed).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseHierarchies } from '../../src/cgroups/mounts';
import { exec, hasRunc, isRoot, MINIRUN, Sandbox, uniqueId, type Result } from './harness';

const CG = '/sys/fs/cgroup';
const v1 = fs.existsSync(`${CG}/cpuset/cpuset.cpus`) && fs.existsSync(`${CG}/freezer/cgroup.procs`);
const suite = isRoot && hasRunc && v1 ? describe : describe.skip;

/** Every cgroup hierarchy's mount point on this host (v1 ones and the unified one). */
const mounts = (): string[] =>
  parseHierarchies(fs.readFileSync('/proc/self/mountinfo', 'utf8')).map((h) => h.mountpoint);

/** The directories named `top` (and below) in any hierarchy, as "<hierarchy>/<path>". */
function existing(top: string): string[] {
  const out: string[] = [];
  const walk = (mount: string, dir: string) => {
    if (!fs.existsSync(dir)) return;
    out.push(`${path.basename(mount)}${dir.slice(mount.length)}`);
    for (const e of fs.readdirSync(dir, { withFileTypes: true }))
      if (e.isDirectory()) walk(mount, path.join(dir, e.name));
  };
  for (const m of mounts()) walk(m, path.join(m, top));
  return out.sort();
}

const pause = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/**
 * Removes `top` from every hierarchy: thaw all of it first (a frozen task
 * does not die of SIGKILL), kill what is in it, rmdir deepest first.
 */
function removeCgroups(top: string): void {
  const dirs: string[] = [];
  const walk = (d: string) => {
    if (!fs.existsSync(d)) return;
    dirs.push(d);
    for (const e of fs.readdirSync(d, { withFileTypes: true })) if (e.isDirectory()) walk(path.join(d, e.name));
  };
  for (const m of mounts()) walk(path.join(m, top));
  for (const d of dirs) {
    for (const [f, v] of [
      ['freezer.state', 'THAWED'],
      ['cgroup.freeze', '0'],
    ]) {
      try {
        fs.writeFileSync(path.join(d, f), v);
      } catch {
        // not this kind of freezer
      }
    }
  }
  for (let i = 0; i < 100; i++) {
    const pids = dirs.flatMap((d) => fs.readFileSync(path.join(d, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean));
    if (pids.length === 0) break;
    for (const p of new Set(pids)) {
      try {
        process.kill(Number(p), 'SIGKILL');
      } catch {
        // gone
      }
    }
    pause(20);
  }
  for (const d of dirs.sort((x, y) => y.length - x.length)) {
    for (let i = 0; i < 100; i++) {
      try {
        fs.rmdirSync(d);
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EBUSY') break;
        pause(10);
      }
    }
  }
}

const read = (file: string) => fs.readFileSync(file, 'utf8').trim();
const stateDirs = (root: string) => (fs.existsSync(root) ? fs.readdirSync(root) : []);
/** The hybrid host's cgroup2 mount, if it has one. */
const unified = mounts().find((m) => fs.existsSync(path.join(m, 'cgroup.controllers')));

/** runc's logrus warnings (level=warning msg="...") and minirun's ("minirun: warning: ..."), as bare messages. */
function warnings(r: Result): string[] {
  return r.stderr.split('\n').flatMap((l) => {
    const m = /level=warning msg="((?:[^"\\]|\\.)*)"/.exec(l) ?? /^minirun: warning: (.*)$/.exec(l);
    return m ? [m[1].replace(/\\"/g, '"')] : [];
  });
}

suite('a cgroup that is already there, as runc', () => {
  let sb: Sandbox;
  let top: string;
  const tops: string[] = [];
  beforeAll(async () => {
    sb = await Sandbox.create(['sh', '-c', 'exec sleep 300 </dev/null >/dev/null 2>&1']);
  });
  afterEach(() => {
    // The containers first (runc's and minirun's), then whatever is left of the cgroups.
    for (const [root, bin] of [
      [sb.runcRoot, 'runc'],
      [sb.minirunRoot, MINIRUN],
    ] as const) {
      if (!fs.existsSync(root)) continue;
      for (const id of fs.readdirSync(root).reverse())
        exec(bin, ['--root', root, 'delete', '-f', id], { cwd: sb.bundle, timeoutMs: 15_000 });
    }
    for (const t of tops.splice(0)) removeCgroups(t);
  });
  afterAll(() => sb?.cleanup());

  /** A unique top-level cgroup name for this test, removed after it. */
  const newTop = (): string => {
    top = uniqueId('minirun-cgx');
    tops.push(top);
    return top;
  };
  /** Runs a runtime with a timeout of its own: a frozen init must not hold the test for long. */
  const cli = (rt: 'runc' | 'minirun', args: string[], timeoutMs = 15_000): Result =>
    rt === 'runc'
      ? exec('runc', ['--root', sb.runcRoot, ...args], { cwd: sb.bundle, timeoutMs })
      : exec(MINIRUN, ['--root', sb.minirunRoot, ...args], { cwd: sb.bundle, timeoutMs });

  it('empty cpuset.cpus/mems in existing parents are filled from above, down to the container (runc cpusetEnsureParent)', () => {
    const t = newTop();
    const seen: Record<string, string[]> = {};
    for (const rt of ['runc', 'minirun'] as const) {
      // /<t> and /<t>/<rt> exist in the cpuset hierarchy only, both with empty cpus and mems, as a pod's would
      fs.mkdirSync(`${CG}/cpuset/${t}/${rt}`, { recursive: true });
      expect(read(`${CG}/cpuset/${t}/${rt}/cpuset.cpus`)).toBe('');
      for (const [name, cpus] of [
        ['plain', undefined],
        ['cpus', '0'],
      ] as const) {
        sb.edit((c) => {
          c.linux.cgroupsPath = `/${t}/${rt}/${name}`;
          c.linux.resources = cpus === undefined ? {} : { cpu: { cpus } };
          c.process.args = [
            'sh',
            '-c',
            'cat /sys/fs/cgroup/cpuset/cpuset.cpus /sys/fs/cgroup/cpuset/cpuset.mems; grep :cpuset: /proc/self/cgroup',
          ];
        });
        const r = cli(rt, ['run', uniqueId(`cpuset-${rt}`)]);
        seen[rt] = [
          ...(seen[rt] ?? []),
          `${name}: ${r.code} ${r.stdout.replaceAll(`/${rt}/`, '/RT/')}`,
          `/${t}: ${read(`${CG}/cpuset/${t}/cpuset.cpus`)} ${read(`${CG}/cpuset/${t}/cpuset.mems`)}`,
          `/${t}/RT: ${read(`${CG}/cpuset/${t}/${rt}/cpuset.cpus`)} ${read(`${CG}/cpuset/${t}/${rt}/cpuset.mems`)}`,
        ];
      }
    }
    expect(seen.minirun).toEqual(seen.runc);
    const [cpus, mems] = [read(`${CG}/cpuset/cpuset.cpus`), read(`${CG}/cpuset/cpuset.mems`)];
    expect(seen.minirun.filter((l) => !l.includes(':cpuset:'))).toEqual([
      `/${t}: ${cpus} ${mems}`,
      `/${t}/RT: ${cpus} ${mems}`,
      `/${t}: ${cpus} ${mems}`,
      `/${t}/RT: ${cpus} ${mems}`,
    ]);
    expect(seen.minirun[0]).toMatch(new RegExp(`^plain: 0 ${cpus}\n${mems}\n\\d+:cpuset:/${t}/RT/plain\n$`));
    expect(seen.minirun[3]).toMatch(new RegExp(`^cpus: 0 0\n${mems}\n\\d+:cpuset:/${t}/RT/cpus\n$`));
    // minirun takes away only what it made: the parents stay; runc leaves its own parents behind in the other hierarchies
    expect(existing(t).filter((d) => d.includes(`${t}/minirun`))).toEqual([`cpuset/${t}/minirun`]);
    expect(sb.residue()).toEqual([]);
  });

  it('a frozen v1 cgroup is refused by run and create at once, and left as it was (runc: "container\'s cgroup unexpectedly frozen")', () => {
    const t = newTop();
    const dir = `${CG}/freezer/${t}`;
    fs.mkdirSync(dir);
    fs.writeFileSync(`${dir}/freezer.state`, 'FROZEN');
    sb.edit((c) => {
      c.linux.cgroupsPath = `/${t}`;
      c.process.args = ['true'];
    });
    const got: Record<string, string[]> = {};
    for (const rt of ['runc', 'minirun'] as const) {
      got[rt] = [];
      for (const cmd of ['run', 'create']) {
        const r = cli(rt, [cmd, uniqueId(`frz-${rt}`)]);
        got[rt].push(
          `${cmd}: ${r.code} ${r.stderr.includes("container's cgroup unexpectedly frozen")}`,
          ...existing(t),
        );
        if (rt === 'minirun')
          expect(r.stderr).toBe(
            `minirun ${cmd} failed: cgroup: container's cgroup unexpectedly frozen: ${dir}/freezer.state is FROZEN\n`,
          );
      }
      expect(stateDirs(rt === 'runc' ? sb.runcRoot : sb.minirunRoot)).toEqual([]);
    }
    expect(got.minirun).toEqual(got.runc);
    expect(got.minirun).toEqual(['run: 1 true', `freezer/${t}`, 'create: 1 true', `freezer/${t}`]);
    expect(read(`${dir}/freezer.state`)).toBe('FROZEN');
    expect(read(`${dir}/cgroup.procs`)).toBe('');
    expect(sb.residue()).toEqual([]);
  });

  it.skipIf(!unified)(
    'a frozen unified (v2) cgroup on this hybrid host is refused too (runc 1.1.5 reads only the v1 freezer here, and hangs)',
    () => {
      const t = newTop();
      const dir = path.join(unified!, t);
      fs.mkdirSync(dir);
      fs.writeFileSync(`${dir}/cgroup.freeze`, '1');
      sb.edit((c) => {
        c.linux.cgroupsPath = `/${t}`;
        c.process.args = ['true'];
      });
      for (const cmd of ['run', 'create']) {
        const r = cli('minirun', [cmd, uniqueId('frz2')]);
        expect(r.stderr).toBe(
          `minirun ${cmd} failed: cgroup: container's cgroup unexpectedly frozen: ${dir}/cgroup.freeze is 1\n`,
        );
        expect(r.code).toBe(1);
      }
      expect(existing(t)).toEqual([`${path.basename(unified!)}/${t}`]);
      expect(read(`${dir}/cgroup.freeze`)).toBe('1');
      expect(stateDirs(sb.minirunRoot)).toEqual([]);
      expect(sb.residue()).toEqual([]);
    },
  );

  it("a cgroup with processes in it gets runc's warning, and run and create go on", () => {
    const t = newTop();
    const got: Record<string, string[]> = {};
    for (const rt of ['runc', 'minirun'] as const) {
      sb.edit((c) => {
        c.linux.cgroupsPath = `/${t}/${rt}`;
        c.process.args = ['sh', '-c', 'exec sleep 300 </dev/null >/dev/null 2>&1'];
      });
      got[rt] = [];
      for (const args of [['run', '-d'], ['run', '-d'], ['create']]) {
        const r = cli(rt, [...args, uniqueId(`ne-${rt}`)]);
        // runc adds a second warning, that runc 1.2 will refuse such a cgroup: minirun's own plans are not runc's
        got[rt].push(
          `${args[0]}: ${r.code} ${JSON.stringify(warnings(r).filter((w) => !w.startsWith('DEPRECATED: ')))}`,
        );
      }
    }
    expect(got.minirun).toEqual(got.runc);
    expect(got.minirun).toEqual([
      'run: 0 []',
      'run: 0 ["container\'s cgroup is not empty: 1 process(es) found"]',
      'create: 0 ["container\'s cgroup is not empty: 2 process(es) found"]',
    ]);
  });

  it('a parent with a cpu quota: update to a smaller period and a lower quota works (the period is written again after the quota), as runc', () => {
    const t = newTop();
    const got: Record<string, string[]> = {};
    for (const rt of ['runc', 'minirun'] as const) {
      // a pod's parent limited to 50% (quota 50000 of the default period 100000)
      fs.mkdirSync(`${CG}/cpu/${t}/${rt}`, { recursive: true });
      fs.writeFileSync(`${CG}/cpu/${t}/${rt}/cpu.cfs_quota_us`, '50000');
      // the container at the same 50%, as runc's update.bats sets it up
      sb.edit((c) => {
        c.linux.cgroupsPath = `/${t}/${rt}/c`;
        c.linux.resources = { cpu: { quota: 500000, period: 1000000 } };
      });
      const id = uniqueId(`cpu-${rt}`);
      expect(cli(rt, ['run', '-d', id]).code).toBe(0);
      const dir = `${CG}/cpu/${t}/${rt}/c`;
      const over = cli(rt, ['update', '--cpu-quota', '600000', id]);
      const under = cli(rt, ['update', '--cpu-period', '10000', '--cpu-quota', '3000', id]);
      got[rt] = [
        `over: ${over.code}`,
        `under: ${under.code} ${under.stderr}`,
        read(`${dir}/cpu.cfs_period_us`),
        read(`${dir}/cpu.cfs_quota_us`),
      ];
    }
    expect(got.minirun).toEqual(got.runc);
    expect(got.minirun).toEqual(['over: 1', 'under: 0 ', '10000', '3000']);
  });

  it("the container's own cgroup that was there before is removed on delete, with what was set in it, as runc; its parent stays", () => {
    // (runc also leaves the parents it made in the other hierarchies; minirun removes what it made)
    const t = newTop();
    const got: Record<string, string[]> = {};
    for (const rt of ['runc', 'minirun'] as const) {
      // as runc's update.bats does before "update rt period and runtime": the leaf made in one hierarchy first
      fs.mkdirSync(`${CG}/cpu/${t}/${rt}/c`, { recursive: true });
      sb.edit((c) => {
        c.linux.cgroupsPath = `/${t}/${rt}/c`;
        c.linux.resources = { cpu: { shares: 512 } };
      });
      const id = uniqueId(`pre-${rt}`);
      expect(cli(rt, ['run', '-d', id]).code).toBe(0);
      const during = read(`${CG}/cpu/${t}/${rt}/c/cpu.shares`);
      expect(cli(rt, ['delete', '--force', id]).code).toBe(0);
      // "<hierarchy>/<t>/<rt>[/c]": the leaves left, and whether the parent that was there before stays
      const mine = existing(t).filter((e) => e.split('/')[2] === rt);
      got[rt] = [
        during,
        `leaves: ${mine.filter((e) => e.endsWith('/c')).length}`,
        `parent: ${mine.includes(`cpu/${t}/${rt}`)}`,
      ];
    }
    expect(got.minirun).toEqual(got.runc);
    expect(got.minirun).toEqual(['512', 'leaves: 0', 'parent: true']);
  });
});
