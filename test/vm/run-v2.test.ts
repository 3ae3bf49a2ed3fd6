// minirun on a pure cgroup v2 host, compared with runc on the same bundle:
// a plain run, the container's own cgroup, pause/resume (cgroup.freeze), exec --cgroup.
import * as fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../integration/harness';
import { bundle, cgroupGone, noDeviceRules, inOwnCgroup, run, show, RUNTIMES, type Runtime } from './v2';

let sb: Sandbox | undefined;
afterEach(() => {
  sb?.cleanup();
  sb = undefined;
});

const HI = ['sh', '-c', 'echo hi'];

describe('run on cgroup v2', () => {
  it('runc runs the fixture bundle (default config.json) and exits 0', async () => {
    sb = await bundle(HI);
    const r = run(sb, 'runc');
    expect(r.res.code, show(r.res)).toBe(0);
    expect(r.res.stdout).toBe('hi\n');
    expect(cgroupGone(r.cgroup)).toBe(true);
  });

  // The default config.json denies all devices: a v2 device rule.
  it('minirun runs the fixture bundle (default config.json) as runc does', async () => {
    sb = await bundle(HI);
    const r = run(sb, 'minirun');
    expect(r.res.code, show(r.res)).toBe(0);
    expect(r.res.stdout).toBe('hi\n');
    expect(r.res.stderr).toBe('');
    expect(cgroupGone(r.cgroup)).toBe(true);
  });

  it.each(RUNTIMES)('%s runs the bundle without device rules in a v2 cgroup, and removes it', async (rt: Runtime) => {
    sb = await bundle(['sh', '-c', 'echo hi; cat /proc/self/cgroup'], noDeviceRules);
    const r = run(sb, rt);
    expect(r.res.code, show(r.res)).toBe(0);
    // No cgroup namespace in the default config: the host's path shows.
    expect(r.res.stdout).toBe(`hi\n0::/${r.id}\n`);
    expect(cgroupGone(r.cgroup)).toBe(true);
  });

  it.each(RUNTIMES)(
    '%s shows the whole hierarchy at /sys/fs/cgroup without a cgroup namespace',
    async (rt: Runtime) => {
      sb = await bundle(
        ['sh', '-c', 'cat /proc/self/cgroup; ls /sys/fs/cgroup; grep " /sys/fs/cgroup " /proc/self/mountinfo'],
        noDeviceRules,
      );
      const r = run(sb, rt);
      expect(r.res.code, show(r.res)).toBe(0);
      const lines = r.res.stdout.trim().split('\n');
      expect(lines[0]).toBe(`0::/${r.id}`);
      // The root cgroup: its children, and no pids.max of its own.
      expect(lines).toContain(r.id);
      expect(lines).not.toContain('pids.max');
      expect(lines.at(-1)).toMatch(/ \/sys\/fs\/cgroup ro,nosuid,nodev,noexec,relatime - cgroup2 cgroup rw/);
    },
  );

  it.each(RUNTIMES)(
    "%s shows the container's own cgroup at /sys/fs/cgroup in a cgroup namespace",
    async (rt: Runtime) => {
      sb = await bundle(
        ['sh', '-c', 'cat /proc/self/cgroup /sys/fs/cgroup/pids.max /sys/fs/cgroup/cgroup.procs'],
        (c) => {
          noDeviceRules(c);
          c.linux.namespaces.push({ type: 'cgroup' });
        },
      );
      const r = run(sb, rt);
      expect(r.res.code, show(r.res)).toBe(0);
      expect(r.res.stdout).toBe('0::/\nmax\n1\n');
      expect(cgroupGone(r.cgroup)).toBe(true);
    },
  );
});

describe('pause and resume on cgroup v2', () => {
  it.each(RUNTIMES)('%s freezes and thaws the container through cgroup.freeze', async (rt: Runtime) => {
    sb = await bundle(['sleep', '1000'], noDeviceRules);
    const box = sb;
    const { id, cgroup } = inOwnCgroup(box, rt);
    const cmd = (args: string[]) => (rt === 'runc' ? box.runc(args) : box.minirun(args));
    const status = () => JSON.parse(cmd(['state', id]).stdout).status as string;
    const frozen = () => /^frozen (\d)$/m.exec(fs.readFileSync(`${cgroup}/cgroup.events`, 'utf8'))?.[1];
    try {
      const started = cmd(['run', '-d', id]);
      expect(started.code, show(started)).toBe(0);
      expect(status()).toBe('running');
      expect(frozen()).toBe('0');

      const paused = cmd(['pause', id]);
      expect(paused.code, show(paused)).toBe(0);
      expect(status()).toBe('paused');
      expect(fs.readFileSync(`${cgroup}/cgroup.freeze`, 'utf8').trim()).toBe('1');
      expect(frozen()).toBe('1');

      const resumed = cmd(['resume', id]);
      expect(resumed.code, show(resumed)).toBe(0);
      expect(status()).toBe('running');
      expect(frozen()).toBe('0');
    } finally {
      cmd(['delete', '-f', id]);
    }
    expect(cgroupGone(cgroup)).toBe(true);
  });
});

