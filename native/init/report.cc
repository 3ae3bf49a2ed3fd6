#include "report.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../common/msg.h"

namespace report {

namespace {
int g_sock = -1;
}

void set_socket(int fd) { g_sock = fd; }
int socket_fd() { return g_sock; }

void fail(const char* step, int err, const char* fmt, ...) {
  proto::ErrorRecord r;
  memset(&r, 0, sizeof(r));
  r.kind = proto::kSyncError;
  r.err = err;
  snprintf(r.step, sizeof(r.step), "%s", step);
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(r.detail, sizeof(r.detail), fmt, ap);
  va_end(ap);
  if (g_sock >= 0) msg::send_with_fds(g_sock, &r, sizeof(r), nullptr, 0);
  _exit(proto::kInitFailedExit);
}

const char* errno_text(int err) {
  static char buf[128];
  snprintf(buf, sizeof(buf), "%s", strerror(err));
  // Go's mkerrors lowercases "Bad" but not "STREAMS": only before a lowercase letter.
  if (buf[0] >= 'A' && buf[0] <= 'Z' && buf[1] >= 'a' && buf[1] <= 'z') buf[0] = static_cast<char>(buf[0] - 'A' + 'a');
  return buf;
}

void send(proto::SyncKind kind, int64_t value) {
  int rc = msg::send_sync(g_sock, kind, value);
  if (rc < 0) fail("sync", -rc, "cannot reach the parent");
}

void wait_go(const char* step) {
  msg::Incoming in = msg::recv_message(g_sock);
  if (in.type == msg::Incoming::kSync && in.sync.kind == proto::kSyncGo) return;
  if (in.type == msg::Incoming::kEof) fail(step, 0, "the parent went away");
  fail(step, in.err ? in.err : EPROTO, "unexpected message from the parent");
}

}  // namespace report
