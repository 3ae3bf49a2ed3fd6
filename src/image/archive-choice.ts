// Which image of a docker-archive to unpack (`docker save a b > x.tar`
// writes one manifest.json entry per image): the only one, the one with a
// tag (x.tar:REPO:TAG; docker.io/library/, or podman's localhost/, may be
// left out on either side, as `docker images` and `podman images` show
// names), or the one with an ID (x.tar@sha256:ID: an image's ID is its
// config's digest, which names the config file in the archive). With
// several and no choice, the error lists the SOURCEs to choose from. Pure.
import { MiniRunError } from '../errors';
import type { ArchiveChoice } from './reference';

/** An entry of manifest.json, as docker save writes it. */
export interface ArchiveImage {
  Config?: unknown;
  RepoTags?: unknown;
  Layers?: unknown;
}

/** The image's ID: the sha256 in its config's name (`HEX.json`, or `blobs/sha256/HEX` as docker 25 writes it). */
export function imageId(m: ArchiveImage): string | undefined {
  const named = /([0-9a-f]{64})(\.json)?$/.exec(String(m.Config));
  return named ? `sha256:${named[1]}` : undefined;
}

function tagsOf(m: ArchiveImage): string[] {
  return Array.isArray(m.RepoTags) ? m.RepoTags.filter((t): t is string => typeof t === 'string') : [];
}

/**
 * A tag as `docker images` shows it: docker.io/library/busybox:1 is
 * busybox:1; and podman's localhost/app:1 (an image built or imported
 * locally) is app:1, as `podman run app:1` finds it.
 */
function short(tag: string): string {
  return tag.replace(/^(docker\.io\/(library\/)?|localhost\/)/, '');
}

/** The SOURCEs that name each image: FILE:TAG for each tag, FILE@ID for an image without one. */
function choices(file: string, list: ArchiveImage[]): string {
  return list
    .flatMap((m) => {
      const tags = tagsOf(m);
      return tags.length > 0 ? tags.map((t) => `${file}:${t}`) : [`${file}@${imageId(m) ?? '?'}`];
    })
    .join(', ');
}

export function chooseImage(file: string, list: ArchiveImage[], choice?: ArchiveChoice): ArchiveImage {
  const fail = (reason: string) => new MiniRunError('USAGE', reason, 1, { source: `docker-archive ${file}` });
  if (choice === undefined) {
    if (list.length === 1) return list[0];
    throw fail(`holds ${list.length} images: choose one of ${choices(file, list)}`);
  }
  if ('tag' in choice) {
    const found = list.find((m) => tagsOf(m).some((t) => short(t) === short(choice.tag)));
    if (found === undefined) throw fail(`no image tagged ${choice.tag}: choose one of ${choices(file, list)}`);
    return found;
  }
  const found = list.find((m) => imageId(m) === choice.id);
  if (found === undefined) throw fail(`no image with ID ${choice.id}: choose one of ${choices(file, list)}`);
  return found;
}
