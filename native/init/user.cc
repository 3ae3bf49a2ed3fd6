#include "user.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vector>

#include "../common/caps.h"
#include "report.h"

namespace user {

namespace {

// Reads a small file whole; "" if it cannot be read.
std::string read_small(const char* path) {
  std::string out;
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return out;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof(buf))) > 0 && out.size() < (1u << 20)) out.append(buf, n);
  close(fd);
  return out;
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
  std::string passwd = read_small("/etc/passwd");
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
    int rc = caps::drop_bounding(p.caps[0] & mask);
    if (rc < 0) report::fail("capabilities", -rc, "apply the bounding set");
  }
  if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0) report::fail("user", errno, "keep capabilities");
  if (p.has_user) {
    fix_stdio_owner(p.user.uid);
    std::string sg = read_small("/proc/self/setgroups");
    if (sg.compare(0, 4, "deny") != 0) {
      std::vector<gid_t> groups(p.additional_gids.begin(), p.additional_gids.end());
      if (setgroups(groups.size(), groups.data()) < 0)
        report::fail("user", errno, "setgroups (process.user.additionalGids)");
    }
    if (setresgid(p.user.gid, p.user.gid, p.user.gid) < 0)
      report::fail("user", errno, "setgid %u (process.user.gid)", p.user.gid);
    if (setresuid(p.user.uid, p.user.uid, p.user.uid) < 0)
      report::fail("user", errno, "setuid %u (process.user.uid)", p.user.uid);
  }
  if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0) report::fail("user", errno, "clear keep-capabilities");
  if (p.has_caps) {
    int rc = caps::set(p.caps[1] & mask, p.caps[2] & mask, p.caps[3] & mask);
    if (rc < 0) report::fail("capabilities", -rc, "apply the effective, permitted and inheritable sets");
    caps::raise_ambient(p.caps[4] & mask);
  }
}

}  // namespace user
