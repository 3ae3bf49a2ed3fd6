// A `docker save` archive: a tar of manifest.json ([{Config, RepoTags,
// Layers}], one entry per image: archive-choice.ts picks one), the configs
// (named by their sha256) and the layer tars. It is extracted into a private
// temp dir first (regular files, directories and the symlinks docker writes
// for repeated layers, names checked as a layer's are); the config is
// checked against the digest in its name and every layer against the
// config's rootfs.diff_ids before anything is unpacked.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { blobError, MAX_JSON_BYTES, parseJson } from './blobs';
import { resolveEntry, resolveFollowing } from './in-root';
import { openLayer, type Limits } from './layer';
import type { ResolvedImage } from './layout';
import { entryError, splitName } from './paths';
import { type ArchiveImage, chooseImage, imageId } from './archive-choice';
import { type ArchiveChoice, isDigest } from './reference';
import { tarEntries } from './tar-entries';

async function extractArchive(file: string, dir: string, limits: Limits): Promise<void> {
  const what = `docker-archive ${file}`;
  let count = 0;
  for await (const { header: h, stream } of tarEntries(fs.createReadStream(file))) {
    if (++count > limits.maxEntries) throw entryError(what, h.name, `more than ${limits.maxEntries} entries`);
    if ((h.size ?? 0) > limits.maxEntryBytes)
      throw entryError(what, h.name, `${h.size} bytes is over ${limits.maxEntryBytes} (--max-entry-size)`);
    const parts = splitName(h.name, what);
    const r = { root: dir, layer: what, name: h.name, create: true };
    if (parts.length === 0) {
      stream.resume();
      continue;
    }
    const p = resolveEntry(parts, r) as string;
    if (h.type === 'directory') fs.mkdirSync(p, { recursive: true, mode: 0o700 });
    else if (h.type === 'symlink') fs.symlinkSync(h.linkname ?? '', p);
    else if (h.type === 'file' || h.type === 'contiguous-file') {
      await pipeline(Readable.from(stream), fs.createWriteStream(p, { flags: 'wx', mode: 0o600 }));
      continue;
    } else throw entryError(what, h.name, `entry type ${String(h.type)} is not expected in a docker-archive`);
    stream.resume();
  }
}

/** A file named in manifest.json, resolved inside the extracted archive. */
function member(dir: string, name: unknown, what: string): string {
  if (typeof name !== 'string') throw blobError(what, `${JSON.stringify(name)} is not a file name`);
  const p = resolveFollowing(splitName(name, what), { root: dir, layer: what, name, create: false });
  const st = p === null ? undefined : fs.statSync(p, { throwIfNoEntry: false });
  if (p === null || !st?.isFile()) throw blobError(what, `${name} is missing from the archive`);
  return p;
}

async function sha256OfDecompressed(file: string, what: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of openLayer(file, what)) h.update(chunk as Buffer);
  return `sha256:${h.digest('hex')}`;
}

/**
 * Extracts the archive into `dir` (made by the caller, removed by it) and
 * resolves the image chosen (chooseImage), or its only one.
 */
export async function resolveDockerArchive(
  file: string,
  dir: string,
  limits: Limits,
  choice?: ArchiveChoice,
): Promise<ResolvedImage> {
  await extractArchive(file, dir, limits);
  const mf = member(dir, 'manifest.json', `docker-archive ${file}`);
  if (fs.statSync(mf).size > MAX_JSON_BYTES) throw blobError(`${file} manifest.json`, 'too large');
  const list = parseJson(fs.readFileSync(mf, 'utf8'), `${file} manifest.json`);
  if (!Array.isArray(list) || list.length === 0 || list.some((e) => typeof e !== 'object' || e === null))
    throw blobError(`${file} manifest.json`, 'must be a list of images');
  const m = chooseImage(file, list as ArchiveImage[], choice);

  const configFile = member(dir, m.Config, `${file} manifest.json Config`);
  const id = imageId(m);
  if (id === undefined) throw blobError(`config ${String(m.Config)}`, 'is not named by its sha256: cannot be verified');
  if (fs.statSync(configFile).size > MAX_JSON_BYTES) throw blobError(`config ${String(m.Config)}`, 'too large');
  const configBytes = fs.readFileSync(configFile);
  const got = createHash('sha256').update(configBytes).digest('hex');
  if (`sha256:${got}` !== id) throw blobError(`config ${String(m.Config)}`, `content has digest sha256:${got}`);
  const config = parseJson(configBytes.toString('utf8'), `config ${String(m.Config)}`) as Record<string, unknown>;
  if (typeof config !== 'object' || config === null) throw blobError(`config ${String(m.Config)}`, 'is not an object');

  const diffIds = (config.rootfs as { diff_ids?: unknown } | undefined)?.diff_ids;
  if (!Array.isArray(m.Layers)) throw blobError(`${file} manifest.json`, 'has no Layers list');
  if (!Array.isArray(diffIds) || diffIds.length !== m.Layers.length || !diffIds.every(isDigest))
    throw blobError(`config ${String(m.Config)}`, `rootfs.diff_ids must be ${m.Layers.length} sha256 digests`);
  const layers = [];
  for (const [i, name] of (m.Layers as unknown[]).entries()) {
    const what = `layer ${i} ${String(name)}`;
    const p = member(dir, name, what);
    const sum = await sha256OfDecompressed(p, what);
    if (sum !== diffIds[i]) throw blobError(what, `content has diff_id ${sum}, the config says ${String(diffIds[i])}`);
    layers.push({ file: p, what, size: fs.statSync(p).size });
  }
  return { config, layers };
}
