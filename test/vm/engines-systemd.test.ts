// containerd and podman with their systemd cgroup drivers, on the guest where
// systemd is pid 1 on pure cgroup v2: each engine runs the same container
// through runc and through minirun, and the two are compared. containerd: the
// runc shim (io.containerd.runc.v2) with the runtime options SystemdCgroup =
// true and BinaryName (what `ctr run --runc-systemd-cgroup --runc-binary` sends,
// as the CRI plugin sends them from its config) and a cgroupsPath of the
// slice:prefix:name form; podman: --cgroup-manager systemd. For each: run -d,
// the container's unit (a scope under the expected slice; all its properties,
// as runc's) and its limits in the scope's cgroup files, exec, pause/resume,
// update, stop, a new start of the same container, kill; and no unit of the
// container left after (`systemctl list-units --all`, failed or not).
//
// Each engine command takes seconds under software emulation (a podman one 2
// to 20 s, more on a loaded host): the tests have long time limits of their own.
//
// What a client cannot do: ctr (containerd 1.6) has no `task update`; the
// update goes through containerd's own Tasks.Update API (what the CRI plugin's
// UpdateContainerResources calls), with a small gRPC call here. podman 4.3's
// `update` sets cpu, memory, blkio and devices, not pids.
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http2 from 'node:http2';
import * as net from 'node:net';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { have, importRootfs, podmanIn, startContainerd, tool, type Out, type Podman } from '../integration/engines';
import { MINIRUN, Sandbox, uniqueId } from '../integration/harness';
import { imageConfig, writeLayout } from '../integration/image-fixtures';
import { props, stopUnitsOf, systemctl, unitsLike } from './systemd';
import { RUNTIMES, type Runtime } from './v2';

