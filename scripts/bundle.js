#!/usr/bin/env node
// Build step after tsc: the CLI in a few esbuild bundles (tsc stays the type
// checker), each with the V8 code cache made for it at build time, so that a
// command neither resolves nor compiles a hundred modules on every start, and
// compiles only what it runs:
//   dist/bundle/minirun.js   main.ts, commander and what main.ts imports
//                            (errors, output, log, version...);
//   dist/bundle/<file>.js    one per command file (src/cli/<file>.ts, one that
//                            exports register()) with what it imports, loaded
//                            only when main.ts asks for that command.
// A command bundle holds no module of the main bundle: it imports them as
// "minirun-shared:<path>" and gets the main bundle's own (one MiniRunError
// class, one log state). bin/minirun loads them (loadBundle). The caches
// (<name>.cache) are made by running the bundles on commands that touch no
// container (help, and errors for a container that is not there). The files
// sit two levels below the package root, as the modules in dist/<dir>/ do.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const dist = path.join(root, 'dist');
const outDir = path.join(dist, 'bundle');
const mainFile = path.join(dist, 'cli', 'main.js');
/** What a command bundle requires to get a module of the main bundle, and the command bundles themselves. */
const SHARED = 'minirun-shared:';
const COMMAND = 'minirun-command:';

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

