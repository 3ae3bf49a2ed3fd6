#!/bin/busybox sh
# /init of the test VM's initramfs (made by test/vm/run.sh). Makes the root
# that Debian's systemd then boots as pid 1, on a pure cgroup v2 host:
#   the host's / over 9p (read-only) as the lower layer of an overlayfs whose
#   upper layer is a tmpfs, so the guest may write anywhere and the host's
#   files stay as they are; in that upper layer /.dockerenv goes (systemd would
#   think it runs in a container and ignore the kernel command line), and the
#   guest gets a machine-id, the test target and unit (units/ in the result dir,
#   written by run.sh), and a system.conf drop-in;
#   a tmpfs on /tmp, with the result dir (read-write) and the checkout
#   (read-only) mounted in it over 9p;
# then it moves /proc, /sys and /dev into the new root and switch_roots to
# /lib/systemd/systemd (systemd.unit=minirun-vm.target on the command line).
# The unit runs guest.sh and powers off; on any failure here, the guest powers off.
export PATH=/bin
busybox mkdir -p /proc /sys /dev /lower /rw /newroot
busybox mount -t proc proc /proc
busybox mount -t sysfs sysfs /sys
busybox mount -t devtmpfs devtmpfs /dev
echo "test:vm: kernel up after $(busybox cut -d' ' -f1 /proc/uptime) s"

die() {
  echo "test:vm: guest: $*"
  busybox sync
  busybox poweroff -f
  echo o >/proc/sysrq-trigger
}

for m in $(busybox cat /modules.list); do
  busybox insmod "/modules/$m" || die "insmod $m failed"
done

opts=trans=virtio,version=9p2000.L,msize=262144
busybox mount -t 9p -o "$opts,ro,cache=loose" host /lower || die "mounting the host's / over 9p failed"
busybox mount -t tmpfs -o mode=0755 tmpfs /rw || die "mount the upper layer's tmpfs"
busybox mkdir -p /rw/upper /rw/work
busybox mount -t overlay -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work overlay /newroot ||
  die "mount the overlay"
n=/newroot
busybox rm -f $n/.dockerenv $n/run/.containerenv
busybox mount -t tmpfs -o mode=1777 tmpfs $n/tmp || die "mount /tmp"
busybox mkdir -p $n/tmp/minirun-vm-out $n/tmp/minirun-vm-project
busybox mount -t 9p -o "$opts" out $n/tmp/minirun-vm-out || die "mounting the result dir over 9p failed"
busybox mount -t 9p -o "$opts,ro,cache=loose" project $n/tmp/minirun-vm-project ||
  die "mounting the checkout over 9p failed"

# The guest's own machine-id (systemd wants one; the host's is not the guest's).
busybox cat /proc/sys/kernel/random/uuid | busybox tr -d '-' >$n/etc/machine-id
busybox mkdir -p $n/etc/systemd/system $n/etc/systemd/system.conf.d
busybox cp -R $n/tmp/minirun-vm-out/units/. $n/etc/systemd/system/ || die "copy the test units"
busybox mv $n/etc/systemd/system/system.conf $n/etc/systemd/system.conf.d/minirun-vm.conf || die "place system.conf"

echo "test:vm: root ready after $(busybox cut -d' ' -f1 /proc/uptime) s"
busybox mount --move /proc $n/proc || die "move /proc"
busybox mount --move /sys $n/sys || die "move /sys"
busybox mount --move /dev $n/dev || die "move /dev"
exec busybox switch_root $n /lib/systemd/systemd
