#!/bin/bash
# Runs inside the test VM, chrooted into the host's files (see init.sh): the
# cgroup v2 test set, with vitest's JSON report and exit status written to the
# result dir that the host reads back.
set -u
out=/tmp/minirun-vm-out
# shellcheck source=/dev/null
source "$out/args.sh" # WORKTREE, VITEST_ARGS (written by run.sh)
cd "$WORKTREE" || exit 1
export HOME=/tmp PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin TERM=dumb MINIRUN_IN_VM=1
# The config is loaded in place (the default bundles it into node_modules).
# Through a pipe, so vitest prints plain lines rather than redrawing a terminal.
node node_modules/vitest/vitest.mjs run --config test/vm/vitest.config.mjs --configLoader runner \
  --reporter=default --reporter=json --outputFile="$out/report.json" "${VITEST_ARGS[@]}" 2>&1 | cat
echo "${PIPESTATUS[0]}" >"$out/status"
