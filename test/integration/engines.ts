// Shared by the engine tests, on the host (podman.test.ts, containerd.test.ts)
// and in the systemd guest (test/vm/engines-systemd.test.ts): podman and
// containerd on private paths under a sandbox's dir, and the fixture bundle's
// rootfs as a podman image.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect } from 'vitest';
import type { Sandbox } from './harness';

export interface Out {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Whether `cmd` is on PATH. */
export const have = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

/** This process's environment with NODE_EXTRA_CA_CERTS emptied, and `more`. */
const engineEnv = (more: Record<string, string> = {}) => ({ ...process.env, NODE_EXTRA_CA_CERTS: '', ...more });

/** Runs a command to its end in engineEnv(env), its output as text. */
export function tool(
  cmd: string,
  args: string[],
  opts: { timeout: number; env?: Record<string, string>; input?: string },
): Out {
  const r = spawnSync(cmd, args, {
    encoding: 'utf8',
    input: opts.input,
    timeout: opts.timeout,
    env: engineEnv(opts.env),
  });
  return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

export interface PodmanOptions {
  /** --cgroup-manager */
  cgroupManager: 'cgroupfs' | 'systemd';
  /** how long one podman command may take, in ms */
  timeout: number;
  /** containers.conf's [containers] log_driver, [engine] cgroup_manager and [engine.runtimes] (name: path), if given */
  conf: { logDriver?: string; cgroupManager?: string; runtimes?: Record<string, string> };
}

export interface Podman {
  /** <sb.dir>/podman: storage, run, tmp, net and containers.conf */
  dir: string;
  /** the global flags: those dirs, the vfs storage driver, the cgroup manager */
  flags: string[];
  /** the environment for podman: NODE_EXTRA_CA_CERTS emptied, CONTAINERS_CONF set */
  env: NodeJS.ProcessEnv;
  /** podman <flags> --runtime <runtime> <args> */
  run(runtime: string, args: string[]): Out;
}

/**
 * podman on private paths under <sb.dir>/podman, with a containers.conf of its
 * own (no default ulimits, events to a file).
 */
export function podmanIn(sb: Sandbox, o: PodmanOptions): Podman {
  const d = path.join(sb.dir, 'podman');
  const conf = path.join(d, 'containers.conf');
  fs.mkdirSync(path.join(d, 'net'), { recursive: true });
  const { logDriver, cgroupManager, runtimes } = o.conf;
  fs.writeFileSync(
    conf,
    [
      '[containers]',
      'default_ulimits = []',
      ...(logDriver ? [`log_driver = "${logDriver}"`] : []),
      '[engine]',
      ...(cgroupManager ? [`cgroup_manager = "${cgroupManager}"`] : []),
      'events_logger = "file"',
      ...(runtimes ? ['[engine.runtimes]', ...Object.entries(runtimes).map(([n, p]) => `${n} = ["${p}"]`)] : []),
      '[network]',
      `network_config_dir = "${d}/net"`,
      '',
    ].join('\n'),
  );
  const dirs = ['--root', `${d}/storage`, '--runroot', `${d}/run`, '--tmpdir', `${d}/tmp`];
  const flags = [...dirs, '--storage-driver', 'vfs', '--cgroup-manager', o.cgroupManager];
  return {
    dir: d,
    flags,
    env: engineEnv({ CONTAINERS_CONF: conf }),
    run: (runtime, args) =>
      tool('podman', [...flags, '--runtime', runtime, ...args], { timeout: o.timeout, env: { CONTAINERS_CONF: conf } }),
  };
}

/** Imports the bundle's rootfs (a tar of it) as the podman image `image`, with `runtime`; the import's output. */
export function importRootfs(pm: Podman, sb: Sandbox, runtime: string, image: string): Out {
  const tar = path.join(pm.dir, 'rootfs.tar');
  expect(spawnSync('tar', ['-C', path.join(sb.bundle, 'rootfs'), '-cf', tar, '.']).status).toBe(0);
  return pm.run(runtime, ['import', tar, image]);
}

export interface Containerd {
  /** <sb.dir>/containerd: config.toml, root, state and the sockets */
  dir: string;
  /** its gRPC socket (ctr -a) */
  sock: string;
  daemon: ChildProcess;
}

/**
 * containerd on private paths under <sb.dir>/containerd, its CRI plugin left
 * in (without its TCP service) or disabled; resolves once its socket is there,
 * or after waitMs without it (what needs it then fails).
 */
export async function startContainerd(sb: Sandbox, o: { cri: boolean; waitMs: number }): Promise<Containerd> {
  const d = path.join(sb.dir, 'containerd');
  const sock = path.join(d, 'containerd.sock');
  fs.mkdirSync(d);
  fs.writeFileSync(
    path.join(d, 'config.toml'),
    [
      'version = 2',
      `root = "${d}/root"`,
      `state = "${d}/state"`,
      ...(o.cri ? [] : ['disabled_plugins = ["io.containerd.grpc.v1.cri"]']),
      '[grpc]',
      `  address = "${sock}"`,
      '[ttrpc]',
      `  address = "${sock}.ttrpc"`,
      '[debug]',
      `  address = "${d}/debug.sock"`,
      ...(o.cri ? ['[plugins."io.containerd.grpc.v1.cri"]', '  disable_tcp_service = true'] : []),
    ].join('\n'),
  );
  const daemon = spawn('containerd', ['--config', path.join(d, 'config.toml')], { stdio: 'ignore' });
  for (const end = Date.now() + o.waitMs; !fs.existsSync(sock) && Date.now() < end;)
    await new Promise((r) => setTimeout(r, 50));
  return { dir: d, sock, daemon };
}
