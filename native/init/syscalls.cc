#include "syscalls.h"

#include <errno.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace syscalls {

namespace {

enum Call { kOpenTree, kMoveMount, kMountSetattr, kOpenat2, kCalls };
bool g_missing[kCalls];

// The syscall's result, remembering ENOSYS for `c`.
int checked(Call c, long rc) {
  if (rc < 0 && errno == ENOSYS) g_missing[c] = true;
  return static_cast<int>(rc);
}

int missing() {
  errno = ENOSYS;
  return -1;
}

}  // namespace

int open_tree(int dirfd, const char* path, unsigned int flags) {
  if (g_missing[kOpenTree]) return missing();
  return checked(kOpenTree, syscall(SYS_open_tree, dirfd, path, flags));
}

int move_mount(int from_dirfd, const char* from_path, int to_dirfd, const char* to_path, unsigned int flags) {
  if (g_missing[kMoveMount]) return missing();
  return checked(kMoveMount, syscall(SYS_move_mount, from_dirfd, from_path, to_dirfd, to_path, flags));
}

int mount_setattr(int dirfd, const char* path, unsigned int flags, struct mount_attr* attr) {
  if (g_missing[kMountSetattr]) return missing();
  return checked(kMountSetattr, syscall(SYS_mount_setattr, dirfd, path, flags, attr, sizeof(*attr)));
}

int openat2(int dirfd, const char* path, struct open_how* how) {
  if (g_missing[kOpenat2]) return missing();
  return checked(kOpenat2, syscall(SYS_openat2, dirfd, path, how, sizeof(*how)));
}

}  // namespace syscalls
