#include "idmap.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "../common/fd.h"
#include "../common/ns.h"
#include "report.h"
#include "syscalls.h"

namespace idmap {

namespace {

std::string what(const PlanMount& m) { return "mounts[" + std::to_string(m.rec.index) + "] " + m.destination; }

std::string map_text(const std::vector<proto::IdMapRecord>& maps) {
  std::string text;
  for (const proto::IdMapRecord& x : maps) {
    text += std::to_string(x.container_id) + " " + std::to_string(x.host_id) + " " + std::to_string(x.size) + "\n";
  }
  return text;
}

void write_map(pid_t pid, const char* file, const std::string& text, const PlanMount& m) {
  std::string path = "/proc/" + std::to_string(pid) + "/" + file;
  UniqueFd fd(open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd.ok() || write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size()))
    report::fail("idmap", errno, "%s: write the mount's %s", what(m).c_str(), file);
}

// A user namespace with the mount's mapping: a child is cloned into a new one,
// its maps are written from here, its ns/user is opened, and it is let go.
int make_userns(const PlanMount& m) {
  int gate[2];
  if (pipe2(gate, O_CLOEXEC) < 0) report::fail("idmap", errno, "%s: pipe", what(m).c_str());
  UniqueFd gate_r(gate[0]), gate_w(gate[1]);
  long pid = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, nullptr, nullptr, nullptr, 0);
  if (pid < 0) report::fail("idmap", errno, "%s: create a user namespace for the mapping", what(m).c_str());
  if (pid == 0) {
    // Holds the namespace alive until the helper closes its end of the gate.
    char c;
    close(gate[1]);
    while (read(gate[0], &c, 1) < 0 && errno == EINTR) {
    }
    _exit(0);
  }
  gate_r.reset();
  write_map(static_cast<pid_t>(pid), "uid_map", map_text(m.uid_maps), m);
  write_map(static_cast<pid_t>(pid), "gid_map", map_text(m.gid_maps), m);
  std::string ns = "/proc/" + std::to_string(pid) + "/ns/user";
  int fd = open(ns.c_str(), O_RDONLY | O_CLOEXEC);
  int err = errno;
  gate_w.reset();
  while (waitpid(static_cast<pid_t>(pid), nullptr, 0) < 0 && errno == EINTR) {
  }
  if (fd < 0) report::fail("idmap", err, "%s: open the mapping's user namespace", what(m).c_str());
  return fd;
}

int joined_userns(const Plan& p, const PlanMount& m) {
  for (const PlanNsJoin& j : p.joins) {
    if (j.type != CLONE_NEWUSER) continue;
    uint32_t found = 0;
    int fd = ns::open_checked(j.path.c_str(), j.type, &found);
    if (fd < 0)
      report::fail("idmap", found ? EINVAL : -fd, "%s: open the user namespace at %s", what(m).c_str(), j.path.c_str());
    return fd;
  }
  report::fail("idmap", EINVAL, "%s: no user namespace is joined to take the mapping from", what(m).c_str());
}

}  // namespace

void prepare(Plan* p) {
  for (PlanMount& m : p->mounts) {
    if (!m.idmap) continue;
    bool joined = m.idmap_flags & proto::kIdmapJoinedUserns;
    UniqueFd userns(joined ? joined_userns(*p, m) : make_userns(m));
    unsigned int clone = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | ((m.rec.flags & MS_REC) ? AT_RECURSIVE : 0);
    UniqueFd t(syscalls::open_tree(AT_FDCWD, m.source.c_str(), clone));
    // mount(2) cannot id-map (nor can runc 1.1.5): without the new mount API, fail.
    if (!t.ok() && errno == ENOSYS)
      report::fail("idmap", errno, "%s: id-mapped mounts need open_tree", what(m).c_str());
    if (!t.ok()) report::fail("idmap", errno, "%s: bind source %s", what(m).c_str(), m.source.c_str());
    struct mount_attr attr = {};
    attr.attr_set = MOUNT_ATTR_IDMAP;
    attr.userns_fd = static_cast<uint64_t>(userns.get());
    unsigned int at = AT_EMPTY_PATH | ((m.idmap_flags & proto::kIdmapRecursive) ? AT_RECURSIVE : 0);
    int rc = syscalls::mount_setattr(t.get(), "", at, &attr);
    if (rc < 0 && errno == ENOSYS)
      report::fail("idmap", errno, "%s: id-mapped mounts need mount_setattr", what(m).c_str());
    if (rc < 0)
      report::fail("idmap", errno, "%s: id-map %s (mount_setattr MOUNT_ATTR_IDMAP)", what(m).c_str(), m.source.c_str());
    m.tree_fd = t.release();
  }
}

}  // namespace idmap
