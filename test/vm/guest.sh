#!/bin/bash
# Runs inside the test VM, as the ExecStart of minirun-vm.service under
# systemd (see init.sh and units/): the boot's test set (CONFIG, the vitest
# config run.sh picks for the boot), with vitest's JSON report
# and exit status written to the result dir that the host reads back.
set -u
out=/tmp/minirun-vm-out
# shellcheck source=/dev/null
source "$out/args.sh" # WORKTREE, BOOT, CONFIG, SUITE_MODE, VITEST_ARGS (written by run.sh)
config=test/vm/${CONFIG:-vitest.config.mjs}
export MINIRUN_SUITE_MODE=${SUITE_MODE:-}
cd "$WORKTREE" || exit 1
echo "test:vm: tests start after $(cut -d' ' -f1 /proc/uptime) s (systemd: $(systemctl is-system-running 2>&1); cgroups: $(stat -fc %T /sys/fs/cgroup)$([ -d /sys/fs/cgroup/unified ] && echo ' + unified'))"
# What the unit's DefaultDependencies=no leaves out and the tests use.
mountpoint -q /dev/mqueue || { mkdir -p /dev/mqueue && mount -t mqueue mqueue /dev/mqueue; }
export HOME=/tmp PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin TERM=dumb MINIRUN_IN_VM=1
# The config is loaded in place (the default bundles it into node_modules).
# Through a pipe, so vitest prints plain lines rather than redrawing a terminal.
node node_modules/vitest/vitest.mjs run --config "$config" --configLoader runner \
  --reporter=default --reporter=json --outputFile="$out/report.json" "${VITEST_ARGS[@]}" 2>&1 | cat
echo "${PIPESTATUS[0]}" >"$out/status"
echo "test:vm: tests done after $(cut -d' ' -f1 /proc/uptime) s"
sync
