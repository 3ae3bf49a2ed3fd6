#include "user.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <vector>

#include "../common/caps.h"
#include "../common/fd.h"
#include "paths.h"
#include "report.h"

namespace user {

namespace {

// The container's /etc/passwd is read whole, up to this size: 4 MiB holds some
// 50,000 entries of a typical length, more than an image has. A larger file is
// refused rather than read in part (an entry past the cut would be missed).
constexpr off_t kMaxAccountFileBytes = 4 << 20;

const char* file_kind(mode_t mode) {
  switch (mode & S_IFMT) {
    case S_IFIFO: return "a FIFO";
    case S_IFCHR: return "a character device";
    case S_IFBLK: return "a block device";
    case S_IFSOCK: return "a socket";
    case S_IFDIR: return "a directory";
    default: return "not a regular file";
  }
}

// Fails the init unless fd is a regular file of at most kMaxAccountFileBytes
// or the null device (a masked file, which reads as empty, as with runc);
// false for the null device.
bool check_account_file(int fd, const char* path) {
  struct stat st;
  if (fstat(fd, &st) < 0) report::fail("user", errno, "stat %s", path);
  if (S_ISCHR(st.st_mode) && major(st.st_rdev) == 1 && minor(st.st_rdev) == 3) return false;
  if (!S_ISREG(st.st_mode)) report::fail("user", 0, "%s: is %s, not a regular file", path, file_kind(st.st_mode));
  if (st.st_size > kMaxAccountFileBytes)
    report::fail("user", EFBIG, "%s: %lld bytes, over the limit of %lld", path, static_cast<long long>(st.st_size),
                 static_cast<long long>(kMaxAccountFileBytes));
  return true;
}

// Reads one of the container's account files (after pivot_root: its root is
// "/"), "" when there is none to open or it is masked (/dev/null), as runc
// uses its defaults then. The file is the image's: symlinks are followed only
// inside the root, a FIFO or another device is refused without being read (a FIFO would block the init, as it
// blocks runc's, and /dev/urandom would never end), and so is a file larger
// than kMaxAccountFileBytes.
std::string read_account_file(const char* path) {
  std::string out;
  UniqueFd root(open("/", O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root.ok()) report::fail("user", errno, "open / to read %s", path);
  // O_PATH first, so that what is not a regular file is never opened.
  UniqueFd handle(paths::open_in_root(root.get(), path, O_PATH));
  if (!handle.ok() || !check_account_file(handle.get(), path)) return out;
  UniqueFd fd(paths::open_in_root(root.get(), path, O_RDONLY | O_NONBLOCK | O_NOCTTY));
  // again: it may have been replaced meanwhile
  if (!fd.ok() || !check_account_file(fd.get(), path)) return out;
  char buf[65536];
  for (;;) {
    ssize_t n = read(fd.get(), buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) report::fail("user", errno, "read %s", path);
    if (n == 0) break;
    if (out.size() + static_cast<size_t>(n) > static_cast<size_t>(kMaxAccountFileBytes))
      report::fail("user", EFBIG, "%s: over the limit of %lld bytes", path,
                   static_cast<long long>(kMaxAccountFileBytes));
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

// Whether /proc/self/setgroups says "deny" (a user namespace whose maps were
// written without setgroups). Only a procfs file counts: without a /proc
// mount, the rootfs's own /proc/self/setgroups (a FIFO, say) is not read.
bool setgroups_denied() {
  UniqueFd fd(open("/proc/self/setgroups", O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
  struct statfs sfs;
  if (!fd.ok() || fstatfs(fd.get(), &sfs) < 0 || sfs.f_type != PROC_SUPER_MAGIC) return false;
  char buf[16];
  ssize_t n = read(fd.get(), buf, sizeof(buf));
  return n >= 4 && memcmp(buf, "deny", 4) == 0;
}

// Hands the stdio fds to the container user's uid, as runc's
// fixStdioPermissions, so that the process can reopen them (e.g. /dev/stdout,
// its tty). The group stays: a pty peer keeps the one devpts gave it (gid=5,
// "tty", in runc's spec). Skipped: fds the user owns already and /dev/null;
// EINVAL, EPERM and EROFS (an unmapped owner or group, a read-only /dev) are
// not errors.
void fix_stdio_owner(uid_t uid) {
  struct stat null_st;
  bool have_null = stat("/dev/null", &null_st) == 0;
  for (int fd = 0; fd <= 2; fd++) {
    struct stat st;
    if (fstat(fd, &st) < 0) continue;
    if (have_null && st.st_rdev == null_st.st_rdev && S_ISCHR(st.st_mode)) continue;
    if (st.st_uid == uid) continue;
    if (fchown(fd, uid, st.st_gid) < 0 && errno != EINVAL && errno != EPERM && errno != EROFS)
      report::fail("user", errno, "chown stdio fd %d to the container user", fd);
  }
}

}  // namespace

std::string home_of(const Plan& p) {
  std::string passwd = read_account_file("/etc/passwd");
  size_t i = 0;
  while (i < passwd.size()) {
    size_t j = passwd.find('\n', i);
    if (j == std::string::npos) j = passwd.size();
    std::string line = passwd.substr(i, j - i);
    i = j + 1;
    // name:pass:uid:gid:gecos:home:shell
    std::vector<std::string> f;
    size_t a = 0;
    for (;;) {
      size_t b = line.find(':', a);
      f.push_back(line.substr(a, b == std::string::npos ? std::string::npos : b - a));
      if (b == std::string::npos) break;
      a = b + 1;
    }
    if (f.size() < 6 || f[2].empty()) continue;
    char* end = nullptr;
    unsigned long uid = strtoul(f[2].c_str(), &end, 10);
    if (*end != '\0' || uid != p.user.uid) continue;
    return f[5];
  }
  return "/";
}

void switch_user_and_caps(const Plan& p) {
  uint64_t mask = (caps::last_cap() >= 63) ? ~0ULL : ((1ULL << (caps::last_cap() + 1)) - 1);
  if (p.has_caps) {
    int rc = caps::drop_bounding(p.caps.bounding & mask);
    if (rc < 0) report::fail("capabilities", -rc, "apply the bounding set");
  }
  if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0) report::fail("user", errno, "keep capabilities");
  if (p.has_user) {
    fix_stdio_owner(p.user.uid);
    if (!p.rootless_euid && !setgroups_denied()) {
      std::vector<gid_t> groups(p.additional_gids.begin(), p.additional_gids.end());
      if (setgroups(groups.size(), groups.data()) < 0)
        report::fail("user", errno, "setgroups (process.user.additionalGids)");
    }
    if (setresgid(p.user.gid, p.user.gid, p.user.gid) < 0)
      report::fail("user", errno, "setgid %u (process.user.gid)", p.user.gid);
    if (setresuid(p.user.uid, p.user.uid, p.user.uid) < 0)
      report::fail("user", errno, "setuid %u (process.user.uid)", p.user.uid);
    // The kernel sets the dumpable flag to fs.suid_dumpable when the uid or
    // gid changes, and a host may have that at 1: clear it again before the
    // capabilities drop to the user's, or the user's processes in the
    // container could open this helper's /proc/<pid>/exe until execve.
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) report::fail("user", errno, "stay non-dumpable");
  }
  if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0) report::fail("user", errno, "clear keep-capabilities");
  if (p.has_caps) {
    int rc = caps::set(p.caps.effective & mask, p.caps.permitted & mask, p.caps.inheritable & mask);
    if (rc < 0) report::fail("capabilities", -rc, "apply the effective, permitted and inheritable sets");
    caps::raise_ambient(p.caps.ambient & mask);
  }
}

}  // namespace user
