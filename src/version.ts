// minirun's version, the commit it was built from, the runtime-spec version it
// implements, and `minirun --version`.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadAddon } from './native/loader';

export const VERSION = '0.1.0';
export const SPEC_VERSION = '1.2.1';

/** Written by scripts/write-build-info.js next to dist/version.js (and by scripts/bundle.js next to the bundle) at build, and so at pack, time. */
const BUILD_INFO = path.join(__dirname, 'build-info.json');

/** The commit of the build (`git describe --dirty --long --always`, as runc's Makefile), or "unknown". */
export function buildCommit(): string {
  try {
    const commit = (JSON.parse(fs.readFileSync(BUILD_INFO, 'utf8')) as { commit?: unknown }).commit;
    return typeof commit === 'string' && commit !== '' ? commit : 'unknown';
  } catch {
    return 'unknown';
  }
}

/**
 * `minirun --version` in runc's shape (version, commit, spec, the language
 * runtime, libseccomp). Only this loads the addon (about half a millisecond);
 * as runc, the libseccomp line is left out when the version is not known.
 */
export function versionText(): string {
  const lines = [
    `minirun version ${VERSION}`,
    `commit: ${buildCommit()}`,
    `spec: ${SPEC_VERSION}`,
    `node: ${process.versions.node}`,
  ];
  try {
    lines.push(`libseccomp: ${loadAddon().seccompVersion()}`);
  } catch {
    // the addon is not built or cannot load: every other command says why
  }
  return lines.join('\n');
}
