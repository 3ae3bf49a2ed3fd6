#!/usr/bin/env bash
# npm run test:vm [-- --json FILE] [-- vitest args...]
# Boots Debian's 6.1 kernel under qemu (software emulation) with Debian's
# systemd as pid 1 (init.sh makes its root: the host's files over 9p under a
# tmpfs overlay), three times, two guests at a time (one vcpu each, so that
# both of a 2-core host's cores work):
#   v2-suite-systemd, v2-suite-cgroupfs: cgroup v1 disabled, a pure cgroup v2
#       host; runc's suite's cgroup files (runc-suite-v2.test.ts,
#       vitest.v2-suite.config.mjs) with one cgroup driver each, the longest
#       sets, started first;
#   v2: the same kernel arguments; the rest of the cgroup v2 set
#       (vitest.config.mjs: every test/vm/*.test.ts but the other boots');
#   v1: systemd.unified_cgroup_hierarchy=0, with which systemd 252 boots its
#       hybrid hierarchy (the v1 controllers, and cgroup2 without controllers at
#       /sys/fs/cgroup/unified, as Debian 10 and Ubuntu 18.04/20.04 boot by
#       default); the set of vitest.v1.config.mjs (test/vm/*-v1.test.ts).
# A unit there (units/) runs the boot's set with vitest, using this worktree's
# build from the host's files (shared read-only over 9p). vitest's output is the
# guest's console, streamed here, each line after its boot's name; the exit
# status is 0 when every boot passed.
# --json FILE keeps one vitest JSON report, the boots' merged (counts summed; a
# boot that gave no report counts as one failed test).
# Test files given as arguments pick the boots: only those whose set has them.
#   MINIRUN_VM_BOOTS    the boots to run, in this order (default: "v2-suite-systemd v2-suite-cgroupfs v2 v1", or as the files given pick)
#   MINIRUN_VM_PARALLEL how many guests at a time (default 2)
#   MINIRUN_VM_KERNEL   kernel image (default: the newest /boot/vmlinuz-6.1.*)
#   MINIRUN_VM_TIMEOUT  seconds before a guest that has not finished is killed (default 2400, each boot: the longest, v2-suite-systemd, takes about 15 minutes on a 2-core host)
#   MINIRUN_VM_SMP, MINIRUN_VM_CPU  qemu -smp (default 1) and -cpu (default max)
#   MINIRUN_VM_APPEND   more kernel arguments (e.g. loglevel=7)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
worktree=$(cd "$here/../.." && pwd)

json=
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --json) json=$2; shift 2 ;;
    *) args+=("$1"); shift ;;
  esac
done

fail() {
  echo "test:vm: $*" >&2
  exit 1
}

# Which boots: MINIRUN_VM_BOOTS, else those whose set has the test files named, else all three.
boots=${MINIRUN_VM_BOOTS:-}
if [ -z "$boots" ]; then
  want_v1= want_v2= want_suite=
  for a in "${args[@]}"; do
    case "$a" in
      -*) ;;
      *-v1.test.ts | *-v1) want_v1=1 ;;
      *runc-suite-v2*) want_suite=1 ;;
      *test/vm/* | *.test.ts) want_v2=1 ;;
    esac
  done
  [ -n "$want_v1$want_v2$want_suite" ] || want_v1=1 want_v2=1 want_suite=1
  boots=$(echo ${want_suite:+v2-suite-systemd v2-suite-cgroupfs} ${want_v2:+v2} ${want_v1:+v1})
fi
for b in $boots; do
  case "$b" in
    v1 | v2 | v2-suite-systemd | v2-suite-cgroupfs) ;;
    *) fail "MINIRUN_VM_BOOTS: unknown boot $b (v2-suite-systemd, v2-suite-cgroupfs, v2, v1)" ;;
  esac
done
parallel=${MINIRUN_VM_PARALLEL:-2}
[[ "$parallel" =~ ^[1-9][0-9]*$ ]] || fail "MINIRUN_VM_PARALLEL: a number of guests, got \"$parallel\""

kernel=${MINIRUN_VM_KERNEL:-$(ls /boot/vmlinuz-6.1.* 2>/dev/null | sort -V | tail -n 1)}
[ -n "$kernel" ] && [ -r "$kernel" ] || fail "no kernel: install linux-image-amd64 (Debian's 6.1) or set MINIRUN_VM_KERNEL"
kver=${kernel##*/vmlinuz-}
[ -d "/lib/modules/$kver" ] || fail "no /lib/modules/$kver for $kernel"
command -v qemu-system-x86_64 >/dev/null || fail "no qemu-system-x86_64: install qemu-system-x86"
busybox=$(command -v busybox) || fail "no busybox: install busybox-static"
[ -f "$worktree/dist/cli/main.js" ] || fail "no build in $worktree/dist: run npm run build first"

