// The process's own kernel settings, made right before the user and
// capabilities change: personality, scheduler, I/O priority, CPU affinity,
// memory policy, AppArmor profile (applied at execve).
#pragma once
#include "plan.h"

namespace process_settings {

void apply(const Plan& p);

}  // namespace process_settings
