// Loading the seccomp filter that the parent compiled (libseccomp, in the
// addon). The helper never parses seccomp rules itself.
#pragma once
#include "plan.h"

namespace seccomp_filter {

void load(const Plan& p);

}  // namespace seccomp_filter
