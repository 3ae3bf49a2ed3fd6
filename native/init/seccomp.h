// Loading the seccomp filter that the parent compiled (libseccomp, in the
// addon). The helper never parses seccomp rules itself. With a notify
// listener, the fd goes to the parent before load() returns.
#pragma once
#include "plan.h"

namespace seccomp_filter {

void load(const Plan& p);

}  // namespace seccomp_filter
