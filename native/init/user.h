// The container user: groups, gid, uid (keeping capabilities across the
// switch), and HOME from the container's /etc/passwd, as runc resolves it
// for a numeric "uid:gid" user.
#pragma once
#include <string>

#include "plan.h"

namespace user {

// Looks up the home directory of plan.user.uid in /etc/passwd (after
// pivot_root), "/" when there is none. Fails the init when /etc/passwd is
// not a regular file (a FIFO, a device) or is larger than 4 MiB.
std::string home_of(const Plan& p);

// Drops the bounding set, switches to the user, applies the capability sets;
// leaves the process non-dumpable whatever fs.suid_dumpable is.
void switch_user_and_caps(const Plan& p);

}  // namespace user
