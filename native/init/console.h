// The container's terminal: a pty from the container's own devpts, its
// master sent to the parent (kSyncConsole), its peer bound at /dev/console
// for a new container and made the controlling terminal of the process.
#pragma once
#include "plan.h"

namespace console {

// After pivot_root (or after joining, for exec). Returns the pty's peer fd.
int setup(const Plan& p);

// After stdio is installed from the peer: a new session whose controlling
// terminal is fd 0.
void make_controlling();

}  // namespace console
