// /dev inside the container: device nodes (the defaults and linux.devices)
// and the symlinks (/dev/fd, stdin, stdout, stderr, ptmx). Only when /dev is
// not bind-mounted from the host (the parent decides: plan.setup_dev).
#pragma once
#include "plan.h"

namespace devices {

void create_all(const Plan& p, int rootfd);

}  // namespace devices
