// What building the addon and the init helper needs on this machine, checked
// before cmake-js runs, each missing piece named by the Debian package that
// gives it: a C++ compiler with static libc and libstdc++ (the helper is
// static: g++), cmake at least as new as CMakeLists.txt asks (cmake), a build
// tool for it (make, or ninja when installed), libseccomp's header and
// library (libseccomp-dev), and libsystemd's sd-bus (libsystemd-dev, for the
// systemd cgroup driver). Used by scripts/build-native.js.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const CMAKE_MIN = [3, 15]; // CMakeLists.txt: cmake_minimum_required

/** The full path of a command found on PATH, or undefined. */
function onPath(name) {
  if (name.includes('/')) return isExecutable(name) ? name : undefined;
  for (const dir of (process.env.PATH || '').split(':')) {
    const p = path.join(dir || '.', name);
    if (isExecutable(p)) return p;
  }
  return undefined;
}

function isExecutable(p) {
  try {
    return fs.statSync(p).isFile() && (fs.accessSync(p, fs.constants.X_OK), true);
  } catch {
    return false;
  }
}

/** Whether `compiler` compiles and links `source` (C++) with `flags`. */
function builds(compiler, source, flags) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'minirun-check-'));
  try {
    fs.writeFileSync(path.join(dir, 'a.cc'), source);
    const r = spawnSync(compiler, [path.join(dir, 'a.cc'), '-o', path.join(dir, 'a'), ...flags], { stdio: 'ignore' });
    return r.status === 0;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function cmakeIsNewEnough(cmake) {
  const r = spawnSync(cmake, ['--version'], { encoding: 'utf8' });
  const m = /version (\d+)\.(\d+)/.exec(r.stdout || '');
  if (r.status !== 0 || !m) return false;
  const [major, minor] = [Number(m[1]), Number(m[2])];
  return major > CMAKE_MIN[0] || (major === CMAKE_MIN[0] && minor >= CMAKE_MIN[1]);
}

/** The missing pieces, as [{ pkg: Debian package, what: what is missing }]; empty when all is there. */
function missingBuildTools() {
  const missing = [];
  // CMake takes $CXX, else c++ (g++ through Debian's alternatives).
  const compiler = onPath(process.env.CXX || 'c++') || onPath('g++');
  const compilerOk =
    compiler !== undefined &&
    builds(compiler, '#include <string>\nint main() { return std::string("x").size() - 1; }\n', ['-static']);
  if (!compiler) missing.push({ pkg: 'g++', what: 'a C++ compiler' });
  else if (!compilerOk) missing.push({ pkg: 'g++', what: `${compiler} cannot link a static C++ program` });
  const seccompOk = compilerOk
    ? builds(compiler, '#include <seccomp.h>\nint main() { return seccomp_version()->major > 0 ? 0 : 1; }\n', [
        '-lseccomp',
      ])
    : fs.existsSync('/usr/include/seccomp.h'); // without a working compiler, at least its header
  if (!seccompOk) missing.push({ pkg: 'libseccomp-dev', what: 'libseccomp to build with (seccomp.h, -lseccomp)' });
  const sdbusOk = compilerOk
    ? builds(
        compiler,
        '#include <systemd/sd-bus.h>\nint main() { sd_bus *b = 0; return sd_bus_unref(b) == 0 ? 0 : 1; }\n',
        ['-lsystemd'],
      )
    : fs.existsSync('/usr/include/systemd/sd-bus.h');
  if (!sdbusOk)
    missing.push({ pkg: 'libsystemd-dev', what: "libsystemd's sd-bus to build with (systemd/sd-bus.h, -lsystemd)" });
  const cmake = onPath('cmake');
  if (!cmake) missing.push({ pkg: 'cmake', what: 'cmake' });
  else if (!cmakeIsNewEnough(cmake)) missing.push({ pkg: 'cmake', what: `cmake ${CMAKE_MIN.join('.')} or later` });
  // cmake-js runs ninja when it is installed, else make.
  if (!onPath('ninja') && !onPath('make')) missing.push({ pkg: 'make', what: 'make' });
  return missing;
}

/** One line naming what is missing and the apt-get command that installs it. */
function missingLine(missing) {
  const pkgs = [...new Set(missing.map((m) => m.pkg))];
  const what = missing.map((m) => m.what).join(', ');
  return `minirun: cannot build the addon and init helper: missing ${what}; install with: apt-get install ${pkgs.join(' ')}`;
}

module.exports = { missingBuildTools, missingLine };
