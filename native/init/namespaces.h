// Entering the container's namespaces. The helper joins the namespaces given
// by path, creates the new ones, and forks the container's init (pid 1 of a
// new pid namespace). Only the child returns from enter().
#pragma once
#include "plan.h"

namespace namespaces {

// Runs in the helper. Returns in the container's init process only; the
// helper itself reports the init's pid to the parent and _exits.
void enter(const Plan& p);

// Runs in the init after the parent placed it in its cgroups.
void after_cgroups(const Plan& p);

// For a rootless caller (plan.rootless_euid): the init is dumpable while the
// caller must reach its /proc files (the seccomp fd by pidfd_getfd, the
// hooks' setns into its namespaces, `exec` into a created container), as
// runc's init is, which is not made non-dumpable unless it joins namespaces
// by path. Otherwise, and for a root caller, it stays non-dumpable.
void open_to_caller(const Plan& p, bool open);

}  // namespace namespaces
