// `minirun image unpack SOURCE BUNDLE`: the image is resolved and every blob
// checked first (nothing is written until then), the layers are applied in
// order to BUNDLE/rootfs, and config.json is made from the image config. On
// any failure what was written is removed: BUNDLE itself when the unpack
// made it, else what it put in the empty directory it was given. With a
// store (--layered), the layers go there instead and BUNDLE/rootfs stays
// empty (layered.ts).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MiniRunError } from '../errors';
import { warn } from '../log';
import type { Addon } from '../native/addon';
import { checkingDiffId } from './blobs';
import { imageUser, type ImageConfig, runtimeSpec } from './config';
import { resolveDockerArchive } from './docker-archive';
import { applyLayer, type Limits, openLayer } from './layer';
import type { IdMapping } from './idmap';
import { type LayeredAddon, unpackLayered } from './layered';
import { type ResolvedImage, resolveLayout } from './layout';
import { rootlessOwners, rootOwners } from './owners';
import { NO_PROGRESS, type Progress } from './progress';
import { type Platform, parseSource } from './reference';
import { toRootlessWith } from '../config/rootless-spec';
import { resolveImageUser } from './users';

export interface UnpackOptions {
  platform: Platform;
  limits: Limits;
  /** --layered: the store the layers go to */
  store?: string;
  /** drawn while the layers are applied (NO_PROGRESS when not given) */
  progress?: Progress;
  /**
   * set when the unpack runs in the user namespace of a rootless unpack
   * (userns-unpack.ts), with that namespace's maps: owners and devices as
   * owners.ts says, and a config.json for a rootless container
   */
  rootless?: { uidMap: IdMapping[]; gidMap: IdMapping[] };
}

function usage(reason: string, errno?: string): MiniRunError {
  return new MiniRunError('USAGE', reason, 1, { errno });
}

/** BUNDLE must not exist, or be an empty directory; true when it does not exist. */
function checkBundle(bundle: string): boolean {
  const st = fs.lstatSync(bundle, { throwIfNoEntry: false });
  if (st === undefined) return true;
  if (!st.isDirectory()) throw usage(`BUNDLE ${bundle}: exists and is not a directory`);
  if (fs.readdirSync(bundle).length > 0) throw usage(`BUNDLE ${bundle}: exists and is not empty`);
  return false;
}

function isFile(p: string): boolean {
  return fs.statSync(p, { throwIfNoEntry: false })?.isFile() ?? false;
}

export async function unpackImage(
  source: string,
  bundle: string,
  o: UnpackOptions,
  addon: Pick<Addon, 'mknod' | 'lsetxattr'> & Partial<LayeredAddon>,
): Promise<void> {
  const src = parseSource(source, isFile);
  const makeBundle = checkBundle(bundle);
  const progress = o.progress ?? NO_PROGRESS;
  let scratch: string | undefined;
  let wrote = false;
  try {
    let image: ResolvedImage;
    if (src.kind === 'docker-archive') {
      scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'minirun-archive-'));
      image = await resolveDockerArchive(src.file, scratch, o.limits, src.choice);
    } else {
      const ref = 'tag' in src ? { tag: src.tag } : { digest: src.digest };
      image = await resolveLayout(src.dir, ref, o.platform);
    }
    const config = image.config as ImageConfig;
    // The config's own errors, before anything is written.
    runtimeSpec(config, { uid: 0, gid: 0, additionalGids: [] });
    const user = imageUser(config);

    wrote = true;
    if (makeBundle) fs.mkdirSync(bundle, { mode: 0o700 });
    const rootfs = path.join(bundle, 'rootfs');
    fs.mkdirSync(rootfs);
    fs.chmodSync(rootfs, 0o755); // whatever the umask; a layer's "./" entry may set it
    const writeSpec = (spec: object) =>
      fs.writeFileSync(path.join(bundle, 'config.json'), JSON.stringify(spec, null, '\t'), { flag: 'wx', mode: 0o644 });
    if (o.store !== undefined) {
      await unpackLayered(image, o.store, bundle, o.limits, addon as LayeredAddon, (root, annotations) => {
        const spec = runtimeSpec(config, resolveImageUser(root, user));
        writeSpec({ ...spec, annotations: { ...spec.annotations, ...annotations } });
      });
      return;
    }
    const note = (msg: string) => {
      progress.clear();
      warn(msg);
    };
    const owners = o.rootless ? rootlessOwners(o.rootless.uidMap, o.rootless.gidMap, note) : rootOwners(note);
    const counts = { entries: 0 };
    const sizes = image.layers.map((l) => l.size);
    for (const [i, layer] of image.layers.entries()) {
      const raw = fs.createReadStream(layer.file);
      progress.layer(i, sizes, () => raw.bytesRead);
      const tar = openLayer(layer.file, layer.what, raw);
      const checked = layer.diffId === undefined ? tar : checkingDiffId(tar, layer.diffId, layer.what);
      await applyLayer(rootfs, checked, layer.what, o.limits, counts, addon, owners);
    }
    owners.finish();
    let spec = runtimeSpec(config, resolveImageUser(rootfs, user));
    if (o.rootless) spec = toRootlessWith(spec, o.rootless.uidMap, o.rootless.gidMap);
    writeSpec(spec);
  } catch (e) {
    if (wrote) {
      if (makeBundle) fs.rmSync(bundle, { recursive: true, force: true });
      else
        for (const child of fs.readdirSync(bundle))
          fs.rmSync(path.join(bundle, child), { recursive: true, force: true });
    }
    throw e;
  } finally {
    progress.end();
    if (scratch !== undefined) fs.rmSync(scratch, { recursive: true, force: true });
  }
}
