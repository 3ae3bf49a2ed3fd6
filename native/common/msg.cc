#include "msg.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

namespace msg {

int send_with_fds(int sock, const void* data, size_t len, const int* fds, size_t nfds) {
  struct iovec iov;
  iov.iov_base = const_cast<void*>(data);
  iov.iov_len = len;
  struct msghdr mh;
  memset(&mh, 0, sizeof(mh));
  mh.msg_iov = &iov;
  mh.msg_iovlen = 1;
  alignas(struct cmsghdr) char cbuf[CMSG_SPACE(sizeof(int) * proto::kMaxPlanFds)];
  if (nfds > static_cast<size_t>(proto::kMaxPlanFds)) return -EINVAL;
  if (nfds > 0) {
    memset(cbuf, 0, sizeof(cbuf));
    mh.msg_control = cbuf;
    mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
    struct cmsghdr* c = CMSG_FIRSTHDR(&mh);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
    memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
  }
  for (;;) {
    // Without fds, write(2): the init sends its last records under the
    // container's seccomp filter, and profiles that deny sendmsg (no network)
    // allow write, as runc's init relies on too.
    ssize_t n = nfds > 0 ? sendmsg(sock, &mh, MSG_NOSIGNAL) : write(sock, data, len);
    if (n >= 0) return static_cast<size_t>(n) == len ? 0 : -EMSGSIZE;
    if (errno != EINTR) return -errno;
  }
}

long recv_with_fds(int sock, void* data, size_t cap, int* fds, size_t maxfds, size_t* nfds) {
  if (nfds) *nfds = 0;
  struct iovec iov;
  iov.iov_base = data;
  iov.iov_len = cap;
  struct msghdr mh;
  memset(&mh, 0, sizeof(mh));
  mh.msg_iov = &iov;
  mh.msg_iovlen = 1;
  alignas(struct cmsghdr) char cbuf[CMSG_SPACE(sizeof(int) * proto::kMaxPlanFds)];
  if (maxfds > static_cast<size_t>(proto::kMaxPlanFds)) maxfds = proto::kMaxPlanFds;
  if (maxfds > 0) {
    mh.msg_control = cbuf;
    mh.msg_controllen = CMSG_SPACE(sizeof(int) * maxfds);
  }
  ssize_t n;
  do {
    n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return -errno;
  size_t got = 0;
  for (struct cmsghdr* c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (size_t i = 0; i < k; i++) {
      int fd;
      memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
      if (got < maxfds && fds) fds[got++] = fd;
      else close(fd);
    }
  }
  if (nfds) *nfds = got;
  if (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) {
    for (size_t i = 0; i < got; i++) close(fds[i]);
    if (nfds) *nfds = 0;
    return -EMSGSIZE;
  }
  return n;
}

int send_sync(int sock, proto::SyncKind kind, int64_t value) {
  proto::SyncRecord r;
  memset(&r, 0, sizeof(r));
  r.kind = kind;
  r.value = value;
  return send_with_fds(sock, &r, sizeof(r), nullptr, 0);
}

int write_sync(int sock, proto::SyncKind kind, int64_t value) {
  proto::SyncRecord r;
  memset(&r, 0, sizeof(r));
  r.kind = kind;
  r.value = value;
  for (;;) {
    ssize_t n = write(sock, &r, sizeof(r));
    if (n >= 0) return n == static_cast<ssize_t>(sizeof(r)) ? 0 : -EMSGSIZE;
    if (errno != EINTR) return -errno;
  }
}

Incoming recv_message(int sock) {
  Incoming in;
  union {
    proto::SyncRecord sync;
    proto::ErrorRecord error;
    char raw[sizeof(proto::ErrorRecord) + 1];
  } buf;
  int fd = -1;
  size_t nfds = 0;
  long n = recv_with_fds(sock, &buf, sizeof(buf), &fd, 1, &nfds);
  // Only kSyncConsole carries an fd; anything else that brings one is closed.
  struct FdGuard {
    int* fd;
    ~FdGuard() {
      if (*fd >= 0) close(*fd);
    }
  } guard{&fd};
  if (n == 0) {
    in.type = Incoming::kEof;
    return in;
  }
  if (n < 0) {
    in.err = static_cast<int>(-n);
    return in;
  }
  uint32_t kind;
  if (n < static_cast<long>(sizeof(kind))) {
    in.err = EPROTO;
    return in;
  }
  memcpy(&kind, &buf, sizeof(kind));
  if (kind == proto::kSyncError) {
    if (n != static_cast<long>(sizeof(proto::ErrorRecord))) {
      in.err = EPROTO;
      return in;
    }
    in.type = Incoming::kError;
    in.error = buf.error;
    in.error.step[proto::kStepLen - 1] = '\0';
    in.error.detail[proto::kDetailLen - 1] = '\0';
    return in;
  }
  if (n != static_cast<long>(sizeof(proto::SyncRecord)) || kind < proto::kSyncUsernsReady ||
      kind > proto::kSyncSeccomp || kind == proto::kSyncError) {
    in.err = EPROTO;
    return in;
  }
  in.type = Incoming::kSync;
  in.sync = buf.sync;
  if (kind == proto::kSyncConsole) {
    if (fd < 0) {
      in.type = Incoming::kBad;
      in.err = EPROTO;
      return in;
    }
    in.fd = fd;
    fd = -1;
  }
  return in;
}

}  // namespace msg
