#include "seccomp.h"

#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../common/msg.h"
#include "namespaces.h"
#include "report.h"

namespace seccomp_filter {

void load(const Plan& p) {
  if (p.seccomp_bpf.empty()) return;
  struct sock_fprog prog;
  prog.len = static_cast<unsigned short>(p.seccomp_bpf.size() / sizeof(struct sock_filter));
  prog.filter = reinterpret_cast<struct sock_filter*>(const_cast<unsigned char*>(p.seccomp_bpf.data()));
  // The parent takes a notify fd with pidfd_getfd, which a rootless caller may
  // do only while we are dumpable: set now, before the filter may deny prctl.
  if (p.seccomp_flags & SECCOMP_FILTER_FLAG_NEW_LISTENER) namespaces::open_to_caller(p, true);
  long rc = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, p.seccomp_flags, &prog);
  if (rc < 0) report::fail("seccomp", errno, "load the seccomp filter (linux.seccomp, flags 0x%x)", p.seccomp_flags);
  if (!(p.seccomp_flags & SECCOMP_FILTER_FLAG_NEW_LISTENER)) return;
  // The filter is in force: from here on the syscalls a rule notifies wait
  // for the listener, which does not have the fd yet. So: one write(2) (which
  // no rule may notify) to tell the parent the fd's number; it copies the fd
  // with pidfd_getfd and passes it on to linux.seccomp.listenerPath before
  // answering. Then our copy goes, so that only the listener holds it.
  int fd = static_cast<int>(rc);
  int err = msg::write_sync(report::socket_fd(), proto::kSyncSeccomp, fd);
  if (err < 0) report::fail("seccomp", -err, "hand the seccomp notify fd to the parent");
  report::wait_go("seccomp");
  close(fd);
}

}  // namespace seccomp_filter
