#include "seccomp.h"

#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "report.h"

namespace seccomp_filter {

void load(const Plan& p) {
  if (p.seccomp_bpf.empty()) return;
  struct sock_fprog prog;
  prog.len = static_cast<unsigned short>(p.seccomp_bpf.size() / sizeof(struct sock_filter));
  prog.filter = reinterpret_cast<struct sock_filter*>(const_cast<unsigned char*>(p.seccomp_bpf.data()));
  if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, p.seccomp_flags, &prog) < 0)
    report::fail("seccomp", errno, "load the seccomp filter (linux.seccomp, flags 0x%x)", p.seccomp_flags);
}

}  // namespace seccomp_filter