tmp=$(mktemp -d /tmp/minirun-vm.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/initramfs/bin" "$tmp/initramfs/modules" "$tmp/out"

# The initramfs: busybox, the modules that 9p over virtio-pci needs (in load
# order, as modprobe lists them), and init.sh as /init.
cp "$busybox" "$tmp/initramfs/bin/busybox"
cp "$here/init.sh" "$tmp/initramfs/init"
chmod 0755 "$tmp/initramfs/init"
: >"$tmp/initramfs/modules.list"
for mod in 9p 9pnet_virtio virtio_pci overlay; do
  modprobe -S "$kver" --show-depends "$mod" | awk '$1 == "insmod" { print $2 }'
done | awk '!seen[$0]++' | while read -r ko; do
  name=$(basename "$ko")
  case "$ko" in
    *.ko) cp "$ko" "$tmp/initramfs/modules/$name" ;;
    *.ko.xz) name=${name%.xz}; xz -dc "$ko" >"$tmp/initramfs/modules/$name" ;;
    *.ko.zst) name=${name%.zst}; zstd -qdc "$ko" >"$tmp/initramfs/modules/$name" ;;
    *) fail "cannot load module $ko" ;;
  esac
  echo "$name" >>"$tmp/initramfs/modules.list"
done
[ -s "$tmp/initramfs/modules.list" ] || fail "modprobe -S $kver found no 9p/virtio modules"
(cd "$tmp/initramfs" && find . | "$busybox" cpio -o -H newc 2>/dev/null) >"$tmp/initramfs.cpio"

# One boot: its own result dir (guest.sh, the units, args.sh with the boot's
# name, which picks the vitest config), qemu with the boot's kernel arguments;
# its report and status are left in the result dir.
boot() {
  local name=$1 cgroups=$2
  local out="$tmp/out-$name"
  mkdir -p "$out"
  cp "$here/guest.sh" "$out/guest.sh"
  cp -R "$here/units" "$out/units"
  {
    # The checkout is shared on its own and mounted here in the guest: its host
    # path may be under /tmp or /run, which the guest covers with tmpfs.
    printf 'WORKTREE=%q\n' /tmp/minirun-vm-project
    printf 'BOOT=%q\n' "$name"
    # the boot's vitest config, and the suite's mode (MINIRUN_SUITE_MODE in runc-suite-v2.test.ts)
    case "$name" in
      v2) printf 'CONFIG=vitest.config.mjs\n' ;;
      v1) printf 'CONFIG=vitest.v1.config.mjs\n' ;;
      v2-suite-*) printf 'CONFIG=vitest.v2-suite.config.mjs\nSUITE_MODE=%q\n' "${name#v2-suite-}" ;;
    esac
    printf 'VITEST_ARGS=('
    for a in "${args[@]}"; do printf '%q ' "$a"; done
    printf ')\n'
  } >"$out/args.sh"
  echo "test:vm: boot $name: $kernel (tcg, $smp cpus, $cgroups, systemd as pid 1), time limit ${limit}s"
  local start qstatus=0 qpid
  start=$(date +%s)
  # The console's CRLF line ends become plain ones, the firmware's terminal
  # escapes go, and each line gets the boot's name. timeout runs qemu in a
  # process group of its own: the trap stops it if this script is interrupted.
  timeout --kill-after=10 "$limit" qemu-system-x86_64 \
    -accel tcg,thread=multi -cpu "${MINIRUN_VM_CPU:-max}" -smp "$smp" -m 2048 \
    -nographic -no-reboot -nic none \
    -kernel "$kernel" -initrd "$tmp/initramfs.cpio" \
    -append "console=ttyS0 quiet panic=-1 $cgroups systemd.unit=minirun-vm.target systemd.show_status=false ${MINIRUN_VM_APPEND:-}" \
    -virtfs "local,path=/,mount_tag=host,security_model=none,readonly=on,multidevs=remap" \
    -virtfs "local,path=$out,mount_tag=out,security_model=none" \
    -virtfs "local,path=$worktree,mount_tag=project,security_model=none,readonly=on,multidevs=remap" \
    </dev/null > >(sed -u -e 's/\r$//' -e 's/\x1bc//g' -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' -e "s/^/[$name] /") 2>&1 &
  qpid=$!
  echo "$qpid" >"$out/qpid"
  wait "$qpid" || qstatus=$?
  rm -f "$out/qpid"
  wait # for the console filter to finish
  local elapsed=$(($(date +%s) - start))
  if [ "$qstatus" = 124 ] || [ "$qstatus" = 137 ]; then
    echo "test:vm: boot $name: the guest did not finish within ${limit}s: killed it (MINIRUN_VM_TIMEOUT sets the limit)" >&2
  elif [ "$qstatus" != 0 ]; then
    echo "test:vm: boot $name: qemu exited with status $qstatus" >&2
  elif [ ! -s "$out/status" ]; then
    echo "test:vm: boot $name: the guest ended without a test result (see its console output above)" >&2
  else
    echo "test:vm: boot $name: guest finished in ${elapsed}s, vitest exit status $(cat "$out/status")"
  fi
}

