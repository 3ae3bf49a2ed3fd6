#!/usr/bin/env node
// Build step after tsc: dist/bundle/minirun.js, the whole CLI in one file
// (esbuild; tsc stays the type checker), and dist/bundle/minirun.cache, V8's
// code cache for it, made by running the bundle on commands that touch no
// container (help, and errors for a container that is not there). bin/minirun
// loads the bundle with that cache, so that a command neither resolves nor
// compiles a hundred modules on every start. The files sit two levels below
// the package root, as the modules in dist/<dir>/ do.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const out = path.join(root, 'dist', 'bundle', 'minirun.js');
const cacheFile = out.replace(/\.js$/, '.cache');

// commander loads node:child_process (and with it node:net and the streams,
// about 8 ms) for external subcommands, which minirun has none of: it is
// loaded when used.
const lazyChildProcess = {
  name: 'lazy-child-process',
  setup(build) {
    build.onLoad({ filter: /commander[\\/]lib[\\/]command\.js$/ }, (args) => {
      const text = fs.readFileSync(args.path, 'utf8');
      const eager = "const childProcess = require('node:child_process');";
      if (!text.includes(eager)) throw new Error(`${args.path}: no "${eager}" to make lazy (a new commander?)`);
      const lazy = "const childProcess = { get spawn() { return require('node:child_process').spawn; } };";
      return { contents: text.replace(eager, lazy), loader: 'js' };
    });
  },
};

function bundle() {
  return require('esbuild').build({
    entryPoints: [path.join(root, 'dist', 'cli', 'main.js')],
    outfile: out,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    logLevel: 'warning',
    legalComments: 'none',
    plugins: [lazyChildProcess],
  });
}

// In a child with no stdio (the commands write their help and errors straight
// to fds 1 and 2): compiles and runs the bundle as bin/minirun does, on
// commands that change nothing, so that what they compile lazily is in the
// cache too.
async function makeCache() {
  const vm = require('node:vm');
  const { Module } = require('node:module');
  const script = new vm.Script(Module.wrap(fs.readFileSync(out, 'utf8')), { filename: out });
  const mod = { exports: {} };
  script.runInThisContext()(mod.exports, Module.createRequire(out), mod, out, path.dirname(out));
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'minirun-cache-'));
  const runs = [['--help'], ['--version'], ['list'], ['run', '--help'], ['create', '--help'], ['spec', '--help']];
  for (const cmd of ['state', 'kill', 'start', 'delete', 'pause', 'resume', 'ps', 'events', 'exec', 'update'])
    runs.push([cmd, 'no-such-container']);
  runs.push(['run', '--bundle', scratch, 'no-such-container'], ['create', '--bundle', scratch, 'no-such-container']);
  try {
    for (const args of runs)
      await mod.exports.main(['node', 'minirun', '--root', scratch, ...args]).catch(() => undefined);
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  fs.writeFileSync(cacheFile, script.createCachedData());
}

async function build() {
  await bundle();
  // the commit --version names, next to the bundle as next to dist/version.js
  fs.copyFileSync(path.join(root, 'dist', 'build-info.json'), path.join(path.dirname(out), 'build-info.json'));
  const r = require('node:child_process').spawnSync(process.execPath, [__filename, '--cache'], { stdio: 'ignore' });
  if (r.status !== 0) throw new Error(`making the code cache failed (${r.signal ?? `exit status ${r.status}`})`);
}

(process.argv[2] === '--cache' ? makeCache() : build()).then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(`bundle: ${e.message}\n`);
    process.exit(1);
  },
);
