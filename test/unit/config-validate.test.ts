import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MiniRunError } from '../../src/errors';
import { isCgroup2Unified } from '../../src/cgroups/mounts';
import { defaultSpec } from '../../src/config/default';
import { parseJson } from '../../src/config/json';
import { loadProcessFile, loadSpec, parseSpec } from '../../src/config/load';
import { validateSpec } from '../../src/config/validate';

type Cfg = Record<string, any>;

/** runc spec's config with terminal off, as the integration tests use it. */
const base = (): Cfg => {
  const s = defaultSpec() as Cfg;
  s.process.terminal = false;
  return s;
};

/** JSON text that may hold bigints, written as exact integer literals. */
function toJson(c: unknown): string {
  return JSON.stringify(c, (_k, v) => (typeof v === 'bigint' ? `@@${v}@@` : v)).replace(/"@@(-?\d+)@@"/g, '$1');
}

/** The typed spec back as plain JSON values (bigints as numbers when they fit), to compare with a config. */
function plain(v: unknown): unknown {
  return JSON.parse(JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? Number(x) : x)));
}

function messageOf(text: string): string {
  try {
    parseSpec(text);
  } catch (e) {
    expect(e).toBeInstanceOf(MiniRunError);
    expect((e as MiniRunError).code).toBe('CONFIG');
    return (e as Error).message;
  }
  return '(no error)';
}

const userNs = (c: Cfg) => {
  c.linux.namespaces.push({ type: 'user' });
  c.linux.uidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
  c.linux.gidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
};