const CG = '/sys/fs/cgroup';
const BIN: Record<Runtime, string> = { runc: 'runc', minirun: MINIRUN };
const sh = (cmd: string, args: string[]) => tool(cmd, args, { timeout: 120_000 });
const show = (r: Out) => `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;
const sleep = (ms: number) => new Promise((res) => setTimeout(res, ms));

/**
 * Every property of the unit as `systemctl show` prints it, but those that
 * change from run to run (times, counters, ids, pids) and the id made neutral.
 */
function allProps(unit: string, id: string): string[] {
  const volatile =
    /^(InvocationID|MainPID|ControlPID|ControlGroupId)=|Timestamp|Current|NSec|Bytes|Packets|Peak|Available/;
  return systemctl('show', unit)
    .split('\n')
    .filter((l) => !volatile.test(l))
    .map((l) => l.replaceAll(id, 'ID'));
}

const read = (dir: string, f: string) => fs.readFileSync(`${dir}/${f}`, 'utf8').trim();

const PROPS = ['ActiveState', 'Slice', 'Delegate', 'MemoryMax', 'CPUQuotaPerSecUSec', 'TasksMax'];
const FILES = ['memory.max', 'cpu.max', 'pids.max', 'cgroup.freeze'];
/** The unit's properties and its cgroup's files, one line each. */
function limits(unit: string, cgroup: string): string[] {
  return [...props(unit, PROPS), ...FILES.map((f) => `${f} = ${read(cgroup, f)}`)];
}

async function until(what: string, ok: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** A protobuf length-delimited field. */
function pbField(field: number, value: Buffer | string): Buffer {
  const b = Buffer.from(value);
  const varint = (n: number) => {
    const out: number[] = [];
    for (; n > 127; n = Math.floor(n / 128)) out.push((n & 0x7f) | 0x80);
    out.push(n);
    return Buffer.from(out);
  };
  return Buffer.concat([varint((field << 3) | 2), varint(b.length), b]);
}

/**
 * containerd's Tasks.Update (containerd.services.tasks.v1), as its client
 * library calls it: UpdateTaskRequest { container_id = 1; resources = 2 (an Any
 * holding the runtime spec's LinuxResources as JSON) }. gRPC over HTTP/2 on the
 * daemon's socket; resolves to grpc-status and grpc-message.
 */
function tasksUpdate(sock: string, ns: string, id: string, resources: object): Promise<string> {
  const any = Buffer.concat([
    pbField(1, 'types.containerd.io/opencontainers/runtime-spec/1/LinuxResources'),
    pbField(2, JSON.stringify(resources)),
  ]);
  const msg = Buffer.concat([pbField(1, id), pbField(2, any)]);
  const frame = Buffer.alloc(5);
  frame.writeUInt32BE(msg.length, 1);
  return new Promise((resolve, reject) => {
    const client = http2.connect('http://localhost', { createConnection: () => net.connect(sock) });
    client.on('error', reject);
    const req = client.request({
      ':method': 'POST',
      ':path': '/containerd.services.tasks.v1.Tasks/Update',
      'content-type': 'application/grpc',
      te: 'trailers',
      'containerd-namespace': ns,
    });
    let status = '';
    const take = (h: http2.IncomingHttpHeaders) => {
      if (h['grpc-status'] !== undefined)
        status = `${String(h['grpc-status'])} ${String(h['grpc-message'] ?? '')}`.trim();
    };
    req.on('response', take);
    req.on('trailers', take);
    req.on('data', () => {});
    req.on('error', reject);
    req.on('end', () => {
      client.close();
      resolve(status);
    });
    req.end(Buffer.concat([frame, msg]));
  });
}

/**
 * runc's and minirun's units alike in every property (Delegate=yes among
 * them), and the lines seen alike, `expected` among them.
 */
function expectAlike(all: Record<string, string[]>, seen: Record<string, string[]>, expected: string[]): void {
  expect(all.minirun).toEqual(all.runc);
  expect(all.minirun.length).toBeGreaterThan(50);
  expect(all.minirun).toContain('Delegate=yes');
  expect(seen.minirun).toEqual(seen.runc);
  expect(seen.minirun).toEqual(expect.arrayContaining(expected));
}

/** The rows of `ctr task metrics` named, spaces squeezed. */
function metricRows(table: string, names: string[]): string[] {
  return table
    .split('\n')
    .map((l) => l.trim().replace(/\s+/g, ' '))
    .filter((l) => names.includes(l.split(' ')[0]))
    .sort();
}

const suite = ['containerd', 'ctr', 'containerd-shim-runc-v2', 'runc'].every(have) ? describe : describe.skip;
suite('containerd (SystemdCgroup = true) drives minirun as it drives runc', () => {
  let sb: Sandbox;
  let daemon: ChildProcess;
  let sock: string;
  const NS = `mr-sd-${process.pid}`;
  const IMAGE = 'docker.io/library/minirun-fixture:latest';
  const ids: string[] = [];
  const ctr = (args: string[]) => sh('ctr', ['-a', sock, '-n', NS, ...args]);
  const taskStatus = (id: string) =>
    ctr(['task', 'ls'])
      .stdout.split('\n')
      .map((l) => l.trim().split(/\s+/))
      .find((f) => f[0] === id);

  beforeAll(async () => {
    sb = await Sandbox.create();
    let d: string;
    ({ dir: d, sock, daemon } = await startContainerd(sb, { cri: false, waitMs: 60_000 }));
    // An OCI image of the fixture rootfs (one layer), imported as the host test does.
    const layer = path.join(d, 'layer.tar');
    expect(sh('tar', ['-C', path.join(sb.bundle, 'rootfs'), '-cf', layer, '.']).code).toBe(0);
    const tar = fs.readFileSync(layer);
    const img = path.join(d, 'img');
    writeLayout(img, { layers: [tar], config: imageConfig([tar], ['sh']) }, 'latest');
    expect(sh('tar', ['-C', img, '-cf', `${img}.tar`, '.']).code).toBe(0);
    const imp = ctr(['images', 'import', '--base-name', 'docker.io/library/minirun-fixture', `${img}.tar`]);
    expect(imp.code, show(imp)).toBe(0);
  }, 300_000);

  afterEach(() => {
    for (const id of ids) {
      ctr(['task', 'delete', '-f', id]);
      ctr(['containers', 'rm', id]);
    }
    stopUnitsOf(ids);
  });

  afterAll(() => {
    daemon?.kill('SIGTERM');
    sb?.cleanup();
  });

  it('run -d, exec, pause/resume, update, stop, start again, kill: a scope in system.slice, the same limits, no unit left', async () => {
    const seen: Record<string, string[]> = {};
    const all: Record<string, string[]> = {};
    for (const rt of RUNTIMES) {
      const id = uniqueId(`ctr${rt[0]}`);
      ids.push(id);
      const unit = `ctrsd-${id}.scope`;
      const cgroup = `${CG}/system.slice/${unit}`;
      const s: string[] = (seen[rt] = []);
      const r = ctr([
        'run',
        '-d',
        '--runc-binary',
        BIN[rt],
        '--runc-systemd-cgroup',
        '--cgroup',
        `system.slice:ctrsd:${id}`,
        '--memory-limit',
        '67108864',
        '--cpu-quota',
        '20000',
        '--cpu-period',
        '100000',
        IMAGE,
        id,
        '/bin/probe',
        'pause',
      ]);
      expect(r.code, `${rt}: ${show(r)}`).toBe(0);
      const pid = taskStatus(id)?.[1];
      s.push(`task: ${taskStatus(id)?.[2]}`);
      s.push(`init cgroup: ${fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8').replace(id, 'ID').trim()}`);
      s.push(...limits(unit, cgroup));
      all[rt] = allProps(unit, id);

      // (ctr 1.6.20 may lose a quick exec's output: the pause lets it through, see the host test)
      const ex = ctr(['task', 'exec', '--exec-id', 'e1', id, 'sh', '-c', 'cat /proc/self/cgroup; sleep 0.5; exit 4']);
      s.push(`exec: ${ex.code} ${ex.stdout.replace(id, 'ID').trim()}`);
      const exd = ctr(['task', 'exec', '-d', '--exec-id', 'e2', id, 'sleep', '100']);
      s.push(`exec -d: ${exd.code} procs ${read(cgroup, 'cgroup.procs').split('\n').length}`);

      s.push(
        `pause: ${ctr(['task', 'pause', id]).code} ${taskStatus(id)?.[2]} freeze ${read(cgroup, 'cgroup.freeze')}`,
      );
      s.push(
        `resume: ${ctr(['task', 'resume', id]).code} ${taskStatus(id)?.[2]} freeze ${read(cgroup, 'cgroup.freeze')}`,
      );

      const up = await tasksUpdate(sock, NS, id, {
        memory: { limit: 33554432 },
        cpu: { quota: 50000, period: 100000 },
        pids: { limit: 20 },
      });
      s.push(`update: ${up}`, ...limits(unit, cgroup));
      // the shim's stats of the task, read from the scope's cgroup
      const m = ctr(['task', 'metrics', id]);
      s.push(`metrics: ${m.code} ${metricRows(m.stdout, ['pids.limit', 'memory.usage_limit']).join(', ')}`);

      // stop: SIGTERM, which ends probe pause with status 0; then the task and the container go
      s.push(`kill: ${ctr(['task', 'kill', id]).code}`);
      await until(`${rt}: ${id} stopped`, () => taskStatus(id)?.[2] === 'STOPPED');
      const del = ctr(['task', 'delete', id]);
      s.push(`delete: ${del.code} ${del.stdout.replace(id, 'ID').trim()}`);
      // a new task of the same container (the same unit name: the old unit must be gone), then SIGKILL
      s.push(`units after delete: ${JSON.stringify(unitsLike(id))}`);
      s.push(`start: ${ctr(['task', 'start', '-d', id]).code} ${props(unit, ['ActiveState']).join(' ')}`);
      s.push(`kill -9: ${ctr(['task', 'kill', '-s', 'SIGKILL', id]).code}`);
      await until(`${rt}: ${id} stopped again`, () => taskStatus(id)?.[2] === 'STOPPED');
      s.push(`delete: ${ctr(['task', 'delete', id]).code}`);
      s.push(`containers rm: ${ctr(['containers', 'rm', id]).code}`);
      s.push(`units left: ${JSON.stringify(unitsLike(id))}`, `cgroup left: ${fs.existsSync(cgroup)}`);
    }
    expectAlike(all, seen, [
      'task: RUNNING',
      'ActiveState=active',
      'Slice=system.slice',
      'Delegate=yes',
      'MemoryMax=67108864',
      'memory.max = 67108864',
      'cpu.max = 20000 100000',
      'exec -d: 0 procs 2',
      'pause: 0 PAUSED freeze 1',
      'resume: 0 RUNNING freeze 0',
      'update: 0',
      'MemoryMax=33554432',
      'memory.max = 33554432',
      'cpu.max = 50000 100000',
      'pids.max = 20',
      'metrics: 0 memory.usage_limit 33554432, pids.limit 20',
      'units after delete: []',
      'start: 0 ActiveState=active',
      'kill -9: 0',
      'units left: []',
      'cgroup left: false',
    ]);
  }, 600_000);
});

