#include "system.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/keyctl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <string>

#include "report.h"

namespace system_settings {

namespace {

int write_file(const std::string& path, const std::string& value) {
  int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return -errno;
  ssize_t n = write(fd, value.data(), value.size());
  int err = n < 0 ? errno : 0;
  close(fd);
  if (n < 0) return -err;
  return static_cast<size_t>(n) == value.size() ? 0 : -EIO;
}

}  // namespace

void oom_score_adj(const Plan& p) {
  if (!p.has_oom_score_adj) return;
  int rc = write_file("/proc/self/oom_score_adj", std::to_string(p.oom_score_adj));
  if (rc < 0) report::fail("oomScoreAdj", -rc, "write %d to /proc/self/oom_score_adj", p.oom_score_adj);
}

void names(const Plan& p) {
  if (p.has_hostname && sethostname(p.hostname.data(), p.hostname.size()) < 0)
    report::fail("hostname", errno, "sethostname \"%s\"", p.hostname.c_str());
  if (p.has_domainname && setdomainname(p.domainname.data(), p.domainname.size()) < 0)
    report::fail("domainname", errno, "setdomainname \"%s\"", p.domainname.c_str());
}

void sysctl(const Plan& p) {
  for (const auto& kv : p.sysctl) {
    std::string path = "/proc/sys/";
    for (char c : kv.first) path += (c == '.') ? '/' : c;
    int rc = write_file(path, kv.second);
    if (rc < 0) report::fail("sysctl", -rc, "linux.sysctl %s: write %s", kv.first.c_str(), path.c_str());
  }
}

void session_keyring(const Plan& p) {
  if (p.session_keyring.empty()) return;
  long id = syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, p.session_keyring.c_str());
  if (id < 0) {
    if (errno == ENOSYS) return;  // no keyrings in this kernel: as runc, go on
    report::fail("keyring", errno, "join the session keyring %s", p.session_keyring.c_str());
  }
  // Let the container's processes view the keyring (runc sets KEY_POS_SETATTR-style
  // bit 0x080000, "user may view", on top of the default permissions).
  char desc[512];
  long n = syscall(SYS_keyctl, KEYCTL_DESCRIBE, id, desc, sizeof(desc) - 1);
  if (n < 0) report::fail("keyring", errno, "describe the session keyring");
  desc[sizeof(desc) - 1] = '\0';
  // "type;uid;gid;perm;description", perm in hex
  const char* f = desc;
  for (int i = 0; i < 3 && f; i++) {
    f = strchr(f, ';');
    if (f) f++;
  }
  if (!f) report::fail("keyring", EINVAL, "unexpected keyring description");
  unsigned long perm = strtoul(f, nullptr, 16) | 0x080000;
  if (syscall(SYS_keyctl, KEYCTL_SETPERM, id, perm) < 0)
    report::fail("keyring", errno, "set the keyring's permissions");
}

}  // namespace system_settings
