#include "exec.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/fd.h"
#include "paths.h"
#include "report.h"
#include "seccomp.h"
#include "stdio.h"

namespace exec {

namespace {

std::string key_of(const std::string& kv) { return kv.substr(0, kv.find('=')); }

// This helper's own file, the sealed memfd (see note_helper_file).
bool g_helper_known = false;
dev_t g_helper_dev;
ino_t g_helper_ino;

bool is_helper(const std::string& path) {
  struct stat st;
  return g_helper_known && stat(path.c_str(), &st) == 0 && st.st_dev == g_helper_dev && st.st_ino == g_helper_ino;
}

// The interpreter named on a script's "#!" line, as the kernel reads it (the
// first 256 bytes, BINPRM_BUF_SIZE; the path ends at a blank or the line's
// end); "" when `path` is not a readable regular file starting with "#!".
std::string interpreter_of(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) < 0 || !S_ISREG(st.st_mode)) return "";
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
  if (!fd.ok() || fstat(fd.get(), &st) < 0 || !S_ISREG(st.st_mode)) return "";
  char buf[256];
  ssize_t n;
  do {
    n = pread(fd.get(), buf, sizeof(buf), 0);
  } while (n < 0 && errno == EINTR);
  if (n < 2 || buf[0] != '#' || buf[1] != '!') return "";
  ssize_t i = 2;
  while (i < n && (buf[i] == ' ' || buf[i] == '\t')) i++;
  ssize_t j = i;
  while (j < n && buf[j] != ' ' && buf[j] != '\t' && buf[j] != '\n' && buf[j] != '\0') j++;
  return std::string(buf + i, static_cast<size_t>(j - i));
}

// Go's findExecutable: a non-directory with any execute bit.
int find_executable(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) < 0) return errno;
  if (!S_ISDIR(st.st_mode) && (st.st_mode & 0111)) return 0;
  return EACCES;
}

// As runc's init after LookPath: the user must be able to execute the file
// (a noexec mount, or execute bits only for others), checked while the error
// still reaches the parent, before `create` returns.
std::string checked(const std::string& path) {
  if (faccessat(AT_FDCWD, path.c_str(), X_OK, AT_EACCESS) < 0)
    report::fail("exec", errno, "%s: %s", path.c_str(), report::errno_text(errno));
  return path;
}

}  // namespace

void note_helper_file() {
  struct stat st;
  if (stat("/proc/self/exe", &st) < 0) return;
  g_helper_known = true;
  g_helper_dev = st.st_dev;
  g_helper_ino = st.st_ino;
}

void refuse_helper(const std::string& path) {
  if (is_helper(path))
    report::fail("exec", ENOEXEC, "%s: is minirun's init helper until the process starts, not a program to run",
                 path.c_str());
  // The kernel follows up to 5 scripts (BINPRM_MAX_RECURSION 4, and the first).
  std::string script = path;
  for (int depth = 0; depth < 5; depth++) {
    std::string interp = interpreter_of(script);
    if (interp.empty()) return;
    if (is_helper(interp)) {
      std::string via = script == path ? "" : " (through " + script + ")";
      report::fail(
          "exec", ENOEXEC,
          "%s: its #! interpreter %s%s is minirun's init helper until the process starts, not a program to run",
          path.c_str(), interp.c_str(), via.c_str());
    }
    script = interp;
  }
}

std::vector<std::string> environment(const Plan& p, const std::string& home) {
  std::vector<std::string> out;
  for (const std::string& kv : p.env) {
    bool replaced = false;
    for (std::string& have : out) {
      if (key_of(have) == key_of(kv)) {
        have = kv;
        replaced = true;
        break;
      }
    }
    if (!replaced) out.push_back(kv);
  }
  // As runc: HOME from /etc/passwd when it is unset or empty.
  std::string* have_home = nullptr;
  for (std::string& kv : out)
    if (key_of(kv) == "HOME") have_home = &kv;
  if (!have_home) out.push_back("HOME=" + home);
  else if (have_home->size() == 5) *have_home = "HOME=" + home;
  return out;
}

// runc's words for a path that cannot be run, as Go's exec.LookPath and
// os.PathError put them: clients match them (Docker maps "no such file or
// directory" and "executable file not found" to exit 127, "permission denied"
// to 126), so each failure below carries them.
std::string look_path(const std::string& file, const std::vector<std::string>& env) {
  if (file.find('/') != std::string::npos) {
    int err = find_executable(file);
    if (err == 0) return checked(file);
    // exec.LookPath: a stat error as os.Stat words it; a directory or a file
    // without any execute bit as fs.ErrPermission.
    if (err == EACCES) report::fail("exec", err, "\"%s\": %s", file.c_str(), report::errno_text(err));
    report::fail("exec", err, "\"%s\": stat %s: %s", file.c_str(), file.c_str(), report::errno_text(err));
  }
  std::string path;
  for (const std::string& kv : env)
    if (kv.compare(0, 5, "PATH=") == 0) path = kv.substr(5);
  // No PATH (or an empty one): nothing to search.
  for (size_t i = 0; !path.empty();) {
    size_t j = path.find(':', i);
    std::string dir = path.substr(i, j == std::string::npos ? std::string::npos : j - i);
    if (dir.empty()) dir = ".";
    std::string candidate = dir + "/" + file;
    if (find_executable(candidate) == 0) {
      // Go 1.19's exec.LookPath (runc's): a match through a relative PATH entry is refused.
      if (dir[0] != '/')
        report::fail(
            "exec", ENOENT,
            "\"%s\": found as %s through a relative $PATH entry: cannot run an executable found relative to the current directory",
            file.c_str(), candidate.c_str());
      return checked(candidate);
    }
    if (j == std::string::npos) break;
    i = j + 1;
  }
  report::fail("exec", ENOENT, "\"%s\": executable file not found in $PATH", file.c_str());
}

void run(const Plan& p, const std::string& path, const std::vector<std::string>& env, int fifo_fd, bool load_seccomp) {
  if (fifo_fd >= 0) {
    // `create` has returned: nobody reads the socket any more. Then block
    // until `start` opens the fifo for reading. Meanwhile signals act as on
    // runc's init: SIGTERM ends a created container (pid 1 without a handler
    // would ignore it), SIGUSR1 does not. execve resets these handlers.
    close(report::socket_fd());
    report::set_socket(-1);
    stdio::exit_on_signals();
    int w;
    do {
      w = open(paths::fd_path(fifo_fd).c_str(), O_WRONLY | O_CLOEXEC);
    } while (w < 0 && errno == EINTR);
    if (w < 0) report::fail("exec fifo", errno, "open the exec fifo");
    ssize_t n;
    do {
      n = write(w, "0", 1);
    } while (n < 0 && errno == EINTR);
    if (n != 1) report::fail("exec fifo", errno, "write the exec fifo");
    close(w);
    close(fifo_fd);
  }
  std::vector<char*> argv, envp;
  for (const std::string& a : p.args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  for (const std::string& e : env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  if (report::socket_fd() >= 0) report::send(proto::kSyncExec, 0);
  // After this only execve (and, should loading fail, the error record's write).
  if (load_seccomp) seccomp_filter::load(p);
  execve(path.c_str(), argv.data(), envp.data());
  report::fail("exec", errno, "%s: %s", path.c_str(), report::errno_text(errno));
}

}  // namespace exec
