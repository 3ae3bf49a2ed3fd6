#include "stdio.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "report.h"

namespace stdio {

void guard_low_fds() {
  for (int fd = 0; fd <= 2; fd++) {
    if (fcntl(fd, F_GETFD) >= 0) continue;
    int n = open("/dev/null", O_RDWR);
    if (n < 0) _exit(proto::kInitFailedExit);
    if (n != fd) {
      dup2(n, fd);
      close(n);
    }
  }
}

void install(const std::vector<int>& fds) {
  const int n = static_cast<int>(fds.size());
  // Move the sources above every target first, so that no dup2 clobbers a source.
  std::vector<int> high(n);
  for (int i = 0; i < n; i++) {
    high[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, n + 10);
    if (high[i] < 0) report::fail("stdio", errno, "duplicate fd %d for the container", i);
  }
  for (int i = 0; i < n; i++) {
    if (dup2(high[i], i) < 0) report::fail("stdio", errno, "dup2 onto fd %d", i);
    close(high[i]);
    // Node may have made a pipe non-blocking; the user program expects blocking stdio.
    int fl = fcntl(i, F_GETFL);
    if (i < 3 && fl >= 0 && (fl & O_NONBLOCK)) fcntl(i, F_SETFL, fl & ~O_NONBLOCK);
  }
  if (syscall(SYS_close_range, n, ~0U, CLOSE_RANGE_CLOEXEC) < 0) {
    // Older kernels: walk the fd table by hand.
    for (int fd = n; fd < 65536; fd++) {
      int f = fcntl(fd, F_GETFD);
      if (f >= 0) fcntl(fd, F_SETFD, f | FD_CLOEXEC);
    }
  }
}

void reset_signals() {
  struct sigaction sa;
  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; sig++) {
    if (sig == SIGKILL || sig == SIGSTOP) continue;
    sigaction(sig, &sa, nullptr);
  }
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
}

namespace {
void exit_now(int) { _exit(2); }
void ignore_now(int) {}
}  // namespace

void exit_on_signals() {
  // What runc's init (a Go program with no signal.Notify) does: HUP, INT, TERM
  // and the crash signals end it; every other catchable signal is caught and
  // dropped. Handlers, not SIG_IGN, so that execve resets them all.
  struct sigaction ends, drops;
  memset(&ends, 0, sizeof(ends));
  memset(&drops, 0, sizeof(drops));
  ends.sa_handler = exit_now;
  drops.sa_handler = ignore_now;
  drops.sa_flags = SA_RESTART;  // the blocking open of the exec fifo goes on
  for (int sig = 1; sig < NSIG; sig++) {
    switch (sig) {
      case SIGKILL:
      case SIGSTOP:
      case SIGCHLD:
      case SIGCONT:
      case SIGURG:
      case SIGWINCH:
      case SIGTSTP:
      case SIGTTIN:
      case SIGTTOU:
      case SIGPROF: continue;  // not catchable, or left at the system default (as Go does)
      case SIGHUP:
      case SIGINT:
      case SIGTERM:
      case SIGQUIT:
      case SIGILL:
      case SIGTRAP:
      case SIGABRT:
      case SIGBUS:
      case SIGFPE:
      case SIGSEGV:
      case SIGSTKFLT:
      case SIGSYS: sigaction(sig, &ends, nullptr); continue;
      default: sigaction(sig, &drops, nullptr);
    }
  }
}

}  // namespace stdio
