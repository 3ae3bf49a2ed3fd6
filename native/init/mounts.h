// The container's filesystem: the rootfs bind, config mounts in order,
// pivot_root, readonly and masked paths, and the final read-only remounts.
#pragma once
#include "plan.h"

namespace mounts {

// In the helper, before a new user namespace: each bind source is cloned into
// a detached mount (open_tree) while the host's root may still reach it, as
// runc opens mount sources before the user namespace (a source under a 0700
// host dir stays bindable). The clone is attached in mount_all. Without
// open_tree (ENOSYS) nothing is cloned: mount_all binds the source itself,
// from inside the user namespace.
void clone_bind_sources(Plan* p);

// Does the container have a mount namespace of its own, new or joined? If
// not, its mounts are made in the runtime's, and it is chrooted.
bool has_mount_ns(const Plan& p);

// Sets "/" propagation and bind-mounts the rootfs onto itself. Returns an
// O_PATH fd of the (new) rootfs mount.
int prepare_root(const Plan& p);

// mkdirs asked for by the plan (cwd), then the config mounts, in order.
void mount_all(const Plan& p, int rootfd);

// pivot_root into the rootfs (or MS_MOVE + chroot with no_pivot), then the
// requested "/" propagation.
void enter_root(const Plan& p, int rootfd);

// After enter_root: readonlyPaths, then maskedPaths (runc's order).
void readonly_and_masked(const Plan& p);

// Last: delayed read-only remounts (tmpfs, /dev) and a read-only root.
void finalize(const Plan& p);

}  // namespace mounts
