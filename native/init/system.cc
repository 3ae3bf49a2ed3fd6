#include "system.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <linux/keyctl.h>
#include <sys/personality.h>
#include <stdlib.h>
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
  if (syscall(SYS_keyctl, KEYCTL_SETPERM, id, perm) < 0) report::fail("keyring", errno, "set the keyring's permissions");
}

namespace {

// AppArmor applies "exec <profile>" at the next execve. The LSM-specific
// file first (kernels with LSM stacking), then the legacy one.
void apply_apparmor(const std::string& profile) {
  std::string cmd = "exec " + profile;
  int err = 0;
  for (const char* path : {"/proc/thread-self/attr/apparmor/exec", "/proc/self/attr/exec"}) {
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
      err = errno;
      continue;
    }
    ssize_t n = write(fd, cmd.data(), cmd.size());
    err = n < 0 ? errno : 0;
    close(fd);
    if (n >= 0) return;
  }
  report::fail("apparmor", err, "apply profile %s (process.apparmorProfile)", profile.c_str());
}

}  // namespace

void process_settings(const Plan& p) {
  if (p.has_personality && personality(p.personality) < 0)
    report::fail("personality", errno, "personality 0x%x (linux.personality)", p.personality);
  if (p.has_scheduler) {
    // struct sched_attr (sched_setattr(2)), version SCHED_ATTR_SIZE_VER1
    struct {
      uint32_t size, policy;
      uint64_t flags;
      int32_t nice;
      uint32_t priority;
      uint64_t runtime, deadline, period;
      uint32_t util_min, util_max;
    } attr;
    memset(&attr, 0, sizeof(attr));
    attr.size = sizeof(attr);
    attr.policy = p.scheduler.policy;
    attr.flags = p.scheduler.flags;
    attr.nice = p.scheduler.nice;
    attr.priority = p.scheduler.priority;
    attr.runtime = p.scheduler.runtime;
    attr.deadline = p.scheduler.deadline;
    attr.period = p.scheduler.period;
    if (syscall(SYS_sched_setattr, 0, &attr, 0) < 0) report::fail("scheduler", errno, "sched_setattr (process.scheduler)");
  }
  if (p.has_ioprio && syscall(SYS_ioprio_set, 1 /* IOPRIO_WHO_PROCESS */, 0, p.ioprio) < 0)
    report::fail("ioPriority", errno, "ioprio_set (process.ioPriority)");
  if (!p.cpu_affinity.empty() &&
      syscall(SYS_sched_setaffinity, 0, p.cpu_affinity.size(), p.cpu_affinity.data()) < 0)
    report::fail("execCPUAffinity", errno, "sched_setaffinity (process.execCPUAffinity)");
  if (p.has_memory_policy) {
    const unsigned long* mask = p.memory_nodes.empty() ? nullptr : p.memory_nodes.data();
    unsigned long maxnode = p.memory_nodes.size() * 8 * sizeof(unsigned long);
    if (syscall(SYS_set_mempolicy, p.memory_policy, mask, maxnode) < 0)
      report::fail("memoryPolicy", errno, "set_mempolicy 0x%x (linux.memoryPolicy)", p.memory_policy);
  }
  if (!p.apparmor_profile.empty()) apply_apparmor(p.apparmor_profile);
}

}  // namespace system_settings
