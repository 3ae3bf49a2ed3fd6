#include "mounts.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "../common/fd.h"
#include "paths.h"
#include "report.h"
#include "syscalls.h"

#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#endif
#ifndef OPEN_TREE_CLOEXEC
#define OPEN_TREE_CLOEXEC O_CLOEXEC
#endif
#ifndef MOVE_MOUNT_F_EMPTY_PATH
#define MOVE_MOUNT_F_EMPTY_PATH 0x00000004
#endif
#ifndef MOVE_MOUNT_T_EMPTY_PATH
#define MOVE_MOUNT_T_EMPTY_PATH 0x00000040
#endif

namespace mounts {

namespace {

constexpr unsigned long kPropagation = MS_SHARED | MS_SLAVE | MS_PRIVATE | MS_UNBINDABLE;

// "mounts[3] /data" or "/sys/fs/cgroup/cpu" for mounts minirun adds.
std::string what(const PlanMount& m) {
  if (m.rec.index == proto::kNoIndex) return m.destination;
  return "mounts[" + std::to_string(m.rec.index) + "] " + m.destination;
}

bool is_dev(const std::string& dest) { return dest == "/dev" || dest == "/dev/"; }

bool is_tmpfs(const PlanMount& m) { return m.rec.kind == proto::kMountTmpfs || m.rec.kind == proto::kMountTmpfsCopyUp; }

// tmpcopyup: copies the tree under `from` (the mount point's old directory,
// still reachable through this fd after the tmpfs covers it) into `to`,
// keeping modes and owners (not times, as runc); symlinks are copied, never followed.
// The tree is the container's: walked with a stack of its own (no recursion),
// at most kCopyDepth directories deep, with one copy buffer on the heap.
// Returns 0 or an errno, with the entry that failed in *where.
constexpr size_t kCopyDepth = 128;

// One directory being copied: its entries read from `d`, made in `to`.
struct CopyLevel {
  DIR* d;
  int from;  // owned by d
  UniqueFd to;
  std::string path;  // from the top, for errors
  std::string name;  // in the level above, whose owner and mode are set once it is full
  struct stat st;
};

int set_owner_mode(int to, const char* n, const struct stat& st) {
  if (fchownat(to, n, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0) return errno;
  if (!S_ISLNK(st.st_mode) && fchmodat(to, n, st.st_mode & 07777, 0) < 0) return errno;
  return 0;
}

int copy_entry(int from, int to, const char* n, const struct stat& st, std::vector<char>* buf) {
  if (S_ISREG(st.st_mode)) {
    UniqueFd a(openat(from, n, O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    UniqueFd b(openat(to, n, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!a.ok() || !b.ok()) return errno;
    ssize_t k;
    while ((k = read(a.get(), buf->data(), buf->size())) > 0) {
      for (ssize_t off = 0; off < k;) {
        ssize_t w = write(b.get(), buf->data() + off, k - off);
        if (w < 0) return errno;
        off += w;
      }
    }
    if (k < 0) return errno;
  } else if (S_ISLNK(st.st_mode)) {
    char target[4096];
    ssize_t k = readlinkat(from, n, target, sizeof target - 1);
    if (k < 0) return errno;
    target[k] = '\0';
    if (symlinkat(target, to, n) < 0) return errno;
  } else if (mknodat(to, n, st.st_mode, st.st_rdev) < 0) {
    return errno;
  }
  return set_owner_mode(to, n, st);
}

// Opens `from` for reading as a new level; 0 or an errno.
int open_level(int from, CopyLevel level, std::vector<CopyLevel>* stack) {
  UniqueFd scan(dup(from));
  if (!scan.ok()) return errno;
  level.d = fdopendir(scan.get());
  if (!level.d) return errno;
  level.from = scan.release();
  stack->push_back(std::move(level));
  return 0;
}

int copy_tree(int from, int to, std::string* where) {
  std::vector<char> buf(65536);
  std::vector<CopyLevel> stack;
  stack.reserve(kCopyDepth);
  UniqueFd top(dup(to));
  if (!top.ok()) return errno;
  int err = open_level(from, CopyLevel{nullptr, -1, std::move(top), "", "", {}}, &stack);
  while (err == 0 && !stack.empty()) {
    CopyLevel& level = stack.back();
    struct dirent* e = readdir(level.d);
    if (!e) {
      // full: the directory gets its owner and mode in the level above
      CopyLevel done = std::move(level);
      closedir(done.d);
      stack.pop_back();
      *where = done.path.substr(0, done.path.size() - 1);
      if (!stack.empty()) err = set_owner_mode(stack.back().to.get(), done.name.c_str(), done.st);
      continue;
    }
    const char* n = e->d_name;
    if (!strcmp(n, ".") || !strcmp(n, "..")) continue;
    *where = level.path + n;
    struct stat st;
    if (fstatat(level.from, n, &st, AT_SYMLINK_NOFOLLOW) < 0) {
      err = errno;
      break;
    }
    if (!S_ISDIR(st.st_mode)) {
      err = copy_entry(level.from, level.to.get(), n, st, &buf);
      continue;
    }
    if (stack.size() >= kCopyDepth) {
      err = ELOOP;
      *where += " (more than " + std::to_string(kCopyDepth) + " directories deep)";
      break;
    }
    if (mkdirat(level.to.get(), n, 0700) < 0) {
      err = errno;
      break;
    }
    UniqueFd a(openat(level.from, n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    UniqueFd b(openat(level.to.get(), n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!a.ok() || !b.ok()) {
      err = errno;
      break;
    }
    // `level` is not used after the push (which may move it)
    err = open_level(a.get(), CopyLevel{nullptr, -1, std::move(b), *where + "/", n, st}, &stack);
  }
  for (CopyLevel& level : stack) closedir(level.d);
  return err;
}

// tmpfs and /dev get files made in them after they are mounted: read-only
// and the recursive attributes wait for finalize().
bool delayed(const PlanMount& m) { return is_tmpfs(m) || is_dev(m.destination); }

// Finds the mount point that holds `path` (longest prefix in mountinfo),
// and whether that mount is shared (a "shared:N" optional field).
std::string mountpoint_of(const std::string& path, bool* shared) {
  *shared = false;
  FILE* f = fopen("/proc/self/mountinfo", "re");
  if (!f) return "/";
  std::string best = "/";
  char* line = nullptr;
  size_t cap = 0;
  while (getline(&line, &cap, f) > 0) {
    char mp[4096];
    if (sscanf(line, "%*s %*s %*s %*s %4095s", mp) != 1) continue;
    std::string m = mp;
    bool under = m == "/" || path == m || (path.compare(0, m.size(), m) == 0 && path[m.size()] == '/');
    if (!under || m.size() < best.size()) continue;
    best = m;
    // the optional fields sit between the mount options and " - "
    std::string l = line;
    size_t dash = l.find(" - ");
    *shared = l.find(" shared:") < dash;
  }
  free(line);
  fclose(f);
  return best;
}

void propagate(const PlanMount& m, const std::string& target) {
  for (uint64_t flag : m.rec.propagation) {
    if (flag == 0) continue;
    if (mount("", target.c_str(), nullptr, flag, nullptr) < 0)
      report::fail("mount", errno, "%s: set propagation", what(m).c_str());
  }
}

// Reopens the destination so that a remount reaches the mount just made.
UniqueFd reopen(int rootfd, const PlanMount& m) {
  int fd = paths::open_in_root(rootfd, m.destination, O_PATH);
  if (fd < 0) report::fail("mount", -fd, "%s: reopen after mount", what(m).c_str());
  return UniqueFd(fd);
}

// Recursive mount attributes (rro, rnosuid, ...) on the mount at `fd` and
// everything mounted below it. mount(2) has no way to reach what is mounted
// below, so without mount_setattr they fail (runc 1.1.5 has none of them).
void set_rec_attr(const PlanMount& m, int fd) {
  if (!m.has_attr) return;
  struct mount_attr attr = {};
  attr.attr_set = m.attr.attr_set;
  attr.attr_clr = m.attr.attr_clr;
  if (syscalls::mount_setattr(fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr) == 0) return;
  if (errno == ENOSYS) report::fail("mount", errno, "%s: recursive mount options need mount_setattr", what(m).c_str());
  report::fail("mount", errno, "%s: set recursive attributes (mount_setattr set 0x%llx clear 0x%llx)", what(m).c_str(),
               static_cast<unsigned long long>(m.attr.attr_set), static_cast<unsigned long long>(m.attr.attr_clr));
}

// The plan refuses a mount on / by name (not supported yet: runc takes it as a
// new root, and minirun keeps mounting under the rootfs fd it opened). This
// refuses the same mount reached through a symlink: a target that is the
// rootfs itself, the same directory on the same mount.
void refuse_root_target(int rootfd, int target, const PlanMount& m) {
  struct statx a, b;
  if (statx(rootfd, "", AT_EMPTY_PATH, STATX_INO | STATX_MNT_ID, &a) < 0 ||
      statx(target, "", AT_EMPTY_PATH, STATX_INO | STATX_MNT_ID, &b) < 0)
    report::fail("mount", errno, "%s: statx of the mount point", what(m).c_str());
  if (a.stx_dev_major == b.stx_dev_major && a.stx_dev_minor == b.stx_dev_minor && a.stx_ino == b.stx_ino &&
      a.stx_mnt_id == b.stx_mnt_id)
    report::fail("mount", EINVAL, "%s: the destination resolves to /: a mount on / is not supported yet",
                 what(m).c_str());
}

// The root of a procfs (PROC_ROOT_INO is 1).
bool is_proc_root(int fd) {
  struct statfs sfs;
  struct stat st;
  return fstatfs(fd, &sfs) == 0 && sfs.f_type == PROC_SUPER_MAGIC && fstat(fd, &st) == 0 && st.st_ino == 1;
}

void mount_bind(int rootfd, const PlanMount& m) {
  struct stat st;
  if (m.tree_fd >= 0 ? fstat(m.tree_fd, &st) < 0 : stat(m.source.c_str(), &st) < 0)
    report::fail("mount", errno, "%s: bind source %s", what(m).c_str(), m.source.c_str());
  UniqueFd target(paths::make_target(rootfd, m.destination, S_ISDIR(st.st_mode)));
  if (!target.ok()) report::fail("mount", -target.get(), "%s: create mount point", what(m).c_str());
  refuse_root_target(rootfd, target.get(), m);
  // The plan only lets a bind cover the files in /proc that runc allows, by
  // their names; a destination that reaches /proc through a symlink is refused
  // here (runc CVE-2019-16884: a bind over /proc/self/attr/exec).
  struct statfs sfs;
  bool named_in_proc = m.destination == "/proc" || m.destination.compare(0, 6, "/proc/") == 0;
  if (!named_in_proc && fstatfs(target.get(), &sfs) == 0 && sfs.f_type == PROC_SUPER_MAGIC)
    report::fail("mount", EPERM, "%s: the destination resolves into /proc, where nothing may be mounted",
                 what(m).c_str());
  unsigned long rec = m.rec.flags & MS_REC;
  bool attached = false;
  if (m.tree_fd >= 0) {
    // The clone made before the namespaces (idmap::prepare, clone_bind_sources).
    UniqueFd tree(m.tree_fd);
    attached =
        syscalls::move_mount(tree.get(), "", target.get(), "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) == 0;
    if (!attached && errno == ENOSYS && m.idmap)
      report::fail("mount", errno, "%s: id-mapped mounts need move_mount", what(m).c_str());
    if (!attached && errno != ENOSYS)
      report::fail("mount", errno, "%s: attach the bind of %s", what(m).c_str(), m.source.c_str());
    // Without move_mount, a clone_bind_sources clone is bound the old way, below.
  }
  if (!attached && mount(m.source.c_str(), paths::fd_path(target.get()).c_str(), "bind", MS_BIND | rec, nullptr) < 0)
    report::fail("mount", errno, "%s: bind %s", what(m).c_str(), m.source.c_str());
  UniqueFd now = reopen(rootfd, m);
  std::string t = paths::fd_path(now.get());
  propagate(m, t);
  unsigned long extra = m.rec.flags & ~(MS_REC | MS_REMOUNT | MS_BIND | kPropagation);
  if (extra != 0 && mount(m.source.c_str(), t.c_str(), "bind", extra | MS_BIND | MS_REMOUNT | rec, nullptr) < 0)
    report::fail("mount", errno, "%s: remount bind with its options", what(m).c_str());
  if (!is_dev(m.destination)) set_rec_attr(m, now.get());
}

// runc's mountCgroupV2 fallback (kTagMountFallback): the kernel refused to
// mount cgroup2 (EPERM: a user namespace without a cgroup namespace of its
// own; EBUSY: /sys/fs/cgroup is already a cgroup2 mount, from an rbind of
// /sys): a bind of the fallback source with the mount's flags instead, not
// recursive; with rootless cgroups, a source that does not exist masks the
// mount point with a read-only tmpfs (runc's maskPath of a directory).
void cgroup2_fallback(int rootfd, int target, const PlanMount& m) {
  struct stat st;
  if (stat(m.fallback_source.c_str(), &st) < 0 && errno == ENOENT && (m.fallback_flags & proto::kFallbackMaskMissing)) {
    if (mount("tmpfs", paths::fd_path(target).c_str(), "tmpfs", MS_RDONLY, nullptr) < 0)
      report::fail("mount", errno, "%s: mask (no cgroup %s)", what(m).c_str(), m.fallback_source.c_str());
    return;
  }
  PlanMount b;
  b.rec = m.rec;
  b.rec.kind = proto::kMountBind;
  b.rec.flags = (m.rec.flags & ~MS_REC) | MS_BIND;
  b.source = m.fallback_source;
  b.destination = m.destination;
  b.fstype = "bind";
  b.has_attr = m.has_attr;
  b.attr = m.attr;
  mount_bind(rootfd, b);
}

void mount_fs(int rootfd, const PlanMount& m) {
  UniqueFd target;
  bool had_dir = false;
  mode_t old_mode = 0;
  if (m.rec.kind == proto::kMountProc || m.rec.kind == proto::kMountSysfs) {
    // Never mount proc or sysfs through a symlink (runc CVE-2019-19921 class).
    int fd = paths::open_in_root(rootfd, m.destination, O_PATH, true);
    if (fd >= 0) {
      struct stat st;
      if (fstat(fd, &st) < 0 || !S_ISDIR(st.st_mode)) {
        close(fd);
        report::fail("mount", ENOTDIR, "%s: %s must be mounted on ordinary directory", what(m).c_str(),
                     m.fstype.c_str());
      }
      target.reset(fd);
    } else if (fd == -ELOOP || fd == -ENOTDIR) {
      report::fail("mount", -fd, "%s: %s must be mounted on ordinary directory, not a symlink", what(m).c_str(),
                   m.fstype.c_str());
    }
  }
  UniqueFd old_dir;
  if (!target.ok()) {
    if (m.rec.kind == proto::kMountTmpfsCopyUp) {
      int fd = paths::open_in_root(rootfd, m.destination, O_RDONLY | O_DIRECTORY);
      if (fd >= 0) old_dir.reset(fd);
    }
    if (is_tmpfs(m)) {
      int fd = paths::open_in_root(rootfd, m.destination, O_PATH);
      struct stat st;
      if (fd >= 0 && fstat(fd, &st) == 0) {
        had_dir = true;
        old_mode = st.st_mode & 07777;
      }
      if (fd >= 0) close(fd);
    }
    target.reset(paths::mkdir_all(rootfd, m.destination, 0755));
    if (!target.ok()) report::fail("mount", -target.get(), "%s: create mount point", what(m).c_str());
  }
  refuse_root_target(rootfd, target.get(), m);
  // Anything but a procfs over the container's /proc hides /proc/self (runc's
  // init then fails). The plan refuses /proc by name; this catches a
  // destination that reaches it through a symlink.
  if (m.rec.kind != proto::kMountProc && m.destination != "/proc" && is_proc_root(target.get()))
    report::fail("mount", EPERM, "%s: the destination resolves to /proc, where only a proc filesystem may be mounted",
                 what(m).c_str());
  unsigned long flags = m.rec.flags & ~kPropagation;
  // Read-only is delayed for tmpfs and /dev: files are made in them first.
  if (delayed(m)) flags &= ~MS_RDONLY;
  const char* data = m.data.empty() ? nullptr : m.data.c_str();
  if (mount(m.source.c_str(), paths::fd_path(target.get()).c_str(), m.fstype.c_str(), flags, data) < 0) {
    if (m.has_fallback && (errno == EPERM || errno == EBUSY)) return cgroup2_fallback(rootfd, target.get(), m);
    report::fail("mount", errno, "%s: mount %s (%s)", what(m).c_str(), m.fstype.c_str(), m.data.c_str());
  }
  UniqueFd now = reopen(rootfd, m);
  if (had_dir && chmod(paths::fd_path(now.get()).c_str(), old_mode) < 0)
    report::fail("mount", errno, "%s: keep the mode of the mount point", what(m).c_str());
  if (old_dir.ok()) {
    UniqueFd fresh(paths::open_in_root(rootfd, m.destination, O_RDONLY | O_DIRECTORY));
    if (!fresh.ok()) report::fail("mount", -fresh.get(), "%s: open the new tmpfs for tmpcopyup", what(m).c_str());
    std::string where;
    if (int e = copy_tree(old_dir.get(), fresh.get(), &where))
      report::fail("mount", e, "%s: tmpcopyup %s", what(m).c_str(), where.c_str());
  }
  propagate(m, paths::fd_path(now.get()));
  if (!delayed(m)) set_rec_attr(m, now.get());
}

}  // namespace

void clone_bind_sources(Plan* p) {
  if (!(p->clone_flags & CLONE_NEWUSER)) return;
  for (PlanMount& m : p->mounts) {
    if (m.rec.kind != proto::kMountBind || m.tree_fd >= 0) continue;
    unsigned int clone = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | ((m.rec.flags & MS_REC) ? AT_RECURSIVE : 0);
    int tree = syscalls::open_tree(AT_FDCWD, m.source.c_str(), clone);
    // Without open_tree the source is bound inside the user namespace, as
    // before these clones: only a source its root cannot reach fails. So too
    // for a rootless caller (EPERM: no CAP_SYS_ADMIN over the host's mounts),
    // as runc sends no mount sources then.
    if (tree < 0 && (errno == ENOSYS || errno == EPERM)) return;
    if (tree < 0) report::fail("mount", errno, "%s: bind source %s", what(m).c_str(), m.source.c_str());
    m.tree_fd = tree;
  }
}

bool has_mount_ns(const Plan& p) {
  if (p.clone_flags & CLONE_NEWNS) return true;
  for (const PlanNsJoin& j : p.joins)
    if (j.type == CLONE_NEWNS) return true;
  return false;
}

int prepare_root(const Plan& p) {
  // In the runtime's own mount namespace (linux.namespaces has no mount) the
  // host's propagation is left alone: runc would make the host's / rslave
  // and the rootfs's parent private, for everyone on the host.
  if (has_mount_ns(p)) {
    unsigned long prop = p.rootfs_propagation ? p.rootfs_propagation : (MS_SLAVE | MS_REC);
    if (mount("", "/", nullptr, prop, nullptr) < 0)
      report::fail("rootfs", errno, "set propagation of / (linux.rootfsPropagation)");
    // pivot_root needs the rootfs's parent mount not to be shared: make it
    // private if it is (only then, as runc: an unbindable one stays so, and the
    // bind below fails as with runc).
    bool shared = false;
    std::string parent = mountpoint_of(p.rootfs, &shared);
    if (shared && mount("", parent.c_str(), nullptr, MS_PRIVATE, nullptr) < 0)
      report::fail("rootfs", errno, "make %s private", parent.c_str());
  }
  if (mount(p.rootfs.c_str(), p.rootfs.c_str(), "bind", MS_BIND | MS_REC, nullptr) < 0)
    report::fail("rootfs", errno, "bind mount root.path %s", p.rootfs.c_str());
  int fd = open(p.rootfs.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) report::fail("rootfs", errno, "open root.path %s", p.rootfs.c_str());
  return fd;
}

void mount_all(const Plan& p, int rootfd) {
  for (const PlanMount& m : p.mounts) {
    if (m.rec.kind == proto::kMountBind) mount_bind(rootfd, m);
    else mount_fs(rootfd, m);
  }
  for (const PlanMkdir& d : p.mkdirs) {
    int fd = paths::mkdir_all(rootfd, d.path, d.mode);
    if (fd < 0) report::fail("mkdir", -fd, "create %s in the rootfs", d.path.c_str());
    close(fd);
  }
}

static bool is_null_device(const struct stat& st) {
  return S_ISCHR(st.st_mode) && major(st.st_rdev) == 1 && minor(st.st_rdev) == 3;
}

// mountinfo's octal escapes (\040 for a space...) undone.
static std::string unescape_mountinfo(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); i++) {
    if (s[i] == '\\' && i + 3 < s.size() && s[i + 1] >= '0' && s[i + 1] <= '3') {
      out += static_cast<char>((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
      i += 3;
    } else {
      out += s[i];
    }
  }
  return out;
}

// --no-pivot leaves the host's mount tree under the chroot, and a full procfs
// or sysfs there would let the container mount a fresh, unmasked one (the
// kernel allows a new proc mount where a full one is visible). So, as runc's
// msMoveRoot, every full proc and sysfs mount outside the rootfs is detached
// first (made a slave so that nothing reaches the host), or covered by a
// tmpfs where it cannot be detached.
static void hide_host_proc_and_sys(const Plan& p) {
  UniqueFd fd(open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC));
  if (!fd.ok()) report::fail("no_pivot", errno, "open /proc/self/mountinfo");
  std::string text;
  char buf[8192];
  for (ssize_t n; (n = read(fd.get(), buf, sizeof(buf))) != 0;) {
    if (n < 0) {
      if (errno == EINTR) continue;
      report::fail("no_pivot", errno, "read /proc/self/mountinfo");
    }
    text.append(buf, static_cast<size_t>(n));
  }
  std::vector<std::string> hide;
  for (size_t start = 0; start < text.size();) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    start = end + 1;
    // id parent major:minor root mountpoint options [optional...] - fstype source superoptions
    std::vector<std::string> f;
    for (size_t i = 0; i < line.size();) {
      size_t j = line.find(' ', i);
      if (j == std::string::npos) j = line.size();
      f.push_back(line.substr(i, j - i));
      i = j + 1;
    }
    size_t sep = 0;
    while (sep < f.size() && f[sep] != "-") sep++;
    if (f.size() < 5 || sep + 1 >= f.size()) continue;
    const std::string& fstype = f[sep + 1];
    std::string mountpoint = unescape_mountinfo(f[4]);
    if (f[3] != "/" || (fstype != "proc" && fstype != "sysfs")) continue;
    if (mountpoint.compare(0, p.rootfs.size(), p.rootfs) == 0) continue;
    hide.push_back(mountpoint);
  }
  for (const std::string& mp : hide) {
    if (mount("", mp.c_str(), nullptr, MS_SLAVE | MS_REC, nullptr) < 0) {
      if (errno == ENOENT) continue;  // under a mount detached before it
      report::fail("no_pivot", errno, "make %s a slave", mp.c_str());
    }
    if (umount2(mp.c_str(), MNT_DETACH) == 0) continue;
    if (errno != EINVAL && errno != EPERM) report::fail("no_pivot", errno, "detach the host's %s", mp.c_str());
    if (mount("tmpfs", mp.c_str(), "tmpfs", 0, nullptr) < 0)
      report::fail("no_pivot", errno, "cover the host's %s with a tmpfs", mp.c_str());
  }
}

void enter_root(const Plan& p, int rootfd) {
  if (p.no_pivot) hide_host_proc_and_sys(p);
  if (fchdir(rootfd) < 0) report::fail("pivot_root", errno, "chdir into the rootfs");
  if (p.no_pivot) {
    if (mount(".", "/", nullptr, MS_MOVE, nullptr) < 0) report::fail("no_pivot", errno, "move the rootfs to /");
    if (chroot(".") < 0) report::fail("no_pivot", errno, "chroot");
  } else if (!has_mount_ns(p)) {
    // The runtime's mount namespace: no pivot_root there (runc chroots too).
    if (chroot(".") < 0) report::fail("rootfs", errno, "chroot into the rootfs");
  } else {
    UniqueFd oldroot(open("/", O_DIRECTORY | O_RDONLY | O_CLOEXEC));
    if (!oldroot.ok()) report::fail("pivot_root", errno, "open the old root");
    if (syscall(SYS_pivot_root, ".", ".") < 0) report::fail("pivot_root", errno, "pivot_root");
    // The old root sits on top of the new one: detach it.
    if (fchdir(oldroot.get()) < 0) report::fail("pivot_root", errno, "chdir to the old root");
    if (mount("", ".", nullptr, MS_SLAVE | MS_REC, nullptr) < 0)
      report::fail("pivot_root", errno, "make the old root a slave");
    if (umount2(".", MNT_DETACH) < 0) report::fail("pivot_root", errno, "detach the old root");
  }
  if (chdir("/") < 0) report::fail("pivot_root", errno, "chdir to the new root");
  // (runc 1.1.5 applies rootfsPropagation to the host's / before the binds,
  // and not again on the new root; neither does minirun.)
}

// Masks the file at `path` with a clone of the verified /dev/null at `null`;
// without open_tree or move_mount, with a bind of /dev/null as runc 1.1.5
// does, checked afterwards to be the null device.
static void mask_with_null(int null, const std::string& path) {
  UniqueFd t(syscalls::open_tree(null, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH));
  if (!t.ok() && errno != ENOSYS) report::fail("maskedPaths", errno, "clone /dev/null for %s", path.c_str());
  if (t.ok()) {
    if (syscalls::move_mount(t.get(), "", AT_FDCWD, path.c_str(), MOVE_MOUNT_F_EMPTY_PATH) == 0) return;
    if (errno != ENOSYS) report::fail("maskedPaths", errno, "mask %s with /dev/null", path.c_str());
  }
  if (mount("/dev/null", path.c_str(), nullptr, MS_BIND, nullptr) < 0)
    report::fail("maskedPaths", errno, "mask %s with a bind of /dev/null", path.c_str());
  struct stat st;
  if (stat(path.c_str(), &st) < 0) report::fail("maskedPaths", errno, "stat %s after masking it", path.c_str());
  if (!is_null_device(st))
    report::fail("maskedPaths", EPERM, "%s: what /dev/null bound there is not the null device (1:3)", path.c_str());
}

void readonly_and_masked(const Plan& p) {
  for (const std::string& path : p.readonly) {
    if (mount(path.c_str(), path.c_str(), nullptr, MS_BIND | MS_REC, nullptr) < 0) {
      if (errno == ENOENT) continue;
      report::fail("readonlyPaths", errno, "bind %s", path.c_str());
    }
    // Keep the locked per-mount flags, as a remount may not clear them.
    struct statfs sfs;
    if (statfs(path.c_str(), &sfs) < 0) report::fail("readonlyPaths", errno, "statfs %s", path.c_str());
    unsigned long keep = sfs.f_flags & (MS_NOSUID | MS_NODEV | MS_NOEXEC);
    if (mount(path.c_str(), path.c_str(), nullptr, keep | MS_BIND | MS_REMOUNT | MS_RDONLY, nullptr) < 0)
      report::fail("readonlyPaths", errno, "remount %s read-only", path.c_str());
  }
  if (p.masked.empty()) return;
  // Mask with a /dev/null that is verified to be the real one (char 1:3).
  UniqueFd null(open("/dev/null", O_PATH | O_NOFOLLOW | O_CLOEXEC));
  struct stat st;
  if (!null.ok() || fstat(null.get(), &st) < 0 || !is_null_device(st))
    report::fail("maskedPaths", null.ok() ? EPERM : errno, "/dev/null in the container is not the null device (1:3)");
  for (const std::string& path : p.masked) {
    struct stat ps;
    if (stat(path.c_str(), &ps) < 0) {
      if (errno == ENOENT) continue;
      report::fail("maskedPaths", errno, "stat %s", path.c_str());
    }
    if (S_ISDIR(ps.st_mode)) {
      if (mount("tmpfs", path.c_str(), "tmpfs", MS_RDONLY, nullptr) < 0)
        report::fail("maskedPaths", errno, "mask %s with a read-only tmpfs", path.c_str());
      continue;
    }
    mask_with_null(null.get(), path);
  }
}

void finalize(const Plan& p) {
  for (const PlanMount& m : p.mounts) {
    if (!delayed(m)) continue;
    // MS_BIND: change only this mount's flags, not the superblock's (as runc).
    unsigned long flags = (m.rec.flags & ~kPropagation) | MS_REMOUNT | MS_BIND | MS_RDONLY;
    if ((m.rec.flags & MS_RDONLY) && mount(m.destination.c_str(), m.destination.c_str(), nullptr, flags, nullptr) < 0)
      report::fail("mount", errno, "%s: remount read-only", what(m).c_str());
    if (m.has_attr) {
      UniqueFd fd(open(m.destination.c_str(), O_PATH | O_CLOEXEC));
      if (!fd.ok()) report::fail("mount", errno, "%s: reopen for its recursive attributes", what(m).c_str());
      set_rec_attr(m, fd.get());
    }
  }
  if (p.root_readonly && mount("", "/", nullptr, MS_BIND | MS_REMOUNT | MS_RDONLY, nullptr) < 0)
    report::fail("rootfs", errno, "remount root read-only (root.readonly)");
}

}  // namespace mounts
