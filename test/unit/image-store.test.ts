// The layer store's pure parts: the annotations of a layered bundle, the store
// path's checks, overlayfs's options, and which layers a mounted overlay uses.
import { describe, expect, it } from 'vitest';
import { mountedLayers } from '../../src/image/gc';
import { layeredAnnotations, overlayOptions, readLayeredAnnotations, storePathProblem } from '../../src/image/store';
import { parseState } from '../../src/state/check';

const A = `sha256:${'a'.repeat(64)}`;
const B = `sha256:${'b'.repeat(64)}`;
const STORE = 'run.minirun.rootfs.store';
const LAYERS = 'run.minirun.rootfs.layers';

describe('image store: the annotations of a layered bundle', () => {
  it('round-trips the store and the diff ids, bottom layer first', () => {
    const l = { store: '/var/lib/minirun/images', diffIds: [A, B] };
    expect(layeredAnnotations(l)).toEqual({ [STORE]: l.store, [LAYERS]: `${A},${B}` });
    expect(readLayeredAnnotations({ other: 'x', ...layeredAnnotations(l) })).toEqual(l);
  });
  it('is nothing without them', () => {
    expect(readLayeredAnnotations(undefined)).toBeUndefined();
    expect(readLayeredAnnotations({ 'org.opencontainers.image.os': 'linux' })).toBeUndefined();
  });
  it.each([
    [{ [LAYERS]: A }, `config.json: annotations["${STORE}"]: is missing (${LAYERS} is set)`],
    [{ [STORE]: '/s' }, `config.json: annotations["${LAYERS}"]: is missing (${STORE} is set)`],
    [{ [STORE]: 's', [LAYERS]: A }, `config.json: annotations["${STORE}"]: "s": must be an absolute path`],
    [{ [STORE]: '/s', [LAYERS]: '' }, `annotations["${LAYERS}"]: must be a non-empty, comma-separated list`],
    [{ [STORE]: '/s', [LAYERS]: `${A},sha256:x` }, `annotations["${LAYERS}"]: "sha256:x" is not a sha256 diff id`],
    [{ [STORE]: '/a:b', [LAYERS]: A }, 'must not contain ",", ":"'],
  ])('refuses %j', (annotations, message) => {
    expect(() => readLayeredAnnotations(annotations)).toThrow(message);
  });
});

describe('image store: paths and overlayfs options', () => {
  it('takes absolute, normalised paths without the characters of mount options', () => {
    expect(storePathProblem('/var/lib/minirun/images')).toBeUndefined();
    for (const bad of ['rel', '/a,b', '/a:b', '/a\\b', '/a b', '/a/../b', '/a/'])
      expect(storePathProblem(bad)).toBeDefined();
  });
  it('lists the lower dirs top first, and the upper and work dirs when given', () => {
    expect(overlayOptions(['/s/layers/b', '/s/layers/a'])).toBe('lowerdir=/s/layers/b:/s/layers/a');
    expect(overlayOptions(['/l'], { upper: '/u', work: '/w' })).toBe('lowerdir=/l,upperdir=/u,workdir=/w');
  });
  it('refuses options longer than a mount takes, naming the layer count', () => {
    const many = Array.from({ length: 60 }, (_, i) => `/s/layers/${String(i).padStart(64, '0')}`);
    expect(() => overlayOptions(many)).toThrow(/60 layers make overlayfs's mount options \d+ bytes, over 4095/);
  });
});

describe('image gc: the layers mounted overlays use', () => {
  it('reads the lower dirs of overlay mounts that are in the store, and nothing else', () => {
    const mountinfo = [
      '22 27 0:21 / /proc rw,relatime - proc proc rw',
      '90 27 0:50 / /b/rootfs rw,relatime - overlay overlay rw,lowerdir=/s/layers/bb:/s/layers/aa,upperdir=/s/containers/c-1/upper,workdir=/s/containers/c-1/work',
      '91 27 0:51 / /x rw,relatime - overlay overlay rw,lowerdir=/other/layers/cc:/s/layersx/dd',
    ].join('\n');
    expect([...mountedLayers('/s', mountinfo)].sort()).toEqual(['aa', 'bb']);
  });
});

describe('state: the overlay of a layered rootfs', () => {
  const state = {
    ociVersion: '1.0.2',
    id: 'c',
    pid: 1,
    status: 'running',
    bundle: '/b',
    rootfs: '/b/rootfs',
    created: 'now',
  };
  it('is read back, and a malformed one is one error naming the field', () => {
    const overlay = { target: '/b/rootfs', dir: '/s/containers/c-1', lowers: ['/s/layers/a'] };
    expect(parseState(JSON.stringify({ ...state, overlay }), 'f').overlay).toEqual(overlay);
    expect(() => parseState(JSON.stringify({ ...state, overlay: { ...overlay, lowers: [1] } }), 'f')).toThrow(
      'f: overlay.lowers: must be an array of strings, got an array',
    );
    expect(() => parseState(JSON.stringify({ ...state, overlay: { ...overlay, dir: 3 } }), 'f')).toThrow(
      'f: overlay.dir: must be a string, got a number',
    );
  });
});
