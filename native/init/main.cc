// minirun-init: the helper between the parent and the container's process.
// Started by the addon from a sealed memfd copy, with the plan on fd 3.
// Single-threaded, so it may join and create any namespace. It never returns:
// it execs the user program or reports {step, errno, detail} and _exits.
//
// The steps, in the order main() takes them (runc's, where runc has them):
//   helper:  receive plan (+ stdio and extra fds; a terminal lets go of the
//            caller's stdio) -> oom_score_adj -> exec fifo (O_PATH) ->
//            id-mapped mount clones -> bind source clones (new user ns) ->
//            join namespaces by path -> new user namespace (parent writes
//            id maps) -> other new namespaces -> fork the init (pid 1) ->
//            report its pid, exit
//   init:    wait for the parent (cgroups, rlimits) -> cgroup namespace ->
//            [exec into a running container skips to the console]
//            rootfs bind -> config mounts (+ recursive attributes), cwd dir ->
//            /dev nodes and links -> [create hooks] -> pivot_root ->
//            [pty, /dev/console] -> hostname, domainname -> session keyring ->
//            sysctl -> readonlyPaths, maskedPaths -> read-only remounts and
//            the recursive attributes of tmpfs and /dev ->
//            umask -> personality, scheduler, ioprio, affinity, AppArmor ->
//            stdio (the rest of the fds closed), controlling terminal,
//            signals -> no_new_privs ->
//            seccomp (without no_new_privs: needs CAP_SYS_ADMIN) ->
//            read HOME -> cwd as root -> bounding set, user, caps ->
//            [cwd as the user] -> env, find args[0], refuse the helper
//            itself as the program or its #! interpreter ->
//            seccomp (no_new_privs with a notify listener) ->
//            [wait on the exec fifo, or startContainer hooks] ->
//            seccomp (no_new_privs, the rest: in exec::run) -> execve
// Either seccomp load, with a notify listener, first hands the fd to the
// parent (for linux.seccomp.listenerPath) and waits for it.
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "../common/fd.h"
#include "../common/msg.h"
#include "console.h"
#include "devices.h"
#include "exec.h"
#include "idmap.h"
#include "mounts.h"
#include "namespaces.h"
#include "paths.h"
#include "plan.h"
#include "process.h"
#include "report.h"
#include "seccomp.h"
#include "stdio.h"
#include "system.h"
#include "user.h"

namespace {

// Receives the plan, the container's stdio fds and its extra fds.
void receive_plan(Plan* plan, std::vector<int>* fds) {
  static unsigned char buf[proto::kMaxPlanBytes];
  size_t nfds = 0;
  fds->assign(proto::kMaxPlanFds, -1);
  long n = msg::recv_with_fds(report::socket_fd(), buf, sizeof(buf), fds->data(), fds->size(), &nfds);
  fds->resize(nfds);
  if (n < 0) report::fail("plan", static_cast<int>(-n), "receive the launch plan");
  if (n == 0) report::fail("plan", 0, "the parent closed the socket before sending a plan");
  if (nfds < 3) report::fail("plan", EPROTO, "expected 3 stdio fds with the plan, got %zu", nfds);
  proto::PlanHeader h;
  if (static_cast<size_t>(n) < sizeof(h)) report::fail("plan", EPROTO, "short plan header");
  memcpy(&h, buf, sizeof(h));
  if (h.magic != proto::kMagic || h.version != proto::kVersion)
    report::fail("plan", EPROTO, "plan magic/version mismatch (helper and addon from different builds?)");
  if (h.length != static_cast<size_t>(n) - sizeof(h)) report::fail("plan", EPROTO, "plan length mismatch");
  std::string err = decode_plan(buf + sizeof(h), h.length, plan);
  if (!err.empty()) report::fail("plan", EPROTO, "%s", err.c_str());
  if (nfds != 3 + plan->extra_fds)
    report::fail("plan", EPROTO, "expected %u fds with the plan, got %zu", 3 + plan->extra_fds, nfds);
}

void set_umask(const Plan& p) { umask(p.has_user && p.user.has_umask ? p.user.umask : 022); }

}  // namespace

