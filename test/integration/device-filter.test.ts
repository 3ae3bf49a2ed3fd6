// The cgroup v2 device program, on the real kernel: this host's cgroup2
// hierarchy (/sys/fs/cgroup/unified) takes BPF_CGROUP_DEVICE programs even
// though its controllers live in v1. A shell moved into the cgroup opens
// devices; the program decides. (The v2 guest runs whole containers.)
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { deviceFilter } from '../../src/cgroups/device-filter';
import { deviceRules, type DeviceRule } from '../../src/cgroups/devices';
import { loadAddon } from '../../src/native/loader';
import { isRoot, uniqueId } from './harness';

const UNIFIED = ['/sys/fs/cgroup/unified', '/sys/fs/cgroup'].find(
  (d) => fs.existsSync(`${d}/cgroup.procs`) && fs.existsSync(`${d}/cgroup.controllers`),
);
const suite = isRoot && UNIFIED ? describe : describe.skip;

suite('the v2 device program (eBPF) on the real kernel', () => {
  const made: string[] = [];
  afterEach(() => {
    for (const d of made.splice(0)) fs.rmdirSync(d);
  });

  function cgroup(rules: DeviceRule[]): string {
    const dir = `${UNIFIED}/${uniqueId('minirun-devtest')}`;
    fs.mkdirSync(dir);
    made.push(dir);
    loadAddon().attachDeviceFilter(dir, deviceFilter(deviceRules(rules)));
    return dir;
  }

  /** Opens each device in a shell inside the cgroup: "name ok" or "name denied". */
  function tryOpen(dir: string, opens: string[]): string[] {
    const script = `echo $$ > ${dir}/cgroup.procs || exit 9; ${opens.map((o) => `if ${o} 2>/dev/null; then echo ok; else echo denied; fi`).join('; ')}`;
    const r = spawnSync('sh', ['-c', script], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    return r.stdout.trim().split('\n');
  }

  it('allows the defaults and what the rules allow; denies the rest, per access bit', () => {
    const dir = cgroup([
      { allow: true, type: 'c', major: 1, minor: 11, access: 'r' }, // /dev/kmsg: read only
      { allow: false, type: 'c', major: 1, minor: 9, access: 'w' }, // the default allows /dev/urandom rwm after this
    ]);
    const opens = [
      'head -c1 /dev/null',
      'head -c1 /dev/zero >/dev/null',
      'true > /dev/full',
      'head -c0 /dev/kmsg',
      'true >> /dev/kmsg',
      'head -c0 /dev/loop0',
      'true >> /dev/urandom',
    ];
    expect(tryOpen(dir, opens)).toEqual(['ok', 'ok', 'ok', 'ok', 'denied', 'denied', 'ok']);
  });

  it('a later deny overrides an earlier allow for the bits it names, as in v1', () => {
    const rules: DeviceRule[] = [
      { allow: true, type: 'b', major: null, minor: null, access: 'rwm' },
      { allow: false, type: 'b', major: null, minor: null, access: 'w' },
    ];
    const dir = cgroup(rules);
    expect(tryOpen(dir, ['head -c0 /dev/loop0', 'true >> /dev/loop0'])).toEqual(['ok', 'denied']);
  });

  it('attaching again replaces the program', () => {
    const dir = cgroup([{ allow: true, type: 'b', major: null, minor: null, access: 'r' }]);
    expect(tryOpen(dir, ['head -c0 /dev/loop0'])).toEqual(['ok']);
    loadAddon().attachDeviceFilter(dir, deviceFilter(deviceRules([])));
    expect(tryOpen(dir, ['head -c0 /dev/loop0'])).toEqual(['denied']);
  });
});
