// Capability primitives: the bounding set, the three capset sets, ambient.
#pragma once
#include <stdint.h>

namespace caps {

// Highest capability number the running kernel knows (/proc/sys/kernel/cap_last_cap).
int last_cap();

// Drops every capability not in `bounding` from the bounding set. 0 or -errno.
int drop_bounding(uint64_t bounding);

// capset(effective, permitted, inheritable). 0 or -errno.
int set(uint64_t effective, uint64_t permitted, uint64_t inheritable);

// Raises the ambient capabilities in `ambient`, ignoring those the kernel
// refuses (not in permitted and inheritable), as runc 1.1 does.
void raise_ambient(uint64_t ambient);

}  // namespace caps
