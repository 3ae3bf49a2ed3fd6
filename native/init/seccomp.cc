#include "seccomp.h"

#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>

#include "report.h"

namespace seccomp_filter {

void load(const Plan& p) {
  if (p.seccomp_bpf.empty()) return;
  struct sock_fprog prog;
  prog.len = static_cast<unsigned short>(p.seccomp_bpf.size() / sizeof(struct sock_filter));
  prog.filter = reinterpret_cast<struct sock_filter*>(const_cast<unsigned char*>(p.seccomp_bpf.data()));
  if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) < 0)
    report::fail("seccomp", errno, "load the seccomp filter (linux.seccomp)");
}

}  // namespace seccomp_filter
