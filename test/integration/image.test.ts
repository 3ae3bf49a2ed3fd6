// `minirun image unpack`: images built with umoci (and by hand) are unpacked
// by minirun and by `umoci unpack`; the two rootfs trees are compared entry by
// entry and config.json's process fields too, then a container runs from
// minirun's bundle. Hostile layers are refused with one line and leave nothing.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exec, isRoot, MINIRUN, Sandbox, uniqueId } from './harness';
import { dump, type Entry, imageConfig, type Made, run, sh, sha, tarOf, unpack, writeLayout } from './image-fixtures';

/** A docker-archive (docker save's format) of the images given (tagged t:1 unless said). */
async function writeDockerArchive(file: string, ...images: (Made & { tags?: string[] })[]): Promise<void> {
  const entries: Entry[] = [];
  const manifest = images.map((m, k) => {
    const config = Buffer.from(JSON.stringify(m.config));
    const hex = sha(config).slice(7);
    const names = m.layers.map((_, i) => `${k === 0 ? '' : `image${k}-`}layer${i}/layer.tar`);
    entries.push({ name: `${hex}.json`, body: config }, ...m.layers.map((l, i) => ({ name: names[i], body: l })));
    return { Config: `${hex}.json`, RepoTags: m.tags ?? ['t:1'], Layers: names };
  });
  entries.push({ name: 'manifest.json', body: JSON.stringify(manifest) });
  fs.writeFileSync(file, await tarOf(entries));
}

const ZSTD = 'application/vnd.oci.image.layer.v1.tar+zstd';

function toZstd(tarBytes: Buffer): Buffer {
  return execFileSync('zstd', ['-q', '-c'], { input: tarBytes, maxBuffer: 1 << 30 });
}

/** The offset of a zstd frame's first block header (RFC 8878 3.1.1.1). */
function firstBlock(z: Buffer): number {
  const fhd = z[4];
  const single = (fhd >> 5) & 1;
  const fcs = fhd >> 6 === 0 ? single : 1 << (fhd >> 6);
  return 5 + (single ? 0 : 1) + [0, 1, 2, 4][fhd & 3] + fcs;
}

function setBlockType(z: Buffer, type: number): Buffer {
  const b = Buffer.from(z);
  const at = firstBlock(b);
  b[at] = (b[at] & ~6) | (type << 1);
  return b;
}

function flipByte(z: Buffer, at: number): Buffer {
  const b = Buffer.from(z);
  b[at] ^= 0x10;
  return b;
}

/**
 * Rewrites the image tagged `tag` of a layout: its config and layer blobs
 * changed as given, written as new blobs, and the manifest and index.json
 * given their new digests and sizes (the old blobs stay).
 */
function rewriteImage(
  dir: string,
  tag: string,
  change: { config?: (c: any) => void; layers?: (blob: Buffer, i: number) => { blob: Buffer; mediaType: string } },
): void {
  const blob = (d: string) => path.join(dir, 'blobs', 'sha256', d.slice('sha256:'.length));
  const put = (b: Buffer) => {
    fs.writeFileSync(blob(sha(b)), b);
    return { digest: sha(b), size: b.length };
  };
  const indexFile = path.join(dir, 'index.json');
  const index = JSON.parse(fs.readFileSync(indexFile, 'utf8'));
  const entry = index.manifests.find((m: any) => m.annotations?.['org.opencontainers.image.ref.name'] === tag);
  const manifest = JSON.parse(fs.readFileSync(blob(entry.digest), 'utf8'));
  if (change.config) {
    const c = JSON.parse(fs.readFileSync(blob(manifest.config.digest), 'utf8'));
    change.config(c);
    Object.assign(manifest.config, put(Buffer.from(JSON.stringify(c))));
  }
  if (change.layers) {
    const f = change.layers;
    manifest.layers = manifest.layers.map((l: any, i: number) => {
      const n = f(fs.readFileSync(blob(l.digest)), i);
      return { ...l, mediaType: n.mediaType, ...put(n.blob) };
    });
  }
  Object.assign(entry, put(Buffer.from(JSON.stringify(manifest))));
  fs.writeFileSync(indexFile, JSON.stringify(index));
}

