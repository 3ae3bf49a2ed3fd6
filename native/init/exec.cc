#include "exec.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "paths.h"
#include "seccomp.h"
#include "report.h"
#include "stdio.h"

namespace exec {

namespace {

std::string key_of(const std::string& kv) { return kv.substr(0, kv.find('=')); }

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
        report::fail("exec", ENOENT, "\"%s\": found as %s through a relative $PATH entry: cannot run an executable found relative to the current directory", file.c_str(), candidate.c_str());
      return checked(candidate);
    }
    if (j == std::string::npos) break;
    i = j + 1;
  }
  report::fail("exec", ENOENT, "\"%s\": executable file not found in $PATH", file.c_str());
}

void run(const Plan& p, const std::string& path, const std::vector<std::string>& env, int fifo_fd,
         bool load_seccomp) {
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
