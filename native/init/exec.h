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

// Notes this helper's own file (its sealed memfd), while the host's /proc is
// the one mounted: refuse_helper compares with it.
void note_helper_file();

// Fails the init, naming `path`, when what execve would run is this helper:
// at execve the init's /proc/self/exe (and /proc/1/exe, for a new container)
// is the helper's memfd, so `path` being it, or a script whose "#!"
// interpreter is it (through other scripts too), would start the helper
// again without its plan, to exit 127 without a word.
void refuse_helper(const std::string& path);

// Waits for `start` on the exec fifo (create), then execs, loading the
// seccomp filter just before execve when `load_seccomp`. Never returns.
[[noreturn]] void run(const Plan& p, const std::string& path, const std::vector<std::string>& env, int fifo_fd,
                      bool load_seccomp);

}  // namespace exec
