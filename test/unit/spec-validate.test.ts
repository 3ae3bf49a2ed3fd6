import { describe, expect, it } from 'vitest';
import { parseSpec } from '../../src/spec/load';
import { defaultSpec } from '../../src/spec/default';

type Cfg = Record<string, any>;
const base = (): Cfg => {
  const s = defaultSpec() as Cfg;
  s.process.terminal = false;
  return s;
};
const parse = (c: Cfg) => parseSpec(JSON.stringify(c));

describe('validateSpec', () => {
  it('accepts what runc spec writes', () => {
    const s = parse(base());
    expect(s.process?.args).toEqual(['sh']);
    expect(s.process?.rlimits).toEqual([{ type: 'RLIMIT_NOFILE', hard: 1024n, soft: 1024n }]);
  });

  it('reads an unlimited rlimit exactly', () => {
    const text = JSON.stringify(base()).replace('"hard":1024', '"hard":18446744073709551615');
    expect(parseSpec(text).process?.rlimits?.[0].hard).toBe(18446744073709551615n);
  });

  it('ignores unknown properties', () => {
    const c = base();
    c.vendorThing = { x: 1 };
    c.process.somethingNew = true;
    expect(() => parse(c)).not.toThrow();
  });

  const bad: [string, (c: Cfg) => void, string][] = [
    ['ociVersion missing', (c) => delete c.ociVersion, 'config.json: ociVersion: is required'],
    ['ociVersion 2.x', (c) => (c.ociVersion = '2.0.0'), 'config.json: ociVersion: must be a 1.x.y runtime-spec version, got "2.0.0"'],
    ['root.path empty', (c) => (c.root.path = ''), 'config.json: root.path: must not be empty'],
    ['root.readonly a string', (c) => (c.root.readonly = 'yes'), 'config.json: root.readonly: must be true or false, got a string'],
    ['args empty', (c) => (c.process.args = []), 'config.json: process.args: must have at least one entry'],
    ['args with a number', (c) => (c.process.args = ['sh', 1]), 'config.json: process.args[1]: must be a string, got a number'],
    ['NUL in env', (c) => c.process.env.push('A=\u0000'), 'config.json: process.env[2]: must not contain a NUL byte'],
    ['env without =', (c) => c.process.env.push('JUSTKEY'), 'config.json: process.env[2]: must be KEY=VALUE, got "JUSTKEY"'],
    ['env with an empty key', (c) => c.process.env.push('=v'), 'config.json: process.env[2]: has an empty variable name: "=v"'],
    ['cwd relative', (c) => (c.process.cwd = 'home'), 'config.json: process.cwd: must be an absolute path, got "home"'],
    ['uid negative', (c) => (c.process.user.uid = -1), 'config.json: process.user.uid: must be between 0 and 4294967295, got -1'],
    ['gid fractional', (c) => (c.process.user.gid = 1.5), 'config.json: process.user.gid: must be an integer, got 1.5'],
    ['umask too big', (c) => (c.process.user.umask = 0o1777), 'config.json: process.user.umask: must be at most 0777, got 1023'],
    ['unknown capability', (c) => c.process.capabilities.effective.push('CAP_FLY'), 'config.json: process.capabilities.effective[3]: unknown capability "CAP_FLY"'],
    ['unknown rlimit', (c) => (c.process.rlimits[0].type = 'RLIMIT_FOO'), 'config.json: process.rlimits[0].type: unknown rlimit "RLIMIT_FOO"'],
    ['duplicate rlimit', (c) => c.process.rlimits.push({ type: 'RLIMIT_NOFILE', soft: 1, hard: 1 }), 'config.json: process.rlimits[1].type: RLIMIT_NOFILE is given twice'],
    ['rlimit above 2^64', (c) => (c.process.rlimits[0].hard = 18446744073709551616n), 'config.json: process.rlimits[0].hard: must be between 0 and 18446744073709551615, got 18446744073709551616'],
    ['oomScoreAdj out of range', (c) => (c.process.oomScoreAdj = -1001), 'config.json: process.oomScoreAdj: must be between -1000 and 1000, got -1001'],
    ['mount destination relative', (c) => (c.mounts[2].destination = 'data'), 'config.json: mounts[2].destination: must be an absolute path, got "data"'],
    ['mount options not an array', (c) => (c.mounts[1].options = 'ro'), 'config.json: mounts[1].options: must be an array, got a string'],
    ['id-mapped mount', (c) => (c.mounts[0].uidMappings = []), 'config.json: mounts[0].uidMappings: id-mapped mounts are not supported yet'],
    ['hook path relative', (c) => (c.hooks = { prestart: [{ path: 'hook' }] }), 'config.json: hooks.prestart[0].path: must be an absolute path, got "hook"'],
    ['hook timeout zero', (c) => (c.hooks = { poststop: [{ path: '/h', timeout: 0 }] }), 'config.json: hooks.poststop[0].timeout: must be between 1 and 2147483647, got 0'],
    ['unknown namespace', (c) => c.linux.namespaces.push({ type: 'foo' }), 'config.json: linux.namespaces[5].type: must be one of pid, network, mount, ipc, uts, user, cgroup, time, got "foo"'],
    ['duplicate namespace', (c) => c.linux.namespaces.push({ type: 'uts' }), 'config.json: linux.namespaces[5].type: the uts namespace is listed twice'],
    ['namespace path relative', (c) => (c.linux.namespaces[0].path = 'ns/pid'), 'config.json: linux.namespaces[0].path: must be an absolute path, got "ns/pid"'],
    ['user ns without mappings', (c) => c.linux.namespaces.push({ type: 'user' }), 'config.json: linux.uidMappings: a new user namespace needs both uidMappings and gidMappings'],
    ['mappings without user ns', (c) => (c.linux.uidMappings = [{ containerID: 0, hostID: 1000, size: 1 }]), 'config.json: linux.uidMappings: id mappings need a user namespace in linux.namespaces'],
    ['mapping of size 0', (c) => {
      c.linux.namespaces.push({ type: 'user' });
      c.linux.uidMappings = [{ containerID: 0, hostID: 1000, size: 0 }];
      c.linux.gidMappings = [{ containerID: 0, hostID: 1000, size: 1 }];
    }, 'config.json: linux.uidMappings[0].size: must be at least 1'],
    ['device type', (c) => (c.linux.devices = [{ type: 'x', path: '/dev/x', major: 1, minor: 1 }]), 'config.json: linux.devices[0].type: must be one of c, b, u, p, got "x"'],
    ['device without major', (c) => (c.linux.devices = [{ type: 'c', path: '/dev/x', minor: 1 }]), 'config.json: linux.devices[0].major: is required'],
    ['device fileMode', (c) => (c.linux.devices = [{ type: 'p', path: '/dev/x', fileMode: 0o17777 }]), 'config.json: linux.devices[0].fileMode: must be at most 07777, got 17777'],
    ['device rule access', (c) => (c.linux.resources.devices[0].access = 'rwx'), 'config.json: linux.resources.devices[0].access: must be made of r, w and m, got "rwx"'],
    ['rootfsPropagation', (c) => (c.linux.rootfsPropagation = 'sideways'), 'config.json: linux.rootfsPropagation: must be one of private, rprivate, slave, rslave, shared, rshared, unbindable, runbindable, got "sideways"'],
    ['maskedPaths relative', (c) => c.linux.maskedPaths.push('proc/x'), 'config.json: linux.maskedPaths[10]: must be an absolute path, got "proc/x"'],
    ['sysctl value not a string', (c) => (c.linux.sysctl = { 'net.ipv4.ip_forward': 1 }), 'config.json: linux.sysctl.net.ipv4.ip_forward: must be a string, got a number'],
    ['hostname without uts', (c) => (c.linux.namespaces = c.linux.namespaces.filter((n: Cfg) => n.type !== 'uts')), 'config.json: hostname: requires a uts namespace in linux.namespaces'],
    ['hostname too long', (c) => (c.hostname = 'h'.repeat(65)), 'config.json: hostname: must be at most 64 characters'],
    ['too many args', (c) => (c.process.args = new Array(10001).fill('x')), 'config.json: process.args: has 10001 entries, more than the limit of 10000'],
    ['a 2 MiB string', (c) => (c.process.args = ['x'.repeat(2 << 20)]), 'config.json: process.args[0]: is 2097152 characters long, more than the limit of 1048576'],
  ];
  for (const [name, mutate, message] of bad) {
    it(`rejects ${name}`, () => {
      const c = base();
      mutate(c);
      const text = JSON.stringify(c, (_k, v) => (typeof v === 'bigint' ? `@@${v}@@` : v)).replace(/"@@(\d+)@@"/g, '$1');
      let got = '(no error)';
      try {
        parseSpec(text);
      } catch (e) {
        got = (e as Error).message;
      }
      expect(got).toBe(message);
    });
  }

  it('rejects a document that is not an object', () => {
    expect(() => parseSpec('[]')).toThrow('config.json: (document): must be an object, got an array');
  });
});
