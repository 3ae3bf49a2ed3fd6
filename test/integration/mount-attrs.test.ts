// Recursive mount attributes (rro, rnosuid, ... with mount_setattr AT_RECURSIVE)
// and plain nosymfollow/symfollow, on a bind of a host directory that has two
// submounts of its own: `sub` (a plain tmpfs holding a file, a symlink, a
// device node and an executable) and `locked` (a tmpfs mounted ro, nosuid,
// nodev, noexec, nosymfollow, nodiratime, noatime, for the clearing words).
// Each is run through minirun and runc 1.1.5 (which has them all) and the
// mounts and effects inside are compared.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasRunc, isRoot, type Result, Sandbox, uniqueId } from './harness';

const suite = isRoot && hasRunc ? describe : describe.skip;

function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
}

/** The `probe mounts` lines of /mnt and below: "mountpoint per-mount-options". */
function mntLines(r: Result): string[] {
  return r.stdout
    .split('\n')
    .filter((l) => l.startsWith('/mnt'))
    .map((l) => l.split(' ').slice(0, 2).join(' '));
}

function optsOf(r: Result, mountpoint: string): string[] {
  const line = mntLines(r).find((l) => l.split(' ')[0] === mountpoint);
  if (!line) throw new Error(`no ${mountpoint} in ${r.stdout}${r.stderr}`);
  return line.split(' ')[1].split(',');
}

