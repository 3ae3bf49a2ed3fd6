// `minirun image gc`: under the store's lock, drops the references whose
// bundle's config.json no longer names their layers (the bundle deleted, or
// unpacked again elsewhere), then removes the layers that neither a
// reference nor a mounted overlay (a container whose bundle went) uses, and
// the temp dirs whose maker is gone (an unpack or gc that died). A layer is
// renamed out of layers/ before it is removed: a gc that dies half way
// leaves a temp dir, never half a layer that looks complete.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { unescapeMountinfo } from '../cgroups/mounts';
import type { Addon } from '../native/addon';
import { UMOUNT } from '../native/kernel-constants.generated';
import { layersDir, readReferences, referenceHolds, tmpDir, tmpName, withStoreLock } from './store';

/** The layer dirs (their names) that a mounted overlay uses as lower dirs. */
export function mountedLayers(store: string, mountinfo: string): Set<string> {
  const prefix = `${layersDir(store)}/`;
  const used = new Set<string>();
  for (const line of mountinfo.split('\n')) {
    const after = line.split(' - ')[1]?.split(' ');
    if (after?.[0] !== 'overlay') continue;
    for (const opt of (after[2] ?? '').split(',')) {
      if (!opt.startsWith('lowerdir=')) continue;
      for (const dir of opt.slice('lowerdir='.length).split(':')) {
        const d = unescapeMountinfo(dir);
        if (d.startsWith(prefix)) used.add(d.slice(prefix.length));
      }
    }
  }
  return used;
}

function alive(pid: number): boolean {
  return Number.isSafeInteger(pid) && pid > 0 && fs.existsSync(`/proc/${pid}`);
}

/** Mount points under `dir`, deepest first. */
function mountsUnder(dir: string, mountinfo: string): string[] {
  return mountinfo
    .split('\n')
    .map((l) => unescapeMountinfo(l.split(' ')[4] ?? ''))
    .filter((m) => m === dir || m.startsWith(`${dir}/`))
    .reverse();
}

/** Collects the garbage of the store; returns what it removed, one line each. */
export function collectGarbage(store: string, addon: Pick<Addon, 'lockDir' | 'close' | 'umount'>): string[] {
  if (!fs.existsSync(layersDir(store))) return [];
  return withStoreLock(addon, store, () => {
    const removed: string[] = [];
    const used = new Set<string>();
    for (const { file, ref } of readReferences(store)) {
      if (ref !== null && referenceHolds(ref)) {
        for (const d of ref.diffIds) used.add(d.slice('sha256:'.length));
        continue;
      }
      fs.rmSync(file, { force: true });
      removed.push(`reference ${ref?.bundle ?? file}`);
    }
    const mountinfo = fs.readFileSync('/proc/self/mountinfo', 'utf8');
    for (const name of mountedLayers(store, mountinfo)) used.add(name);
    for (const name of fs.readdirSync(layersDir(store)).sort()) {
      if (used.has(name)) continue;
      const doomed = tmpName(store, `gc-${name.slice(0, 12)}`);
      fs.renameSync(path.join(layersDir(store), name), doomed);
      fs.rmSync(doomed, { recursive: true, force: true });
      removed.push(`layer sha256:${name}`);
    }
    for (const name of fs.readdirSync(tmpDir(store)).sort()) {
      const parts = name.split('.');
      if (alive(Number(parts[parts.length - 2]))) continue;
      const p = path.join(tmpDir(store), name);
      // a view left mounted: never removed through a mount
      if (mountsUnder(p, mountinfo).some((m) => addon.umount(m, UMOUNT.MNT_DETACH) !== 0)) continue;
      fs.rmSync(p, { recursive: true, force: true });
      removed.push(`unfinished ${p}`);
    }
    return removed;
  });
}
