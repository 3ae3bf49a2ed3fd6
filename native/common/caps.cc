#include "caps.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace caps {

int last_cap() {
  static int cached = -1;
  if (cached >= 0) return cached;
  int fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    char buf[16] = {0};
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n > 0) cached = atoi(buf);
  }
  if (cached <= 0) cached = CAP_LAST_CAP;
  return cached;
}

int drop_bounding(uint64_t bounding) {
  int last = last_cap();
  for (int c = 0; c <= last; c++) {
    if (bounding & (1ULL << c)) continue;
    if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL) return -errno;
  }
  return 0;
}

int set(uint64_t effective, uint64_t permitted, uint64_t inheritable) {
  struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct d[2];
  d[0].effective = static_cast<uint32_t>(effective);
  d[1].effective = static_cast<uint32_t>(effective >> 32);
  d[0].permitted = static_cast<uint32_t>(permitted);
  d[1].permitted = static_cast<uint32_t>(permitted >> 32);
  d[0].inheritable = static_cast<uint32_t>(inheritable);
  d[1].inheritable = static_cast<uint32_t>(inheritable >> 32);
  return syscall(SYS_capset, &h, d) < 0 ? -errno : 0;
}

void raise_ambient(uint64_t ambient) {
  prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
  int last = last_cap();
  for (int c = 0; c <= last; c++) {
    if (ambient & (1ULL << c)) prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0);
  }
}

}  // namespace caps
