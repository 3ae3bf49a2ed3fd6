#include "devices.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "../common/fd.h"
#include "paths.h"
#include "report.h"

namespace devices {

namespace {

mode_t node_type(uint32_t t) {
  switch (t) {
    case 'b': return S_IFBLK;
    case 'p': return S_IFIFO;
    default: return S_IFCHR;
  }
}

// A user namespace, new or joined by path, or the runtime's own (runc:
// RunningInUserNS() || Namespaces.Contains(NEWUSER)); the parent reads the
// runtime's own (src/native/caller.ts).
bool in_userns(const Plan& p) {
  if (p.clone_flags & CLONE_NEWUSER) return true;
  for (const PlanNsJoin& j : p.joins)
    if (j.type == CLONE_NEWUSER) return true;
  return p.runtime_in_userns;
}

void make_node(const Plan& p, int rootfd, const PlanDevice& d) {
  std::string parent, base;
  paths::split(d.path, &parent, &base);
  UniqueFd dir(paths::mkdir_all(rootfd, parent, 0755));
  if (!dir.ok()) report::fail("devices", -dir.get(), "create the directory of %s", d.path.c_str());
  if (in_userns(p)) {
    // mknod is not allowed in a user namespace: bind the host's node instead.
    UniqueFd target(paths::make_target(rootfd, d.path, false));
    if (!target.ok()) report::fail("devices", -target.get(), "create %s", d.path.c_str());
    if (mount(d.path.c_str(), paths::fd_path(target.get()).c_str(), "bind", MS_BIND, nullptr) < 0)
      report::fail("devices", errno, "bind the host's %s", d.path.c_str());
    return;
  }
  dev_t dev = makedev(d.rec.major, d.rec.minor);
  if (mknodat(dir.get(), base.c_str(), node_type(d.rec.type) | (d.rec.mode & 01777), dev) < 0) {
    if (errno == EEXIST) return;  // as runc: an existing node is kept
    report::fail("devices", errno, "mknod %s", d.path.c_str());
  }
  if (fchownat(dir.get(), base.c_str(), d.rec.uid, d.rec.gid, AT_SYMLINK_NOFOLLOW) < 0)
    report::fail("devices", errno, "chown %s", d.path.c_str());
  // mknod honours the umask; set the exact mode, without setuid and setgid:
  // runc's chown after its mknod clears those two (the sticky bit stays).
  UniqueFd node(openat(dir.get(), base.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
  if (!node.ok() || chmod(paths::fd_path(node.get()).c_str(), d.rec.mode & 01777) < 0)
    report::fail("devices", errno, "chmod %s", d.path.c_str());
}

}  // namespace

void create_all(const Plan& p, int rootfd) {
  if (!p.setup_dev) return;
  // /dev/ptmx is the pts/ptmx symlink below, as runc skips it here (setupPtmx): in a user namespace a
  // bind of the host's node would be a mount point the symlink cannot replace.
  for (const PlanDevice& d : p.devices)
    if (d.path != "/dev/ptmx") make_node(p, rootfd, d);
  UniqueFd dev(paths::mkdir_all(rootfd, "/dev", 0755));
  if (!dev.ok()) report::fail("devices", -dev.get(), "open /dev");
  for (const auto& link : p.symlinks) {
    // linkpath is inside /dev, e.g. "/dev/stdin"; ptmx replaces a node.
    std::string parent, base;
    paths::split(link.second, &parent, &base);
    UniqueFd dir(paths::mkdir_all(rootfd, parent, 0755));
    if (!dir.ok()) report::fail("devices", -dir.get(), "open %s", parent.c_str());
    if (base == "ptmx") unlinkat(dir.get(), base.c_str(), 0);
    if (symlinkat(link.first.c_str(), dir.get(), base.c_str()) < 0 && errno != EEXIST)
      report::fail("devices", errno, "symlink %s -> %s", link.second.c_str(), link.first.c_str());
  }
}

}  // namespace devices
