#include "process.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <string>

#include "report.h"

namespace process_settings {

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

void apply(const Plan& p) {
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
    if (syscall(SYS_sched_setattr, 0, &attr, 0) < 0)
      report::fail("scheduler", errno, "sched_setattr (process.scheduler)");
  }
  if (p.has_ioprio && syscall(SYS_ioprio_set, 1 /* IOPRIO_WHO_PROCESS */, 0, p.ioprio) < 0)
    report::fail("ioPriority", errno, "ioprio_set (process.ioPriority)");
  if (!p.cpu_affinity.empty() && syscall(SYS_sched_setaffinity, 0, p.cpu_affinity.size(), p.cpu_affinity.data()) < 0)
    report::fail("execCPUAffinity", errno, "sched_setaffinity (process.execCPUAffinity)");
  if (p.has_memory_policy) {
    const unsigned long* mask = p.memory_nodes.empty() ? nullptr : p.memory_nodes.data();
    unsigned long maxnode = p.memory_nodes.size() * 8 * sizeof(unsigned long);
    if (syscall(SYS_set_mempolicy, p.memory_policy, mask, maxnode) < 0)
      report::fail("memoryPolicy", errno, "set_mempolicy 0x%x (linux.memoryPolicy)", p.memory_policy);
  }
  if (!p.apparmor_profile.empty()) apply_apparmor(p.apparmor_profile);
}

}  // namespace process_settings