describe('exec --cgroup on cgroup v2', () => {
  it.each(RUNTIMES)(
    '%s runs the process in a sub-cgroup; ps, kill --all and delete -f reach it',
    async (rt: Runtime) => {
      sb = await bundle(['sleep', '1000'], noDeviceRules);
      const box = sb;
      const { id, cgroup } = inOwnCgroup(box, rt);
      const cmd = (args: string[]) => (rt === 'runc' ? box.runc(args) : box.minirun(args));
      try {
        const started = cmd(['run', '-d', id]);
        expect(started.code, show(started)).toBe(0);
        fs.mkdirSync(`${cgroup}/sub/deeper`, { recursive: true });
        const where = cmd(['exec', '--cgroup', 'sub/deeper', id, 'cat', '/proc/self/cgroup']);
        expect(where.stdout, show(where)).toBe(`0::/${id}/sub/deeper\n`);
        // v2 has one hierarchy: a controller prefix names nothing
        expect(cmd(['exec', '--cgroup', 'memory:sub', id, 'true']).code).toBe(255);
        expect(cmd(['exec', '--cgroup', 'nope', id, 'true']).code).toBe(255);
        expect(cmd(['exec', '-d', '--cgroup', 'sub/deeper', id, 'sleep', '1000']).code).toBe(0);
        expect(JSON.parse(cmd(['ps', '--format', 'json', id]).stdout)).toHaveLength(2);
        expect(cmd(['kill', '--all', id, 'KILL']).code).toBe(0);
        for (let i = 0; i < 100 && fs.readFileSync(`${cgroup}/sub/deeper/cgroup.procs`, 'utf8') !== ''; i++)
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
        expect(fs.readFileSync(`${cgroup}/sub/deeper/cgroup.procs`, 'utf8')).toBe('');
      } finally {
        cmd(['delete', '-f', id]);
      }
      expect(cgroupGone(cgroup)).toBe(true);
    },
  );
});

describe('a cgroup that is already there, on cgroup v2', () => {
  /** Thaws, empties and removes a cgroup this test made (and what is below it). */
  const removeCgroup = (dir: string) => {
    if (!fs.existsSync(dir)) return;
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) removeCgroup(`${dir}/${e.name}`);
    fs.writeFileSync(`${dir}/cgroup.freeze`, '0');
    for (let i = 0; i < 100 && fs.readFileSync(`${dir}/cgroup.procs`, 'utf8') !== ''; i++) {
      try {
        fs.writeFileSync(`${dir}/cgroup.kill`, '1');
      } catch {
        // no cgroup.kill before 5.14
      }
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    }
    fs.rmdirSync(dir);
  };

  it.each(RUNTIMES)(
    '%s refuses a frozen one (cgroup.freeze 1) at once and leaves it as it was',
    async (rt: Runtime) => {
      sb = await bundle(['true'], noDeviceRules);
      const box = sb;
      const { id, cgroup } = inOwnCgroup(box, rt);
      fs.mkdirSync(cgroup);
      try {
        fs.writeFileSync(`${cgroup}/cgroup.freeze`, '1');
        for (const cmd of ['run', 'create']) {
          const r = rt === 'runc' ? box.runc([cmd, id]) : box.minirun([cmd, id]);
          expect(r.code, show(r)).toBe(1);
          expect(r.stderr).toContain("container's cgroup unexpectedly frozen");
          if (rt === 'minirun')
            expect(r.stderr).toBe(
              `minirun ${cmd} failed: cgroup: container's cgroup unexpectedly frozen: ${cgroup}/cgroup.freeze is 1\n`,
            );
          expect(fs.readFileSync(`${cgroup}/cgroup.freeze`, 'utf8').trim()).toBe('1');
          expect(fs.readFileSync(`${cgroup}/cgroup.procs`, 'utf8')).toBe('');
        }
        expect(box.residue()).toEqual([]);
      } finally {
        removeCgroup(cgroup);
      }
    },
  );

  it.each(RUNTIMES)('%s warns about processes already in it, and goes on', async (rt: Runtime) => {
    sb = await bundle(['sleep', '1000'], noDeviceRules);
    const box = sb;
    const { id, cgroup } = inOwnCgroup(box, rt);
    const cmd = (args: string[]) => (rt === 'runc' ? box.runc(args) : box.minirun(args));
    try {
      expect(cmd(['run', '-d', id]).code).toBe(0);
      const second = cmd(['run', '-d', `${id}-2`]);
      expect(second.code, show(second)).toBe(0);
      expect(second.stderr).toContain("container's cgroup is not empty: 1 process(es) found");
    } finally {
      cmd(['delete', '-f', `${id}-2`]);
      cmd(['delete', '-f', id]);
      removeCgroup(cgroup);
    }
  });
});
