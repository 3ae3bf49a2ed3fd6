#!/usr/bin/env bash
# runc 1.1.5's own integration suite run by an ordinary user, as runc's
# tests/rootless.sh runs it: a user of this script's own (useradd; removed
# after, with anything it still runs), /etc/subuid and /etc/subgid ranges as
# rootless.sh sets them (both files put back byte for byte after), and each
# file run as that user with ROOTLESS_FEATURES "idmap" (newuidmap/newgidmap,
# several ranges) and "" (the caller alone). rootless.sh's "cgroup" feature is
# left out: it chowns cgroups of the host to the user. Runc is the control,
# then minirun; compared as run.sh compares the root passes (compare.js: a test
# that passes with runc must pass with minirun, unless expected-failures.tsv
# lists it, or expected-failures-rootless.tsv).
#   bash test/runc-suite/rootless.sh [FILE.bats...]     (default: every file)
set -uo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD
src=$(bash test/runc-suite/prepare.sh) || { echo "runc-suite rootless: preparing the suite failed"; exit 1; }
integration="$src/tests/integration"
out=${RUNC_SUITE_OUT:-$repo/build/runc-suite/results-rootless}
rm -rf "$out"
mkdir -p "$out"
control=${RUNC_SUITE_CONTROL:-$(command -v runc)}
files=("$@")
[ ${#files[@]} -gt 0 ] || mapfile -t files < <(cd "$integration" && ls -- *.bats)

user="mrsuite$$"
backup=$(mktemp -d)
cp -a /etc/subuid /etc/subgid "$backup/"
aux=""
finish() {
  if id -u "$user" >/dev/null 2>&1; then
    uid=$(id -u "$user")
    # its processes go first, and are waited for: userdel refuses a user with processes
    for _ in $(seq 100); do
      left=0
      for p in /proc/[0-9]*; do
        [ "$(stat -c %u "$p" 2>/dev/null)" = "$uid" ] && { left=1; kill -9 "${p#/proc/}" 2>/dev/null; }
      done
      [ $left = 0 ] && break
      sleep 0.05
    done
    userdel "$user" || echo "runc-suite rootless: could not remove the user $user"
  fi
  cp -a "$backup/subuid" "$backup/subgid" /etc/
  rm -rf "$backup"
  [ -n "$aux" ] && rm -rf "$aux"
}
trap finish EXIT
useradd -M -s /bin/sh "$user" || exit 1
# rootless.sh's ranges (replacing any useradd gave the user)
export ROOTLESS_UIDMAP_START=100000 ROOTLESS_UIDMAP_LENGTH=65536
export ROOTLESS_GIDMAP_START=200000 ROOTLESS_GIDMAP_LENGTH=65536
{ grep -v "^$user:" "$backup/subuid"; echo "$user:$ROOTLESS_UIDMAP_START:$ROOTLESS_UIDMAP_LENGTH"; } >/etc/subuid
{ grep -v "^$user:" "$backup/subgid"; echo "$user:$ROOTLESS_GIDMAP_START:$ROOTLESS_GIDMAP_LENGTH"; } >/etc/subgid
# rootless.sh's directory for cwd.bats, owned by the container's uid 1024 (mapped from 1000 at the range's start)
export AUX_UID=1024
aux=$(mktemp -d)
chmod 755 "$aux"
chown "$((ROOTLESS_UIDMAP_START - 1000 + AUX_UID))" "$aux"
export AUX_DIR=$aux

# the root runs' exceptions (runc's own wording...) apply here too, with the rootless ones
expected="$out/expected-failures.tsv"
cat "$repo/test/runc-suite/expected-failures.tsv" "$repo/test/runc-suite/expected-failures-rootless.tsv" >"$expected"

# bats_file RUNTIME FEATURES FILE TAP [FILTER]: the file's tests (those FILTER matches) as the
# user, under a pty, with a time limit, in a TMPDIR of their own.
bats_file() {
  local runtime=$1 features=$2 f=$3 tap=$4 filter=${5:-} tmp
  tmp=$(mktemp -d "/tmp/runc-suite.XXXXXX")
  chmod 755 "$tmp"
  chown "$user" "$tmp"
  printf '%s' "$filter" >"$tmp/.filter"
  runuser -u "$user" -- env HOME="$tmp" TMPDIR="$tmp" XDG_RUNTIME_DIR= PATH="$PATH" RUNC="$runtime" \
    ROOTLESS_FEATURES="$features" ROOTLESS_UIDMAP_START="$ROOTLESS_UIDMAP_START" \
    ROOTLESS_UIDMAP_LENGTH="$ROOTLESS_UIDMAP_LENGTH" ROOTLESS_GIDMAP_START="$ROOTLESS_GIDMAP_START" \
    ROOTLESS_GIDMAP_LENGTH="$ROOTLESS_GIDMAP_LENGTH" AUX_UID="$AUX_UID" AUX_DIR="$AUX_DIR" \
    script -e -q -c "timeout 900 bats -t ${filter:+--filter \"\$(cat '$tmp/.filter')\"} '$integration/$f'" \
    /dev/null </dev/null >"$tap" 2>&1
  rm -rf "$tmp"
}

# One pass: every file; in runc's, the tests runc failed run once more (compare.js --retry-filter).
pass() {
  local name=$1 runtime=$2 features=$3 f filter
  mkdir -p "$out/$name"
  for f in "${files[@]}"; do
    f=$(basename "$f")
    bats_file "$runtime" "$features" "$f" "$out/$name/$f.tap"
    [ "$name" = runc ] || continue
    filter=$(node "$repo/test/runc-suite/compare.js" --retry-filter "$out/$name/$f.tap" "$expected" "$f")
    [ -z "$filter" ] || bats_file "$runtime" "$features" "$f" "$out/$name/$f.retry.tap" "$filter"
  done
}
start=$SECONDS
status=0
for features in idmap ""; do
  sub="$out/${features:-none}"
  mkdir -p "$sub"
  out_save=$out
  out=$sub
  pass runc "$control" "$features"
  pass minirun "$repo/bin/minirun" "$features"
  out=$out_save
  echo "runc-suite rootless (features: ${features:-none}):"
  node "$repo/test/runc-suite/compare.js" "$sub" "$expected" "${files[@]}" || status=1
done
echo "runc-suite rootless: the passes took $((SECONDS - start)) s; TAP output in $out"
exit $status
