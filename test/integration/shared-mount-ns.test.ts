// A config without a mount namespace: the container inherits the runtime's
// (runtime-spec config-linux.md), as with runc: its rootfs mounts are made
// there and it is chrooted. Two deliberate differences from runc 1.1.5, both
// for the host's sake: the runtime's "/" keeps its propagation (runc makes it
// rslave, which for the host's own / means private), and the mounts made on
// the rootfs are detached when the container goes (runc leaves them).
// Each runtime runs in a throwaway copy of the test's mount namespace whose
// mounts are made shared first (as on a systemd host), so that runc's changes
// stay there and the propagation kept or changed can be seen.
import * as fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exec, hasRunc, isRoot, MINIRUN, Sandbox, uniqueId } from './harness';

const suite = isRoot && hasRunc ? describe : describe.skip;

suite("no mount namespace: the runtime's is inherited", () => {
  let sb: Sandbox;
  let rootfs: string;
  beforeAll(async () => {
    sb = await Sandbox.create(['sh', '-c', 'ls /; cat /proc/self/cgroup >/dev/null && echo proc-ok; hostname']);
    rootfs = fs.realpathSync(`${sb.bundle}/rootfs`);
    sb.edit((c) => {
      c.linux.namespaces = c.linux.namespaces.filter((n: { type: string }) => n.type !== 'mount');
      c.linux.maskedPaths = [];
      c.linux.readonlyPaths = [];
    });
  });
  afterAll(() => sb?.cleanup());

  /** Runs `bin ... run` in a new copy of our mount namespace; then what is mounted on the rootfs there, and /'s propagation. */
  function runIn(bin: string, root: string, extra: string[] = []) {
    const script = [
      'mount --make-rshared /',
      `"$0" --root ${root} run ${extra.join(' ')} ${uniqueId('nomnt')}; echo "exit $?"`,
      `echo "left $(awk -v r=${rootfs} '$5 == r || index($5, r "/") == 1' /proc/self/mountinfo | wc -l)"`,
      'echo "propagation $(findmnt -no PROPAGATION /)"',
    ].join('; ');
    return exec('unshare', ['--mount', '--propagation', 'unchanged', 'sh', '-c', script, bin], { cwd: sb.bundle });
  }

  it("runs as with runc; the runtime's / stays shared and nothing stays mounted on the rootfs (runc leaves both changed)", () => {
    const runc = runIn('runc', sb.runcRoot);
    const minirun = runIn(MINIRUN, sb.minirunRoot);
    const [rOut, rLeft, rProp] = runc.stdout.split(/\n(?=left |propagation )/);
    const [mOut, mLeft, mProp] = minirun.stdout.split(/\n(?=left |propagation )/);
    expect(runc.stdout).toMatch(/proc-ok\nrunc\nexit 0\n/);
    expect(minirun.stderr).toBe('');
    expect(mOut).toBe(rOut);
    expect(mProp.trim()).toBe('propagation shared');
    expect(mLeft).toBe('left 0');
    // runc's differences, pinned: mounts left on the rootfs, / no longer shared
    expect(rLeft).not.toBe('left 0');
    expect(rProp.trim()).toBe('propagation private');
    expect(sb.residue()).toEqual([]);
  });

  it("--no-pivot is refused: it would move the rootfs over the runtime's / (runc detaches the host's /proc)", () => {
    const r = sb.minirun(['run', '--no-pivot', uniqueId('nomnt')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('minirun run failed: --no-pivot: needs a mount namespace, and linux.namespaces has none\n');
    expect(sb.residue()).toEqual([]);
  });
});
