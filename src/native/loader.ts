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

export function loadAddon(): Addon {
  if (cached) return cached;
  const tried: string[] = [];
  for (const p of candidates('minirun.node')) {
    tried.push(p);
    if (!fs.existsSync(p)) continue;
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- a .node file at a path found at run time
      cached = require(p) as Addon;
      return cached;
    } catch (e) {
      throw new MiniRunError('NATIVE', `cannot load the addon ${p}: ${(e as Error).message}`);
    }
  }
  throw new MiniRunError('NATIVE', `the addon is not built (tried ${tried.join(', ')}); ${buildHint()}`);
}

export function helperPath(): string {
  const tried: string[] = [];
  for (const p of candidates('minirun-init')) {
    tried.push(p);
    if (fs.existsSync(p)) return p;
  }
  throw new MiniRunError('NATIVE', `the init helper is not built (tried ${tried.join(', ')}); ${buildHint()}`);
}