int main(int argc, char** argv) {
  // The addon starts the helper as exactly "minirun-init". Anything else is a
  // process that ran the helper's memfd itself (it is the container's
  // /proc/self/exe until execve, e.g. as an ELF interpreter that
  // exec::refuse_helper does not read): say so, where it can be seen.
  if (argc != 1 || strcmp(argv[0], "minirun-init") != 0) {
    static const char msg[] =
        "minirun-init: minirun's container init helper, run as a program (through /proc/self/exe?): it runs nothing by itself\n";
    ssize_t n = write(2, msg, sizeof(msg) - 1);
    (void)n;
    _exit(proto::kInitFailedExit);
  }
  stdio::guard_low_fds();
  // The socket moves above every fd the container may get (stdio + extra fds
  // land on 0..kMaxPlanFds-1), so that installing them cannot clobber it.
  int sock = fcntl(proto::kHelperSockFd, F_DUPFD_CLOEXEC, proto::kMaxPlanFds + 3);
  if (sock < 0) _exit(proto::kInitFailedExit);
  close(proto::kHelperSockFd);
  report::set_socket(sock);
  // Never dumpable while in the container's namespaces: no ptrace or
  // /proc/<pid>/ access from inside. (Set again after each change of uid,
  // in namespaces::become_root and user::switch_user_and_caps.)
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  umask(0);
  exec::note_helper_file();  // the host's /proc, before any namespace is joined

  Plan plan;
  std::vector<int> fds;  // stdio, then the extra fds
  receive_plan(&plan, &fds);
  if (plan.terminal) {
    // The pty is the process's stdio: let go of the caller's at once. A
    // caller (containerd's shim) may wait for EOF on them before `start`.
    for (int i = 0; i < 3; i++) {
      close(fds[i]);
      fds[i] = -1;
    }
  }

  system_settings::oom_score_adj(plan);
  // An O_PATH fd of the exec fifo, opened while the host's paths are visible
  // to the host's root (a user namespace's root may not reach the state dir).
  UniqueFd fifo;
  if (!plan.exec_fifo.empty()) {
    fifo.reset(open(plan.exec_fifo.c_str(), O_PATH | O_CLOEXEC));
    if (!fifo.ok()) report::fail("exec fifo", errno, "open %s", plan.exec_fifo.c_str());
  }
  idmap::prepare(&plan);  // still root in the host's namespaces
  mounts::clone_bind_sources(&plan);
  namespaces::enter(plan);  // from here on: the container's init
  report::wait_go("cgroups");
  namespaces::after_cgroups(plan);

  int console_peer = -1;
  if (!plan.join_only) {
    // A new container: its filesystem and kernel settings. (exec skips all
    // of this: joining the mount namespace put it in the container's root.)
    UniqueFd rootfd(mounts::prepare_root(plan));
    mounts::mount_all(plan, rootfd.get());
    devices::create_all(plan, rootfd.get());
    if (plan.hook_points & proto::kHookPointCreate) {
      // prestart, createRuntime, createContainer: the parent runs them now.
      namespaces::open_to_caller(plan, true);
      report::send(proto::kSyncCreateHooks, 0);
      report::wait_go("hooks");
      namespaces::open_to_caller(plan, false);
    }
    mounts::enter_root(plan, rootfd.get());
    if (plan.terminal) console_peer = console::setup(plan);
    system_settings::names(plan);
    system_settings::session_keyring(plan);
    system_settings::sysctl(plan);
    mounts::readonly_and_masked(plan);
    mounts::finalize(plan);
  }
  if (plan.join_only && plan.terminal) console_peer = console::setup(plan);
  set_umask(plan);

  process_settings::apply(plan);
  // The container's stdio and signals, while nothing restricts the syscalls
  // this needs (dup2, fcntl, ioctl, sigaction): a seccomp profile may deny them.
  if (console_peer >= 0) fds[0] = fds[1] = fds[2] = console_peer;
  stdio::install(fds);
  if (console_peer >= 0) console::make_controlling();
  stdio::reset_signals();

  if (plan.no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    report::fail("noNewPrivileges", errno, "prctl(PR_SET_NO_NEW_PRIVS)");
  if (!plan.no_new_privs) seccomp_filter::load(plan);  // needs CAP_SYS_ADMIN: before dropping it

  std::string home = user::home_of(plan);  // read /etc/passwd before leaving root
  // As runc: chdir as root first (a cwd only root may enter works), and again
  // as the user when root was refused (a cwd only the user may enter).
  bool chdir_as_user = false;
  if (chdir(plan.cwd.c_str()) < 0) {
    if (errno != EACCES && errno != EPERM) report::fail("cwd", errno, "chdir to process.cwd %s", plan.cwd.c_str());
    chdir_as_user = true;
  }
  user::switch_user_and_caps(plan);
  if (chdir_as_user && chdir(plan.cwd.c_str()) < 0)
    report::fail("cwd", errno, "chdir to process.cwd %s", plan.cwd.c_str());

  std::vector<std::string> env = exec::environment(plan, home);
  std::string path = plan.exec_path.empty() ? exec::look_path(plan.args[0], env) : plan.exec_path;
  exec::refuse_helper(path);
  // With no_new_privs the filter goes in as late as possible: right before
  // execve (exec::run), unless it has a notify listener, whose fd must reach
  // the parent while the socket is still in use.
  bool late_seccomp = plan.no_new_privs && !(plan.seccomp_flags & SECCOMP_FILTER_FLAG_NEW_LISTENER);
  if (plan.no_new_privs && !late_seccomp) seccomp_filter::load(plan);

  // From here to execve (which sets it from the program), a rootless caller
  // reaches the init: `exec` into the created container, startContainer hooks.
  namespaces::open_to_caller(plan, true);
  if (fifo.ok()) report::send(proto::kSyncCreated, 0);
  else if (plan.hook_points & proto::kHookPointStart) {
    report::send(proto::kSyncStartHooks, 0);  // startContainer hooks
    report::wait_go("hooks");
  }
  exec::run(plan, path, env, fifo.release(), late_seccomp);
}
