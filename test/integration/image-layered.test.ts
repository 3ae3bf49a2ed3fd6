// `minirun image unpack --layered`: the layers go once into a store shared by
// bundles, and create mounts them as an overlay on the empty rootfs. Two
// containers from one image each see only their own writes and leave the
// store as it was; whiteouts and an opaque dir hide in the container what a
// plain unpack removes; delete unmounts and removes the container's upper
// dir; gc removes layers only once no bundle names them; a bad annotation or a
// layer gone from the store is one error line, leaving nothing.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_LINE, exec, isRoot, MINIRUN, Sandbox, uniqueId } from './harness';

function sh(script: string): void {
  const r = exec('sh', ['-euc', script], { timeoutMs: 120_000 });
  if (r.code !== 0) throw new Error(`${script}: ${r.stderr}`);
}

/**
 * Every entry of a tree: path, type and mode, owner, size, mtime, link target, content hash, xattrs
 * (the root's mtime left out: a layer whose tar has no "./" entry makes it at extraction time).
 */
function treeHash(root: string): string {
  const r = spawnSync(
    'sh',
    [
      '-c',
      `cd ${root} && stat -c '%A %u %g' . && find . -mindepth 1 -printf '%p %M %U %G %s %l %T@\\n' | sort && ` +
        'find . -type f -exec sha256sum {} + | sort',
    ],
    { encoding: 'utf8', maxBuffer: 64 << 20 },
  );
  const xattrs = spawnSync('python3', ['-c', XATTRS, root], { encoding: 'utf8' });
  return createHash('sha256')
    .update(r.stdout + xattrs.stdout)
    .digest('hex');
}
const XATTRS = `
import os, sys
for d, dirs, files in sorted(os.walk(sys.argv[1])):
    for n in sorted(dirs + files):
        p = os.path.join(d, n)
        print(os.path.relpath(p, sys.argv[1]), {k: os.getxattr(p, k, follow_symlinks=False) for k in os.listxattr(p, follow_symlinks=False)})
`;

