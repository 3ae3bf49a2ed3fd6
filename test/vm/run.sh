#!/usr/bin/env bash
# npm run test:vm [-- --json FILE] [-- vitest args...]
# Boots Debian's 6.1 kernel under qemu (software emulation) with cgroup v1
# disabled, and Debian's systemd as pid 1 (init.sh makes its root: the host's
# files over 9p under a tmpfs overlay), so the guest is a pure cgroup v2 host
# run by systemd; a unit there (units/) runs the test/vm set with vitest,
# using this worktree's build from the host's files (shared read-only over 9p). vitest's output is the guest's console, streamed here;
# the exit status is vitest's. --json FILE keeps vitest's JSON report.
#   MINIRUN_VM_KERNEL   kernel image (default: the newest /boot/vmlinuz-6.1.*)
#   MINIRUN_VM_TIMEOUT  seconds before a guest that has not finished is killed (default 1200)
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

# What the guest runs, and with which arguments.
cp "$here/guest.sh" "$tmp/out/guest.sh"
cp -R "$here/units" "$tmp/out/units"
{
  # The checkout is shared on its own and mounted here in the guest: its host
  # path may be under /tmp or /run, which the guest covers with tmpfs.
  printf 'WORKTREE=%q\n' /tmp/minirun-vm-project
  printf 'VITEST_ARGS=('
  for a in "${args[@]}"; do printf '%q ' "$a"; done
  printf ')\n'
} >"$tmp/out/args.sh"

limit=${MINIRUN_VM_TIMEOUT:-1200}
# One vcpu: with -smp 2 one boot in about eight hung (both vcpus in a soft
# lockup in runc); the set takes 50-85 s with two, ~100 s with one.
smp=${MINIRUN_VM_SMP:-1}
echo "test:vm: booting $kernel (tcg, $smp cpus, cgroup_no_v1=all, systemd as pid 1), time limit ${limit}s"
start=$(date +%s)
# The console's CRLF line ends become plain ones, and the firmware's terminal
# escapes go. timeout runs qemu in a process group of its own: the trap stops
# it if this script is interrupted.
timeout --kill-after=10 "$limit" qemu-system-x86_64 \
  -accel tcg,thread=multi -cpu "${MINIRUN_VM_CPU:-max}" -smp "$smp" -m 2048 \
  -nographic -no-reboot -nic none \
  -kernel "$kernel" -initrd "$tmp/initramfs.cpio" \
  -append "console=ttyS0 quiet panic=-1 cgroup_no_v1=all systemd.unified_cgroup_hierarchy=1 systemd.unit=minirun-vm.target systemd.show_status=false ${MINIRUN_VM_APPEND:-}" \
  -virtfs "local,path=/,mount_tag=host,security_model=none,readonly=on,multidevs=remap" \
  -virtfs "local,path=$tmp/out,mount_tag=out,security_model=none" \
  -virtfs "local,path=$worktree,mount_tag=project,security_model=none,readonly=on,multidevs=remap" \
  </dev/null > >(sed -u -e 's/\r$//' -e 's/\x1bc//g' -e 's/\x1b\[[0-9;?]*[A-Za-z]//g') 2>&1 &
qpid=$!
trap 'kill "$qpid" 2>/dev/null || true; rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
qstatus=0
wait "$qpid" || qstatus=$?
wait # for the console filter to finish
elapsed=$(($(date +%s) - start))

if [ "$qstatus" = 124 ] || [ "$qstatus" = 137 ]; then
  fail "the guest did not finish within ${limit}s: killed it (MINIRUN_VM_TIMEOUT sets the limit)"
fi
[ "$qstatus" = 0 ] || fail "qemu exited with status $qstatus"
[ -s "$tmp/out/status" ] || fail "the guest ended without a test result (see its console output above)"
status=$(cat "$tmp/out/status")
if [ -n "$json" ]; then
  [ -f "$tmp/out/report.json" ] || fail "vitest wrote no JSON report"
  cp "$tmp/out/report.json" "$json"
fi
echo "test:vm: guest finished in ${elapsed}s, vitest exit status $status"
exit "$status"