suite('recursive mount attributes, compared with runc', () => {
  let sb: Sandbox;
  let src: string;
  let pristine: Record<string, any>;

  beforeAll(async () => {
    sb = await Sandbox.create(['true']);
    pristine = sb.config();
    src = fs.mkdtempSync(path.join(os.tmpdir(), 'minirun-attr-src-'));
    fs.writeFileSync(path.join(src, 'top'), 'top\n');
    fs.symlinkSync('top', path.join(src, 'toplink'));
    fs.mkdirSync(path.join(src, 'sub'));
    fs.mkdirSync(path.join(src, 'locked'));
    run('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', path.join(src, 'sub')]);
    const sub = path.join(src, 'sub');
    fs.writeFileSync(path.join(sub, 'f'), 'f\n');
    fs.symlinkSync('f', path.join(sub, 'link'));
    fs.copyFileSync(path.join(sb.bundle, 'rootfs/bin/busybox'), path.join(sub, 'busybox'));
    fs.chmodSync(path.join(sub, 'busybox'), 0o755);
    run('mknod', ['-m', '666', path.join(sub, 'null'), 'c', '1', '3']);
    const locked = path.join(src, 'locked');
    run('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', locked]);
    fs.writeFileSync(path.join(locked, 'f'), 'f\n');
    fs.symlinkSync('f', path.join(locked, 'link'));
    fs.copyFileSync(path.join(sub, 'busybox'), path.join(locked, 'busybox'));
    fs.chmodSync(path.join(locked, 'busybox'), 0o755);
    run('mount', ['-o', 'remount,ro,nosuid,nodev,noexec,nosymfollow,nodiratime,noatime', locked]);
  });

  afterAll(() => {
    sb?.cleanup();
    if (src) {
      for (const d of ['locked', 'sub']) spawnSync('umount', [path.join(src, d)]);
      fs.rmSync(src, { recursive: true, force: true });
    }
  });

  /** Runs `args` with the host dir bound at /mnt with these options, in both runtimes. */
  function both(options: string[], args: string[]): { minirun: Result; runc: Result } {
    sb.setConfig(structuredClone(pristine));
    sb.edit((c) => {
      c.mounts.push({ destination: '/mnt', type: 'bind', source: src, options });
      c.process.args = args;
    });
    const r = sb.runBoth('');
    expect(sb.residue()).toEqual([]);
    return r;
  }

  // word, then what /mnt/sub (a set word) or /mnt/locked (a clear word) must show
  const words: [string, string, (opts: string[]) => boolean][] = [
    ['rro', '/mnt/sub', (o) => o.includes('ro')],
    ['rrw', '/mnt/locked', (o) => o.includes('rw')],
    ['rnosuid', '/mnt/sub', (o) => o.includes('nosuid')],
    ['rsuid', '/mnt/locked', (o) => !o.includes('nosuid')],
    ['rnodev', '/mnt/sub', (o) => o.includes('nodev')],
    ['rdev', '/mnt/locked', (o) => !o.includes('nodev')],
    ['rnoexec', '/mnt/sub', (o) => o.includes('noexec')],
    ['rexec', '/mnt/locked', (o) => !o.includes('noexec')],
    ['rnodiratime', '/mnt/sub', (o) => o.includes('nodiratime')],
    ['rdiratime', '/mnt/locked', (o) => !o.includes('nodiratime')],
    ['rnosymfollow', '/mnt/sub', (o) => o.includes('nosymfollow')],
    ['rsymfollow', '/mnt/locked', (o) => !o.includes('nosymfollow')],
    ['rnoatime', '/mnt/sub', (o) => o.includes('noatime')],
    ['rrelatime', '/mnt/locked', (o) => o.includes('relatime') && !o.includes('noatime')],
    // strictatime shows as neither relatime nor noatime
    ['rstrictatime', '/mnt/sub', (o) => !o.includes('relatime') && !o.includes('noatime')],
    ['rnorelatime', '/mnt/locked', (o) => o.includes('noatime')],
  ];
  for (const [word, where, holds] of words) {
    it(`${word}: the submount at ${where} shows it, as with runc`, () => {
      const { minirun, runc } = both(['rbind', word], ['probe', 'mounts']);
      expect(runc.code).toBe(0);
      expect(minirun.stderr).toBe('');
      expect(minirun.code).toBe(0);
      expect(holds(optsOf(minirun, where))).toBe(true);
      expect(holds(optsOf(minirun, '/mnt'))).toBe(where === '/mnt/sub' ? true : holds(optsOf(runc, '/mnt')));
      expect(mntLines(minirun)).toEqual(mntLines(runc));
    });
  }

  it('rro: writing to a submount fails with EROFS, as with runc', () => {
    const { minirun, runc } = both(
      ['rbind', 'rro'],
      ['sh', '-c', 'probe write /mnt/sub/new x; probe write /mnt/new x; cat /mnt/sub/f'],
    );
    expect(minirun.stdout).toBe('EROFS\nEROFS\nf\n');
    expect(minirun.stdout).toBe(runc.stdout);
    expect(fs.existsSync(path.join(src, 'sub/new'))).toBe(false);
  });

  it('plain ro leaves the submount writable (only rro reaches it), as with runc', () => {
    const { minirun, runc } = both(
      ['rbind', 'ro'],
      ['sh', '-c', 'probe write /mnt/new x; probe write /mnt/sub/new x && echo wrote'],
    );
    expect(minirun.stdout).toBe('EROFS\nok\nwrote\n');
    expect(minirun.stdout).toBe(runc.stdout);
    fs.rmSync(path.join(src, 'sub/new'), { force: true });
  });

  it('rnoexec: running a program from a submount fails with EACCES (126), as with runc', () => {
    const script = '/mnt/sub/busybox true; echo status=$?';
    const { minirun, runc } = both(['rbind', 'rnoexec'], ['sh', '-c', script]);
    expect(minirun.stdout).toBe('status=126\n');
    expect(minirun.stderr).toMatch(/Permission denied/);
    expect(minirun.stdout).toBe(runc.stdout);
    // and without it the same program runs
    expect(both(['rbind'], ['sh', '-c', script]).minirun.stdout).toBe('status=0\n');
  });

  it('rexec lets a program run from a noexec submount, as with runc', () => {
    const script = '/mnt/locked/busybox true; echo status=$?';
    expect(both(['rbind'], ['sh', '-c', script]).minirun.stdout).toBe('status=126\n');
    const { minirun, runc } = both(['rbind', 'rexec'], ['sh', '-c', script]);
    expect(minirun.stdout).toBe('status=0\n');
    expect(minirun.stdout).toBe(runc.stdout);
  });

  it('rnodev: opening a device node on a submount fails with EACCES, as with runc', () => {
    const { minirun, runc } = both(
      ['rbind', 'rnodev'],
      ['sh', '-c', 'probe open /mnt/sub/null; probe open /mnt/sub/f'],
    );
    expect(minirun.stdout).toBe('EACCES\nok\n');
    expect(minirun.stdout).toBe(runc.stdout);
  });

  it('rnosymfollow: a symlink on a submount gives ELOOP, as with runc', () => {
    const { minirun, runc } = both(
      ['rbind', 'rnosymfollow'],
      ['sh', '-c', 'probe open /mnt/sub/link; probe open /mnt/toplink; probe open /mnt/sub/f'],
    );
    expect(minirun.stdout).toBe('ELOOP\nELOOP\nok\n');
    expect(minirun.stdout).toBe(runc.stdout);
  });

  it('rsymfollow: symlinks on a nosymfollow submount resolve again, as with runc', () => {
    const args = ['sh', '-c', 'probe open /mnt/locked/link'];
    expect(both(['rbind'], args).minirun.stdout).toBe('ELOOP\n');
    const { minirun, runc } = both(['rbind', 'rsymfollow'], args);
    expect(minirun.stdout).toBe('ok\n');
    expect(minirun.stdout).toBe(runc.stdout);
  });

  it('plain nosymfollow applies to the bind itself, not its submounts, as with runc', () => {
    const { minirun, runc } = both(
      ['rbind', 'nosymfollow'],
      ['sh', '-c', 'probe open /mnt/toplink; probe open /mnt/sub/link; probe mounts | grep "^/mnt "'],
    );
    expect(minirun.stdout).toMatch(/^ELOOP\nok\n\/mnt \S*nosymfollow/);
    expect(minirun.stdout).toBe(runc.stdout);
  });

  it('plain symfollow clears an earlier nosymfollow, as with runc', () => {
    const { minirun, runc } = both(['rbind', 'nosymfollow', 'symfollow'], ['probe', 'open', '/mnt/toplink']);
    expect(minirun.stdout).toBe('ok\n');
    expect(minirun.stdout).toBe(runc.stdout);
  });

  it('a later word undoes an earlier one: rro,rrw leaves the submount writable', () => {
    // Deliberate difference: runc 1.1.5 keeps a set word over a later clear
    // word (rro,rrw is read-only there); runc 1.2 and minirun take the last.
    const { minirun, runc } = both(['rbind', 'rro', 'rrw'], ['probe', 'mounts']);
    expect(optsOf(minirun, '/mnt/sub')).toContain('rw');
    expect(optsOf(runc, '/mnt/sub')).toContain('ro');
    const back = both(['rbind', 'rrw', 'rro'], ['probe', 'mounts']);
    expect(mntLines(back.minirun)).toEqual(mntLines(back.runc));
  });

  for (const word of ['ratime', 'rnostrictatime']) {
    it(`${word}: relatime on every submount, where runc fails with EINVAL`, () => {
      // Deliberate difference: runc clears only part of MOUNT_ATTR__ATIME for
      // these, which mount_setattr refuses; minirun goes back to relatime.
      const { minirun, runc } = both(['rbind', word], ['probe', 'mounts']);
      expect(runc.code).not.toBe(0);
      expect(runc.stderr).toMatch(/invalid argument/);
      expect(minirun.code).toBe(0);
      for (const mp of ['/mnt', '/mnt/sub', '/mnt/locked']) expect(optsOf(minirun, mp)).toContain('relatime');
    });
  }

  it('recursive attributes apply to a tmpfs mount and its submounts too', () => {
    // Deliberate difference: runc applies them to bind mounts only and
    // ignores them elsewhere; minirun applies them to any mount.
    sb.setConfig(structuredClone(pristine));
    sb.edit((c) => {
      c.mounts.push({ destination: '/t', type: 'tmpfs', source: 'tmpfs', options: ['rro', 'rnosuid'] });
      c.mounts.push({ destination: '/t/in', type: 'tmpfs', source: 'tmpfs', options: [] });
      c.process.args = ['sh', '-c', 'probe mounts | grep "^/t"; probe write /t/x y'];
    });
    const id = uniqueId('attr');
    const r = sb.minirun(['run', id]);
    // A tmpfs gets them at the end, with its read-only remount, so they
    // reach what was mounted below it meanwhile.
    expect(r.stdout).toMatch(/^\/t ro,nosuid\S* tmpfs/m);
    expect(r.stdout).toMatch(/^\/t\/in ro,nosuid\S* tmpfs/m);
    expect(r.stdout).toMatch(/EROFS\n$/);
    expect(sb.residue()).toEqual([]);
  });
});
