#include "namespaces.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <vector>

#include "../common/ns.h"
#include "report.h"

namespace namespaces {

namespace {

// Every namespace file is opened before the first setns: once the mount
// namespace is joined, /proc/<pid>/ns/... would resolve inside the container.
struct OpenedNs {
  const PlanNsJoin* join;
  int fd;
};
std::vector<OpenedNs> g_opened;

void open_all(const Plan& p) {
  for (const PlanNsJoin& j : p.joins) {
    uint32_t found = 0;
    int fd = ns::open_checked(j.path.c_str(), j.type, &found);
    if (fd >= 0) {
      g_opened.push_back({&j, fd});
      continue;
    }
    if (found)
      report::fail("namespaces", EINVAL, "linux.namespaces %s path %s is a %s namespace", ns::type_name(j.type),
                   j.path.c_str(), ns::type_name(found));
    report::fail("namespaces", -fd, "join the %s namespace at %s", ns::type_name(j.type), j.path.c_str());
  }
}

void join_where(bool (*pick)(uint32_t)) {
  for (const OpenedNs& o : g_opened) {
    if (!pick(o.join->type)) continue;
    if (setns(o.fd, static_cast<int>(o.join->type)) < 0)
      report::fail("namespaces", errno, "join the %s namespace at %s", ns::type_name(o.join->type),
                   o.join->path.c_str());
    close(o.fd);
  }
}

bool is_user(uint32_t t) { return t == CLONE_NEWUSER; }
bool is_mount(uint32_t t) { return t == CLONE_NEWNS; }
bool is_cgroup(uint32_t t) { return t == CLONE_NEWCGROUP; }
bool is_other(uint32_t t) { return !is_user(t) && !is_mount(t) && !is_cgroup(t); }

// In a user namespace just joined or created: become its root when 0 is
// mapped (as runc's nsexec does), so that what follows (mounts, mkdir) is
// done as a mapped id.
void become_root() {
  if (setresgid(0, 0, 0) < 0 && errno != EINVAL)
    report::fail("namespaces", errno, "setresgid(0) in the user namespace");
  if (setresuid(0, 0, 0) < 0 && errno != EINVAL)
    report::fail("namespaces", errno, "setresuid(0) in the user namespace");
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

}  // namespace

void enter(const Plan& p) {
  open_all(p);
  // The user namespace first: it owns what is created after it. The mount
  // namespace last of those given by path: it changes the root.
  join_where(is_user);
  for (const PlanNsJoin& j : p.joins)
    if (is_user(j.type)) become_root();
  join_where(is_other);
  join_where(is_mount);

  if (p.clone_flags & CLONE_NEWUSER) {
    // An unprivileged parent (rootless) can write our /proc files only while
    // we are dumpable: for that moment, as runc's nsexec (before any other
    // namespace is made or joined).
    bool unprivileged = geteuid() != 0;
    if (unshare(CLONE_NEWUSER) < 0) report::fail("namespaces", errno, "create the user namespace");
    if (unprivileged) prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
    // The parent writes uid_map/gid_map for us, then answers.
    report::send(proto::kSyncUsernsReady, getpid());
    report::wait_go("namespaces");
    become_root();  // non-dumpable again
  }
  unsigned long rest = p.clone_flags & ~static_cast<uint64_t>(CLONE_NEWUSER | CLONE_NEWCGROUP);
  if (rest && unshare(static_cast<int>(rest)) < 0)
    report::fail("namespaces", errno, "create namespaces (flags 0x%lx)", rest);
  if (p.has_time_offsets) {
    // Before the first process enters the new time namespace (the fork below).
    char text[128];
    int n = snprintf(text, sizeof(text), "monotonic %lld %u\nboottime %lld %u\n",
                     static_cast<long long>(p.time_offsets.monotonic_secs), p.time_offsets.monotonic_nanosecs,
                     static_cast<long long>(p.time_offsets.boottime_secs), p.time_offsets.boottime_nanosecs);
    int fd = open("/proc/self/timens_offsets", O_WRONLY | O_CLOEXEC);
    if (fd < 0 || write(fd, text, n) != n)
      report::fail("timeOffsets", errno, "write /proc/self/timens_offsets (linux.timeOffsets)");
    close(fd);
  }

  // CLONE_PARENT: the init is the runtime's own child, as runc's is, so the
  // runtime can wait for it without being a subreaper (run --no-subreaper).
  // The helper is single-threaded and only exits after this, so a raw clone
  // is a fork with another parent.
  pid_t pid = static_cast<pid_t>(syscall(SYS_clone, CLONE_PARENT | SIGCHLD, nullptr, nullptr, nullptr, 0));
  if (pid < 0) report::fail("namespaces", errno, "fork the container init");
  if (pid > 0) {
    // The helper's work is done: the init reports from here on.
    report::send(proto::kSyncPid, pid);
    _exit(0);
  }
}

void open_to_caller(const Plan& p, bool open) {
  if (p.rootless_euid) prctl(PR_SET_DUMPABLE, open ? 1 : 0, 0, 0, 0);
}

void after_cgroups(const Plan& p) {
  join_where(is_cgroup);
  if ((p.clone_flags & CLONE_NEWCGROUP) && unshare(CLONE_NEWCGROUP) < 0)
    report::fail("namespaces", errno, "create the cgroup namespace");
}

}  // namespace namespaces
