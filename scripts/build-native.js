#!/usr/bin/env node
// Builds the addon (build/Release/minirun.node) and the init helper
// (build/Release/minirun-init) with cmake-js, and in a clone the test programs
// too (CMakeLists.txt builds them where their sources are). First checks the
// tools, so that a missing one stops the build with one line naming the
// Debian packages to install. The package's install script and
// `npm run build:native`; needs no TypeScript.
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');
const { missingBuildTools, missingLine } = require('./check-build-tools');

const root = path.resolve(__dirname, '..');
const missing = missingBuildTools();
if (missing.length > 0) {
  process.stderr.write(`${missingLine(missing)}\n`);
  process.exit(1);
}
const cmakeJs = require.resolve('cmake-js/bin/cmake-js', { paths: [root] });
const r = spawnSync(process.execPath, [cmakeJs, 'compile', '--out', 'build'], { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);
