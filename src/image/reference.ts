// The SOURCE of `minirun image unpack`: an OCI image layout directory with a
// tag or a digest (DIR:TAG, DIR@sha256:HEX), or a docker-archive tar (the
// `docker save` format), alone when it holds one image, or with the image
// chosen by one of its tags or by its ID (FILE:REPO:TAG, as skopeo's
// docker-archive:FILE:REPO:TAG; FILE@sha256:ID, the ID `docker images
// --no-trunc` shows, which is the config's digest); and the --platform
// os/arch[/variant]. Pure parsing.
import { MiniRunError } from '../errors';

export type ImageSource =
  | { kind: 'oci-layout'; dir: string; tag: string }
  | { kind: 'oci-layout'; dir: string; digest: string }
  | { kind: 'docker-archive'; file: string; choice?: ArchiveChoice };

/** Which image of a docker-archive: by a tag in its RepoTags, or by its ID (its config's digest). */
export type ArchiveChoice = { tag: string } | { id: string };

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;
// The OCI image-spec's grammar for org.opencontainers.image.ref.name tags, as umoci accepts them.
const TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

/** Is `d` a sha256 digest in the form the image-spec's blobs use? */
export function isDigest(d: unknown): d is string {
  return typeof d === 'string' && DIGEST.test(d);
}

/**
 * DIR@sha256:HEX, DIR:TAG, or a path that names a file (a docker-archive; the
 * caller says whether the path is a regular file), alone or followed by
 * :REPO:TAG or @sha256:ID. A DIR with neither tag nor digest is refused: an
 * image layout may hold many images. A SOURCE whose part before a `:` or
 * `@` is a file is a docker-archive.
 */
export function parseSource(source: string, isFile: (p: string) => boolean): ImageSource {
  const usage = (reason: string) => new MiniRunError('USAGE', reason, 1, { source: `SOURCE ${source}` });
  if (source === '') throw usage('empty');
  if (isFile(source)) return { kind: 'docker-archive', file: source };
  const at = source.lastIndexOf('@');
  if (at > 0) {
    const digest = source.slice(at + 1);
    if (!DIGEST.test(digest)) throw usage(`"${digest}" is not a sha256 digest (sha256: and 64 hex digits)`);
    const before = source.slice(0, at);
    if (isFile(before)) return { kind: 'docker-archive', file: before, choice: { id: digest } };
    return { kind: 'oci-layout', dir: before, digest };
  }
  for (let i = source.indexOf(':'); i > 0; i = source.indexOf(':', i + 1)) {
    if (!isFile(source.slice(0, i))) continue;
    const tag = source.slice(i + 1);
    const colon = tag.lastIndexOf(':');
    if (colon <= 0 || tag.slice(colon + 1).includes('/') || !TAG.test(tag.slice(colon + 1)))
      throw usage(`"${tag}" is not REPO:TAG (an image of a docker-archive is FILE:REPO:TAG or FILE@sha256:ID)`);
    return { kind: 'docker-archive', file: source.slice(0, i), choice: { tag } };
  }
  const colon = source.lastIndexOf(':');
  if (colon <= 0 || source.slice(colon + 1).includes('/'))
    throw usage('an image layout needs a tag or a digest (DIR:TAG or DIR@sha256:...), or a docker-archive file');
  const tag = source.slice(colon + 1);
  if (!TAG.test(tag)) throw usage(`"${tag}" is not a valid tag`);
  return { kind: 'oci-layout', dir: source.slice(0, colon), tag };
}

/** os/arch[/variant], as `--platform` takes it. */
export function parsePlatform(text: string): Platform {
  const parts = text.split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => !/^[a-z0-9_]+$/.test(p)))
    throw new MiniRunError('USAGE', `--platform: must be os/arch[/variant], got "${text}"`);
  return parts.length === 3
    ? { os: parts[0], architecture: parts[1], variant: parts[2] }
    : { os: parts[0], architecture: parts[1] };
}

/** The platform of this machine in OCI words. Only linux/amd64 is the default, as the brief of the command says. */
export const DEFAULT_PLATFORM: Platform = { os: 'linux', architecture: 'amd64' };

/**
 * Does an index entry's platform match the wanted one? A wanted variant must
 * be equal; with none wanted, any variant matches (arm64 images say v8 or
 * nothing). An entry with no platform matches nothing in a multi-platform index.
 */
export function platformMatches(have: Partial<Platform> | undefined, want: Platform): boolean {
  if (!have) return false;
  if (have.os !== want.os || have.architecture !== want.architecture) return false;
  return want.variant === undefined || have.variant === want.variant;
}

export function platformText(p: Platform): string {
  return [p.os, p.architecture, p.variant].filter((s) => s !== undefined).join('/');
}
