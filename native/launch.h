// Starting the init helper from the parent: a sealed memfd copy of the helper
// binary, a SOCK_SEQPACKET socketpair, fork + execveat. Used by the addon.
#pragma once
#include <stddef.h>
#include <sys/types.h>

#include <string>

namespace launch {

struct Started {
  pid_t pid = -1;  // the helper
  int sock = -1;   // the parent's end of the socket (close-on-exec)
  // When the plan is refused as too large (-EMSGSIZE, before the helper
  // starts): the most bytes its message (PlanHeader + records) may have.
  size_t max_plan_bytes = 0;
};

// fds: the container's stdio, then its extra fds. Returns 0 or -errno;
// *what names the step that failed.
int start_helper(const std::string& helper_path, const void* plan, size_t plan_len, const int* fds, size_t nfds,
                 Started* out, std::string* what);

}  // namespace launch
