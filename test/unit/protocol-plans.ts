// Launch plans for the protocol round trip (protocol-roundtrip.test.ts): built
// by the project's own spec -> plan code from varied config.json objects, so
// that together they carry every record type of native/protocol.h, and give
// the fields of each record that have the same size different values (a swap
// of two of them must show).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadAddon } from '../../src/native/loader';
import { buildPlan, type BuildInput } from '../../src/plan/build';
import { buildExecPlan, buildHookPlan } from '../../src/plan/exec';
import type { LaunchPlan } from '../../src/plan/types';
import { parseSpec } from '../../src/config/load';

// What Debian's `runc spec` (1.1.5) writes.
function runcSpec(): any {
  return JSON.parse(fs.readFileSync(path.join(__dirname, '../fixtures/runc-spec.json'), 'utf8'));
}

/** config.json text through the loader's parser and validator, as `minirun run` reads it. */
function spec(config: object) {
  return parseSpec(JSON.stringify(config));
}

function input(config: object, over: Partial<BuildInput> = {}): BuildInput {
  return {
    spec: spec(config),
    bundle: '/bundles/b1',
    rootfs: '/bundles/b1/rootfs',
    noPivot: false,
    cgroup: { mode: 'v2', v1Binds: [], v1Symlinks: [] },
    hostHasKcore: false,
    ...over,
  };
}

/** As launch() hands the plan to the addon: with the extra fds and the compiled seccomp filter. */
function launched(plan: LaunchPlan, extraFds = 0): LaunchPlan {
  const seccompBpf = plan.seccomp ? loadAddon().compileSeccomp(plan.seccomp.filter) : undefined;
  return { ...plan, extraFds, seccompBpf };
}

/** A config.json that sets every field the plan carries, with distinct values. */
function everything(): any {
  const s = runcSpec();
  s.hostname = 'box';
  s.domainname = 'example.org';
  s.root.readonly = true;
  Object.assign(s.process, {
    terminal: true,
    consoleSize: { height: 31, width: 97 },
    user: { uid: 1000, gid: 100, umask: 0o27, additionalGids: [5, 6, 5] },
    cwd: '/work',
    args: ['/bin/prog', '--flag', 'x y', ''],
    env: ['PATH=/bin:/usr/bin', 'A=1', 'UNICODE=é✓'],
    capabilities: {
      bounding: ['CAP_CHOWN', 'CAP_KILL', 'CAP_NET_RAW', 'CAP_SYS_ADMIN', 'CAP_AUDIT_WRITE'],
      effective: ['CAP_KILL', 'CAP_NET_RAW'],
      permitted: ['CAP_KILL', 'CAP_NET_RAW', 'CAP_CHOWN'],
      inheritable: ['CAP_CHOWN'],
      ambient: ['CAP_NET_RAW'],
    },
    noNewPrivileges: false,
    oomScoreAdj: -321,
    scheduler: {
      policy: 'SCHED_DEADLINE',
      nice: -7,
      priority: 3,
      flags: ['SCHED_FLAG_RESET_ON_FORK', 'SCHED_FLAG_DL_OVERRUN'],
      runtime: 1000,
      deadline: 2000,
      period: 3000,
    },
    ioPriority: { class: 'IOPRIO_CLASS_RT', priority: 3 },
    execCPUAffinity: { initial: '0', final: '1,3-4' },
    apparmorProfile: 'minirun-test',
  });
  s.mounts.push(
    {
      destination: '/data',
      type: 'bind',
      source: 'data',
      options: ['rbind', 'nodev', 'rro', 'rnosuid', 'rdev', 'rprivate', 'rshared', 'slave', 'unbindable'],
    },
    {
      destination: '/mapped',
      type: 'bind',
      source: '/srv/mapped',
      options: ['bind', 'ridmap'],
      uidMappings: [
        { containerID: 0, hostID: 1000, size: 10 },
        { containerID: 20, hostID: 3000, size: 5 },
      ],
      gidMappings: [
        { containerID: 1, hostID: 2000, size: 7 },
        { containerID: 10, hostID: 2100, size: 2 },
        { containerID: 40, hostID: 2200, size: 1 },
      ],
    },
    { destination: '/tmp', type: 'tmpfs', source: 'tmpfs', options: ['tmpcopyup', 'size=1m', 'noexec'] },
  );
  s.hooks = { createContainer: [{ path: '/bin/true' }], startContainer: [{ path: '/bin/true' }] };
  Object.assign(s.linux, {
    namespaces: [
      { type: 'pid' },
      { type: 'network', path: '/var/run/netns/test' },
      { type: 'ipc', path: '/proc/4242/ns/ipc' },
      { type: 'uts' },
      { type: 'mount' },
      { type: 'time' },
      { type: 'user' },
      { type: 'cgroup' },
    ],
    uidMappings: [{ containerID: 0, hostID: 100000, size: 65536 }],
    gidMappings: [
      { containerID: 0, hostID: 200000, size: 1000 },
      { containerID: 5000, hostID: 300000, size: 70 },
    ],
    devices: [
      { path: '/dev/fuse', type: 'c', major: 10, minor: 229, fileMode: 0o640, uid: 7, gid: 8 },
      { path: '/dev/sda', type: 'b', major: 8, minor: 3, fileMode: 0o600, uid: 0, gid: 6 },
      { path: '/dev/myfifo', type: 'p' },
    ],
    sysctl: { 'kernel.msgmax': '8192', 'net.ipv4.ip_forward': '1' },
    rootfsPropagation: 'rshared',
    timeOffsets: { monotonic: { secs: 86400, nanosecs: 17 }, boottime: { secs: -3600, nanosecs: 400 } },
    personality: { domain: 'LINUX32' },
    memoryPolicy: { mode: 'MPOL_BIND', nodes: '0-1,3', flags: ['MPOL_F_STATIC_NODES'] },
    seccomp: {
      defaultAction: 'SCMP_ACT_ALLOW',
      architectures: ['SCMP_ARCH_X86_64'],
      flags: ['SECCOMP_FILTER_FLAG_LOG'],
      listenerPath: '/run/listener.sock',
      syscalls: [
        { names: ['mkdir'], action: 'SCMP_ACT_NOTIFY' },
        {
          names: ['chmod'],
          action: 'SCMP_ACT_ERRNO',
          errnoRet: 38,
          args: [{ index: 1, value: 511, op: 'SCMP_CMP_EQ' }],
        },
      ],
    },
  });
  return s;
}

