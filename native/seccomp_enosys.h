// The -ENOSYS stub put before libseccomp's filter, as runc's patchbpf
// (libcontainer/seccomp/patchbpf/enosys_linux.go) does: under a profile that
// does not allow by default, a syscall newer than every syscall the profile
// names gets ENOSYS instead of the default action, so that libc falls back to
// the older call it replaces (glibc: faccessat2 -> faccessat, clone3 -> clone).
#pragma once
#include <linux/filter.h>

#include <string>
#include <vector>

#include "seccomp_compile.h"

namespace seccomp_enosys {

// The stub for f, to run before the libseccomp program (empty when none is
// needed). Returns "" or a one-line reason.
std::string stub(const seccomp_compile::Filter& f, std::vector<sock_filter>* out);

}  // namespace seccomp_enosys
