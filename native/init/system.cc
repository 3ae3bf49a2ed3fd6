#include "system.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
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

}  // namespace system_settings
