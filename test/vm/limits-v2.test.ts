// linux.resources on a pure cgroup v2 host: each case runs through runc and
// through minirun with the same checks, on the same bundle. The limit cases drop the default deny-all device rule,
// so that they test the limits alone.
import { afterEach, describe, expect, it } from 'vitest';
import type { Config, Result, Sandbox } from '../integration/harness';
import { bundle, cgroupGone, noDeviceRules, run, show, type Runtime } from './v2';

let sb: Sandbox | undefined;
afterEach(() => {
  sb?.cleanup();
  sb = undefined;
});

interface Case {
  name: string;
  args: string[];
  edit: (c: Config) => void;
  check: (r: Result) => void;
}

/** The container's cgroup directory, with or without a cgroup namespace (a shell word). */
const CG = '/sys/fs/cgroup$(sed s/^0:://  /proc/self/cgroup)';

const KMSG = { path: '/dev/kmsg', type: 'c', major: 1, minor: 11, fileMode: 0o666, uid: 0, gid: 0 };

const cases: Case[] = [
  {
    name: 'pids.limit = 10: pids.max is 10 and a fork loop gets 9 children',
    // busybox sh gives up at the first fork that fails.
    args: ['sh', '-c', `cat ${CG}/pids.max; i=0; while [ $i -lt 20 ]; do sleep 100 & i=$((i+1)); echo forked $i; done`],
    edit: (c) => {
      noDeviceRules(c);
      c.linux.resources = { pids: { limit: 10 } };
    },
    check: (r) => {
      const lines = r.stdout.trim().split('\n');
      expect(lines[0], show(r)).toBe('10');
      expect(lines.filter((l) => l.startsWith('forked ')).length, show(r)).toBe(9);
      expect(r.stderr, show(r)).toMatch(/can't fork: Resource temporarily unavailable/);
      expect(r.code, show(r)).not.toBe(0);
    },
  },
  {
    name: 'memory.limit = 32 MiB: a 64 MiB buffer is OOM-killed, exit 137',
    args: [
      'sh',
      '-c',
      `cat ${CG}/memory.max; dd if=/dev/zero of=/dev/null bs=64M count=1; rc=$?; grep "^oom_kill " ${CG}/memory.events; exit $rc`,
    ],
    edit: (c) => {
      noDeviceRules(c);
      c.linux.resources = { memory: { limit: 32 * 1024 * 1024 } };
    },
    check: (r) => {
      expect(r.stdout, show(r)).toBe('33554432\noom_kill 1\n');
      expect(r.code, show(r)).toBe(137);
    },
  },
  {
    name: 'cpu quota 10000 / period 100000: cpu.max, and a busy loop is throttled',
    args: [
      'sh',
      '-c',
      `cat ${CG}/cpu.max; timeout 1 sh -c "while :; do :; done"; grep "^nr_throttled " ${CG}/cpu.stat`,
    ],
    edit: (c) => {
      noDeviceRules(c);
      c.linux.resources = { cpu: { quota: 10000, period: 100000 } };
    },
    check: (r) => {
      const lines = r.stdout.trim().split('\n');
      expect(lines[0], show(r)).toBe('10000 100000');
      expect(Number(/^nr_throttled (\d+)$/.exec(lines[1] ?? '')?.[1]), show(r)).toBeGreaterThan(0);
    },
  },
  {
    name: 'a device outside the allow-list (/dev/kmsg): open fails with EPERM',
    args: ['probe', 'write', '/dev/kmsg', 'minirun test/vm\n'],
    edit: (c) => {
      c.linux.devices = [KMSG];
    },
    check: (r) => {
      expect(r.stdout, show(r)).toBe('EPERM\n');
      expect(r.code, show(r)).toBe(1);
    },
  },
  {
    name: 'the same device allowed (c 1:11 rw): the write works',
    args: ['probe', 'write', '/dev/kmsg', 'minirun test/vm\n'],
    edit: (c) => {
      c.linux.devices = [KMSG];
      c.linux.resources.devices.push({ allow: true, type: 'c', major: 1, minor: 11, access: 'rw' });
    },
    check: (r) => {
      expect(r.stdout, show(r)).toBe('ok\n');
      expect(r.code, show(r)).toBe(0);
    },
  },
  {
    // runc appends its default allow-list (null, zero, full, tty, random, urandom, ptmx,
    // net/tun...) after the config's rules, so a config cannot deny /dev/null.
    name: 'a deny rule for /dev/null (c 1:3) is overridden by the default allow-list',
    args: ['probe', 'write', '/dev/null', 'x'],
    edit: (c) => {
      c.linux.resources.devices.push({ allow: false, type: 'c', major: 1, minor: 3, access: 'rwm' });
    },
    check: (r) => {
      expect(r.stdout, show(r)).toBe('ok\n');
      expect(r.code, show(r)).toBe(0);
    },
  },
];

async function runCase(k: Case, rt: Runtime): Promise<void> {
  sb = await bundle(k.args, k.edit);
  const r = run(sb, rt);
  k.check(r.res);
  expect(cgroupGone(r.cgroup), `${r.cgroup} left behind`).toBe(true);
}

describe('linux.resources on cgroup v2', () => {
  for (const k of cases) {
    it(`runc: ${k.name}`, () => runCase(k, 'runc'));
    it(`minirun: ${k.name}`, () => runCase(k, 'minirun'));
  }
});
