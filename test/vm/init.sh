#!/bin/busybox sh
# /init of the test VM's initramfs (made by test/vm/run.sh): loads the 9p and
# virtio modules, mounts the host's / and the checkout (read-only) and the
# host's result dir (read-write) over 9p, mounts what a pure cgroup v2 host has, makes the host's
# files the root and runs test/vm/guest.sh there, and always powers off.
export PATH=/bin
busybox mkdir -p /proc /sys /dev /host
busybox mount -t proc proc /proc
busybox mount -t devtmpfs devtmpfs /dev
echo "test:vm: kernel up after $(busybox cut -d' ' -f1 /proc/uptime) s"

off() {
  busybox sync
  busybox poweroff -f
  echo o > /proc/sysrq-trigger
}
die() {
  echo "test:vm: guest: $*"
  off
}

for m in $(busybox cat /modules.list); do
  busybox insmod "/modules/$m" || die "insmod $m failed"
done

opts=trans=virtio,version=9p2000.L,msize=262144
busybox mount -t 9p -o "$opts,ro,cache=loose" host /host || die "mounting the host's / over 9p failed"
h=/host
busybox mount -t proc proc $h/proc || die "mount proc"
busybox mount -t sysfs sysfs $h/sys || die "mount sysfs"
busybox mount -t devtmpfs devtmpfs $h/dev || die "mount devtmpfs"
busybox mkdir -p $h/dev/pts $h/dev/shm $h/dev/mqueue
busybox mount -t devpts -o newinstance,ptmxmode=0666 devpts $h/dev/pts || die "mount devpts"
busybox mount -t tmpfs tmpfs $h/dev/shm || die "mount /dev/shm"
busybox mount -t mqueue mqueue $h/dev/mqueue || die "mount mqueue"
busybox mount -t tmpfs -o mode=1777 tmpfs $h/tmp || die "mount /tmp"
busybox mount -t tmpfs -o mode=0755 tmpfs $h/run || die "mount /run"
busybox mount -t cgroup2 cgroup2 $h/sys/fs/cgroup || die "mount cgroup2"
busybox mkdir -p $h/tmp/minirun-vm-out
busybox mount -t 9p -o "$opts" out $h/tmp/minirun-vm-out || die "mounting the result dir over 9p failed"
busybox mkdir -p $h/tmp/minirun-vm-project
busybox mount -t 9p -o "$opts,ro,cache=loose" project $h/tmp/minirun-vm-project || die "mounting the checkout over 9p failed"

echo "test:vm: guest ready after $(busybox cut -d' ' -f1 /proc/uptime) s"
# The host's files become the root mount (as switch_root does), not just a
# chroot: a process that joins a container's mount namespace (exec, setns)
# starts at that namespace's root mount, which must be the container's root.
cd $h || die "cd $h"
busybox mount --move . / || die "moving the host's / to /"
busybox chroot . /bin/bash /tmp/minirun-vm-out/guest.sh
echo "test:vm: guest done after $(busybox cut -d' ' -f1 /proc/uptime) s"
busybox chroot . /bin/umount /tmp/minirun-vm-project /tmp/minirun-vm-out
off
