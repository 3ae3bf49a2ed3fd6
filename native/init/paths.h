// Paths inside the container's rootfs, always resolved relative to a rootfs
// fd with symlinks and ".." kept inside it (openat2 RESOLVE_IN_ROOT, or a
// component-by-component walk where openat2 is missing). Nothing here joins a
// container path onto the rootfs path as a string.
#pragma once
#include <sys/types.h>

#include <string>

namespace paths {

// Opens `path` (absolute inside the container) under rootfd. `no_symlinks`
// refuses any symlink on the way. Returns an fd or -errno.
int open_in_root(int rootfd, const std::string& path, int flags, bool no_symlinks = false);

// Creates the missing directories of `path` under rootfd. Returns an O_PATH
// fd of the final directory or -errno.
int mkdir_all(int rootfd, const std::string& path, mode_t mode);

// Makes sure `path` exists as a directory (is_dir) or a file, creating the
// missing parts. Returns an O_PATH fd of it or -errno.
int make_target(int rootfd, const std::string& path, bool is_dir);

// Splits "/a/b/c" into its parent "/a/b" and last component "c".
void split(const std::string& path, std::string* parent, std::string* base);

// "/proc/self/fd/N" for mounting onto / from an fd.
std::string fd_path(int fd);

}  // namespace paths