export interface PlanCase {
  name: string;
  plan: LaunchPlan;
}

export function planCases(): PlanCase[] {
  const defaults = runcSpec();
  defaults.process.terminal = false;

  const all = everything();

  const devBound = runcSpec();
  devBound.process.terminal = false;
  devBound.mounts.push({ destination: '/dev', type: 'bind', source: '/dev', options: ['rbind', 'rslave'] });
  devBound.linux.rootfsPropagation = 'shared';
  devBound.process.capabilities = undefined;
  devBound.process.rlimits = undefined;
  devBound.process.user = { uid: 0, gid: 0, umask: 0 };

  const minimal = {
    ociVersion: '1.0.2',
    root: { path: 'rootfs' },
    process: { user: { uid: 0, gid: 0 }, args: ['/true'], cwd: '/' },
    linux: { namespaces: [{ type: 'mount' }] },
  };

  const execSpec = spec(all);
  const hookContainer = {
    namespaces: execSpec.linux!.namespaces!,
    process: execSpec.process,
    seccomp: all.linux.seccomp,
  };

  return [
    {
      name: 'runc spec, cgroup v1 binds',
      plan: launched(
        buildPlan(
          input(defaults, {
            cgroup: {
              mode: 'hybrid',
              v1Binds: [
                { source: '/sys/fs/cgroup/cpu/c1', name: 'cpu' },
                { source: '/sys/fs/cgroup/memory/c1', name: 'memory' },
              ],
              v1Symlinks: [{ target: 'cpu', name: 'cpuacct' }],
            },
          }),
        ),
      ),
    },
    {
      name: 'runc spec, cgroup v2, rootless cgroups: the cgroup2 mount with its fallback bind',
      plan: launched(
        buildPlan(
          input(defaults, {
            cgroup: { mode: 'v2', v1Binds: [], v1Symlinks: [], v2Path: '/sys/fs/cgroup/user.slice/c1', rootless: true },
          }),
        ),
      ),
    },
    {
      name: 'every field of config.json',
      plan: launched(
        buildPlan(input(all, { execFifo: '/run/minirun/c1/exec.fifo', sessionKeyring: '_ses.c1', hostHasKcore: true })),
        4,
      ),
    },
    {
      name: 'every field, run without an exec fifo',
      plan: launched(buildPlan(input(all, { sessionKeyring: '_ses.c2' }))),
    },
    { name: '/dev bound from the host, --no-pivot', plan: launched(buildPlan(input(devBound, { noPivot: true }))) },
    { name: 'minimal config', plan: launched(buildPlan(input(minimal))) },
    { name: 'a rootless caller: groups kept', plan: { ...launched(buildPlan(input(minimal))), rootlessEuid: true } },
    {
      name: 'a runtime in a user namespace of its own',
      plan: { ...launched(buildPlan(input(minimal))), runtimeInUserns: true },
    },
    {
      name: 'exec with a terminal',
      plan: launched(
        buildExecPlan(execSpec, 4242, '/bundles/b1/rootfs', {
          args: ['ps', 'aux'],
          env: ['X=1'],
          tty: true,
          caps: ['CAP_SYS_PTRACE'],
          additionalGids: [9],
          user: { uid: 33, gid: 44 },
          cwd: '/srv',
          noNewPrivs: true,
          apparmorProfile: 'exec-profile',
        }),
        2,
      ),
    },
    {
      name: 'createContainer hook',
      plan: launched(
        buildHookPlan('createContainer', hookContainer, 4242, '/bundles/b1/rootfs', {
          path: '/usr/bin/hook',
          args: ['hook', 'a'],
          env: ['H=1'],
        }),
      ),
    },
    {
      name: 'startContainer hook',
      plan: launched(
        buildHookPlan('startContainer', hookContainer, 4242, '/bundles/b1/rootfs', { path: '/usr/bin/hook' }),
      ),
    },
  ];
}
