#!/usr/bin/env bash
# Runs runc 1.1.5's own integration suite (tests/integration/*.bats, prepared
# by prepare.sh) twice in one go: with Debian's runc as the control, then with
# RUNC pointing at minirun. Every test that passes with runc must pass with
# minirun, except those in expected-failures.tsv, each of which must still fail
# and for the reason written there. Prints one "runc-suite: N passed, N failed"
# line; exits non-zero on any unexpected result.
#   bash test/runc-suite/run.sh [FILE.bats...]     (default: every file)
set -uo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD
src=$(bash test/runc-suite/prepare.sh) || { echo "runc-suite: preparing the suite failed"; exit 1; }
integration="$src/tests/integration"
out=${RUNC_SUITE_OUT:-$repo/build/runc-suite/results}
rm -rf "$out"
mkdir -p "$out"
control=${RUNC_SUITE_CONTROL:-$(command -v runc)}
files=("$@")
[ ${#files[@]} -gt 0 ] || mapfile -t files < <(cd "$integration" && ls -- *.bats)

expected=$repo/test/runc-suite/expected-failures.tsv

# bats_file RUNTIME FILE TAP [FILTER]: the file's tests (those FILTER matches) under a pty (the tty
# tests need one), with a time limit, in a TMPDIR of their own.
bats_file() {
  local runtime=$1 f=$2 tap=$3 filter=${4:-} tmp
  tmp=$(mktemp -d "/tmp/runc-suite.XXXXXX")
  chmod 755 "$tmp"  # userns tests need the bundle reachable by mapped ids
  printf '%s' "$filter" >"$tmp/.filter"
  # A hanging file is stopped after 15 minutes. (Not BATS_TEST_TIMEOUT: bats 1.8's watchdog is a
  # child of the test shell, and tests that `wait` for their own children then wait for it too.)
  TMPDIR=$tmp RUNC=$runtime script -e -q -c \
    "timeout 900 bats -t ${filter:+--filter \"\$(cat '$tmp/.filter')\"} '$integration/$f'" /dev/null \
    </dev/null >"$tap" 2>&1
  rm -rf "$tmp"
}

# One pass: every file; in runc's, the tests runc failed run once more (compare.js --retry-filter).
pass() {
  local name=$1 runtime=$2 f filter
  mkdir -p "$out/$name"
  for f in "${files[@]}"; do
    f=$(basename "$f")
    bats_file "$runtime" "$f" "$out/$name/$f.tap"
    [ "$name" = runc ] || continue
    filter=$(node "$repo/test/runc-suite/compare.js" --retry-filter "$out/$name/$f.tap" "$expected" "$f")
    [ -z "$filter" ] || bats_file "$runtime" "$f" "$out/$name/$f.retry.tap" "$filter"
  done
}
start=$SECONDS
pass runc "$control"
pass minirun "$repo/bin/minirun"
# The suite's own parent cgroup (and its pods): its teardown leaves them in hierarchies it does not
# list (unified on a hybrid host); only empty ones are removed (rmdir refuses any other).
for d in /sys/fs/cgroup/*/runc-cgroups-integration-test; do
  [ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null
done
node "$repo/test/runc-suite/compare.js" "$out" "$expected" "${files[@]}"
status=$?
echo "runc-suite: both passes took $((SECONDS - start)) s; TAP output in $out"
exit $status
