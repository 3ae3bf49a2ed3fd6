#include "namespaces.h"

#include <errno.h>
#include <sched.h>
#include <sys/prctl.h>
#include <signal.h>
#include <unistd.h>

#include "../common/ns.h"
#include "report.h"

namespace namespaces {

namespace {

void join_one(const PlanNsJoin& j) {
  uint32_t found = 0;
  int rc = ns::join(j.path.c_str(), j.type, &found);
  if (rc == 0) return;
  if (found)
    report::fail("namespaces", EINVAL, "linux.namespaces %s path %s is a %s namespace",
                 ns::type_name(j.type), j.path.c_str(), ns::type_name(found));
  report::fail("namespaces", -rc, "join the %s namespace at %s", ns::type_name(j.type), j.path.c_str());
}

}  // namespace

void enter(const Plan& p) {
  // The user namespace first: it owns what is created after it.
  for (const PlanNsJoin& j : p.joins)
    if (j.type == CLONE_NEWUSER) join_one(j);
  for (const PlanNsJoin& j : p.joins)
    if (j.type != CLONE_NEWUSER && j.type != CLONE_NEWCGROUP) join_one(j);

  if (p.clone_flags & CLONE_NEWUSER) {
    if (unshare(CLONE_NEWUSER) < 0) report::fail("namespaces", errno, "create the user namespace");
    // The parent writes uid_map/gid_map for us, then answers.
    report::send(proto::kSyncUsernsReady, getpid());
    report::wait_go("namespaces");
    // Become root in the new namespace when 0 is mapped.
    if (setresgid(0, 0, 0) < 0 && errno != EINVAL) report::fail("namespaces", errno, "setresgid(0) in the user namespace");
    if (setresuid(0, 0, 0) < 0 && errno != EINVAL) report::fail("namespaces", errno, "setresuid(0) in the user namespace");
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  }
  unsigned long rest = p.clone_flags & ~static_cast<uint64_t>(CLONE_NEWUSER | CLONE_NEWCGROUP);
  if (rest && unshare(static_cast<int>(rest)) < 0)
    report::fail("namespaces", errno, "create namespaces (flags 0x%lx)", rest);

  pid_t pid = fork();
  if (pid < 0) report::fail("namespaces", errno, "fork the container init");
  if (pid > 0) {
    // The helper's work is done: the init reports from here on.
    report::send(proto::kSyncPid, pid);
    _exit(0);
  }
}

void after_cgroups(const Plan& p) {
  for (const PlanNsJoin& j : p.joins)
    if (j.type == CLONE_NEWCGROUP) join_one(j);
  if ((p.clone_flags & CLONE_NEWCGROUP) && unshare(CLONE_NEWCGROUP) < 0)
    report::fail("namespaces", errno, "create the cgroup namespace");
}

}  // namespace namespaces