limit=${MINIRUN_VM_TIMEOUT:-2400}
# One vcpu: with -smp 2 one boot in about eight hung (both vcpus in a soft
# lockup in runc); the set takes 50-85 s with two, ~100 s with one.
smp=${MINIRUN_VM_SMP:-1}
# On exit the guests still running are stopped (each boot leaves its qemu's pid in its result dir).
stop_guests() {
  local f
  for f in "$tmp"/out-*/qpid; do [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null || true; done
}
trap 'stop_guests; wait; rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
# The boots, in the order given, at most $parallel at a time.
running=0
for b in $boots; do
  if [ "$running" -ge "$parallel" ]; then
    wait -n || true
    running=$((running - 1))
  fi
  case "$b" in
    v2 | v2-suite-*) boot "$b" "cgroup_no_v1=all systemd.unified_cgroup_hierarchy=1" & ;;
    # what users set to get cgroup v1 back; systemd 252 then boots hybrid (legacy would need
    # systemd.legacy_systemd_cgroup_controller=1 too)
    v1) boot v1 "systemd.unified_cgroup_hierarchy=0" & ;;
  esac
  running=$((running + 1))
  sleep 1 # the boots' first lines in order
done
wait

# The result: every boot passed; the reports merged into one (a boot without one counts as one failure).
status=0
reports=()
missing=0
for b in $boots; do
  s=$(cat "$tmp/out-$b/status" 2>/dev/null || true)
  [ "$s" = 0 ] || status=1
  if [ -f "$tmp/out-$b/report.json" ]; then reports+=("$tmp/out-$b/report.json"); else missing=$((missing + 1)); fi
done
if [ -n "$json" ]; then
  jq -s --argjson missing "$missing" '
    { numTotalTestSuites: (map(.numTotalTestSuites) | add // 0),
      numPassedTestSuites: (map(.numPassedTestSuites) | add // 0),
      numFailedTestSuites: ((map(.numFailedTestSuites) | add // 0) + $missing),
      numPendingTestSuites: (map(.numPendingTestSuites) | add // 0),
      numTotalTests: ((map(.numTotalTests) | add // 0) + $missing),
      numPassedTests: (map(.numPassedTests) | add // 0),
      numFailedTests: ((map(.numFailedTests) | add // 0) + $missing),
      numPendingTests: (map(.numPendingTests) | add // 0),
      numTodoTests: (map(.numTodoTests) | add // 0),
      startTime: (map(.startTime) | min),
      success: ((map(.success) | all) and $missing == 0),
      testResults: (map(.testResults) | add // []) }' "${reports[@]}" </dev/null >"$json" ||
    fail "could not merge the boots' JSON reports"
fi
echo "test:vm: boots $boots: $([ "$status" = 0 ] && echo passed || echo failed)"
exit "$status"
