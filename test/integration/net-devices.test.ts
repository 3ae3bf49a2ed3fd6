// linux.netDevices: a veth made by the test moves into the container's
// network namespace, renamed, with its addresses and up. runc 1.1.5 does not
// know the field (it leaves the device on the host): a deliberate difference.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hasRunc, isRoot, Sandbox } from './harness';

const suite = isRoot && hasRunc ? describe : describe.skip;

suite('linux.netDevices', () => {
  let sb: Sandbox;
  let host: string;
  const ip = (...args: string[]) => spawnSync('ip', args, { encoding: 'utf8' });
  beforeEach(async () => {
    sb = await Sandbox.create(['true']);
    host = `mr${process.pid % 100000}${Math.random().toString(36).slice(2, 5)}`.slice(0, 12);
    expect(ip('link', 'add', host, 'type', 'veth', 'peer', 'name', `${host}p`).status).toBe(0);
    expect(ip('addr', 'add', '10.77.0.2/24', 'dev', host).status).toBe(0);
    expect(ip('link', 'set', host, 'mtu', '1400').status).toBe(0);
  });
  afterEach(() => {
    if (fs.existsSync(`/sys/class/net/${host}`)) ip('link', 'del', host);
    sb.cleanup();
  });

  it('moves the interface in under its new name, with its address and MTU, up', () => {
    sb.edit((c) => {
      c.process.args = [
        'sh',
        '-c',
        'ip -o -4 addr show dev eth7 | cut -d" " -f2,7; cat /sys/class/net/eth7/mtu; ip -o link show eth7 | grep -c ",UP"',
      ];
      c.linux.netDevices = { [host]: { name: 'eth7' } };
    });
    const r = sb.minirun(['run', 'nd-move']);
    expect(r).toMatchObject({ code: 0, stdout: 'eth7 10.77.0.2/24\n1400\n1\n', stderr: '' });
    // gone from the host: a veth dies with the container's namespace
    expect(fs.existsSync(`/sys/class/net/${host}`)).toBe(false);
    expect(sb.residue()).toEqual([]);
  });

  it('runc 1.1.5 ignores the field (the device stays on the host)', () => {
    sb.edit((c) => {
      c.process.args = ['sh', '-c', 'ls /sys/class/net'];
      c.linux.netDevices = { [host]: {} };
    });
    const r = sb.runc(['run', 'nd-runc']);
    expect(r).toMatchObject({ code: 0, stdout: 'lo\n' });
    expect(fs.existsSync(`/sys/class/net/${host}`)).toBe(true);
  });

  it.each([
    [
      'no network namespace',
      (c: any, h: string) => {
        c.linux.namespaces = c.linux.namespaces.filter((n: any) => n.type !== 'network');
        c.linux.netDevices = { [h]: {} };
      },
      'linux.netDevices: needs a network namespace',
    ],
    [
      'an interface the host does not have',
      (c: any) => (c.linux.netDevices = { nosuch0: {} }),
      'linux.netDevices["nosuch0"]: no such interface on the host',
    ],
    [
      'a bad name',
      (c: any, h: string) => (c.linux.netDevices = { [h]: { name: 'a/b' } }),
      '.name: "a/b" is not a valid interface name',
    ],
    [
      'two devices under one name',
      (c: any, h: string) => (c.linux.netDevices = { [h]: { name: 'x0' }, [`${h}p`]: { name: 'x0' } }),
      '.name: "x0" is also the name for',
    ],
    [
      'a name the namespace already has',
      (c: any, h: string) => (c.linux.netDevices = { [h]: { name: 'lo' } }),
      'linux.netDevices["HOST"]: the container already has an interface named lo',
    ],
  ])('refuses %s in one line; the host keeps its interface and nothing is left', (_what, edit, message) => {
    sb.edit((c) => edit(c, host));
    const r = sb.minirun(['run', 'nd-bad']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(message.replace('HOST', host));
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(fs.existsSync(`/sys/class/net/${host}`)).toBe(true);
    expect(sb.residue()).toEqual([]);
  });
});
