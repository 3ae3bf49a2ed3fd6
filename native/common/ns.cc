#include "ns.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "fd.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

namespace ns {

const char* type_name(uint32_t f) {
  switch (f) {
    case CLONE_NEWPID: return "pid";
    case CLONE_NEWNET: return "network";
    case CLONE_NEWNS: return "mount";
    case CLONE_NEWIPC: return "ipc";
    case CLONE_NEWUTS: return "uts";
    case CLONE_NEWUSER: return "user";
    case CLONE_NEWCGROUP: return "cgroup";
    case CLONE_NEWTIME: return "time";
    default: return "?";
  }
}

int open_checked(const char* path, uint32_t clone_flag, uint32_t* wrong_type) {
  UniqueFd fd(open(path, O_RDONLY | O_CLOEXEC));
  if (!fd.ok()) return -errno;
  int type = ioctl(fd.get(), NS_GET_NSTYPE);
  if (type < 0) return errno == ENOTTY ? -EINVAL : -errno;  // not a namespace file
  if (static_cast<uint32_t>(type) != clone_flag) {
    if (wrong_type) *wrong_type = static_cast<uint32_t>(type);
    return -EINVAL;
  }
  return fd.release();
}

}  // namespace ns