// tsc compiles `import * as fs from 'node:fs'` (and `await import('node:fs')`)
// to __importStar(require("node:fs")), a copy of the module's hundred
// properties as getters (about 0.1 ms for node:fs, paid by every module that
// imports it): a builtin is used as it is.
const builtinsAsIs = {
  name: 'builtins-as-is',
  setup(build) {
    build.onLoad({ filter: /\.js$/ }, (args) => {
      if (!args.path.startsWith(dist + path.sep)) return undefined;
      const text = fs.readFileSync(args.path, 'utf8');
      return { contents: text.replace(/__importStar\(require\((["'])node:/g, '(require($1node:'), loader: 'js' };
    });
  },
};

/** A command's file: a module of dist/cli/ that exports register(). */
function isCommandFile(file) {
  return path.dirname(file) === path.dirname(mainFile) && /^exports\.register = /m.test(fs.readFileSync(file, 'utf8'));
}

/** In the main bundle, a command file main.js imports is left out, as "minirun-command:<name>". */
const commandsApart = (found) => ({
  name: 'commands-apart',
  setup(build) {
    build.onResolve({ filter: /^\.\// }, async (args) => {
      if (args.importer !== mainFile || args.pluginData === 'inner') return undefined;
      const r = await build.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, pluginData: 'inner' });
      if (r.errors.length > 0 || !isCommandFile(r.path)) return undefined;
      const name = path.basename(r.path, '.js');
      found.add(name);
      return { path: COMMAND + name, external: true };
    });
  },
});

/** In a command bundle, a module the main bundle holds is left out, as "minirun-shared:<path from the root>". */
const sharedApart = (inMain) => ({
  name: 'shared-apart',
  setup(build) {
    build.onResolve({ filter: /.*/ }, async (args) => {
      if (args.pluginData === 'inner' || args.kind === 'entry-point') return undefined;
      const r = await build.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, pluginData: 'inner' });
      if (r.errors.length > 0 || r.external) return undefined;
      const rel = path.relative(root, r.path);
      return inMain.has(rel) ? { path: SHARED + rel, external: true } : undefined;
    });
  },
});

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  logLevel: 'warning',
  legalComments: 'none',
  // About a third smaller to read (0.3 ms less for the main bundle); the
  // names stay, and no error minirun prints shows a line number.
  minifyWhitespace: true,
};

/**
 * The main bundle's entry: main.ts's exports, and shared(path), a module of
 * the bundle by its path from the root (for the command bundles).
 */
function mainEntry(modules) {
  const cases = [...modules].map(
    (rel) => `  ${JSON.stringify(rel)}: () => require(${JSON.stringify(path.join(root, rel))}),`,
  );
  return [
    `module.exports = { ...require(${JSON.stringify(mainFile)}), shared };`,
    `const modules = {\n${cases.join('\n')}\n};`,
    'function shared(rel) {',
    '  return modules[rel]();',
    '}',
    '',
  ].join('\n');
}

async function bundle() {
  const esbuild = require('esbuild');
  // First the main bundle alone, to learn what it holds and which commands there are.
  const commands = new Set();
  const first = await esbuild.build({
    ...common,
    entryPoints: [mainFile],
    write: false,
    outfile: path.join(outDir, 'minirun.js'),
    metafile: true,
    plugins: [lazyChildProcess, builtinsAsIs, commandsApart(commands)],
  });
  const inMain = new Set(Object.keys(first.metafile.inputs).map((f) => path.relative(root, path.resolve(root, f))));
  if (commands.size === 0) throw new Error(`${mainFile}: no command file found among its imports`);
  await Promise.all([
    esbuild.build({
      ...common,
      stdin: { contents: mainEntry(inMain), resolveDir: dist, sourcefile: 'bundle-entry.js' },
      outfile: path.join(outDir, 'minirun.js'),
      plugins: [lazyChildProcess, builtinsAsIs, commandsApart(new Set())],
    }),
    ...[...commands].map((name) =>
      esbuild.build({
        ...common,
        entryPoints: [path.join(path.dirname(mainFile), `${name}.js`)],
        outfile: path.join(outDir, `${name}.js`),
        plugins: [lazyChildProcess, builtinsAsIs, sharedApart(inMain)],
      }),
    ),
  ]);
}

/** The id of the container the cache runs state, kill and start on. */
const PROBE = 'cache-probe';
/** The id of the stopped container the cache runs delete on. */
const STOPPED_PROBE = 'cache-probe-stopped';

/**
 * Under `stateRoot`, a created container whose init is this process: the
 * state.json create writes (through the store's own writer) and the exec fifo
 * holding the byte an init waiting to exec gives to start. The fifo's fd is
 * returned, to close after start. With `stopped`, the init's start time is not
 * this process's: a container whose init has died, as a killed one before its
 * delete (nothing is killed, and there are no cgroups or mounts to remove).
 */
function makeProbe(stateRoot, id = PROBE, stopped = false) {
  const { createContainerDir, writeState } = require(path.join(dist, 'state', 'store.js'));
  const { EXEC_FIFO, pidStartTime } = require(path.join(dist, 'state', 'status.js'));
  const { loadAddon } = require(path.join(dist, 'native', 'loader.js'));
  const dir = createContainerDir(stateRoot, id);
  const noCgroup = path.join(stateRoot, 'no-cgroup');
  writeState(dir, {
    ociVersion: '1.2.1',
    id,
    pid: process.pid,
    pidStartTime: stopped ? '0' : pidStartTime(process.pid),
    // for delete: a cgroup dir of the container's that is not there (its removal runs and finds nothing)
    ...(stopped ? { cgroupDirs: [{ hierarchy: 'unified', path: noCgroup, made: noCgroup }] } : {}),
    status: 'created',
    bundle: stateRoot,
    rootfs: stateRoot,
    created: new Date().toISOString(),
    owner: '',
  });
  const fifo = path.join(dir, EXEC_FIFO);
  loadAddon().mkfifo(fifo, 0o600);
  const fd = fs.openSync(fifo, 'r+'); // read and write: does not wait for a reader
  fs.writeSync(fd, '0');
  return fd;
}

// In a child whose stdout is ignored (the commands write their help and
// errors straight to fds 1 and 2): loads and runs the bundles as bin/minirun
// does, on commands that change nothing, so that what they compile lazily is in
// the caches too: each command on a container that is not there; state, kill
// (signal 0) and start, the whole way, on the probe, and delete on a stopped
// one. The main bundle's cache is made before the help, which only --help
// needs, is compiled; the help then loads the bundles of the commands not run.
async function makeCache() {
  const { loadBundle } = require(path.join(root, 'bin', 'minirun'));
  // first, while nothing has compiled them (V8 would hand back what it compiled lazily)
  const whole = process.env[LAZY_ONLY] ? new Map() : wholeCaches();
  const scripts = new Map();
  const cli = loadBundle(scripts);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'minirun-cache-'));
  /** Runs minirun with `args` under the scratch root; its exit status. */
  const run = async (...args) => {
    await cli.main(['node', 'minirun', '--root', scratch, ...args]).catch(() => (process.exitCode = 1));
    const status = process.exitCode ?? 0;
    process.exitCode = undefined;
    return status;
  };
  let mainCache;
  try {
    for (const cmd of ['state', 'kill', 'start', 'delete', 'pause', 'resume', 'ps', 'events', 'exec', 'update'])
      await run(cmd, 'no-such-container');
    await run('run', '--bundle', scratch, 'no-such-container');
    await run('create', '--bundle', scratch, 'no-such-container');
    const fifo = makeProbe(scratch);
    try {
      for (const args of [['state', PROBE], ['kill', PROBE, '0'], ['start', PROBE], ['state', PROBE], ['list']])
        if ((await run(...args)) !== 0) throw new Error(`minirun ${args.join(' ')}, on the probe, failed`);
    } finally {
      fs.closeSync(fifo);
    }
    fs.closeSync(makeProbe(scratch, STOPPED_PROBE, true));
    if ((await run('delete', STOPPED_PROBE)) !== 0) throw new Error(`minirun delete ${STOPPED_PROBE} failed`);
    mainCache = scripts.get(path.join(outDir, 'minirun.js')).createCachedData();
    await run('--help');
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  for (const [file, script] of scripts) {
    const name = path.basename(file, '.js');
    const cache = name === 'minirun' ? mainCache : (whole.get(name) ?? script.createCachedData());
    fs.writeFileSync(file.replace(/\.js$/, '.cache'), cache);
  }
}