describe.skipIf(!isRoot)('image unpack --layered', () => {
  let sb: Sandbox;
  let w: string;
  let store: string;
  let root: string;
  const img = () => path.join(w, 'img');

  function mr(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}) {
    return exec(MINIRUN, ['--root', root, ...args], { timeoutMs: 120_000, ...opts });
  }
  function unpack(args: string[]) {
    return exec(MINIRUN, ['image', 'unpack', ...args], { timeoutMs: 120_000 });
  }
  /** a new bundle of image tag (layered into `st`, or plain), its process `sleep 300` without a terminal */
  function bundleOf(tag: string, st: string | null): string {
    const b = path.join(w, uniqueId('b'));
    const r = unpack([...(st ? ['--layered', '--store', st] : []), `${img()}:${tag}`, b]);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const cfg = path.join(b, 'config.json');
    const c = JSON.parse(fs.readFileSync(cfg, 'utf8')) as { process: { terminal: boolean; args: string[] } };
    c.process.terminal = false;
    c.process.args = ['sleep', '300'];
    fs.writeFileSync(cfg, JSON.stringify(c));
    return b;
  }
  function start(bundle: string): string {
    const id = uniqueId('lay');
    expect(mr(['run', '-d', '--bundle', bundle, id])).toMatchObject({ code: 0, stderr: '' });
    return id;
  }
  function inside(id: string, script: string): string {
    const r = mr(['exec', id, 'sh', '-c', script]);
    expect(r.stderr).toBe('');
    return r.stdout;
  }
  const layers = () => fs.readdirSync(path.join(store, 'layers')).sort();
  const storeMounts = () =>
    fs
      .readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .filter((l) => l.includes(w));

  beforeAll(async () => {
    sb = await Sandbox.create();
    w = sb.dir;
    store = path.join(w, 'store');
    root = path.join(w, 'state');
    // v1: the fixture rootfs and a few files; v2 (umoci): a file deleted (a whiteout), one changed,
    // a dir made 0700 and owned by 1000; v3 (a tar of our own): an opaque dir, a whiteout of a dir, and
    // a file in that 0700 dir without its parents listed (the layer's copies of them must not hide theirs).
    sh(`cd ${w}
      umoci init --layout img
      umoci new --image img:empty
      umoci unpack --image img:empty u1
      cp -a bundle/rootfs/. u1/rootfs/
      mkdir -p u1/rootfs/a/sub u1/rootfs/drop u1/rootfs/home/app
      echo x > u1/rootfs/a/x && echo y > u1/rootfs/a/sub/y && echo z > u1/rootfs/drop/z
      echo k > u1/rootfs/keep && echo gone > u1/rootfs/gone
      umoci repack --image img:v1 u1
      umoci config --image img:v1 --config.cmd sh
      umoci unpack --image img:v1 u2
      rm u2/rootfs/gone && echo k2 > u2/rootfs/keep
      chown 1000:1000 u2/rootfs/home/app && chmod 700 u2/rootfs/home/app
      umoci repack --image img:v2 u2
      mkdir -p l3/a l3/home/app && : > l3/a/.wh..wh..opq && echo new > l3/a/new && : > l3/.wh.drop
      echo f > l3/home/app/f
      tar -C l3 --no-recursion -cf l3.tar ./ ./a/ ./a/.wh..wh..opq ./a/new ./.wh.drop ./home/app/f
      umoci raw add-layer --image img:v2 --tag v3 l3.tar
    `);
  }, 300_000);
  afterEach(() => {
    // whatever a test left: its containers (their overlays), then any mount under the sandbox
    if (fs.existsSync(root)) for (const id of fs.readdirSync(root)) mr(['delete', '--force', id]);
    for (const m of storeMounts().reverse()) spawnSync('umount', ['-l', m.split(' ')[4]]);
  });
  afterAll(() => sb?.cleanup());

  it('two containers from one image: each sees only its own writes, the store is unchanged, delete unmounts and removes their upper dirs', () => {
    const b1 = bundleOf('v3', store);
    const before = layers();
    expect(before).toHaveLength(3);
    const hashes = before.map((l) => treeHash(path.join(store, 'layers', l)));
    const b2 = bundleOf('v3', store);
    expect(layers()).toEqual(before); // the second unpack extracted nothing
    expect(fs.readdirSync(path.join(b2, 'rootfs'))).toEqual([]);

    const c1 = start(b1);
    const c2 = start(b2);
    inside(c1, 'echo one > /mine && echo one >> /keep && rm /a/new');
    inside(c2, 'echo two > /mine2');
    expect(inside(c1, 'cat /mine /keep; ls /a; ls /mine2 2>&1 || true')).toBe(
      'one\nk2\none\nls: /mine2: No such file or directory\n',
    );
    expect(inside(c2, 'cat /mine2 /keep /a/new; ls /mine 2>&1 || true')).toBe(
      'two\nk2\nnew\nls: /mine: No such file or directory\n',
    );
    expect(layers().map((l) => treeHash(path.join(store, 'layers', l)))).toEqual(hashes);
    // each container's writes are in its own upper dir
    const uppers = fs.readdirSync(path.join(store, 'containers'));
    expect(uppers.sort()).toEqual([expect.stringMatching(`^${c1}-`), expect.stringMatching(`^${c2}-`)].sort());

    for (const id of [c1, c2]) expect(mr(['delete', '--force', id])).toMatchObject({ code: 0, stderr: '' });
    expect(storeMounts()).toEqual([]);
    expect(fs.readdirSync(path.join(store, 'containers'))).toEqual([]);
    expect(fs.readdirSync(root)).toEqual([]);
    expect(layers().map((l) => treeHash(path.join(store, 'layers', l)))).toEqual(hashes);
  });

  it('a second container of the same bundle is refused with one line; the first goes on', () => {
    const b = bundleOf('v1', store);
    const first = start(b);
    const r = mr(['run', '-d', '--bundle', b, uniqueId('second')]);
    expect(r.stderr).toBe(
      `minirun run failed: root.path: ${b}/rootfs: another container of this bundle has its layered rootfs mounted there\n`,
    );
    expect(r.code).toBe(1);
    expect(fs.readdirSync(root)).toEqual([first]);
    expect(inside(first, 'cat /keep')).toBe('k\n');
    expect(mr(['delete', '--force', first]).code).toBe(0);
    expect(storeMounts()).toEqual([]);
  });

  it('whiteouts and an opaque dir: the container sees the tree a plain unpack makes', () => {
    const view = (bundle: string) => {
      const id = start(bundle);
      const out = inside(id, "find / -xdev -exec stat -c '%n %f %u %g %s' {} + 2>&1 | sort");
      expect(mr(['delete', '--force', id]).code).toBe(0);
      return out;
    };
    const layered = view(bundleOf('v3', store));
    const plain = view(bundleOf('v3', null));
    expect(layered).toBe(plain);
    expect(layered).not.toMatch(/^\/(gone|drop|a\/x|a\/sub) /m);
    expect(layered).toMatch(/^\/a\/new /m);
    expect(layered).toMatch(/^\/home\/app 41c0 1000 1000 /m);
    // the layers in the store keep the whiteouts as overlayfs does
    const top = fs
      .readdirSync(path.join(store, 'layers'))
      .find((l) => fs.lstatSync(path.join(store, 'layers', l, 'drop'), { throwIfNoEntry: false })?.isCharacterDevice());
    expect(fs.lstatSync(path.join(store, 'layers', top!, 'drop')).rdev).toBe(0);
    const opq = spawnSync(
      'python3',
      ['-c', `import os; print(os.getxattr('${store}/layers/${top}/a', 'trusted.overlay.opaque'))`],
      {
        encoding: 'utf8',
      },
    );
    expect(opq.stdout).toBe("b'y'\n");
  });

  it('gc removes the layers only once no bundle names them, and says what it removed', () => {
    const st = path.join(w, uniqueId('store'));
    const gc = () => exec(MINIRUN, ['image', 'gc', '--store', st]);
    const b1 = bundleOf('v3', st);
    const b2 = bundleOf('v1', st);
    const all = fs.readdirSync(path.join(st, 'layers')).sort();
    expect(all).toHaveLength(3);
    expect(gc()).toMatchObject({ code: 0, stdout: '', stderr: '' });
    // v1's one layer is v3's bottom one: with b1 gone, v3's other two go
    fs.rmSync(b1, { recursive: true });
    const r = gc();
    expect(r.stderr).toBe('');
    const removed = r.stdout.trim().split('\n');
    expect(removed[0]).toBe(`removed reference ${b1}`);
    expect(removed.slice(1)).toHaveLength(2);
    for (const line of removed.slice(1)) expect(line).toMatch(/^removed layer sha256:[0-9a-f]{64}$/);
    const left = fs.readdirSync(path.join(st, 'layers'));
    expect(left).toHaveLength(1);
    // once b2 is gone, gc takes the last layer
    fs.rmSync(b2, { recursive: true });
    expect(gc().stdout).toBe(`removed reference ${b2}\nremoved layer sha256:${left[0]}\n`);
    expect(fs.readdirSync(path.join(st, 'layers'))).toEqual([]);
    expect(gc()).toMatchObject({ code: 0, stdout: '' });
  });

  it('gc keeps a layer that a running container mounts, even when its bundle is gone', () => {
    const st = path.join(w, uniqueId('store'));
    const b = bundleOf('v1', st);
    const id = start(b);
    // the bundle's config edited away: its reference no longer holds
    const cfg = path.join(b, 'config.json');
    const c = JSON.parse(fs.readFileSync(cfg, 'utf8')) as { annotations: Record<string, string> };
    fs.writeFileSync(cfg, JSON.stringify({ ...c, annotations: {} }));
    expect(exec(MINIRUN, ['image', 'gc', '--store', st]).stdout).toBe(`removed reference ${b}\n`);
    expect(inside(id, 'cat /keep')).toBe('k\n');
    expect(mr(['delete', '--force', id]).code).toBe(0);
    expect(exec(MINIRUN, ['image', 'gc', '--store', st]).stdout).toMatch(/^removed layer sha256:[0-9a-f]{64}\n$/);
  });

  it('concurrent unpacks of one image into a new store: all succeed, the store as one unpack makes it', async () => {
    const st = path.join(w, uniqueId('store'));
    const once = path.join(w, uniqueId('store'));
    bundleOf('v3', once);
    const bundles = [1, 2, 3].map(() => path.join(w, uniqueId('conc')));
    const results = await Promise.all(
      bundles.map(
        (b) =>
          new Promise<[number | null, string]>((resolve) => {
            const p = spawn(MINIRUN, ['image', 'unpack', '--layered', '--store', st, `${img()}:v3`, b], {
              stdio: ['ignore', 'ignore', 'pipe'],
              env: { ...process.env, NODE_EXTRA_CA_CERTS: '' },
            });
            let err = '';
            p.stderr.on('data', (d: Buffer) => (err += d.toString()));
            p.on('close', (code) => resolve([code, err]));
          }),
      ),
    );
    expect(results).toEqual([
      [0, ''],
      [0, ''],
      [0, ''],
    ]);
    expect(fs.readdirSync(path.join(st, 'tmp'))).toEqual([]);
    expect(fs.readdirSync(path.join(st, 'refs'))).toHaveLength(3);
    const names = fs.readdirSync(path.join(st, 'layers')).sort();
    expect(names).toEqual(fs.readdirSync(path.join(once, 'layers')).sort());
    expect(names.map((l) => treeHash(path.join(st, 'layers', l)))).toEqual(
      names.map((l) => treeHash(path.join(once, 'layers', l))),
    );
  });

  describe('hostile layers are refused with one line, leaving no bundle and nothing in the store', () => {
    const TAR = `
import io, sys, tarfile
t = tarfile.open(sys.argv[1], 'w', format=tarfile.PAX_FORMAT)
for name, pax in [(sys.argv[2], {k: v for k, v in [a.split('=', 1) for a in sys.argv[3:]]})]:
    i = tarfile.TarInfo(name); i.size = 1; i.pax_headers = pax
    t.addfile(i, io.BytesIO(b'x'))
t.close()
`;
    function refused(entry: string, pax: string[], why: string): void {
      const tag = uniqueId('bad');
      const tarFile = path.join(w, `${tag}.tar`);
      const made = spawnSync('python3', ['-c', TAR, tarFile, entry, ...pax], { encoding: 'utf8' });
      expect(made.stderr).toBe('');
      sh(`cd ${w} && umoci raw add-layer --image img:v1 --tag ${tag} ${tarFile}`);
      const st = path.join(w, uniqueId('store'));
      const b = path.join(w, uniqueId('b'));
      const r = unpack(['--layered', '--store', st, `${img()}:${tag}`, b]);
      expect(r.stderr).toContain(why);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.code).toBe(1);
      expect(fs.existsSync(b)).toBe(false);
      expect(fs.readdirSync(path.join(st, 'tmp'))).toEqual([]);
      expect(fs.readdirSync(path.join(st, 'refs'))).toEqual([]);
      // only v1's own layer, complete, which gc takes
      expect(fs.readdirSync(path.join(st, 'layers'))).toHaveLength(1);
      expect(exec(MINIRUN, ['image', 'gc', '--store', st]).stdout).toMatch(/^removed layer sha256:[0-9a-f]{64}\n$/);
    }
    it('a .. component', () => refused('../outside', [], '".." component: refused'));
    it('a trusted.overlay.* xattr of its own', () =>
      refused(
        'f',
        ['SCHILY.xattr.trusted.overlay.redirect=/etc'],
        'xattr trusted.overlay.redirect: refused in a layered unpack (overlayfs would obey it)',
      ));
  });

  describe('refused with one line naming the annotation, leaving nothing', () => {
    function refused(edit: (annotations: Record<string, string>, b: string) => void, why: RegExp): void {
      const st = path.join(w, uniqueId('store'));
      const b = bundleOf('v3', st);
      const cfg = path.join(b, 'config.json');
      const c = JSON.parse(fs.readFileSync(cfg, 'utf8')) as { annotations: Record<string, string> };
      edit(c.annotations, b);
      fs.writeFileSync(cfg, JSON.stringify(c));
      const before = fs.readdirSync(path.join(st, 'containers'));
      for (const cmd of ['run', 'create']) {
        const r = mr([cmd, '--bundle', b, uniqueId('bad')]);
        expect(r.stderr).toMatch(ERROR_LINE);
        expect(r.stderr).toMatch(why);
        expect(r.code).toBe(1);
      }
      expect(fs.readdirSync(root)).toEqual([]);
      expect(fs.readdirSync(path.join(st, 'containers'))).toEqual(before);
      expect(storeMounts()).toEqual([]);
    }
    it('a layer not in the store', () =>
      refused((a) => {
        const ids = a['run.minirun.rootfs.layers'].split(',');
        fs.rmSync(path.join(a['run.minirun.rootfs.store'], 'layers', ids[1].slice(7)), { recursive: true });
      }, /config\.json: annotations\["run\.minirun\.rootfs\.layers"\]: layer sha256:[0-9a-f]{64} is not in the store /));
    it('a diff id that is not one', () =>
      refused((a) => {
        a['run.minirun.rootfs.layers'] += ',sha256:nope';
      }, /annotations\["run\.minirun\.rootfs\.layers"\]: "sha256:nope" is not a sha256 diff id\n$/));
    it('a relative store', () =>
      refused((a) => {
        a['run.minirun.rootfs.store'] = 'store';
      }, /annotations\["run\.minirun\.rootfs\.store"\]: "store": must be an absolute path\n$/));
    it('the layers without the store', () =>
      refused((a) => {
        delete a['run.minirun.rootfs.store'];
      }, /annotations\["run\.minirun\.rootfs\.store"\]: is missing \(run\.minirun\.rootfs\.layers is set\)\n$/));
  });
});
