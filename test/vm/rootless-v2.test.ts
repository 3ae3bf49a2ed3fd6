// Rootless on cgroup v2 with delegation, in the systemd guest: a user of the
// test's own (useradd, subordinate ids) whose user@UID.service systemd starts,
// which gives the user a delegated subtree
// (/user.slice/user-UID.slice/user@UID.service, the controllers of the unit's
// Delegate=). runc and minirun (`--rootless` auto, the cgroupfs driver) run as
// that user on a `runc spec --rootless` bundle whose cgroupsPath is inside
// that subtree, with memory and pids limits; compared: the container's cgroup,
// the limit files, the pids limit enforced, update, delete leaving no cgroup;
// and a cgroupsPath outside the delegation failing for both.
//
// The runtimes are started in a cgroup of the user's own in the subtree (as a
// user's `systemd-run --user --scope` would put them): cgroup v2 lets a
// process move a task only when it may write cgroup.procs of the common
// ancestor of both cgroups, here user@UID.service, which the user owns.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeBundle } from '../../src/fixtures/make-bundle';
import { exec, MINIRUN, runcMessage, uniqueId, type Config, type Result } from '../integration/harness';
import { show, RUNTIMES, type Runtime } from './v2';

const CG = '/sys/fs/cgroup';
const SLEEP = ['sh', '-c', 'exec sleep 300 </dev/null >/dev/null 2>&1'];

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

const read = (dir: string, f: string) => fs.readFileSync(`${dir}/${f}`, 'utf8').trim();