function processOf(bundle: string): unknown {
  const c = JSON.parse(fs.readFileSync(path.join(bundle, 'config.json'), 'utf8')) as {
    process: Record<string, unknown>;
  };
  const { args, env, cwd, user, terminal } = c.process;
  return { args, env, cwd, user, terminal };
}

describe.skipIf(!isRoot)('image unpack', () => {
  let sb: Sandbox;
  let w: string;
  const img = () => path.join(w, 'img');
  /** runs a container from an unpacked bundle (without a terminal: the tests have none) */
  const runBundle = (bundle: string) => {
    const cfg = path.join(bundle, 'config.json');
    const c = JSON.parse(fs.readFileSync(cfg, 'utf8')) as { process: { terminal: boolean } };
    c.process.terminal = false;
    fs.writeFileSync(cfg, JSON.stringify(c));
    return exec(MINIRUN, ['--root', path.join(w, 'state'), 'run', uniqueId('img')], { cwd: bundle });
  };

  beforeAll(async () => {
    sb = await Sandbox.create();
    w = sb.dir;
    // base: the fixture rootfs (busybox, probe) with users, a setuid file, a
    // capability (not on busybox: with noNewPrivileges, exec of a file with
    // capabilities fails), a device node, a fifo, a hard link and a merged-/usr symlink.
    sh(`cd ${w}
      umoci init --layout img
      umoci new --image img:empty
      umoci unpack --image img:empty u1
      cp -a bundle/rootfs/. u1/rootfs/
      mkdir -p u1/rootfs/etc u1/rootfs/usr/lib/d u1/rootfs/home/app u1/rootfs/old/sub
      printf 'root:x:0:0:root:/root:/bin/sh\\napp:x:1000:1000:app:/home/app:/bin/sh\\n' > u1/rootfs/etc/passwd
      printf 'root:x:0:\\napp:x:1000:\\nwheel:x:10:app\\n' > u1/rootfs/etc/group
      ln -s usr/lib u1/rootfs/lib
      echo hello > u1/rootfs/usr/lib/d/f
      ln u1/rootfs/usr/lib/d/f u1/rootfs/usr/lib/d/hard
      chown 1000:1000 u1/rootfs/home/app u1/rootfs/usr/lib/d/f && chmod 4750 u1/rootfs/usr/lib/d/f
      mknod u1/rootfs/usr/lib/d/null c 1 3 && mknod u1/rootfs/usr/lib/d/blk b 7 0 && mkfifo u1/rootfs/usr/lib/d/fifo
      echo old > u1/rootfs/old/sub/x && echo gone > u1/rootfs/usr/lib/d/gone
      echo cap > u1/rootfs/usr/lib/d/capfile
      python3 -c "import os; os.setxattr('u1/rootfs/usr/lib/d/capfile', 'security.capability', bytes([1,0,0,2,0x80,0x20,0,0,0,0,0,0,0,0,0,0,0,0,0,0])); os.setxattr('u1/rootfs/usr/lib/d/gone', 'user.k', b'v\\xff')"
      umoci repack --image img:base u1
      umoci config --image img:base --tag v1 --config.entrypoint /bin/sh --config.cmd -c --config.cmd 'id -u; id -g; cat /usr/lib/d/f' --config.env FOO=bar --config.workingdir /home/app --config.user app --config.label l=v --config.exposedports 80/tcp
      umoci unpack --image img:v1 u2
      rm u2/rootfs/usr/lib/d/gone
      rm -rf u2/rootfs/old && mkdir -p u2/rootfs/old/new && echo new > u2/rootfs/old/new/y
      chmod 700 u2/rootfs/home/app && chown 0:10 u2/rootfs/usr/lib/d/hard
      ln u2/rootfs/bin/busybox u2/rootfs/usr/lib/d/bb && mknod u2/rootfs/usr/lib/d/zero c 1 5
      umoci repack --image img:v2 u2
      umoci config --image img:v2 --tag v3 --config.user 1234:55
    `);
  }, 300_000);
  afterAll(() => sb?.cleanup());

  it.each(['v1', 'v2', 'v3'])('%s: the rootfs and the process are as umoci unpacks them', (tag) => {
    const mine = path.join(w, `m-${tag}`);
    const theirs = path.join(w, `u-${tag}`);
    const r = unpack([`${img()}:${tag}`, mine]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    run('umoci', ['unpack', '--image', `${img()}:${tag}`, theirs]);
    expect(dump(path.join(mine, 'rootfs'))).toEqual(dump(path.join(theirs, 'rootfs')));
    expect(processOf(mine)).toEqual(processOf(theirs));
  });

  it.each(['v1', 'v2'])('%s with its layers recompressed by zstd unpacks as the gzip one does', (tag) => {
    const zimg = path.join(w, `zimg-${tag}`);
    fs.cpSync(img(), zimg, { recursive: true });
    rewriteImage(zimg, tag, { layers: (b) => ({ blob: toZstd(zlib.gunzipSync(b)), mediaType: ZSTD }) });
    const fromZstd = path.join(w, `mz-${tag}`);
    const fromGzip = path.join(w, `mg-${tag}`);
    const theirs = path.join(w, `ug-${tag}`);
    expect(unpack([`${zimg}:${tag}`, fromZstd])).toMatchObject({ code: 0, stderr: '' });
    expect(unpack([`${img()}:${tag}`, fromGzip])).toMatchObject({ code: 0, stderr: '' });
    run('umoci', ['unpack', '--image', `${img()}:${tag}`, theirs]);
    const tree = dump(path.join(fromZstd, 'rootfs'));
    expect(tree).toEqual(dump(path.join(fromGzip, 'rootfs')));
    expect(tree).toEqual(dump(path.join(theirs, 'rootfs')));
    expect(processOf(fromZstd)).toEqual(processOf(theirs));
  });

  it('takes DIR@sha256:... as well', () => {
    const index = JSON.parse(fs.readFileSync(path.join(img(), 'index.json'), 'utf8')) as {
      manifests: { digest: string; annotations: Record<string, string> }[];
    };
    const d = index.manifests.find((m) => m.annotations['org.opencontainers.image.ref.name'] === 'v2')?.digest;
    const mine = path.join(w, 'by-digest');
    expect(unpack([`${img()}@${d}`, mine]).code).toBe(0);
    expect(dump(path.join(mine, 'rootfs'))).toEqual(dump(path.join(w, 'm-v2', 'rootfs')));
  });

  it('shows its progress on a terminal, erased at the end; nothing with --quiet or on a pipe', () => {
    const onPty = (flags: string[]) => {
      const bundle = path.join(w, uniqueId('pty'));
      const r = exec('python3', [
        path.join(__dirname, '..', 'tools', 'pty-session.py'),
        '--',
        MINIRUN,
        'image',
        'unpack',
        ...flags,
        `${img()}:v2`,
        bundle,
      ]);
      const s = JSON.parse(r.stdout) as { status: number; out: string };
      expect(s.status).toBe(0);
      expect(fs.existsSync(path.join(bundle, 'config.json'))).toBe(true);
      return s.out;
    };
    const out = onPty([]);
    const ERASE = '\x1b[K';
    const lines = out.split('\r').slice(1);
    expect(lines[0]).toMatch(
      /^unpacking layer 1\/2: [0-9.]+ K?i?B of [0-9.]+ MiB, [0-9.]+ K?i?B of [0-9.]+ MiB in all/,
    );
    expect(lines.every((l) => l.endsWith(ERASE))).toBe(true);
    expect(lines[lines.length - 1]).toBe(ERASE);
    expect(out).not.toContain('\n');
    expect(onPty(['--quiet'])).toBe('');
    const piped = unpack([`${img()}:v2`, path.join(w, uniqueId('pipe'))]);
    expect(piped).toMatchObject({ code: 0, stderr: '' });
  });

  it('runs a container from the bundle', () => {
    const r = runBundle(path.join(w, 'm-v1'));
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('1000\n1000\nhello\n');
    expect(r.code).toBe(0);
  });

  describe('opaque directories and whiteouts, from a layout and from a docker-archive', () => {
    let made: Made;
    beforeAll(async () => {
      const busybox = fs.readFileSync(path.join(sb.bundle, 'rootfs', 'bin', 'busybox'));
      const l1 = await tarOf([
        { name: 'bin/', type: 'directory' },
        { name: 'bin/busybox', body: busybox, mode: 0o755 },
        { name: 'bin/sh', type: 'link', linkname: 'bin/busybox' },
        { name: 'bin/ls', type: 'symlink', linkname: 'busybox' },
        { name: 'a/', type: 'directory', mode: 0o755, uid: 7, gid: 8 },
        { name: 'a/x', body: 'x' },
        { name: 'a/sub/', type: 'directory' },
        { name: 'a/sub/y', body: 'y' },
        { name: 'keep', body: 'k' },
        { name: 'drop/', type: 'directory' },
        { name: 'drop/z', body: 'z' },
      ]);
      const l2 = await tarOf([
        { name: 'a/', type: 'directory', mode: 0o755, uid: 7, gid: 8 },
        { name: 'a/.wh..wh..opq', body: '' },
        { name: 'a/new', body: 'new', mode: 0o600, uid: 3, gid: 4 },
        { name: '.wh.drop', body: '' },
        { name: 'keep', body: 'k2', mode: 0o640 },
        { name: 'fifo', type: 'fifo', mode: 0o644 },
      ]);
      made = { layers: [l1, l2], config: imageConfig([l1, l2], ['ls', '/', '/a']) };
    });

    it('both unpack as umoci unpacks the layout, and run', async () => {
      writeLayout(path.join(w, 'hand'), made, 'h');
      const archive = path.join(w, 'hand.tar');
      await writeDockerArchive(archive, made);
      const fromLayout = path.join(w, 'm-hand');
      const fromArchive = path.join(w, 'm-archive');
      expect(unpack([`${w}/hand:h`, fromLayout])).toMatchObject({ code: 0, stderr: '' });
      expect(unpack([archive, fromArchive])).toMatchObject({ code: 0, stderr: '' });
      run('umoci', ['unpack', '--image', `${w}/hand:h`, path.join(w, 'u-hand')]);
      const want = dump(path.join(w, 'u-hand', 'rootfs'));
      expect(dump(path.join(fromLayout, 'rootfs'))).toEqual(want);
      expect(dump(path.join(fromArchive, 'rootfs'))).toEqual(want);
      expect(fs.readdirSync(path.join(fromArchive, 'rootfs', 'a'))).toEqual(['new']);
      expect(fs.existsSync(path.join(fromArchive, 'rootfs', 'drop'))).toBe(false);
      expect(processOf(fromArchive)).toEqual(processOf(path.join(w, 'u-hand')));
      const r = runBundle(fromArchive);
      expect(r.stderr).toBe('');
      expect(r.stdout.split(/\s+/)).toEqual(expect.arrayContaining(['keep', 'fifo', 'new']));
      expect(r.code).toBe(0);
    });
  });

  it('takes one image of a docker-archive of several: FILE:REPO:TAG, FILE@sha256:ID; FILE alone lists them', async () => {
    const image = async (which: string, tags: string[]) => {
      const l = await tarOf([{ name: 'which', body: which }]);
      return { layers: [l], config: imageConfig([l], ['cat', '/which']), tags };
    };
    const a = await image('a', ['a:1', 'a:latest']);
    const b = await image('b', []); // untagged: docker save of an ID
    const c = await image('c', ['docker.io/library/c:2']); // as podman save names it
    const archive = path.join(w, 'several.tar');
    await writeDockerArchive(archive, a, b, c);
    const idOf = (m: Made) => sha(Buffer.from(JSON.stringify(m.config)));
    const which = (source: string) => {
      const bundle = path.join(w, uniqueId('several'));
      const r = unpack([source, bundle]);
      if (r.code !== 0) {
        expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
        expect(fs.existsSync(bundle)).toBe(false);
        return r.stderr;
      }
      expect(r.stderr).toBe('');
      return fs.readFileSync(path.join(bundle, 'rootfs', 'which'), 'utf8');
    };
    expect(which(`${archive}:a:1`)).toBe('a');
    expect(which(`${archive}:a:latest`)).toBe('a');
    expect(which(`${archive}@${idOf(b)}`)).toBe('b');
    expect(which(`${archive}:c:2`)).toBe('c');
    expect(which(`${archive}:docker.io/library/c:2`)).toBe('c');
    const all = `${archive}:a:1, ${archive}:a:latest, ${archive}@${idOf(b)}, ${archive}:docker.io/library/c:2`;
    expect(which(archive)).toBe(`minirun: docker-archive ${archive}: holds 3 images: choose one of ${all}\n`);
    expect(which(`${archive}:a:2`)).toBe(
      `minirun: docker-archive ${archive}: no image tagged a:2: choose one of ${all}\n`,
    );
    expect(which(`${archive}:a`)).toMatch(/is not REPO:TAG/);
  });

  it('picks the platform from a multi-platform index (linux/amd64 by default, --platform)', async () => {
    const dir = path.join(w, 'multi');
    const entries: object[] = [];
    for (const [arch, variant] of [
      ['amd64', undefined],
      ['arm64', 'v8'],
    ] as const) {
      const l = await tarOf([{ name: 'arch', body: arch }]);
      writeLayout(dir, { layers: [l], config: imageConfig([l], ['sh']) }, arch);
      const idx = JSON.parse(fs.readFileSync(path.join(dir, 'index.json'), 'utf8')) as { manifests: object[] };
      entries.push({
        ...idx.manifests[0],
        annotations: undefined,
        platform: { os: 'linux', architecture: arch, variant },
      });
    }
    const nested = Buffer.from(JSON.stringify({ schemaVersion: 2, manifests: entries }));
    fs.writeFileSync(path.join(dir, 'blobs', 'sha256', sha(nested).slice(7)), nested);
    const mediaType = 'application/vnd.oci.image.index.v1+json';
    const top = { mediaType, digest: sha(nested), size: nested.length };
    const annotations = { 'org.opencontainers.image.ref.name': 'multi' };
    fs.writeFileSync(
      path.join(dir, 'index.json'),
      JSON.stringify({ schemaVersion: 2, manifests: [{ ...top, annotations }] }),
    );
    const archOf = (flags: string[]) => {
      const b = path.join(w, uniqueId('multi'));
      const r = unpack([...flags, `${dir}:multi`, b]);
      return r.code === 0 ? fs.readFileSync(path.join(b, 'rootfs', 'arch'), 'utf8') : r.stderr;
    };
    expect(archOf([])).toBe('amd64');
    expect(archOf(['--platform', 'linux/arm64'])).toBe('arm64');
    expect(archOf(['--platform', 'linux/arm64/v8'])).toBe('arm64');
    expect(archOf(['--platform', 'linux/s390x'])).toBe(
      `minirun: index ${sha(nested)}: no manifest for platform linux/s390x (it has: linux/amd64, linux/arm64/v8)\n`,
    );
  });

  describe('hostile images are refused with one line, leaving nothing', () => {
    const outside = () => path.join(w, 'outside');

    async function refused(
      name: string,
      layers: Entry[][],
      why: string,
      opts: { flags?: string[]; corrupt?: (dir: string, blobs: Buffer[]) => void; mediaType?: string } = {},
    ): Promise<void> {
      const bufs = await Promise.all(layers.map(tarOf));
      const dir = path.join(w, `bad-${name}`);
      const blobs = writeLayout(dir, { layers: bufs, config: imageConfig(bufs, ['sh']) }, 't', {
        mediaType: opts.mediaType,
      });
      opts.corrupt?.(dir, blobs);
      const bundle = path.join(w, `bundle-${name}`);
      const r = unpack([...(opts.flags ?? []), `${dir}:t`, bundle]);
      expect(r.stderr).toContain(why);
      expect(r.code).toBe(1);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(fs.existsSync(bundle)).toBe(false);
      expect(fs.existsSync(outside())).toBe(false);
    }

    it('a .. component', () => refused('dotdot', [[{ name: '../outside', body: 'x' }]], '".." component: refused'));
    it('a symlink that leads out, written through in a later layer', () =>
      refused(
        'symlink',
        [[{ name: 'l', type: 'symlink', linkname: '../../../../../../..' + outside() }], [{ name: 'l/f', body: 'x' }]],
        'a symlink on its path leads out of the rootfs: refused',
      ));
    it('a hard link to outside the rootfs', () =>
      refused('hardlink', [[{ name: 'h', type: 'link', linkname: '../../etc/passwd' }]], '".." component: refused'));
    it('a hard link through an absolute symlink to a host file', () =>
      refused(
        'hardlink-abs',
        [[{ name: 'l', type: 'symlink', linkname: '/etc' }], [{ name: 'h', type: 'link', linkname: 'l/passwd' }]],
        'hard link target does not exist in the rootfs: refused',
      ));
    it('a whiteout of ..', () =>
      refused(
        'wh',
        [
          [
            { name: 'd/', type: 'directory' },
            { name: 'd/.wh...', body: '' },
          ],
        ],
        'a whiteout of "..": refused',
      ));
    it('an entry over --max-entry-size', () =>
      refused('big', [[{ name: 'big', body: 'x'.repeat(100) }]], 'over 10 (--max-entry-size)', {
        flags: ['--max-entry-size', '10'],
      }));
    it('more entries than --max-entries', () =>
      refused(
        'bomb',
        [Array.from({ length: 60 }, (_, i) => ({ name: `f${i}`, body: '' }))],
        'more than 50 entries (--max-entries)',
        { flags: ['--max-entries', '50'] },
      ));
    it('a manifest that points at a missing blob', () =>
      refused('missing', [[{ name: 'f', body: 'x' }]], 'is missing', {
        corrupt: (dir, blobs) => fs.rmSync(path.join(dir, 'blobs', 'sha256', sha(blobs[0]).slice(7))),
      }));
    it('a blob whose content does not match its digest', () =>
      refused('digest', [[{ name: 'f', body: 'x' }]], 'content has digest', {
        corrupt: (dir, blobs) => {
          const f = path.join(dir, 'blobs', 'sha256', sha(blobs[0]).slice(7));
          const b = fs.readFileSync(f);
          b[b.length - 5] ^= 1;
          fs.writeFileSync(f, b);
        },
      }));
    it('a gzip blob whose media type says zstd', () =>
      refused('zstd-type', [[{ name: 'f', body: 'x' }]], 'the blob is gzip-compressed, but its media type', {
        mediaType: 'application/vnd.oci.image.layer.v1.tar+zstd',
      }));
    it("a layer whose content does not match the config's diff_id", () =>
      refused('diffid', [[{ name: 'f', body: 'x' }]], 'content has diff_id', {
        corrupt: (dir) =>
          rewriteImage(dir, 't', {
            config: (c) => {
              c.rootfs.diff_ids = [sha(Buffer.from('other'))];
            },
          }),
      }));
    // Bytes that zstd keeps partly as literals: a change in them changes the output.
    const body = Buffer.concat([createHash('sha512').update('seed').digest(), Buffer.from('abc'.repeat(3000))]);
    it.each([
      [
        'reserved',
        'a block of the reserved type',
        (z: Buffer) => setBlockType(z, 3),
        'zstd: a block of the reserved type',
      ],
      ['flipped', 'a flipped byte', (z: Buffer) => flipByte(z, z.length >> 1), ': layer 0 sha256:'],
      ['cut', 'the end cut off', (z: Buffer) => z.subarray(0, z.length - 20), 'zstd: the data ends inside a frame'],
    ])('a corrupt zstd blob (%s: %s), its digest made to match', (name, _, damage, why) =>
      refused(`zstd-${name}`, [[{ name: 'f', body }]], why, {
        corrupt: (dir) =>
          rewriteImage(dir, 't', { layers: (b) => ({ blob: damage(toZstd(zlib.gunzipSync(b))), mediaType: ZSTD }) }),
      }),
    );

    it("a docker-archive layer that does not match the config's diff_ids", async () => {
      const l = await tarOf([{ name: 'f', body: 'x' }]);
      const other = await tarOf([{ name: 'g', body: 'y' }]);
      const archive = path.join(w, 'bad-diffid.tar');
      await writeDockerArchive(archive, { layers: [l], config: imageConfig([other], ['sh']) });
      const bundle = path.join(w, 'bundle-diffid');
      const r = unpack([archive, bundle]);
      expect(r.stderr).toMatch(
        /^minirun: layer 0 layer0\/layer.tar: content has diff_id sha256:[0-9a-f]{64}, the config says/,
      );
      expect(r.code).toBe(1);
      expect(fs.existsSync(bundle)).toBe(false);
    });

    it('a docker-archive member named with ..', async () => {
      const archive = path.join(w, 'bad-member.tar');
      fs.writeFileSync(archive, await tarOf([{ name: '../outside', body: 'x' }]));
      const r = unpack([archive, path.join(w, 'bundle-member')]);
      expect(r.stderr).toBe(`minirun: docker-archive ${archive}: "../outside": a ".." component: refused\n`);
      expect(r.code).toBe(1);
      expect(fs.existsSync(path.join(w, 'bundle-member'))).toBe(false);
      expect(fs.existsSync(outside())).toBe(false);
    });

    it('an absolute name is taken inside the rootfs, as tar takes it', async () => {
      const l = await tarOf([{ name: `${outside()}/f`, body: 'x' }]);
      writeLayout(path.join(w, 'abs'), { layers: [l], config: imageConfig([l], ['sh']) }, 't');
      const bundle = path.join(w, 'bundle-abs');
      expect(unpack([`${w}/abs:t`, bundle])).toMatchObject({ code: 0, stderr: '' });
      expect(fs.readFileSync(path.join(bundle, 'rootfs', outside(), 'f'), 'utf8')).toBe('x');
      expect(fs.existsSync(outside())).toBe(false);
    });

    it('an empty BUNDLE given is left empty after a failure', async () => {
      const l1 = await tarOf([{ name: 'f', body: 'x' }]);
      const l2 = await tarOf([{ name: '../x', body: 'x' }]);
      writeLayout(path.join(w, 'late'), { layers: [l1, l2], config: imageConfig([l1, l2], ['sh']) }, 't');
      const bundle = path.join(w, 'empty-bundle');
      fs.mkdirSync(bundle);
      const r = unpack([`${w}/late:t`, bundle]);
      expect(r.stderr).toMatch(/^minirun: layer 1 sha256:[0-9a-f]{64}: "..\/x": a ".." component: refused\n$/);
      expect(r.code).toBe(1);
      expect(fs.readdirSync(bundle)).toEqual([]);
    });

    it('a BUNDLE that is not empty is refused and kept', () => {
      const bundle = path.join(w, 'full');
      fs.mkdirSync(bundle);
      fs.writeFileSync(path.join(bundle, 'mine'), '');
      const r = unpack([`${img()}:v1`, bundle]);
      expect(r).toMatchObject({ code: 1, stderr: `minirun: BUNDLE ${bundle}: exists and is not empty\n` });
      expect(fs.readdirSync(bundle)).toEqual(['mine']);
    });
  });
});
