// Per-container kernel settings made from inside: oom_score_adj, hostname,
// domainname, sysctl, the session keyring. (The process's own: process.h.)
#pragma once
#include "plan.h"

namespace system_settings {

void oom_score_adj(const Plan& p);    // before anything else (host /proc)
void names(const Plan& p);            // hostname, domainname
void sysctl(const Plan& p);           // after pivot_root: the container's /proc/sys
void session_keyring(const Plan& p);  // a fresh session keyring, as runc gives each container

}  // namespace system_settings
