// How the init helper talks back to the parent: sync records, and a fixed-size
// error record followed by _exit. Nothing here returns on failure.
#pragma once
#include <stdint.h>

#include "../protocol.h"

namespace report {

void set_socket(int fd);
int socket_fd();

// Writes an ErrorRecord {step, err, detail} to the parent and _exits.
[[noreturn]] void fail(const char* step, int err, const char* fmt, ...) __attribute__((format(printf, 3, 4)));

// strerror(err) as Go's syscall.Errno spells it, and so as runc words its
// errors: the first letter lowercased ("no such file or directory",
// "permission denied"). Clients match these words (Docker: exit 127/126).
const char* errno_text(int err);

// Sends a sync record; fails the init if the parent is gone.
void send(proto::SyncKind kind, int64_t value);

// Blocks until the parent answers kSyncGo; fails the init on anything else.
void wait_go(const char* step);

}  // namespace report
