// The process's stdio and inherited state right before exec: fds 0-2 from
// the plan, every other fd close-on-exec, signals reset to default.
#pragma once

namespace stdio {

// Makes sure fds 0-2 are open (on /dev/null) so that nothing the helper
// opens lands on them. Node leaves them close-on-exec, i.e. closed here.
void guard_low_fds();

// dup2 the container's stdio onto 0-2 (clearing close-on-exec) and mark
// every other fd close-on-exec.
void install(const int fds[3]);

// Default disposition for every signal, empty mask (Node ignores SIGPIPE,
// and ignored signals survive execve).
void reset_signals();

}  // namespace stdio