describe('rootless on cgroup v2: a user with a delegated subtree (user@UID.service)', () => {
  const name = `mrv${process.pid}${Math.random().toString(36).slice(2, 5)}`;
  let uid = -1;
  let gid = -1;
  let delegated = '';
  /** the user's own cgroup in the subtree, where its runtime commands run */
  let caller = '';
  let dir = '';
  let bundle = '';
  let pristine: Config;

  beforeAll(async () => {
    run('useradd', ['-m', '-s', '/bin/sh', name]);
    uid = Number(run('id', ['-u', name]).trim());
    gid = Number(run('id', ['-g', name]).trim());
    for (const f of ['/etc/subuid', '/etc/subgid'])
      if (!fs.readFileSync(f, 'utf8').includes(`${name}:`)) fs.appendFileSync(f, `${name}:200000:65536\n`);
    const t0 = Date.now();
    run('systemctl', ['start', `user@${uid}.service`]);
    console.log(`rootless-v2: systemctl start user@${uid}.service took ${(Date.now() - t0) / 1000} s`);
    delegated = `${CG}/user.slice/user-${uid}.slice/user@${uid}.service`;
    caller = `${delegated}/mr-caller`;
    asUser('mkdir', [caller], '/');

    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'minirun-rlv2-'));
    fs.chmodSync(dir, 0o755);
    bundle = path.join(dir, 'bundle');
    await makeBundle(bundle);
    fs.rmSync(path.join(bundle, 'config.json'));
    run('chown', ['-R', `${uid}:${gid}`, bundle]);
    const spec = asUser('runc', ['spec', '--rootless']);
    if (spec.code !== 0) throw new Error(`runc spec --rootless: ${show(spec)}`);
    pristine = JSON.parse(fs.readFileSync(path.join(bundle, 'config.json'), 'utf8'));
    pristine.process.terminal = false;
    pristine.process.args = SLEEP;
  });

  afterEach(() => {
    // containers a failed test left: deleted as the user, by each runtime
    for (const rt of RUNTIMES) {
      const root = `/run/user/${uid}/${rt}`;
      for (const id of fs.existsSync(root) ? fs.readdirSync(root) : []) asUser(rt, ['delete', '--force', id]);
    }
  });

  afterAll(() => {
    if (uid < 0) return;
    // (the caller's cgroup is empty between commands; systemd then removes the subtree with the unit)
    if (caller && fs.existsSync(caller)) fs.rmdirSync(caller);
    spawnSync('systemctl', ['stop', `user@${uid}.service`]);
    spawnSync('userdel', ['-r', name]);
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** A command as the user (setpriv, no PAM session), in its own cgroup of the subtree, with XDG_RUNTIME_DIR=/run/user/UID. */
  function asUser(cmd: string, args: string[], cwd = bundle): Result {
    const file = cmd === 'minirun' ? MINIRUN : cmd;
    const env = [`PATH=${process.env.PATH}`, `HOME=/home/${name}`, `USER=${name}`, `XDG_RUNTIME_DIR=/run/user/${uid}`];
    const moveIn = fs.existsSync(caller) ? `echo $$ > ${caller}/cgroup.procs && ` : '';
    return exec(
      'sh',
      [
        '-c',
        `${moveIn}exec setpriv --reuid=${uid} --regid=${gid} --init-groups env -i ${env.join(' ')} "$@"`,
        'sh',
        file,
        ...args,
      ],
      { cwd },
    );
  }

  function withConfig(f: (c: Config) => void): void {
    const c = structuredClone(pristine);
    f(c);
    const file = path.join(bundle, 'config.json');
    fs.writeFileSync(file, JSON.stringify(c, null, 2));
    fs.chownSync(file, uid, gid);
  }

  /** The entries of cgroup dir `d` whose name has `part` (a container's id). */
  const leftIn = (d: string, part: string) => fs.readdirSync(d).filter((e) => e.includes(part));

  it('systemd delegates memory and pids to the user: the subtree is the user’s', () => {
    const controllers = read(delegated, 'cgroup.controllers').split(' ');
    expect(controllers).toEqual(expect.arrayContaining(['memory', 'pids']));
    for (const f of ['.', 'cgroup.procs', 'cgroup.subtree_control'])
      expect(fs.statSync(`${delegated}/${f}`).uid).toBe(uid);
    expect(fs.statSync(`${CG}/user.slice/cgroup.procs`).uid).toBe(0);
    expect(read(`${caller}`, 'cgroup.procs')).toBe('');
    // nothing pulled in sysinit.target, whose tmpfiles would empty /tmp under the other tests (units/)
    const active = spawnSync('systemctl', ['is-active', 'sysinit.target', 'systemd-tmpfiles-setup.service'], {
      encoding: 'utf8',
    });
    expect(active.stdout.trim().split('\n')).toEqual(['inactive', 'inactive']);
  });

  it('limits in the delegated subtree: the cgroup, memory.max and pids.max, the pids limit enforced, update, delete, as runc', () => {
    const seen: Record<string, string[]> = {};
    for (const rt of RUNTIMES) {
      const id = uniqueId(`rl${rt[0]}`);
      const rel = `/user.slice/user-${uid}.slice/user@${uid}.service/${id}`;
      const cgroup = `${CG}${rel}`;
      withConfig((c) => {
        c.linux.cgroupsPath = rel;
        c.linux.resources = { memory: { limit: 67108864 }, pids: { limit: 10 } };
      });
      const r = asUser(rt, ['run', '-d', id]);
      expect(r.code, `${rt}: ${show(r)}`).toBe(0);
      try {
        const pid = JSON.parse(asUser(rt, ['state', id]).stdout).pid;
        expect(fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8'), rt).toBe(`0::${rel}\n`);
        expect(fs.statSync(cgroup).uid, rt).toBe(uid);
        const before = [read(cgroup, 'memory.max'), read(cgroup, 'pids.max')];
        // /sys/fs/cgroup inside: cgroup2 cannot be mounted over the one the rbind of /sys brought (EBUSY),
        // so the container's own cgroup dir is bound there (runc's mountCgroupV2 fallback)
        const inside = asUser(rt, ['exec', id, 'sh', '-c', 'cat /proc/self/cgroup /sys/fs/cgroup/pids.max']);
        // busybox sh gives up at the first fork that fails; exec returns once the children are gone
        const bomb = asUser(rt, [
          'exec',
          id,
          'sh',
          '-c',
          'i=0; while [ $i -lt 20 ]; do sleep 2 & i=$((i+1)); echo forked $i; done',
        ]);
        const u = asUser(rt, ['update', '--memory', '32m', '--pids-limit', '20', id]);
        seen[rt] = [
          `cgroup: ${fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8').trim().replace(id, 'ID')}`,
          `memory.max = ${before[0]} -> ${read(cgroup, 'memory.max')}`,
          `pids.max = ${before[1]} -> ${read(cgroup, 'pids.max')}`,
          `inside: ${inside.code} ${inside.stdout.trim().replace(/\n/g, ' ')} ${inside.stderr}`,
          `fork loop: exit ${bomb.code}, ${bomb.stdout.trim().split('\n').length} forked, ${bomb.stderr.trim()}`,
          `pids.events: ${read(cgroup, 'pids.events')}`,
          `update: ${u.code} ${u.stderr}`,
        ];
      } finally {
        const d = asUser(rt, ['delete', '-f', id]);
        expect(d.code, `${rt}: ${show(d)}`).toBe(0);
      }
      expect(fs.existsSync(cgroup), `${rt}: ${cgroup} left`).toBe(false);
      expect(leftIn(delegated, id), rt).toEqual([]);
    }
    expect(seen.minirun).toEqual(seen.runc);
    expect(seen.minirun.slice(0, 3)).toEqual([
      `cgroup: 0::/user.slice/user-${uid}.slice/user@${uid}.service/ID`,
      'memory.max = 67108864 -> 33554432',
      'pids.max = 10 -> 20',
    ]);
    expect(seen.minirun[3]).toBe('inside: 0 0::/ 10 ');
    expect(seen.minirun[4]).toMatch(/^fork loop: exit 2, \d forked, sh: can't fork/);
    expect(seen.minirun[5]).toMatch(/^pids.events: max [1-9]/);
  });

  it('without a cgroupsPath: beside the caller’s cgroup (runc fs2: below its parent), with the limits, as runc', () => {
    const seen: Record<string, string[]> = {};
    for (const rt of RUNTIMES) {
      const id = uniqueId(`rl${rt[0]}`);
      const cgroup = `${delegated}/${id}`;
      withConfig((c) => (c.linux.resources = { memory: { limit: 67108864 }, pids: { limit: 10 } }));
      const r = asUser(rt, ['run', '-d', id]);
      expect(r.code, `${rt}: ${show(r)}`).toBe(0);
      try {
        const pid = JSON.parse(asUser(rt, ['state', id]).stdout).pid;
        seen[rt] = [
          `cgroup: ${fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8').trim().replace(id, 'ID')}`,
          `memory.max = ${read(cgroup, 'memory.max')}`,
          `pids.max = ${read(cgroup, 'pids.max')}`,
        ];
      } finally {
        const d = asUser(rt, ['delete', '-f', id]);
        expect(d.code, `${rt}: ${show(d)}`).toBe(0);
      }
      expect(fs.existsSync(cgroup), `${rt}: ${cgroup} left`).toBe(false);
    }
    expect(seen.minirun).toEqual(seen.runc);
    expect(seen.minirun).toEqual([
      `cgroup: 0::/user.slice/user-${uid}.slice/user@${uid}.service/ID`,
      'memory.max = 67108864',
      'pids.max = 10',
    ]);
  });

  it("--systemd-cgroup: the scope in the user's systemd (its bus), with the limits, and nothing left on delete, as runc", () => {
    // The user manager's units that are ours, loaded in any state (failed included).
    const ourUnits = (id: string): string => {
      const l = asUser('systemctl', [
        '--user',
        '--no-pager',
        '--plain',
        '--no-legend',
        'list-units',
        '--all',
        `*${id}*`,
      ]);
      expect(l.code, show(l)).toBe(0);
      return l.stdout.trim();
    };
    const seen: Record<string, string[]> = {};
    for (const rt of RUNTIMES) {
      const id = uniqueId(`rs${rt[0]}`);
      const unit = `mr-${id}.scope`;
      const rel = `/user.slice/user-${uid}.slice/user@${uid}.service/user.slice/${unit}`;
      withConfig((c) => {
        c.linux.cgroupsPath = `user.slice:mr:${id}`;
        c.linux.resources = { memory: { limit: 67108864 }, pids: { limit: 10 } };
      });
      const r = asUser(rt, ['--systemd-cgroup', 'run', '-d', id]);
      expect(r.code, `${rt}: ${show(r)}`).toBe(0);
      try {
        const pid = JSON.parse(asUser(rt, ['state', id]).stdout).pid;
        const active = asUser('systemctl', ['--user', 'is-active', unit]);
        seen[rt] = [
          `cgroup: ${fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8').trim().replace(id, 'ID')}`,
          `unit: ${active.stdout.trim()}`,
          `memory.max = ${read(`${CG}${rel}`, 'memory.max')}`,
          `pids.max = ${read(`${CG}${rel}`, 'pids.max')}`,
        ];
      } finally {
        const d = asUser(rt, ['--systemd-cgroup', 'delete', '-f', id]);
        expect(d.code, `${rt}: ${show(d)}`).toBe(0);
      }
      expect(ourUnits(id), `${rt}: units left`).toBe('');
      expect(fs.existsSync(`${CG}${rel}`), `${rt}: ${rel} left`).toBe(false);
    }
    expect(seen.minirun).toEqual(seen.runc);
    expect(seen.minirun).toEqual([
      `cgroup: 0::/user.slice/user-${uid}.slice/user@${uid}.service/user.slice/mr-ID.scope`,
      'unit: active',
      'memory.max = 67108864',
      'pids.max = 10',
    ]);
  });

  it('--systemd-cgroup with no user bus to be found: one line naming what was tried', () => {
    const id = uniqueId('rsn');
    withConfig((c) => (c.linux.cgroupsPath = `user.slice:mr:${id}`));
    const r = exec(
      'sh',
      [
        '-c',
        `exec setpriv --reuid=${uid} --regid=${gid} --init-groups env -i PATH=${process.env.PATH} HOME=/home/${name} "$@"`,
        'sh',
        MINIRUN,
        '--systemd-cgroup',
        'run',
        '-d',
        id,
      ],
      { cwd: bundle },
    );
    expect(r.code, show(r)).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(
      /^minirun run failed: could not (execute `systemctl --user --no-pager show-environment`|detect DBUS_SESSION_BUS_ADDRESS)/,
    );
  });

  it('a cgroupsPath outside the delegation fails for both (EACCES), and nothing is left', () => {
    const seen: Record<Runtime, string> = { runc: '', minirun: '' };
    for (const rt of RUNTIMES) {
      const id = uniqueId(`rl${rt[0]}`);
      withConfig((c) => {
        c.linux.cgroupsPath = `/user.slice/${id}`;
        c.linux.resources = { pids: { limit: 10 } };
      });
      const r = asUser(rt, ['run', '-d', id]);
      seen[rt] = rt === 'runc' ? runcMessage(r.stderr) : r.stderr.trim();
      expect(r.code, `${rt}: ${show(r)}`).toBe(1);
      expect(fs.existsSync(`${CG}/user.slice/${id}`), rt).toBe(false);
      const list = asUser(rt, ['list', '--format', 'json']);
      expect(JSON.parse(list.stdout || '[]') ?? [], rt).toEqual([]);
    }
    // The wording differs: runc's mkdir error, minirun's cgroup line.
    expect(seen.runc).toMatch(/permission denied/);
    expect(seen.minirun).toMatch(/EACCES/);
  });
});
