#!/usr/bin/env bash
# npm run test:install: minirun installed as a user installs it, then used.
#   1. `npm pack` of this clone (its prepare script builds it), and the tarball
#      holds what an install needs (dist/, native/, the build scripts) and no
#      tests, fixtures or build/;
#   2. `npm install -g --prefix TMP` of the tarball, which builds the addon and
#      the init helper there (and installs no TypeScript);
#   3. that install's `minirun --version` names the commit this clone was
#      packed at;
#   4. a container run with it: a bundle from this clone's fixtures
#      (npm run fixtures), `TMP/bin/minirun run` of the probe, its output
#      and exit status checked.
# Prints "install-check: 1 passed, 0 failed" (or "0 passed, 1 failed", after
# the reason). The temporary prefix, bundle, state and any container left by a
# failure are removed, also when interrupted. Needs a built clone, as root.
set -uo pipefail
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d /tmp/minirun-install.XXXXXX)
prefix=$tmp/prefix
minirun=$prefix/bin/minirun
id=install-check-$$

cleanup() {
  if [ -x "$minirun" ] && [ -e "$tmp/state/$id" ]; then
    "$minirun" --root "$tmp/state" delete --force "$id" >/dev/null 2>&1 ||
      echo "install-check: could not delete container $id in $tmp/state"
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

fail() {
  echo "install-check: $*"
  echo "install-check: 0 passed, 1 failed"
  exit 1
}
# The last lines of a log, indented, after a failure.
show() { tail -n 30 "$1" | sed 's/^/    /'; }

# 1. The tarball.
npm pack --pack-destination "$tmp" >"$tmp/pack.log" 2>&1 || { show "$tmp/pack.log"; fail "npm pack failed"; }
tgz=$(ls "$tmp"/minirun-*.tgz 2>/dev/null | head -n 1)
[ -n "$tgz" ] || fail "npm pack made no minirun-*.tgz in $tmp"
tar -tzf "$tgz" >"$tmp/contents" || fail "cannot list $tgz"
for f in bin/minirun dist/cli/main.js dist/build-info.json native/addon.cc native/init/main.cc CMakeLists.txt \
  scripts/build-native.js scripts/check-build-tools.js; do
  grep -qx "package/$f" "$tmp/contents" || fail "the package lacks $f"
done
extra=$(grep -E '^package/(src|test|build|rootfs-fixtures|bench|node_modules|\.ci|dist/fixtures)/' "$tmp/contents" | head -n 5)
[ -z "$extra" ] || fail "the package has files it does not need: $(echo $extra)"

# 2. The install.
# (--allow-scripts: npm 11.16+ asks that a package's install script be allowed by name; this one's builds.)
npm install -g --prefix "$prefix" --allow-scripts="file:$tgz" --no-audit --no-fund "$tgz" >"$tmp/install.log" 2>&1 ||
  { show "$tmp/install.log"; fail "npm install -g --prefix $prefix $tgz failed"; }
pkg=$prefix/lib/node_modules/minirun
[ -x "$minirun" ] || fail "the install made no $minirun"
for f in build/Release/minirun.node build/Release/minirun-init; do
  [ -f "$pkg/$f" ] || fail "the install did not build $f"
done
[ ! -e "$pkg/node_modules/typescript" ] || fail "the install installed TypeScript"

# 3. --version, with the commit written at pack time.
"$minirun" --version >"$tmp/version" 2>&1 || { show "$tmp/version"; fail "minirun --version failed"; }
want="commit: $(git describe --dirty --long --always 2>/dev/null || echo unknown)"
[ "$(sed -n 2p "$tmp/version")" = "$want" ] || { show "$tmp/version"; fail "--version: want line 2 \"$want\""; }

# 4. A container, run with the installed minirun.
npm run --silent fixtures -- "$tmp/bundle" --args '["sh", "-c", "probe hostname; exit 7"]' >"$tmp/fixtures.log" 2>&1 ||
  { show "$tmp/fixtures.log"; fail "npm run fixtures failed"; }
status=0
timeout -k 5 60 "$minirun" --root "$tmp/state" run --bundle "$tmp/bundle" "$id" </dev/null >"$tmp/out" 2>"$tmp/err" || status=$?
[ "$status" = 7 ] || { show "$tmp/err"; fail "minirun run: exit status $status, want 7 (the container's)"; }
grep -qx 'hostname runc' "$tmp/out" || { show "$tmp/out"; fail "minirun run: no \"hostname runc\" from the probe in the container"; }
[ ! -s "$tmp/err" ] || { show "$tmp/err"; fail "minirun run wrote to stderr"; }

echo "install-check: $(head -n 1 "$tmp/version") from $(basename "$tgz"), installed into a temporary prefix, ran a container"
echo "install-check: 1 passed, 0 failed"
