// A create, run or delete that dies at any step (MINIRUN_TEST_DIE_AT: minirun
// SIGKILLs itself there, as kill -9 would) leaves a container that `list`
// shows and `delete --force` unmakes with nothing left behind (state, cgroups,
// processes, mounts), the id usable again. A corrupted state.json is one clear
// error for every command, and only `delete --force` removes the container,
// from the journal create wrote.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Config, exec, hasRunc, isRoot, MINIRUN, Sandbox, uniqueId } from './harness';

const suite = isRoot && hasRunc ? describe : describe.skip;
const CG = '/sys/fs/cgroup';

suite('crash safety: whatever create made, delete --force unmakes', () => {
  let sb: Sandbox;
  let marker: string;
  let top: string;
  beforeAll(async () => {
    sb = await Sandbox.create(['sleep', '300']);
    marker = path.join(sb.dir, 'poststop');
  });
  afterEach(() => {
    // whatever a failed test left: the containers, then our cgroups
    if (fs.existsSync(sb.minirunRoot)) for (const id of fs.readdirSync(sb.minirunRoot)) mr(['delete', '--force', id]);
    for (const h of fs.readdirSync(CG)) {
      const d = path.join(CG, h, top ?? 'none');
      if (top && fs.existsSync(d)) spawnSync('find', [d, '-depth', '-type', 'd', '-exec', 'rmdir', '{}', ';']);
    }
    fs.rmSync(marker, { force: true });
  });
  afterAll(() => sb?.cleanup());

  /** minirun with its --root, and a step to die at */
  function mr(args: string[], dieAt?: string) {
    return exec(MINIRUN, ['--root', sb.minirunRoot, ...args], {
      cwd: sb.bundle,
      env: dieAt ? { MINIRUN_TEST_DIE_AT: dieAt } : {},
    });
  }
  /** the container in a cgroup of the test's own, with a create hook and a poststop hook that leaves a mark */
  function setup(): void {
    top = uniqueId('minirun-crash');
    sb.edit((c) => {
      c.linux.cgroupsPath = `/${top}/c`;
      c.hooks = {
        createRuntime: [{ path: '/bin/true' }],
        poststop: [{ path: '/bin/sh', args: ['sh', '-c', `echo done >> ${marker}`] }],
      };
    });
  }
  const cgroupsLeft = () => fs.readdirSync(CG).filter((h) => fs.existsSync(path.join(CG, h, top)));
  const pidOf = (id: string) => JSON.parse(mr(['state', id]).stdout).pid as number;
  const alive = (pid: number) => {
    try {
      return !/^\S+ \(\S+\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
    } catch {
      return false;
    }
  };

  function expectClean(id: string): void {
    expect(sb.residue()).toEqual([]);
    expect(cgroupsLeft()).toEqual([]);
    // the id is usable again
    const again = mr(['create', id]);
    expect(again.stderr).toBe('');
    expect(mr(['delete', '--force', id]).code).toBe(0);
    expect(sb.residue()).toEqual([]);
  }

  for (const [cmd, steps] of [
    ['create', ['claimed', 'cgroups', 'launched', 'hooks', 'recorded']],
    ['run -d', ['claimed', 'cgroups', 'launched', 'hooks', 'recorded']],
  ] as const) {
    for (const step of steps) {
      it(`${cmd} killed at "${step}": listed, then delete --force unmakes it all`, () => {
        setup();
        const id = uniqueId('crash');
        const r = mr([...cmd.split(' '), id], step);
        expect(r.signal).toBe('SIGKILL');
        const listed = mr(['list', '-q']);
        expect(listed.stdout.split('\n')).toContain(id);
        const del = mr(['delete', '--force', id]);
        expect(del.stderr.replace(/^minirun: warning: .*\n/gm, '')).toBe('');
        expect(del.code).toBe(0);
        // poststop is owed once the create hooks had begun
        const owed = !['claimed', 'cgroups', 'launched'].includes(step);
        expect(fs.existsSync(marker)).toBe(owed);
        expectClean(id);
      });
    }
  }

  describe('a layered rootfs (image unpack --layered): the overlay and its upper dir', () => {
    let layered: string;
    let store: string;
    let annotations: Record<string, string>;
    beforeAll(() => {
      store = path.join(sb.dir, 'store');
      layered = path.join(sb.dir, 'layered');
      const r = spawnSync(
        'sh',
        [
          '-euc',
          `cd ${sb.dir}
          umoci init --layout img && umoci new --image img:t && umoci unpack --image img:t u
          cp -a bundle/rootfs/. u/rootfs/ && umoci repack --image img:t u && umoci config --image img:t --config.cmd sh
          ${MINIRUN} image unpack --layered --store ${store} img:t ${layered}`,
        ],
        { encoding: 'utf8', env: { ...process.env, NODE_EXTRA_CA_CERTS: '' } },
      );
      expect(r.stderr).toBe('');
      annotations = (JSON.parse(fs.readFileSync(path.join(layered, 'config.json'), 'utf8')) as Config).annotations;
    }, 120_000);
    /** the test's config (setup) on the layered bundle */
    const layeredSetup = () => {
      setup();
      fs.writeFileSync(path.join(layered, 'config.json'), JSON.stringify({ ...sb.config(), annotations }));
    };
    const overlayLeft = () => [
      ...sb.residue(),
      ...fs.readdirSync(path.join(store, 'containers')).map((d) => `upper: ${d}`),
    ];

    for (const cmd of ['create', 'run -d']) {
      for (const step of ['claimed', 'overlay', 'launched', 'recorded']) {
        it(`${cmd} killed at "${step}": delete --force unmounts the overlay and removes its upper dir`, () => {
          layeredSetup();
          const id = uniqueId('crash');
          const [verb, ...flags] = cmd.split(' ');
          expect(mr([verb, ...flags, '--bundle', layered, id], step).signal).toBe('SIGKILL');
          if (step !== 'claimed') expect(overlayLeft()).not.toEqual([]);
          expect(mr(['delete', '--force', id]).code).toBe(0);
          expect(overlayLeft()).toEqual([]);
          expect(cgroupsLeft()).toEqual([]);
          // the id is usable again, and the container sees the image
          expect(mr(['run', '-d', '--bundle', layered, id])).toMatchObject({ code: 0, stderr: '' });
          expect(mr(['exec', id, 'ls', '/bin/busybox']).stdout).toBe('/bin/busybox\n');
          expect(mr(['delete', '--force', id]).code).toBe(0);
          expect(overlayLeft()).toEqual([]);
        });
      }
    }

    it('delete --force killed before the overlay goes: a second delete --force finishes it', () => {
      layeredSetup();
      const id = uniqueId('crash');
      expect(mr(['run', '-d', '--bundle', layered, id]).code).toBe(0);
      expect(mr(['delete', '--force', id], 'delete-cgroups').signal).toBe('SIGKILL');
      expect(overlayLeft()).not.toEqual([]);
      expect(mr(['delete', '--force', id]).code).toBe(0);
      expect(overlayLeft()).toEqual([]);
    });
  });

  for (const step of ['delete-killed', 'delete-cgroups']) {
    it(`delete --force killed at "${step}": a second delete --force finishes it`, () => {
      setup();
      const id = uniqueId('crash');
      expect(mr(['run', '-d', id]).code).toBe(0);
      expect(mr(['delete', '--force', id], step).signal).toBe('SIGKILL');
      expect(mr(['delete', '--force', id]).code).toBe(0);
      expectClean(id);
    });
  }

  for (const step of ['start-opened', 'start-fifo-removed']) {
    it(`start killed at "${step}": the process runs; delete --force unmakes it all`, () => {
      setup();
      const id = uniqueId('crash');
      expect(mr(['create', id]).code).toBe(0);
      const pid = pidOf(id);
      expect(mr(['start', id], step).signal).toBe('SIGKILL');
      expect(alive(pid)).toBe(true);
      // the fifo gone, the container is running, as runc tells created from running
      if (step === 'start-fifo-removed') expect(JSON.parse(mr(['state', id]).stdout).status).toBe('running');
      expect(mr(['delete', '--force', id]).code).toBe(0);
      expect(fs.readFileSync(marker, 'utf8')).toBe('done\n');
      expectClean(id);
    });
  }

  it('exec killed once its process runs: delete --force takes that process too', () => {
    setup();
    const id = uniqueId('crash');
    expect(mr(['run', '-d', id]).code).toBe(0);
    expect(mr(['exec', id, 'sleep', '200'], 'exec-launched').signal).toBe('SIGKILL');
    const pids = () => (mr(['ps', '--format', 'json', id]).stdout.match(/\d+/g) ?? []).length;
    expect(pids()).toBe(2);
    expect(mr(['delete', '--force', id]).code).toBe(0);
    expectClean(id);
  });

  it('update killed between the cgroup writes and state.json: the container goes on, update and delete --force work', () => {
    setup();
    const id = uniqueId('crash');
    expect(mr(['run', '-d', id]).code).toBe(0);
    expect(mr(['update', '--pids-limit', '50', id], 'update-written').signal).toBe('SIGKILL');
    expect(mr(['update', '--pids-limit', '60', id])).toMatchObject({ code: 0, stderr: '' });
    expect(fs.readFileSync(path.join(CG, 'pids', top, 'c', 'pids.max'), 'utf8')).toBe('60\n');
    expect(mr(['delete', '--force', id]).code).toBe(0);
    expectClean(id);
  });

  it('the init killed between create and start: start fails with one line, delete (no --force) unmakes it all', () => {
    setup();
    const id = uniqueId('crash');
    expect(mr(['create', id]).code).toBe(0);
    const pid = pidOf(id);
    process.kill(pid, 'SIGKILL');
    for (let i = 0; i < 100 && alive(pid); i++) spawnSync('sleep', ['0.02']);
    expect(JSON.parse(mr(['state', id]).stdout).status).toBe('stopped');
    const start = mr(['start', id]);
    expect(start.code).toBe(1);
    expect(start.stderr).toBe(`minirun: cannot start a container that has stopped: ${id}\n`);
    expect(mr(['delete', id])).toMatchObject({ code: 0, stderr: '' });
    expect(fs.readFileSync(marker, 'utf8')).toBe('done\n');
    expectClean(id);
  });

  it('a full --root: create fails with one line naming the file, and leaves nothing', () => {
    setup();
    const root = path.join(sb.dir, `full-root-${uniqueId('t')}`);
    fs.mkdirSync(root);
    expect(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=8k', 'tmpfs', root]).status).toBe(0);
    try {
      // fill it: 8k is two pages; whatever is left of them goes to a filler file
      spawnSync('sh', ['-c', `cat /dev/zero > ${root}/filler`]);
      const id = uniqueId('full');
      const r = exec(MINIRUN, ['--root', root, 'create', id], { cwd: sb.bundle });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`^minirun create failed: ${root}/${id}/\\S+: cannot write: ENOSPC\n$`));
      expect(fs.readdirSync(root)).toEqual(['filler']);
      expect(cgroupsLeft()).toEqual([]);
      // with room again, the id is usable
      fs.rmSync(`${root}/filler`);
      expect(exec(MINIRUN, ['--root', root, 'create', id], { cwd: sb.bundle }).code).toBe(0);
      expect(exec(MINIRUN, ['--root', root, 'delete', '--force', id], { cwd: sb.bundle }).code).toBe(0);
      expect(fs.readdirSync(root)).toEqual([]);
      expect(cgroupsLeft()).toEqual([]);
    } finally {
      spawnSync('umount', ['-l', root]);
    }
  });

  it('an empty state dir: delete --force removes it (as runc), plain delete says there is no container', () => {
    const id = uniqueId('empty');
    fs.mkdirSync(path.join(sb.minirunRoot, id), { recursive: true });
    expect(mr(['delete', id])).toMatchObject({ code: 1, stderr: `minirun: container does not exist: ${id}\n` });
    expect(mr(['delete', '--force', id]).code).toBe(0);
    expect(fs.existsSync(path.join(sb.minirunRoot, id))).toBe(false);
  });

  const corruptions: [string, (s: Record<string, unknown>) => unknown, RegExp][] = [
    ['{}', () => ({}), /: ociVersion: must be a string, got nothing\n$/],
    ['a pid of the wrong type', (s) => ({ ...s, pid: 'x' }), /: pid: must be a whole number >= 0, got "x"\n$/],
    [
      'an unknown status',
      (s) => ({ ...s, status: 'zombie' }),
      /: status: must be one of creating, created, running, paused, stopped, got "zombie"\n$/,
    ],
    ['not JSON', () => '{"id": ', /: not JSON\n$/],
  ];
  for (const [name, corrupt, message] of corruptions) {
    it(`a corrupted state.json (${name}): one clear error; delete leaves the container running, delete --force removes it`, () => {
      setup();
      const id = uniqueId('corrupt');
      expect(mr(['run', '-d', id]).code).toBe(0);
      const pid = pidOf(id);
      const file = path.join(sb.minirunRoot, id, 'state.json');
      const c = corrupt(JSON.parse(fs.readFileSync(file, 'utf8')));
      fs.writeFileSync(file, typeof c === 'string' ? c : JSON.stringify(c));
      for (const args of [
        ['state', id],
        ['delete', id],
        ['kill', id, 'KILL'],
        ['start', id],
      ]) {
        const r = mr(args);
        expect(r.code).toBe(1);
        expect(r.stderr).toMatch(
          new RegExp(`^minirun: state of ${id}: ${file.replace(/[.]/g, '\\.')}${message.source}`),
        );
        expect(r.stderr.split('\n')).toHaveLength(2);
      }
      expect(mr(['list']).stdout).not.toContain('undefined');
      expect(alive(pid)).toBe(true);
      expect(mr(['delete', '--force', id]).code).toBe(0);
      expect(alive(pid)).toBe(false);
      expect(fs.readFileSync(marker, 'utf8')).toBe('done\n');
      expectClean(id);
    });
  }
});
