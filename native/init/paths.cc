#include "paths.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vector>

#include "../common/fd.h"
#include "syscalls.h"

namespace paths {

namespace {

std::vector<std::string> components(const std::string& path) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string::npos) j = path.size();
    if (j > i) out.push_back(path.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

constexpr int kMaxLinks = 40;  // symlinks followed on one path, as the kernel's MAXSYMLINKS

// The fallback when openat2 is missing (ENOSYS): walk one component at a time with
// O_NOFOLLOW, resolving symlinks by hand against the root.
int walk_in_root(int rootfd, const std::string& path, int flags, bool no_symlinks) {
  std::vector<std::string> todo = components(path);
  std::vector<UniqueFd> stack;  // the directories walked so far; empty = root
  int links = 0;
  size_t i = 0;
  while (i < todo.size()) {
    const std::string c = todo[i];
    int dir = stack.empty() ? rootfd : stack.back().get();
    if (c == ".") {
      i++;
      continue;
    }
    if (c == "..") {
      if (!stack.empty()) stack.pop_back();
      i++;
      continue;
    }
    bool last = i + 1 == todo.size();
    int fd = openat(dir, c.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return -errno;
    UniqueFd f(fd);
    struct stat st;
    if (fstat(fd, &st) < 0) return -errno;
    if (S_ISLNK(st.st_mode)) {
      if (no_symlinks) return -ELOOP;
      if (++links > kMaxLinks) return -ELOOP;
      char buf[4096];
      ssize_t n = readlinkat(fd, "", buf, sizeof(buf) - 1);
      if (n < 0) return -errno;
      buf[n] = '\0';
      std::vector<std::string> rest = components(buf);
      if (buf[0] == '/') stack.clear();
      rest.insert(rest.end(), todo.begin() + i + 1, todo.end());
      todo = rest;
      i = 0;
      continue;
    }
    if (last) {
      int out = openat(dir, c.c_str(), flags | O_NOFOLLOW | O_CLOEXEC);
      return out < 0 ? -errno : out;
    }
    if (!S_ISDIR(st.st_mode)) return -ENOTDIR;
    stack.push_back(std::move(f));
    i++;
  }
  int dir = stack.empty() ? rootfd : stack.back().get();
  int fd = openat(dir, ".", flags | O_CLOEXEC);
  return fd < 0 ? -errno : fd;
}

}  // namespace

std::string fd_path(int fd) { return "/proc/self/fd/" + std::to_string(fd); }

void split(const std::string& path, std::string* parent, std::string* base) {
  std::string p = path;
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  size_t k = p.rfind('/');
  *parent = k == 0 ? "/" : p.substr(0, k);
  *base = p.substr(k + 1);
}

int open_in_root(int rootfd, const std::string& path, int flags, bool no_symlinks) {
  struct open_how how;
  memset(&how, 0, sizeof(how));
  how.flags = static_cast<uint64_t>(flags | O_CLOEXEC);
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | (no_symlinks ? RESOLVE_NO_SYMLINKS : 0);
  std::string rel = path;
  while (!rel.empty() && rel[0] == '/') rel.erase(0, 1);
  if (rel.empty()) rel = ".";
  int fd = syscalls::openat2(rootfd, rel.c_str(), &how);
  if (fd >= 0) return fd;
  if (errno != ENOSYS) return -errno;
  return walk_in_root(rootfd, path, flags, no_symlinks);
}

namespace {

// `name` in `dirfd` is a symlink: its target, or false when it is not one.
bool link_target(int dirfd, const std::string& name, std::string* target) {
  char buf[4096];
  ssize_t n = readlinkat(dirfd, name.c_str(), buf, sizeof(buf) - 1);
  if (n <= 0) return false;
  target->assign(buf, static_cast<size_t>(n));
  return true;
}

// Where a dangling symlink in the directory `dir_path` (a lexical path) points,
// given its `target`, followed by `rest`: a path open_in_root keeps inside the root.
std::string redirect(const std::string& dir_path, const std::string& target, const std::string& rest) {
  std::string out = target[0] == '/' ? target : dir_path + "/" + target;
  if (!rest.empty()) out += "/" + rest;
  return out;
}

int mkdir_all_at(int rootfd, const std::string& path, mode_t mode, int links) {
  std::vector<std::string> parts = components(path);
  std::string prefix;
  UniqueFd cur(open_in_root(rootfd, "/", O_PATH | O_DIRECTORY));
  if (!cur.ok()) return cur.release();
  for (size_t i = 0; i < parts.size(); i++) {
    const std::string& c = parts[i];
    std::string next = prefix + "/" + c;
    int fd = open_in_root(rootfd, next, O_PATH | O_DIRECTORY);
    if (fd == -ENOENT) {
      if (mkdirat(cur.get(), c.c_str(), mode) < 0) {
        if (errno != EEXIST) return -errno;
        // It exists but does not resolve: a dangling symlink. As runc
        // (SecureJoin, then MkdirAll), create what it points to, in the root.
        std::string target;
        if (link_target(cur.get(), c, &target)) {
          if (links >= kMaxLinks) return -ELOOP;
          std::string rest;
          for (size_t k = i + 1; k < parts.size(); k++) rest += (rest.empty() ? "" : "/") + parts[k];
          return mkdir_all_at(rootfd, redirect(prefix.empty() ? "/" : prefix, target, rest), mode, links + 1);
        }
      }
      fd = open_in_root(rootfd, next, O_PATH | O_DIRECTORY);
    }
    if (fd < 0) return fd;
    cur.reset(fd);
    prefix = next;
  }
  return cur.release();
}

int make_target_at(int rootfd, const std::string& path, bool is_dir, int links) {
  if (is_dir) return mkdir_all_at(rootfd, path, 0755, links);
  int fd = open_in_root(rootfd, path, O_PATH);
  if (fd != -ENOENT) return fd;
  std::string parent, base;
  split(path, &parent, &base);
  UniqueFd dir(mkdir_all_at(rootfd, parent, 0755, links));
  if (!dir.ok()) return dir.release();
  // dir is O_PATH; creating a file needs a real directory fd.
  UniqueFd real(openat(dir.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!real.ok()) return -errno;
  int f = openat(real.get(), base.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0755);
  if (f < 0 && errno != EEXIST) return -errno;
  if (f >= 0) close(f);
  fd = open_in_root(rootfd, path, O_PATH);
  std::string target;
  if (fd == -ENOENT && link_target(real.get(), base, &target)) {
    // the last component is a dangling symlink: the file goes where it points
    if (links >= kMaxLinks) return -ELOOP;
    return make_target_at(rootfd, redirect(parent, target, ""), false, links + 1);
  }
  return fd;
}

}  // namespace

int mkdir_all(int rootfd, const std::string& path, mode_t mode) { return mkdir_all_at(rootfd, path, mode, 0); }

int make_target(int rootfd, const std::string& path, bool is_dir) { return make_target_at(rootfd, path, is_dir, 0); }

}  // namespace paths
