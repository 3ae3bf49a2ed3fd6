// The last steps: the environment, finding args[0] through the container's
// PATH (as Go's exec.LookPath does for runc), and execve.
#pragma once
#include <string>
#include <vector>

#include "plan.h"

namespace exec {

// process.env with duplicates resolved (last wins, first position kept) and
// HOME added from /etc/passwd when missing.
std::vector<std::string> environment(const Plan& p, const std::string& home);

// Resolves args[0]; fails the init with runc's wording when not found.
std::string look_path(const std::string& file, const std::vector<std::string>& env);

// Waits for `start` on the exec fifo (create), then execs, loading the
// seccomp filter just before execve when `load_seccomp`. Never returns.
[[noreturn]] void run(const Plan& p, const std::string& path, const std::vector<std::string>& env,
                      int fifo_fd, bool load_seccomp);

}  // namespace exec
