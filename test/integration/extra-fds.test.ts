// --preserve-fds and socket activation (LISTEN_FDS), compared with runc.
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasRunc, isRoot, MINIRUN, Sandbox, uniqueId } from './harness';

const suite = isRoot && hasRunc ? describe : describe.skip;

suite('extra fds match runc', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await Sandbox.create(['sh', '-c', '/bin/probe fds; echo LISTEN_FDS=$LISTEN_FDS LISTEN_PID=$LISTEN_PID']);
  });
  afterAll(() => sb?.cleanup());

  /** Runs `<runtime> run` from a shell that opens fds 3 and 4 and may set LISTEN_*; the pid matches after exec. */
  function runWith(bin: string, root: string, extra: string, listen: boolean): { code: number | null; stdout: string } {
    const env = listen ? 'LISTEN_FDS=1 LISTEN_PID=$$ ' : '';
    const script = `${env}exec ${bin} --root ${root} run --bundle ${sb.bundle} ${extra} ${uniqueId('fd')} 3</etc/hostname 4</etc/passwd`;
    const r = spawnSync('sh', ['-c', script], {
      encoding: 'utf8',
      input: '',
      env: { ...process.env, NODE_EXTRA_CA_CERTS: '' },
    });
    // pipe inode numbers differ from run to run
    return { code: r.status, stdout: r.stdout.replace(/:\[\d+\]/g, ':[N]') };
  }

  for (const [name, extra, listen] of [
    ['--preserve-fds 2', '--preserve-fds 2', false],
    ['LISTEN_FDS=1', '', true],
    ['LISTEN_FDS=1 and --preserve-fds 1', '--preserve-fds 1', true],
    ['no extra fds', '', false],
  ] as const) {
    it(name, () => {
      const runc = runWith('runc', sb.runcRoot, extra, listen);
      const minirun = runWith(MINIRUN, sb.minirunRoot, extra, listen);
      expect(minirun).toEqual(runc);
      expect(minirun.code).toBe(0);
    });
  }

  it('a preserved fd that is not open is an error naming it', () => {
    const r = sb.minirun(['run', '--preserve-fds', '40', uniqueId('fd')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^minirun run failed: --preserve-fds: fd \d+ is not open \(preserved fd \d+ of 40\): EBADF\n$/,
    );
    expect(sb.minirun(['run', '--preserve-fds', 'x', uniqueId('fd')]).stderr).toBe(
      'minirun run failed: --preserve-fds: must be a number from 0 to 250, got "x"\n',
    );
    expect(sb.residue()).toEqual([]);
  });

  it('exec --preserve-fds', () => {
    const id = uniqueId('fdx');
    sb.setArgs(['sleep', '300']);
    expect(sb.minirun(['run', '-d', id]).code).toBe(0);
    try {
      const script = `exec ${MINIRUN} --root ${sb.minirunRoot} exec --preserve-fds 1 ${id} /bin/probe fds 3</etc/hostname`;
      const r = spawnSync('sh', ['-c', script], { encoding: 'utf8', input: '' });
      expect(r.stdout).toMatch(/^3 \/etc\/hostname$/m);
      expect(r.stdout).not.toMatch(/^4 /m);
    } finally {
      sb.minirun(['delete', '-f', id]);
      sb.setArgs(['sh', '-c', '/bin/probe fds; echo LISTEN_FDS=$LISTEN_FDS LISTEN_PID=$LISTEN_PID']);
    }
  });
});
