// Per-container kernel settings made from inside: oom_score_adj, hostname,
// domainname, sysctl.
#pragma once
#include "plan.h"

namespace system_settings {

void oom_score_adj(const Plan& p);  // before anything else (host /proc)
void names(const Plan& p);          // hostname, domainname
void sysctl(const Plan& p);         // after pivot_root: the container's /proc/sys
void session_keyring(const Plan& p);  // a fresh session keyring, as runc gives each container
void process_settings(const Plan& p);  // personality, scheduler, I/O priority, CPU affinity: right before exec

}  // namespace system_settings
