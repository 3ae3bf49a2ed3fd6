// The process's stdio and inherited state right before exec: fds 0-2 from
// the plan, every other fd close-on-exec, signals reset to default.
#pragma once
#include <vector>

namespace stdio {

// Makes sure fds 0-2 are open (on /dev/null) so that nothing the helper
// opens lands on them. Node leaves them close-on-exec, i.e. closed here.
void guard_low_fds();

// dup2 fds[i] onto i for every i (stdio, then the extra fds at 3, 4, ...),
// clearing close-on-exec, and mark every other fd close-on-exec.
void install(const std::vector<int>& fds);

// Default disposition for every signal, empty mask (Node ignores SIGPIPE,
// and ignored signals survive execve).
void reset_signals();

// Signal handlers for the wait before exec, as runc's Go init has them:
// HUP, INT, TERM and crash signals _exit, others are caught and dropped
// (pid 1 would ignore a signal it has no handler for). execve resets them.
void exit_on_signals();

}  // namespace stdio