describe('defaultSpec', () => {
  const runcOutput = fs.readFileSync(path.join(__dirname, '../fixtures/runc-spec.json'), 'utf8');

  it('is what runc 1.1.5 spec writes, byte for byte when written with tabs', () => {
    expect(JSON.stringify(defaultSpec(), null, '\t')).toBe(runcOutput);
  });

  const runc = spawnSync('runc', ['--version'], { encoding: 'utf8' });
  it.skipIf(runc.status !== 0 || !runc.stdout.includes('1.1.5'))('matches `runc spec` run now', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'minirun-spec-'));
    try {
      expect(spawnSync('runc', ['spec'], { cwd: dir }).status).toBe(0);
      expect(JSON.stringify(defaultSpec({ cgroupNs: isCgroup2Unified() }), null, '\t')).toBe(
        fs.readFileSync(path.join(dir, 'config.json'), 'utf8'),
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("with cgroupNs (a pure cgroup v2 host), adds a cgroup namespace last, as runc's spec there", () => {
    const plainSpec = defaultSpec() as Cfg;
    const v2 = defaultSpec({ cgroupNs: true }) as Cfg;
    expect(v2.linux.namespaces).toEqual([...plainSpec.linux.namespaces, { type: 'cgroup' }]);
    v2.linux.namespaces.pop();
    expect(v2).toEqual(plainSpec);
  });

  it('returns a fresh object each time', () => {
    const a = defaultSpec() as Cfg;
    a.process.args.push('x');
    expect((defaultSpec() as Cfg).process.args).toEqual(['sh']);
  });
});

describe('validateSpec: what it accepts and returns', () => {
  it('accepts runc spec and keeps every field of it', () => {
    expect(plain(parseSpec(JSON.stringify(defaultSpec())))).toEqual(defaultSpec());
  });

  it('gives rlimits as bigints', () => {
    expect(parseSpec(toJson(base())).process.rlimits).toEqual([{ type: 'RLIMIT_NOFILE', soft: 1024n, hard: 1024n }]);
  });

  it('reads 64-bit values exactly', () => {
    const c = base();
    c.process.rlimits[0].hard = 18446744073709551615n;
    c.linux.resources.memory = { limit: 9223372036854775807n, swap: -1, swappiness: 18446744073709551615n };
    c.linux.resources.cpu = { shares: 9007199254740993n, quota: -1, cpus: '0-3' };
    const s = parseSpec(toJson(c));
    expect(s.process.rlimits?.[0].hard).toBe(18446744073709551615n);
    expect(s.linux?.resources?.memory).toEqual({
      limit: 9223372036854775807n,
      swap: -1n,
      swappiness: 18446744073709551615n,
    });
    expect(s.linux?.resources?.cpu).toEqual({ shares: 9007199254740993n, quota: -1n, cpus: '0-3' });
  });

  it('keeps every resources section, typed', () => {
    const c = base();
    c.linux.resources = {
      devices: [
        { allow: false, access: 'rwm' },
        { allow: true, type: 'c', major: 1, minor: -1, access: 'r' },
      ],
      pids: { limit: 100 },
      blockIO: {
        weight: 500,
        weightDevice: [{ major: 8, minor: 0, weight: 100 }],
        throttleReadBpsDevice: [{ major: 8, minor: 0, rate: 1048576 }],
      },
      hugepageLimits: [{ pageSize: '2MB', limit: 0 }],
      network: { classID: 1, priorities: [{ name: 'eth0', priority: 5 }] },
      rdma: { mlx5_1: { hcaHandles: 3 } },
      unified: { 'memory.high': '1G' },
    };
    expect(parseSpec(toJson(c)).linux?.resources).toEqual({
      devices: [
        { allow: false, access: 'rwm' },
        { allow: true, type: 'c', major: 1, minor: -1, access: 'r' },
      ],
      pids: { limit: 100n },
      blockIO: {
        weight: 500,
        weightDevice: [{ major: 8n, minor: 0n, weight: 100 }],
        throttleReadBpsDevice: [{ major: 8n, minor: 0n, rate: 1048576n }],
      },
      hugepageLimits: [{ pageSize: '2MB', limit: 0n }],
      network: { classID: 1, priorities: [{ name: 'eth0', priority: 5 }] },
      rdma: { mlx5_1: { hcaHandles: 3 } },
      unified: { 'memory.high': '1G' },
    });
  });

  it('ignores unknown properties and leaves them out', () => {
    const c = base();
    c.vendorThing = { x: 1 };
    c.process.somethingNew = true;
    c.linux.resources.memory = { limit: 1, future: 'x' };
    const s = parseSpec(toJson(c)) as Cfg;
    expect(s.vendorThing).toBeUndefined();
    expect(s.process.somethingNew).toBeUndefined();
    expect(s.linux.resources.memory).toEqual({ limit: 1n });
  });

  it('keeps the fields other modules judge as they were parsed', () => {
    const c = base();
    c.linux.seccomp = {
      defaultAction: 'SCMP_ACT_ALLOW',
      syscalls: [{ names: ['kill'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 }],
    };
    c.linux.personality = { domain: 'LINUX32' };
    c.linux.mountLabel = 'system_u:object_r:container_file_t:s0';
    c.process.scheduler = { policy: 'SCHED_OTHER' };
    const s = parseSpec(toJson(c));
    expect(s.linux?.seccomp).toEqual(c.linux.seccomp);
    expect(s.linux?.personality).toEqual({ domain: 'LINUX32' });
    expect(s.linux?.mountLabel).toBe(c.linux.mountLabel);
    expect(s.process.scheduler).toEqual({ policy: 'SCHED_OTHER' });
  });

  it('keeps hooks', () => {
    const c = base();
    c.hooks = {
      prestart: [{ path: '/bin/hook', args: ['hook', 'x'], env: ['A=1'], timeout: 5 }],
      poststop: [{ path: '/bin/true' }],
    };
    expect(parseSpec(toJson(c)).hooks).toEqual(c.hooks);
  });

  it('counts null as not given, as Go does', () => {
    const c = base();
    c.hostname = null;
    c.process.capabilities = null;
    c.linux.seccomp = null;
    c.linux.resources.devices[0].major = null;
    const s = parseSpec(toJson(c));
    expect(s.hostname).toBeUndefined();
    expect(s.process.capabilities).toBeUndefined();
    expect('seccomp' in (s.linux ?? {})).toBe(false);
    expect(s.linux?.resources?.devices).toEqual([{ allow: false, access: 'rwm' }]);
  });

  it('keeps only r, w and m of a device access string, as runc', () => {
    const c = base();
    c.linux.resources = {
      devices: [
        { allow: false, access: 'rwm' },
        { allow: false, type: 'c', major: 1, minor: 11, access: 'rwa' },
      ],
    };
    expect(parseSpec(toJson(c)).linux?.resources?.devices).toEqual([
      { allow: false, access: 'rwm' },
      { allow: false, type: 'c', major: 1, minor: 11, access: 'rw' },
    ]);
  });

  it('takes an empty namespace path as a new namespace', () => {
    const c = base();
    c.linux.namespaces[0].path = '';
    expect(parseSpec(toJson(c)).linux?.namespaces?.[0]).toEqual({ type: 'pid' });
  });

  it('accepts a user namespace with root mapped, and a joined one without mappings', () => {
    const c = base();
    userNs(c);
    expect(parseSpec(toJson(c)).linux?.uidMappings).toEqual([{ containerID: 0, hostID: 100000, size: 65536 }]);
    const d = base();
    d.linux.namespaces.push({ type: 'user', path: '/proc/1/ns/user' });
    expect(parseSpec(toJson(d)).linux?.namespaces?.[5]).toEqual({ type: 'user', path: '/proc/1/ns/user' });
  });

  it('accepts joining a uts namespace when no hostname is set', () => {
    const c = base();
    delete c.hostname;
    c.linux.namespaces[3] = { type: 'uts', path: '/proc/1/ns/uts' };
    expect(messageOf(toJson(c))).toBe('(no error)');
  });

  it('does not modify the parsed document', () => {
    const doc = parseJson(toJson(base()));
    const before = toJson(doc);
    validateSpec(doc);
    expect(toJson(doc)).toBe(before);
    expect((doc as Cfg).process.rlimits[0].hard).toBe(1024);
  });
});

describe('validateSpec: one line naming the field', () => {
  const bad: [string, (c: Cfg) => void, string][] = [
    // the document, root
    ['ociVersion missing', (c) => delete c.ociVersion, 'ociVersion: is required'],
    ['ociVersion 2.x', (c) => (c.ociVersion = '2.0.0'), 'ociVersion: must be a 1.x runtime-spec version, got "2.0.0"'],
    ['ociVersion a number', (c) => (c.ociVersion = 1), 'ociVersion: must be a string, got a number'],
    ['root missing', (c) => delete c.root, 'root: is required'],
    ['root.path empty', (c) => (c.root.path = ''), 'root.path: must not be empty'],
    ['root.readonly a string', (c) => (c.root.readonly = 'yes'), 'root.readonly: must be true or false, got a string'],
    // process
    ['process missing', (c) => delete c.process, 'process: is required'],
    ['process null', (c) => (c.process = null), 'process: is required'],
    ['process.user missing', (c) => delete c.process.user, 'process.user: is required'],
    [
      'terminal a string',
      (c) => (c.process.terminal = 'true'),
      'process.terminal: must be true or false, got a string',
    ],
    [
      'consoleSize too wide',
      (c) => (c.process.consoleSize = { height: 24, width: 70000 }),
      'process.consoleSize.width: must be between 0 and 65535, got 70000',
    ],
    ['args empty', (c) => (c.process.args = []), 'process.args: must have at least one entry'],
    ['args with a number', (c) => (c.process.args = ['sh', 1]), 'process.args[1]: must be a string, got a number'],
    ['NUL in an env entry', (c) => c.process.env.push('A=\u0000'), 'process.env[2]: must not contain a NUL byte'],
    ['env without =', (c) => c.process.env.push('JUSTKEY'), 'process.env[2]: must be KEY=VALUE, got "JUSTKEY"'],
    ['env with an empty key', (c) => c.process.env.push('=v'), 'process.env[2]: has an empty variable name: "=v"'],
    ['cwd relative', (c) => (c.process.cwd = 'home'), 'process.cwd: must be an absolute path, got "home"'],
    ['uid negative', (c) => (c.process.user.uid = -1), 'process.user.uid: must be between 0 and 2147483647, got -1'],
    // (uid_t)-1 is "leave unchanged" to setresuid: runc refuses ids from 2^31 on
    [
      'uid 4294967295',
      (c) => (c.process.user.uid = 4294967295),
      'process.user.uid: must be between 0 and 2147483647, got 4294967295',
    ],
    [
      'gid 2^31',
      (c) => (c.process.user.gid = 2147483648),
      'process.user.gid: must be between 0 and 2147483647, got 2147483648',
    ],
    [
      'an additional gid 2^31',
      (c) => (c.process.user.additionalGids = [5, 2147483648]),
      'process.user.additionalGids[1]: must be between 0 and 2147483647, got 2147483648',
    ],
    ['gid fractional', (c) => (c.process.user.gid = 1.5), 'process.user.gid: must be an integer, got 1.5'],
    [
      'an additional gid a string',
      (c) => (c.process.user.additionalGids = [1, '2']),
      'process.user.additionalGids[1]: must be an integer, got a string',
    ],
    [
      'capabilities an array',
      (c) => (c.process.capabilities = ['CAP_KILL']),
      'process.capabilities: must be an object, got an array',
    ],
    [
      'an unknown capability',
      (c) => c.process.capabilities.ambient.push('CAP_FLY'),
      'process.capabilities.ambient[3]: unknown capability "CAP_FLY"',
    ],
    [
      'an unknown rlimit',
      (c) => (c.process.rlimits[0].type = 'RLIMIT_FOO'),
      'process.rlimits[0].type: unknown rlimit "RLIMIT_FOO"',
    ],
    [
      'a duplicate rlimit',
      (c) => c.process.rlimits.push({ type: 'RLIMIT_NOFILE', soft: 1, hard: 1 }),
      'process.rlimits[1].type: RLIMIT_NOFILE is given twice',
    ],
    [
      'an rlimit above 2^64-1',
      (c) => (c.process.rlimits[0].hard = 18446744073709551616n),
      'process.rlimits[0].hard: must be between 0 and 18446744073709551615, got 18446744073709551616',
    ],
    [
      'an rlimit soft above hard',
      (c) => (c.process.rlimits[0].soft = 2048),
      'process.rlimits[0].soft: 2048 is above the hard limit 1024',
    ],
    ['an rlimit without hard', (c) => delete c.process.rlimits[0].hard, 'process.rlimits[0].hard: is required'],
    [
      'oomScoreAdj out of range',
      (c) => (c.process.oomScoreAdj = -1001),
      'process.oomScoreAdj: must be between -1000 and 1000, got -1001',
    ],
    [
      'apparmorProfile a boolean',
      (c) => (c.process.apparmorProfile = true),
      'process.apparmorProfile: must be a string, got a boolean',
    ],
    // names
    [
      'hostname without a uts namespace',
      (c) => c.linux.namespaces.splice(3, 1),
      'hostname: requires a uts namespace, and linux.namespaces has none',
    ],
    [
      'domainname without a uts namespace',
      (c) => {
        delete c.hostname;
        c.domainname = 'example.org';
        c.linux.namespaces.splice(3, 1);
      },
      'domainname: requires a uts namespace, and linux.namespaces has none',
    ],
    [
      'hostname of 65 bytes',
      (c) => (c.hostname = 'h'.repeat(65)),
      "hostname: is 65 bytes long, more than the kernel's limit of 64",
    ],
    [
      'hostname of 33 characters but 66 bytes',
      (c) => (c.hostname = '\u00e9'.repeat(33)),
      "hostname: is 66 bytes long, more than the kernel's limit of 64",
    ],
    // mounts
    [
      'mount destination relative',
      (c) => (c.mounts[2].destination = 'data'),
      'mounts[2].destination: must be an absolute path, got "data"',
    ],
    ['mount without destination', (c) => delete c.mounts[6].destination, 'mounts[6].destination: is required'],
    [
      'mount options not an array',
      (c) => (c.mounts[1].options = 'ro'),
      'mounts[1].options: must be an array, got a string',
    ],
    [
      'NUL in a mount option',
      (c) => (c.mounts[1].options[1] = 'mode=7\u000055'),
      'mounts[1].options[1]: must not contain a NUL byte',
    ],
    [
      'mount gidMappings without uidMappings',
      (c) => (c.mounts[0].gidMappings = [{ containerID: 0, hostID: 1, size: 1 }]),
      'mounts[0].uidMappings: is required with gidMappings (an id-mapped mount needs both)',
    ],
    [
      'mount uidMappings without gidMappings',
      (c) => (c.mounts[0].uidMappings = [{ containerID: 0, hostID: 1, size: 1 }]),
      'mounts[0].gidMappings: is required with uidMappings (an id-mapped mount needs both)',
    ],
    [
      'mount uidMappings empty',
      (c) => {
        c.mounts[0].uidMappings = [];
        c.mounts[0].gidMappings = [{ containerID: 0, hostID: 1, size: 1 }];
      },
      'mounts[0].uidMappings: must list at least one mapping',
    ],
    [
      'a mount mapping without hostID',
      (c) => {
        c.mounts[0].uidMappings = [{ containerID: 0, size: 1 }];
        c.mounts[0].gidMappings = [{ containerID: 0, hostID: 1, size: 1 }];
      },
      'mounts[0].uidMappings[0].hostID: is required',
    ],
    [
      'mount mappings overlapping inside',
      (c) => {
        c.mounts[0].options = ['idmap'];
        c.mounts[0].uidMappings = [
          { containerID: 0, hostID: 1000, size: 10 },
          { containerID: 5, hostID: 5000, size: 10 },
        ];
        c.mounts[0].gidMappings = [{ containerID: 0, hostID: 1000, size: 1 }];
      },
      'mounts[0].uidMappings[1].containerID: range 5-14 overlaps mounts[0].uidMappings[0] (0-9)',
    ],
    [
      'mount mappings overlapping on the host',
      (c) => {
        c.mounts[0].options = ['idmap'];
        c.mounts[0].uidMappings = [{ containerID: 0, hostID: 1000, size: 1 }];
        c.mounts[0].gidMappings = [
          { containerID: 0, hostID: 1000, size: 10 },
          { containerID: 100, hostID: 1009, size: 1 },
        ];
      },
      'mounts[0].gidMappings[1].hostID: range 1009-1009 overlaps mounts[0].gidMappings[0] (1000-1009)',
    ],
    ['mounts not an array', (c) => (c.mounts = {}), 'mounts: must be an array, got an object'],
    // hooks, annotations
    [
      'hook path relative',
      (c) => (c.hooks = { prestart: [{ path: 'hook' }] }),
      'hooks.prestart[0].path: must be an absolute path, got "hook"',
    ],
    [
      'hook timeout zero',
      (c) => (c.hooks = { poststop: [{ path: '/h', timeout: 0 }] }),
      'hooks.poststop[0].timeout: must be between 1 and 2147483647, got 0',
    ],
    [
      'hook timeout fractional',
      (c) => (c.hooks = { createRuntime: [{ path: '/h', timeout: 1.5 }] }),
      'hooks.createRuntime[0].timeout: must be an integer, got 1.5',
    ],
    [
      'hook env without =',
      (c) => (c.hooks = { poststart: [{ path: '/h' }, { path: '/h', env: ['X'] }] }),
      'hooks.poststart[1].env[0]: must be KEY=VALUE, got "X"',
    ],
    [
      'annotation value a number',
      (c) => (c.annotations = { 'org.example.n': 1 }),
      'annotations.org.example.n: must be a string, got a number',
    ],
    [
      'annotation with an empty key',
      (c) => (c.annotations = { '': 'x' }),
      'annotations: a key must not be an empty string',
    ],
    // linux: namespaces and id mappings
    ['linux an array', (c) => (c.linux = []), 'linux: must be an object, got an array'],
    [
      'an unknown namespace',
      (c) => c.linux.namespaces.push({ type: 'foo' }),
      'linux.namespaces[5].type: must be one of pid, network, mount, ipc, uts, user, cgroup, time, got "foo"',
    ],
    [
      'a duplicate namespace',
      (c) => c.linux.namespaces.push({ type: 'uts' }),
      'linux.namespaces[5].type: the uts namespace is listed twice',
    ],
    [
      'a namespace path relative',
      (c) => (c.linux.namespaces[0].path = 'ns/pid'),
      'linux.namespaces[0].path: must be an absolute path, got "ns/pid"',
    ],
    [
      'a user namespace without mappings',
      (c) => c.linux.namespaces.push({ type: 'user' }),
      'linux.uidMappings: is required with a new user namespace',
    ],
    [
      'a user namespace without gid mappings',
      (c) => {
        userNs(c);
        delete c.linux.gidMappings;
      },
      'linux.gidMappings: is required with a new user namespace',
    ],
    [
      'mappings without a user namespace',
      (c) => (c.linux.gidMappings = [{ containerID: 0, hostID: 1000, size: 1 }]),
      'linux.gidMappings: requires a user namespace in linux.namespaces',
    ],
    [
      'a mapping of size 0',
      (c) => {
        userNs(c);
        c.linux.uidMappings.push({ containerID: 70000, hostID: 1000, size: 0 });
      },
      'linux.uidMappings[1].size: must be at least 1',
    ],
    [
      'container ranges that overlap',
      (c) => {
        userNs(c);
        c.linux.uidMappings.push({ containerID: 500, hostID: 300000, size: 10 });
      },
      'linux.uidMappings[1].containerID: range 500-509 overlaps linux.uidMappings[0] (0-65535)',
    ],
    [
      'host ranges that overlap',
      (c) => {
        userNs(c);
        c.linux.gidMappings.push({ containerID: 70000, hostID: 165535, size: 10 });
      },
      'linux.gidMappings[1].hostID: range 165535-165544 overlaps linux.gidMappings[0] (100000-165535)',
    ],
    [
      'a mapping past 2^32',
      (c) => {
        userNs(c);
        c.linux.gidMappings[0].hostID = 4294967295;
      },
      'linux.gidMappings[0].size: hostID 4294967295 + size 65536 goes past 4294967295',
    ],
    [
      'mappings that leave root unmapped',
      (c) => {
        userNs(c);
        c.linux.uidMappings[0].containerID = 1;
      },
      'linux.uidMappings: must map container ID 0 (runc requires a root mapping)',
    ],
    [
      'more than 340 mappings',
      (c) => {
        userNs(c);
        c.linux.uidMappings = Array.from({ length: 341 }, (_, i) => ({ containerID: i, hostID: 100000 + i, size: 1 }));
      },
      'linux.uidMappings: has 341 entries, more than the limit of 340',
    ],
    // linux: devices, paths, sysctl, propagation
    [
      'a device type',
      (c) => (c.linux.devices = [{ type: 'x', path: '/dev/x', major: 1, minor: 1 }]),
      'linux.devices[0].type: must be one of c, b, u, p, got "x"',
    ],
    [
      'a device without major',
      (c) => (c.linux.devices = [{ type: 'c', path: '/dev/x', minor: 1 }]),
      'linux.devices[0].major: is required',
    ],
    [
      'a device major beyond 12 bits',
      (c) => (c.linux.devices = [{ type: 'b', path: '/dev/x', major: 5000, minor: 1 }]),
      'linux.devices[0].major: must be between 0 and 4095, got 5000',
    ],
    [
      'a device fileMode with type bits',
      (c) => (c.linux.devices = [{ type: 'p', path: '/dev/x', fileMode: 0o17777 }]),
      'linux.devices[0].fileMode: must be permission bits, at most 0o7777, got 0o17777',
    ],
    [
      'a device path relative',
      (c) => (c.linux.devices = [{ type: 'p', path: 'dev/fifo' }]),
      'linux.devices[0].path: must be an absolute path, got "dev/fifo"',
    ],
    [
      'maskedPaths relative',
      (c) => c.linux.maskedPaths.push('proc/x'),
      'linux.maskedPaths[10]: must be an absolute path, got "proc/x"',
    ],
    [
      'NUL in a readonly path',
      (c) => (c.linux.readonlyPaths[4] = '/proc/\u0000'),
      'linux.readonlyPaths[4]: must not contain a NUL byte',
    ],
    [
      'masked paths without a mount namespace',
      (c) => c.linux.namespaces.splice(4, 1),
      'linux.maskedPaths: requires a mount namespace in linux.namespaces',
    ],
    [
      'a sysctl value not a string',
      (c) => (c.linux.sysctl = { 'net.ipv4.ip_forward': 1 }),
      'linux.sysctl.net.ipv4.ip_forward: must be a string, got a number',
    ],
    [
      'a sysctl key with NUL',
      (c) => (c.linux.sysctl = { 'kernel.x\u0000': '1' }),
      'linux.sysctl key "kernel.x\\u0000": must not contain a NUL byte',
    ],
    [
      'rootfsPropagation',
      (c) => (c.linux.rootfsPropagation = 'sideways'),
      'linux.rootfsPropagation: must be one of private, rprivate, slave, rslave, shared, rshared, unbindable, runbindable, got "sideways"',
    ],
    ['cgroupsPath a number', (c) => (c.linux.cgroupsPath = 7), 'linux.cgroupsPath: must be a string, got a number'],
    // linux.resources
    [
      'a device rule access',
      (c) => (c.linux.resources.devices[0].access = 5),
      'linux.resources.devices[0].access: must be a string, got a number',
    ],
    [
      'a device rule access of other letters',
      (c) => (c.linux.resources.devices[0].access = 'ax'),
      'linux.resources.devices[0].access: must name at least one of r, w and m, got "ax"',
    ],
    [
      'a device rule type',
      (c) => (c.linux.resources.devices[0].type = 'u'),
      'linux.resources.devices[0].type: must be one of a, b, c, got "u"',
    ],
    [
      'a device rule major below -1',
      (c) => (c.linux.resources.devices[0].major = -2),
      'linux.resources.devices[0].major: must be between -1 and 4294967295, got -2',
    ],
    [
      'a device rule without allow',
      (c) => delete c.linux.resources.devices[0].allow,
      'linux.resources.devices[0].allow: is required',
    ],
    [
      'memory.limit beyond int64',
      (c) => (c.linux.resources.memory = { limit: 9223372036854775808n }),
      'linux.resources.memory.limit: must be between -9223372036854775808 and 9223372036854775807, got 9223372036854775808',
    ],
    [
      'memory.disableOOMKiller a number',
      (c) => (c.linux.resources.memory = { disableOOMKiller: 1 }),
      'linux.resources.memory.disableOOMKiller: must be true or false, got a number',
    ],
    [
      'cpu.shares negative',
      (c) => (c.linux.resources.cpu = { shares: -1 }),
      'linux.resources.cpu.shares: must be between 0 and 18446744073709551615, got -1',
    ],
    [
      'cpu.cpus a number',
      (c) => (c.linux.resources.cpu = { cpus: 3 }),
      'linux.resources.cpu.cpus: must be a string, got a number',
    ],
    [
      'pids.limit fractional',
      (c) => (c.linux.resources.pids = { limit: 1.5 }),
      'linux.resources.pids.limit: must be an integer, got 1.5',
    ],
    [
      'blockIO.weight beyond 16 bits',
      (c) => (c.linux.resources.blockIO = { weight: 70000 }),
      'linux.resources.blockIO.weight: must be between 0 and 65535, got 70000',
    ],
    [
      'a throttle device without rate',
      (c) => (c.linux.resources.blockIO = { throttleWriteIOPSDevice: [{ major: 8, minor: 0 }] }),
      'linux.resources.blockIO.throttleWriteIOPSDevice[0].rate: is required',
    ],
    [
      'a hugepage limit without pageSize',
      (c) => (c.linux.resources.hugepageLimits = [{ limit: 1 }]),
      'linux.resources.hugepageLimits[0].pageSize: is required',
    ],
    [
      'network.classID a string',
      (c) => (c.linux.resources.network = { classID: '1' }),
      'linux.resources.network.classID: must be an integer, got a string',
    ],
    [
      'rdma.hcaHandles negative',
      (c) => (c.linux.resources.rdma = { mlx5_1: { hcaHandles: -1 } }),
      'linux.resources.rdma.mlx5_1.hcaHandles: must be between 0 and 4294967295, got -1',
    ],
    [
      'a unified value not a string',
      (c) => (c.linux.resources.unified = { 'pids.max': 10 }),
      'linux.resources.unified.pids.max: must be a string, got a number',
    ],
    // absurd sizes
    [
      'too many args',
      (c) => (c.process.args = new Array(10001).fill('x')),
      'process.args: has 10001 entries, more than the limit of 10000',
    ],
    [
      'too many mounts',
      (c) => (c.mounts = new Array(10001).fill({ destination: '/x' })),
      'mounts: has 10001 entries, more than the limit of 10000',
    ],
    [
      'a 2 MiB string',
      (c) => (c.process.args = ['x'.repeat(2 << 20)]),
      'process.args[0]: is 2097152 bytes long, more than the limit of 1 MiB',
    ],
    [
      'a string of 1 MiB characters but 2 MiB of UTF-8',
      (c) => (c.process.env = [`A=${'\u00e9'.repeat(1 << 19)}`]),
      'process.env[0]: is 1048578 bytes long, more than the limit of 1 MiB',
    ],
  ];

  for (const [name, mutate, message] of bad) {
    it(`rejects ${name}`, () => {
      const c = base();
      mutate(c);
      expect(messageOf(toJson(c))).toBe(`config.json: ${message}`);
    });
  }

  it('rejects a document that is not an object', () => {
    expect(messageOf('[]')).toBe('config.json: (document): must be an object, got an array');
  });

  it('reports invalid JSON with its position', () => {
    expect(messageOf('{\n  "ociVersion": "1.0.2",\n  "process": ,\n}')).toBe(
      'config.json: invalid JSON at line 3 column 14: unexpected ","',
    );
  });
});

describe('loadSpec and loadProcessFile', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'minirun-spec-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const loadError = (f: () => unknown): string => {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(MiniRunError);
      return (e as Error).message;
    }
    return '(no error)';
  };

  it('reads and validates <bundle>/config.json', () => {
    fs.writeFileSync(path.join(dir, 'config.json'), toJson(base()));
    expect(loadSpec(dir).process.args).toEqual(['sh']);
  });

  it('names the path and the errno of a config.json it cannot read', () => {
    expect(loadError(() => loadSpec(dir))).toBe(`config.json: cannot read ${dir}/config.json: ENOENT`);
  });

  it('refuses a config.json over 16 MiB from its size, before reading it', () => {
    const file = path.join(dir, 'config.json');
    fs.writeFileSync(file, '');
    fs.truncateSync(file, 16 * 1024 * 1024 + 1);
    expect(loadError(() => loadSpec(dir))).toBe('config.json: file is too large (16777217 bytes, limit 16 MiB)');
  });

  it('accepts a config.json of exactly 16 MiB', () => {
    const text = toJson(base());
    fs.writeFileSync(path.join(dir, 'config.json'), text + ' '.repeat(16 * 1024 * 1024 - text.length));
    expect(loadSpec(dir).ociVersion).toBe('1.0.2-dev');
  });

  it('refuses a config.json that is not a regular file, without blocking on a FIFO', () => {
    const file = path.join(dir, 'config.json');
    expect(spawnSync('mkfifo', [file]).status).toBe(0);
    expect(loadError(() => loadSpec(dir))).toBe(`config.json: ${file} is not a regular file`);
    fs.rmSync(file);
    fs.mkdirSync(file);
    expect(loadError(() => loadSpec(dir))).toBe(`config.json: ${file} is not a regular file`);
  });

  it('names the --process file instead of config.json', () => {
    const file = path.join(dir, 'process.json');
    fs.writeFileSync(file, JSON.stringify({ ...base().process, cwd: 'relative' }));
    expect(loadError(() => loadProcessFile(file))).toBe(
      `--process ${file}: process.cwd: must be an absolute path, got "relative"`,
    );
    fs.writeFileSync(file, '{');
    expect(loadError(() => loadProcessFile(file))).toBe(
      `--process ${file}: invalid JSON at line 1 column 2: expected a string key, unexpected end of input`,
    );
  });

  it('reads a --process file that is a pipe, as runc (os.Open): a FIFO with a writer', () => {
    const fifo = path.join(dir, 'process.fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    // The writer opens the FIFO once the open below has started: run it in the background (10 s at most).
    const src = path.join(dir, 'src.json');
    fs.writeFileSync(src, '{"args":["/bin/true"],"cwd":"/"}');
    const writer = spawnSync('sh', ['-c', 'timeout 10 cp "$0" "$1" >/dev/null 2>&1 & echo started', src, fifo], {
      encoding: 'utf8',
    });
    expect(writer.stdout).toBe('started\n');
    expect(loadProcessFile(fifo)).toEqual({ args: ['/bin/true'], cwd: '/', user: { uid: 0, gid: 0 } });
    expect(loadError(() => loadProcessFile(dir))).toBe(`--process ${dir}: ${dir} is a directory`);
  });

  it("a process.json without user runs as uid 0, gid 0 (runc's zero specs.User); args and cwd stay required", () => {
    const file = path.join(dir, 'process.json');
    fs.writeFileSync(file, JSON.stringify({ args: ['sh'], cwd: '/', env: ['A=b'] }));
    expect(loadProcessFile(file)).toEqual({ args: ['sh'], cwd: '/', env: ['A=b'], user: { uid: 0, gid: 0 } });
    fs.writeFileSync(file, JSON.stringify({ args: ['sh'], cwd: '/', user: { uid: 5 } }));
    expect(loadProcessFile(file).user).toEqual({ uid: 5, gid: 0 });
    fs.writeFileSync(file, JSON.stringify({ args: ['sh'] }));
    expect(loadError(() => loadProcessFile(file))).toBe(`--process ${file}: process.cwd: is required`);
    fs.writeFileSync(file, JSON.stringify({ cwd: '/' }));
    expect(loadError(() => loadProcessFile(file))).toBe(`--process ${file}: process.args: is required`);
  });
});
