// Shared by the image tests: a dump of a tree to compare, layer tars and OCI
// layouts written by hand, and running minirun image unpack.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import * as tar from 'tar-stream';
import { exec, MINIRUN } from './harness';

// One line per entry of a tree (python3 for getxattr, which node lacks):
// path, type, mode, uid, gid, size, sha256, link target, rdev, mtime, xattrs.
const DUMP = `
import hashlib, json, os, stat, sys
root = sys.argv[1]
out = []
for d, dirs, files in os.walk(root):
    dirs.sort()
    for n in sorted(dirs + files) + ([''] if d == root else []):
        p = os.path.join(d, n) if n else d
        st = os.lstat(p)
        e = {'path': os.path.relpath(p, root), 'mode': oct(st.st_mode), 'uid': st.st_uid, 'gid': st.st_gid}
        if stat.S_ISREG(st.st_mode):
            e['size'] = st.st_size
            e['sha'] = hashlib.sha256(open(p, 'rb').read()).hexdigest()
            e['nlink'] = st.st_nlink
        if stat.S_ISLNK(st.st_mode): e['link'] = os.readlink(p)
        if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode): e['rdev'] = [os.major(st.st_rdev), os.minor(st.st_rdev)]
        if not stat.S_ISDIR(st.st_mode): e['mtime'] = int(st.st_mtime)
        e['xattrs'] = {k: os.getxattr(p, k, follow_symlinks=False).hex() for k in sorted(os.listxattr(p, follow_symlinks=False))}
        out.append(e)
print(json.dumps(out, indent=0))
`;

export function dump(root: string): unknown[] {
  return JSON.parse(
    execFileSync('python3', ['-c', DUMP, root], { encoding: 'utf8', maxBuffer: 64 << 20 }),
  ) as unknown[];
}

export function run(cmd: string, args: string[]): void {
  const r = exec(cmd, args, { timeoutMs: 120_000 });
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
}

export function sh(script: string): void {
  run('sh', ['-euc', script]);
}

export function unpack(args: string[]): ReturnType<typeof exec> {
  return exec(MINIRUN, ['image', 'unpack', ...args], { timeoutMs: 120_000 });
}

export function sha(b: Buffer): string {
  return `sha256:${createHash('sha256').update(b).digest('hex')}`;
}

export type Entry = Partial<tar.Header> & { name: string; body?: string | Buffer };

export async function tarOf(entries: Entry[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const done = new Promise<void>((resolve, reject) => {
    pack.on('data', (c) => chunks.push(c as Buffer));
    pack.on('end', resolve);
    pack.on('error', reject);
  });
  for (const { body, ...h } of entries) {
    const data = body === undefined ? Buffer.alloc(0) : Buffer.from(body);
    const header = { mode: h.type === 'directory' ? 0o755 : 0o644, ...h, size: data.length };
    if (h.type === undefined || h.type === 'file') pack.entry(header, data);
    else pack.entry({ ...header, size: 0 });
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

export interface Made {
  layers: Buffer[];
  config: object;
}

export function imageConfig(layers: Buffer[], cmd: string[]): object {
  return {
    architecture: 'amd64',
    os: 'linux',
    config: { Cmd: cmd, Env: ['PATH=/bin'], WorkingDir: '/' },
    rootfs: { type: 'layers', diff_ids: layers.map(sha) },
  };
}

/** An OCI layout written by hand: gzip layers (or as given), one manifest tagged `tag`. */
export function writeLayout(
  dir: string,
  m: Made,
  tag: string,
  opts: { gzip?: boolean; mediaType?: string } = {},
): Buffer[] {
  fs.mkdirSync(path.join(dir, 'blobs', 'sha256'), { recursive: true });
  const put = (b: Buffer) => {
    fs.writeFileSync(path.join(dir, 'blobs', 'sha256', sha(b).slice(7)), b);
    return { digest: sha(b), size: b.length };
  };
  const blobs = m.layers.map((l) => (opts.gzip === false ? l : zlib.gzipSync(l)));
  const layerType = opts.mediaType ?? `application/vnd.oci.image.layer.v1.tar${opts.gzip === false ? '' : '+gzip'}`;
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...put(Buffer.from(JSON.stringify(m.config))) },
      layers: blobs.map((b) => ({ mediaType: layerType, ...put(b) })),
    }),
  );
  fs.writeFileSync(path.join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  fs.writeFileSync(
    path.join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          ...put(manifest),
          annotations: { 'org.opencontainers.image.ref.name': tag },
        },
      ],
    }),
  );
  return blobs;
}