/**
 * The commands the build cannot run to their end (they need a container that
 * runs): their caches hold every function of the bundle, compiled eagerly,
 * instead of only what the runs above reached (exec: about 5 ms of compiling
 * less per run, for a cache twice as large).
 */
const WHOLE = new Set(['run', 'create', 'exec']);

/** Set for a second try when V8 rejects the whole caches (see build): every cache of what ran. */
const LAZY_ONLY = 'MINIRUN_CACHE_LAZY_ONLY';

/**
 * The caches of the WHOLE bundles, each with all its functions compiled: made
 * under --no-lazy, with the flag put back before the cache is written (V8
 * rejects a cache made under other flags; build checks that it does not).
 */
function wholeCaches() {
  const vm = require('node:vm');
  const v8 = require('node:v8');
  const { wrapSource } = require(path.join(root, 'bin', 'minirun'));
  const out = new Map();
  for (const name of WHOLE) {
    const file = path.join(outDir, `${name}.js`);
    v8.setFlagsFromString('--no-lazy');
    let script;
    try {
      script = new vm.Script(wrapSource(fs.readFileSync(file, 'utf8')), { filename: file });
    } finally {
      v8.setFlagsFromString('--lazy');
    }
    out.set(name, script.createCachedData());
  }
  return out;
}

/** The bundles whose cache this Node rejects. */
function rejectedCaches() {
  const vm = require('node:vm');
  const { wrapSource } = require(path.join(root, 'bin', 'minirun'));
  return fs
    .readdirSync(outDir)
    .filter((f) => f.endsWith('.js'))
    .filter((f) => {
      const file = path.join(outDir, f);
      const cachedData = fs.readFileSync(file.replace(/\.js$/, '.cache'));
      const source = wrapSource(fs.readFileSync(file, 'utf8'));
      return new vm.Script(source, { filename: file, cachedData }).cachedDataRejected;
    });
}

async function build() {
  fs.rmSync(outDir, { recursive: true, force: true });
  await bundle();
  // the commit --version names, next to the bundle as next to dist/version.js
  fs.copyFileSync(path.join(dist, 'build-info.json'), path.join(outDir, 'build-info.json'));
  const makeCaches = (env) => {
    const r = require('node:child_process').spawnSync(process.execPath, [__filename, '--cache'], {
      stdio: ['ignore', 'ignore', 'pipe'],
      encoding: 'utf8',
      env,
    });
    if (r.status !== 0) {
      const why = r.stderr.trimEnd().split('\n').pop();
      throw new Error(`making the code cache failed (${r.signal ?? `exit status ${r.status}`}): ${why}`);
    }
  };
  makeCaches(process.env);
  // A Node whose V8 rejects the whole caches (made under another flag) gets those of what ran.
  if (rejectedCaches().length > 0) makeCaches({ ...process.env, [LAZY_ONLY]: '1' });
}

(process.argv[2] === '--cache' ? makeCache() : build()).then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(`bundle: ${e.message}\n`);
    process.exit(1);
  },
);
