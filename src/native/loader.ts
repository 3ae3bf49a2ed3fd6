// Finds and loads the addon and the init helper. A failure names every path
// that was tried.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MiniRunError } from '../errors';
import type { Addon } from './addon';

let cached: Addon | undefined;

/** The project root: dist/native/loader.js (or the bundle, dist/bundle/minirun.js) -> ../.. */
function projectRoot(): string {
  return path.resolve(__dirname, '..', '..');
}

function candidates(file: string): string[] {
  const root = projectRoot();
  return [path.join(root, 'build', 'Release', file), path.join(root, 'build', 'Debug', file)];
}

/** What to run where the native part is missing (in a clone and in an installed package alike). */
function buildHint(): string {
  return `build it with: cd ${projectRoot()} && npm run build:native`;
}

/** The systemd driver's calls: in minirun-systemd.node, loaded at the first of them (libsystemd costs ~1.2 ms to load). */
const SYSTEMD_CALLS = [
  'useSystemdBus',
  'startTransientUnit',
  'stopUnit',
  'resetFailedUnit',
  'setUnitProperties',
  'getUnitProperty',
] as const;

/** A .node file of the build by name, loaded; a failure names every path tried. */
function loadNative(file: string, what: string): unknown {
  const tried: string[] = [];
  for (const p of candidates(file)) {
    tried.push(p);
    if (!fs.existsSync(p)) continue;
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- a .node file at a path found at run time
      return require(p);
    } catch (e) {
      throw new MiniRunError('NATIVE', `cannot load ${what} ${p}: ${(e as Error).message}`);
    }
  }
  throw new MiniRunError('NATIVE', `${what} is not built (tried ${tried.join(', ')}); ${buildHint()}`);
}

export function loadAddon(): Addon {
  if (cached) return cached;
  // a copy: the module's own exports stay as they are (another copy of this loader may load it too)
  const addon = { ...(loadNative('minirun.node', 'the addon') as Addon) };
  let systemd: Pick<Addon, (typeof SYSTEMD_CALLS)[number]> | undefined;
  for (const name of SYSTEMD_CALLS) {
    Object.defineProperty(addon, name, {
      get: () => (systemd ??= loadNative('minirun-systemd.node', "the addon's systemd part") as typeof systemd)![name],
    });
  }
  cached = addon;
  return cached;
}

/** The addon if this process has loaded it, else undefined (nothing is loaded). */
export function loadedAddon(): Addon | undefined {
  return cached;
}

export function helperPath(): string {
  const tried: string[] = [];
  for (const p of candidates('minirun-init')) {
    tried.push(p);
    if (fs.existsSync(p)) return p;
  }
  throw new MiniRunError('NATIVE', `the init helper is not built (tried ${tried.join(', ')}); ${buildHint()}`);
}
