#include "launch.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <vector>

#include "common/fd.h"
#include "common/msg.h"
#include "protocol.h"

namespace launch {

namespace {

// A sealed, close-on-exec memfd holding a copy of the helper, made once per
// process. The container can never reach the file on the host through
// /proc/self/exe (runc CVE-2019-5736).
int sealed_copy(const std::string& path, std::string* what) {
  static int cached = -1;
  if (cached >= 0) return cached;
  UniqueFd src(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!src.ok()) {
    *what = "open " + path;
    return -errno;
  }
  struct stat st;
  if (fstat(src.get(), &st) < 0) {
    *what = "stat " + path;
    return -errno;
  }
  UniqueFd mem(static_cast<int>(syscall(SYS_memfd_create, "minirun-init", MFD_CLOEXEC | MFD_ALLOW_SEALING)));
  if (!mem.ok()) {
    *what = "memfd_create";
    return -errno;
  }
  off_t off = 0;
  while (off < st.st_size) {
    ssize_t n = sendfile(mem.get(), src.get(), &off, st.st_size - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      *what = "copy the helper into a memfd";
      return n < 0 ? -errno : -EIO;
    }
  }
  if (fcntl(mem.get(), F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) < 0) {
    *what = "seal the memfd";
    return -errno;
  }
  cached = mem.release();
  return cached;
}

// The kernel sends a SOCK_SEQPACKET (unix datagram) message only if it is at
// most the socket's send buffer less this (af_unix.c, unix_dgram_sendmsg).
constexpr size_t kDatagramReserve = 32;

// The most bytes the plan's message may have on this socket: what the init
// receives, and what the kernel sends. SO_SNDBUF asked for more than
// net.core.wmem_max gets twice wmem_max (425,984 bytes by default).
size_t plan_capacity(int sock) {
  int sndbuf = 0;
  socklen_t len = sizeof(sndbuf);
  if (getsockopt(sock, SOL_SOCKET, SO_SNDBUF, &sndbuf, &len) < 0 || sndbuf <= static_cast<int>(kDatagramReserve))
    return proto::kMaxPlanBytes;  // sendmsg will say
  return std::min<size_t>(proto::kMaxPlanBytes, static_cast<size_t>(sndbuf) - kDatagramReserve);
}

struct ChildArgs {
  int exe;   // the sealed memfd
  int sock;  // the helper's end of the socketpair
};
constexpr size_t kChildStack = 64 * 1024;

// The child of start_helper's clone: it shares Node's memory and runs on its
// own stack until execveat. Async-signal-safe calls that change only its own
// state (its signal dispositions, mask and fd table are copies).
int exec_helper(void* arg) {
  const ChildArgs* a = static_cast<const ChildArgs*>(arg);
  struct sigaction dfl;
  memset(&dfl, 0, sizeof(dfl));
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; sig++) sigaction(sig, &dfl, nullptr);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  if (a->sock == proto::kHelperSockFd) {
    fcntl(a->sock, F_SETFD, 0);
  } else if (dup2(a->sock, proto::kHelperSockFd) < 0) {
    _exit(proto::kInitFailedExit);
  }
  char arg0[] = "minirun-init";
  char* argv[] = {arg0, nullptr};
  char* envp[] = {nullptr};
  syscall(SYS_execveat, a->exe, "", argv, envp, AT_EMPTY_PATH);
  _exit(proto::kInitFailedExit);
}

}  // namespace

int start_helper(const std::string& helper_path, const void* plan, size_t plan_len, const int* fds, size_t nfds,
                 Started* out, std::string* what) {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
    *what = "socketpair";
    return -errno;
  }
  UniqueFd mine(sv[0]), theirs(sv[1]);
  // Room for the plan, as far as net.core.wmem_max allows; a plan that does
  // not fit is refused here, before there is a helper to clean up.
  size_t message = sizeof(proto::PlanHeader) + plan_len;
  int sndbuf = static_cast<int>(std::min<size_t>(message, proto::kMaxPlanBytes) + 4096);
  setsockopt(mine.get(), SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
  size_t capacity = plan_capacity(mine.get());
  if (message > capacity) {
    out->max_plan_bytes = capacity;
    *what = "the launch plan";
    return -EMSGSIZE;
  }
  int exe = sealed_copy(helper_path, what);
  if (exe < 0) return exe;

  // Block every signal around the clone so that no Node handler runs in the child.
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  // CLONE_VM|CLONE_VFORK, as posix_spawn does: no copy of Node's page tables,
  // and none of its pages made copy-on-write for it to fault on afterwards.
  // This thread waits until the child has called execveat (or _exit).
  ChildArgs args{exe, theirs.get()};
  std::vector<char> stack(kChildStack);
  pid_t pid = clone(exec_helper, stack.data() + stack.size(), CLONE_VM | CLONE_VFORK | SIGCHLD, &args);
  int fork_errno = errno;
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  if (pid < 0) {
    *what = "clone";
    return -fork_errno;
  }
  theirs.reset();

  // The plan, with the container's stdio and extra fds attached.
  std::string buf(sizeof(proto::PlanHeader) + plan_len, '\0');
  proto::PlanHeader h;
  h.magic = proto::kMagic;
  h.version = proto::kVersion;
  h.length = static_cast<uint32_t>(plan_len);
  h.reserved = 0;
  memcpy(&buf[0], &h, sizeof(h));
  memcpy(&buf[sizeof(h)], plan, plan_len);
  int rc = msg::send_with_fds(mine.get(), buf.data(), buf.size(), fds, nfds);
  if (rc < 0) {
    // The helper is gone or refused: reap it so that nothing is left.
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    *what = "send the plan to the helper";
    return rc;
  }
  out->pid = pid;
  out->sock = mine.release();
  return 0;
}

}  // namespace launch
