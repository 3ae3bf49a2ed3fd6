// The syscalls newer than mount(2) and openat(2) that the init uses: the new
// mount API (open_tree, move_mount, mount_setattr; kernels 5.2 and 5.12) and
// openat2 (5.6). An older kernel, or a seccomp profile older than the call
// (minirun run inside a container), answers ENOSYS. This is the one place that
// knows: after a call's first ENOSYS it is not made again in this process and
// returns -1 with errno ENOSYS at once, so each caller decides its fallback on
// ENOSYS right where it makes the call (runc 1.1.5 uses none of these calls).
// Otherwise each is the raw syscall: a result >= 0, or -1 with errno.
#pragma once
#include <linux/openat2.h>
#include <sys/mount.h>

namespace syscalls {

int open_tree(int dirfd, const char* path, unsigned int flags);
int move_mount(int from_dirfd, const char* from_path, int to_dirfd, const char* to_path, unsigned int flags);
int mount_setattr(int dirfd, const char* path, unsigned int flags, struct mount_attr* attr);
int openat2(int dirfd, const char* path, struct open_how* how);

}  // namespace syscalls
