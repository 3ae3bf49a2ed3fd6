// An OCI image layout (image-spec image-layout.md): oci-layout, index.json,
// blobs/sha256/HEX. Resolves DIR:TAG or DIR@DIGEST through the index (and a
// nested index, by platform) to a manifest, its config and its layers.
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  blobError,
  checkDescriptor,
  type Descriptor,
  MAX_JSON_BYTES,
  parseJson,
  readJsonBlob,
  verifyBlobFile,
} from './blobs';
import { MiniRunError } from '../errors';
import { checkCompression } from './compression';
import { isDigest, type Platform, platformMatches, platformText } from './reference';

export const MEDIA = {
  index: 'application/vnd.oci.image.index.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
} as const;

const REF_NAME = 'org.opencontainers.image.ref.name';

/** A layer to apply: its blob's path, already checked against its descriptor. */
export interface Layer {
  file: string;
  what: string;
  /** the blob's size in bytes */
  size: number;
  /**
   * the sha256 of the uncompressed tar, when it is checked while the layer is
   * applied (an OCI layout's; a docker-archive's are checked before)
   */
  diffId?: string;
}

export interface ResolvedImage {
  config: Record<string, unknown>;
  layers: Layer[];
}

function blobPath(dir: string, digest: string): string {
  const [alg, hex] = digest.split(':');
  return path.join(dir, 'blobs', alg, hex);
}

function readSmallJson(file: string, what: string): unknown {
  let text: string;
  try {
    const st = fs.statSync(file);
    if (st.size > MAX_JSON_BYTES) throw blobError(what, `${st.size} bytes is over ${MAX_JSON_BYTES}`);
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if (e instanceof MiniRunError) throw e;
    throw blobError(what, `cannot read ${file}`, (e as NodeJS.ErrnoException).code);
  }
  return parseJson(text, what);
}

function manifestsOf(index: unknown, what: string): Descriptor[] {
  const list = (index as { manifests?: unknown } | null)?.manifests;
  if (!Array.isArray(list)) throw blobError(what, 'has no manifests list');
  return list.map((d, i) => checkDescriptor(d, `${what} manifests[${i}]`));
}

/** One manifest of an index's entries: the only one, or the one of the platform. */
function pickPlatform(entries: Descriptor[], platform: Platform, what: string): Descriptor {
  if (entries.length === 1 && !entries[0].platform) return entries[0];
  const hits = entries.filter((d) => platformMatches(d.platform, platform));
  if (hits.length === 0) {
    const have = entries.map((d) => (d.platform ? platformText(d.platform as Platform) : '?')).join(', ');
    throw blobError(what, `no manifest for platform ${platformText(platform)} (it has: ${have})`);
  }
  return hits[0];
}

/** Follows index → (index →) manifest, then reads the config and checks every layer blob. */
export async function resolveLayout(
  dir: string,
  ref: { tag: string } | { digest: string },
  platform: Platform,
): Promise<ResolvedImage> {
  const layoutFile = readSmallJson(path.join(dir, 'oci-layout'), `${dir}/oci-layout`) as {
    imageLayoutVersion?: unknown;
  };
  if (layoutFile?.imageLayoutVersion !== '1.0.0')
    throw blobError(
      `${dir}/oci-layout`,
      `imageLayoutVersion ${JSON.stringify(layoutFile?.imageLayoutVersion)}: only 1.0.0`,
    );
  const top = manifestsOf(readSmallJson(path.join(dir, 'index.json'), `${dir}/index.json`), `${dir}/index.json`);

  let desc: Descriptor;
  if ('tag' in ref) {
    const named = top.filter((d) => d.annotations?.[REF_NAME] === ref.tag);
    if (named.length === 0) throw blobError(`${dir}/index.json`, `no image tagged "${ref.tag}"`);
    desc = named.length === 1 ? named[0] : pickPlatform(named, platform, `${dir}:${ref.tag}`);
  } else {
    const found = top.find((d) => d.digest === ref.digest);
    if (found) desc = found;
    else {
      // Any blob of the layout may be named by digest; its size is what is there.
      let size: number;
      try {
        size = fs.statSync(blobPath(dir, ref.digest)).size;
      } catch (e) {
        throw blobError(`${dir}@${ref.digest}`, 'no such blob', (e as NodeJS.ErrnoException).code);
      }
      desc = { digest: ref.digest, size, mediaType: undefined };
    }
  }

  // Nested indexes, a few levels at most.
  for (let depth = 0; ; depth++) {
    const doc = (await readJsonBlob(blobPath(dir, desc.digest), desc, 'manifest')) as Record<string, unknown>;
    const mediaType = desc.mediaType ?? doc.mediaType;
    const isIndex =
      mediaType === MEDIA.index || mediaType === MEDIA.dockerList || (mediaType === undefined && 'manifests' in doc);
    if (isIndex) {
      if (depth >= 4) throw blobError(`index ${desc.digest}`, 'indexes nested more than 4 deep');
      desc = pickPlatform(manifestsOf(doc, `index ${desc.digest}`), platform, `index ${desc.digest}`);
      continue;
    }
    if (mediaType !== MEDIA.manifest && mediaType !== MEDIA.dockerManifest && mediaType !== undefined)
      throw blobError(`manifest ${desc.digest}`, `media type ${JSON.stringify(mediaType)} is not an image manifest`);
    return readManifest(dir, doc, desc.digest);
  }
}

async function readManifest(dir: string, doc: Record<string, unknown>, digest: string): Promise<ResolvedImage> {
  const what = `manifest ${digest}`;
  const configDesc = checkDescriptor(doc.config, `${what} config`);
  const config = await readJsonBlob(blobPath(dir, configDesc.digest), configDesc, 'config');
  if (typeof config !== 'object' || config === null) throw blobError(`config ${configDesc.digest}`, 'is not an object');
  if (!Array.isArray(doc.layers)) throw blobError(what, 'has no layers list');
  const diffIds = (config as { rootfs?: { diff_ids?: unknown } }).rootfs?.diff_ids;
  if (!Array.isArray(diffIds) || diffIds.length !== doc.layers.length || !diffIds.every(isDigest))
    throw blobError(`config ${configDesc.digest}`, `rootfs.diff_ids must be ${doc.layers.length} sha256 digests`);
  const layers: Layer[] = [];
  for (const [i, raw] of doc.layers.entries()) {
    const d = checkDescriptor(raw, `layer ${i}`);
    checkLayerMediaType(d.mediaType, `layer ${i} ${d.digest}`);
    const file = await verifyBlobFile(blobPath(dir, d.digest), d, `layer ${i}`);
    checkCompression(file, d.mediaType, `layer ${i} ${d.digest}`);
    layers.push({ file, what: `layer ${i} ${d.digest}`, size: d.size, diffId: diffIds[i] });
  }
  return { config: config as Record<string, unknown>, layers };
}

/** Layer media types that are tars (plain, gzip, zstd); the compression itself is read from the bytes. */
export function checkLayerMediaType(mediaType: string | undefined, what: string): asserts mediaType is string {
  const ok = [
    /^application\/vnd\.oci\.image\.layer\.(nondistributable\.)?v1\.tar(\+gzip|\+zstd)?$/,
    /^application\/vnd\.docker\.image\.rootfs\.(foreign\.)?diff\.tar(\.gzip)?$/,
  ];
  if (mediaType === undefined || !ok.some((r) => r.test(mediaType)))
    throw blobError(what, `media type ${String(mediaType)} is not a layer tar`);
}
