// Id-mapped bind mounts (mount options idmap/ridmap, mounts[].uidMappings):
// detached clones of the sources with MOUNT_ATTR_IDMAP set, made while the
// helper is still root in the host's user and mount namespaces (the kernel
// wants CAP_SYS_ADMIN over the source filesystem's user namespace). The init
// later moves each clone onto its destination (mounts::mount_all).
#pragma once
#include "plan.h"

namespace idmap {

// For every id-mapped mount in the plan: a user namespace holding its mapping
// (a short-lived child's, or the one joined by path), then open_tree(CLONE)
// of the source and mount_setattr(MOUNT_ATTR_IDMAP). Sets PlanMount::tree_fd.
// Without either call (ENOSYS) the mount fails: mount(2) cannot id-map.
void prepare(Plan* p);

}  // namespace idmap