const RUNC = sh('sh', ['-c', 'command -v runc']).stdout.trim();
const podmanSuite = ['podman', 'conmon', 'runc'].every(have) ? describe : describe.skip;
podmanSuite('podman (cgroup_manager = "systemd") drives minirun as it drives runc', () => {
  let sb: Sandbox;
  let pm: Podman | undefined;
  const IMAGE = 'localhost/minirun-fixture:latest';
  const names: string[] = [];
  const podman = (rt: Runtime, args: string[]) => pm!.run(rt === 'runc' ? RUNC : MINIRUN, args);

  beforeAll(async () => {
    sb = await Sandbox.create();
    pm = podmanIn(sb, {
      cgroupManager: 'systemd',
      timeout: 120_000,
      conf: { logDriver: 'k8s-file', cgroupManager: 'systemd' },
    });
    const imp = importRootfs(pm, sb, RUNC, IMAGE);
    expect(imp.code, show(imp)).toBe(0);
  }, 300_000);

  afterEach(() => {
    const full: string[] = [];
    for (const n of names) {
      const id = podman('runc', ['inspect', '--format', '{{.Id}}', n]).stdout.trim();
      if (id) full.push(id);
      podman('runc', ['rm', '--force', '--time', '0', n]);
    }
    names.splice(0);
    stopUnitsOf(full);
  });

  afterAll(() => {
    if (pm) podman('runc', ['rmi', '--all', '--force']);
    sb?.cleanup();
  });

  it('run -d, exec, pause/unpause, update, stop, start, kill, rm: a scope in machine.slice, the same limits, no unit left', () => {
    const seen: Record<string, string[]> = {};
    const all: Record<string, string[]> = {};
    for (const rt of RUNTIMES) {
      const name = uniqueId(`pm${rt[0]}`);
      names.push(name);
      const s: string[] = (seen[rt] = []);
      const r = podman(rt, [
        'run',
        '-d',
        '--network',
        'none',
        '--name',
        name,
        '--memory',
        '64m',
        '--cpu-quota',
        '20000',
        '--cpu-period',
        '100000',
        '--pids-limit',
        '50',
        IMAGE,
        '/bin/probe',
        'pause',
      ]);
      expect(r.code, `${rt}: ${show(r)}`).toBe(0);
      const [id, pid] = podman(rt, ['inspect', '--format', '{{.Id}} {{.State.Pid}}', name]).stdout.trim().split(' ');
      const unit = `libpod-${id}.scope`;
      const cgroup = `${CG}/machine.slice/${unit}`;
      const norm = (t: string) => t.replaceAll(id, 'ID').trim();
      s.push(`init cgroup: ${norm(fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8'))}`);
      s.push(
        `units: ${norm(
          unitsLike(id)
            .filter((l) => l.includes('.scope '))
            .map((l) => l.split(/\s+/).slice(0, 4).join(' '))
            .join(', '),
        )}`,
      );
      s.push(...limits(unit, cgroup));
      all[rt] = allProps(unit, id);

      // (one exec, which leaves a sleep behind in the container: each podman command is seconds here)
      const ex = podman(rt, [
        'exec',
        name,
        'sh',
        '-c',
        'sleep 100 </dev/null >/dev/null 2>&1 & cat /proc/self/cgroup; exit 4',
      ]);
      s.push(
        `exec: ${ex.code} ${norm(ex.stdout)}`,
        `procs after exec: ${read(cgroup, 'cgroup.procs').split('\n').length}`,
      );

      const state = () => podman(rt, ['inspect', '--format', '{{.State.Status}}', name]).stdout.trim();
      s.push(`pause: ${podman(rt, ['pause', name]).code} ${state()} freeze ${read(cgroup, 'cgroup.freeze')}`);
      s.push(`unpause: ${podman(rt, ['unpause', name]).code} ${state()} freeze ${read(cgroup, 'cgroup.freeze')}`);

      const up = podman(rt, ['update', '--memory', '32m', '--cpu-quota', '50000', '--cpu-period', '100000', name]);
      s.push(`update: ${up.code} ${up.stderr.trim()}`, ...limits(unit, cgroup));

      // probe pause ends on SIGTERM with status 0: stop needs no SIGKILL
      const stop = podman(rt, ['stop', '--time', '20', name]);
      s.push(
        `stop: ${stop.code} ${podman(rt, ['inspect', '--format', '{{.State.Status}} {{.State.ExitCode}}', name]).stdout.trim()}`,
      );
      s.push(`units after stop: ${JSON.stringify(unitsLike(id))}`, `cgroup left: ${fs.existsSync(cgroup)}`);
      // start again (the same id, so the same unit name: the old one must be gone), then kill
      s.push(`start: ${podman(rt, ['start', name]).code} ${props(unit, ['ActiveState']).join(' ')}`);
      s.push(
        `kill: ${podman(rt, ['kill', '--signal', 'KILL', name]).code} wait ${podman(rt, ['wait', name]).stdout.trim()}`,
      );
      s.push(`units after kill: ${JSON.stringify(unitsLike(id))}`, `cgroup left: ${fs.existsSync(cgroup)}`);
      s.push(`rm: ${podman(rt, ['rm', name]).code}`, `units after rm: ${JSON.stringify(unitsLike(id))}`);
    }
    expectAlike(all, seen, [
      'ActiveState=active',
      'Slice=machine.slice',
      'Delegate=yes',
      'MemoryMax=67108864',
      'memory.max = 67108864',
      'cpu.max = 20000 100000',
      'pids.max = 50',
      'exec: 4 0::/',
      'procs after exec: 2',
      'pause: 0 paused freeze 1',
      'unpause: 0 running freeze 0',
      'update: 0 ',
      'MemoryMax=33554432',
      'memory.max = 33554432',
      'cpu.max = 50000 100000',
      'stop: 0 exited 0',
      'units after stop: []',
      'cgroup left: false',
      'start: 0 ActiveState=active',
      'kill: 0 wait 137',
      'units after kill: []',
      'rm: 0',
      'units after rm: []',
    ]);
  }, 900_000);
});
