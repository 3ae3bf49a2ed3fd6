// Sending and receiving the protocol's messages (native/protocol.h) on the
// SOCK_SEQPACKET socket. Shared by the addon and the init helper. Every
// receive checks the datagram's size against the record it must be.
#pragma once
#include <stddef.h>
#include <stdint.h>
#include <vector>

#include "../protocol.h"

namespace msg {

// Sends one datagram with optional fds attached (SCM_RIGHTS). Returns 0 or -errno.
int send_with_fds(int sock, const void* data, size_t len, const int* fds, size_t nfds);

// Receives one datagram of at most `cap` bytes and up to `maxfds` fds
// (received fds are close-on-exec). Returns the length, 0 on EOF, or -errno.
// -EMSGSIZE if the datagram or its fds were truncated.
long recv_with_fds(int sock, void* data, size_t cap, int* fds, size_t maxfds, size_t* nfds);

int send_sync(int sock, proto::SyncKind kind, int64_t value);

// The same record with plain write(2): the one syscall a seccomp notify rule
// may not name (the init hands its listener fd over with it).
int write_sync(int sock, proto::SyncKind kind, int64_t value);

// A message from the helper: either a SyncRecord or an ErrorRecord.
struct Incoming {
  enum Type { kEof, kSync, kError, kBad } type = kBad;
  proto::SyncRecord sync{};
  proto::ErrorRecord error{};
  int err = 0;  // for kBad: errno of the receive, or EPROTO for a malformed record
  int fd = -1;  // an fd that came with a kSyncConsole record (close-on-exec)
};
Incoming recv_message(int sock);

}  // namespace msg
