#include "console.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "../common/fd.h"
#include "../common/msg.h"
#include "report.h"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

namespace console {

int setup(const Plan& p) {
  UniqueFd master(open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!master.ok()) report::fail("console", errno, "open /dev/ptmx in the container");
  int unlock = 0;
  if (ioctl(master.get(), TIOCSPTLCK, &unlock) < 0) report::fail("console", errno, "unlock the pty");
  // The peer through the master: no path lookup that the rootfs could redirect.
  int peer = ioctl(master.get(), TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (peer < 0) report::fail("console", errno, "open the pty peer");
  // As runc: process.consoleSize only when both are set.
  if (p.console_rows && p.console_cols) {
    struct winsize ws;
    memset(&ws, 0, sizeof(ws));
    ws.ws_row = static_cast<unsigned short>(p.console_rows);
    ws.ws_col = static_cast<unsigned short>(p.console_cols);
    if (ioctl(master.get(), TIOCSWINSZ, &ws) < 0) report::fail("console", errno, "set process.consoleSize");
  }
  if (p.terminal == 2) {
    // /dev/console: a file bind-mounted with the pty peer, as runc does.
    int f = open("/dev/console", O_CREAT | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (f < 0 && errno != EEXIST) report::fail("console", errno, "create /dev/console");
    if (f >= 0) close(f);
    char peer_path[64];
    snprintf(peer_path, sizeof(peer_path), "/proc/self/fd/%d", peer);
    if (mount(peer_path, "/dev/console", nullptr, MS_BIND, nullptr) < 0)
      report::fail("console", errno, "bind the pty at /dev/console");
  }
  proto::SyncRecord r;
  memset(&r, 0, sizeof(r));
  r.kind = proto::kSyncConsole;
  int fd = master.get();
  int rc = msg::send_with_fds(report::socket_fd(), &r, sizeof(r), &fd, 1);
  if (rc < 0) report::fail("console", -rc, "send the pty master to the parent");
  // The parent has passed the master on (--console-socket) or set up its
  // relay (ONLCR off, its own terminal raw) before the process can write.
  report::wait_go("console");
  // The peer keeps the group devpts gave it (its gid= option, "tty" in
  // runc's spec); user::switch_user_and_caps hands it to the user's uid only.
  return peer;
}

void make_controlling() {
  if (setsid() < 0) report::fail("console", errno, "setsid");
  if (ioctl(0, TIOCSCTTY, 0) < 0) report::fail("console", errno, "make the pty the controlling terminal");
}

}  // namespace console
