// The N-API surface of minirun: a few plan-level calls, typed in
// src/native/addon.d.ts. Nothing here changes the Node process's own
// namespaces or root.
#define NAPI_VERSION 8
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <poll.h>
#include <pthread.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>

#include <napi.h>

#include <atomic>
#include <string>
#include <vector>

#include "common/msg.h"
#include "device_filter.h"
#include "launch.h"
#include "napi_args.h"
#include "netdev.h"
#include "protocol.h"
#include "seccomp_compile.h"

namespace {

Napi::Error errno_error(Napi::Env env, const std::string& what, int err) {
  Napi::Error e = Napi::Error::New(env, what + ": " + strerror(err));
  e.Set("errno", Napi::Number::New(env, err));
  e.Set("syscall", Napi::String::New(env, what));
  return e;
}

using napi_args::int_arg;

Napi::Object wait_status(Napi::Env env, pid_t pid, int status) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("pid", Napi::Number::New(env, pid));
  if (WIFEXITED(status)) {
    o.Set("code", Napi::Number::New(env, WEXITSTATUS(status)));
    o.Set("signal", env.Null());
  } else {
    o.Set("code", env.Null());
    o.Set("signal", Napi::Number::New(env, WTERMSIG(status)));
  }
  return o;
}

// startHelper(helperPath, plan: Buffer, fds: [stdin, stdout, stderr, extra...]) -> { pid, sock }
Napi::Value StartHelper(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 3 || !info[0].IsString() || !info[1].IsBuffer() || !info[2].IsArray())
    throw Napi::TypeError::New(env, "startHelper(helperPath, plan, stdio)");
  std::string path = info[0].As<Napi::String>();
  Napi::Buffer<uint8_t> plan = info[1].As<Napi::Buffer<uint8_t>>();
  Napi::Array stdio = info[2].As<Napi::Array>();
  if (stdio.Length() < 3 || stdio.Length() > static_cast<uint32_t>(proto::kMaxPlanFds))
    throw Napi::TypeError::New(env, "fds: stdio and at most " + std::to_string(proto::kMaxPlanFds - 3) + " extra fds");
  std::vector<int> fds(stdio.Length());
  for (uint32_t i = 0; i < stdio.Length(); i++) fds[i] = stdio.Get(i).As<Napi::Number>().Int32Value();
  launch::Started s;
  std::string what;
  int rc = launch::start_helper(path, plan.Data(), plan.Length(), fds.data(), fds.size(), &s, &what);
  if (rc < 0) {
    Napi::Error e = errno_error(env, what, -rc);
    if (s.max_plan_bytes) {
      e.Set("planBytes", Napi::Number::New(env, static_cast<double>(sizeof(proto::PlanHeader) + plan.Length())));
      e.Set("maxPlanBytes", Napi::Number::New(env, static_cast<double>(s.max_plan_bytes)));
    }
    throw e;
  }
  Napi::Object o = Napi::Object::New(env);
  o.Set("pid", Napi::Number::New(env, s.pid));
  o.Set("sock", Napi::Number::New(env, s.sock));
  return o;
}

// recv(sock) -> {type:'sync', kind, value} | {type:'error', step, errno, detail} | {type:'eof'}
Napi::Value Recv(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  msg::Incoming in = msg::recv_message(int_arg(info, 0));
  Napi::Object o = Napi::Object::New(env);
  switch (in.type) {
    case msg::Incoming::kEof: o.Set("type", "eof"); break;
    case msg::Incoming::kSync:
      o.Set("type", "sync");
      o.Set("kind", Napi::Number::New(env, in.sync.kind));
      o.Set("value", Napi::Number::New(env, static_cast<double>(in.sync.value)));
      if (in.fd >= 0) o.Set("fd", Napi::Number::New(env, in.fd));
      break;
    case msg::Incoming::kError:
      o.Set("type", "error");
      o.Set("step", Napi::String::New(env, in.error.step));
      o.Set("errno", Napi::Number::New(env, in.error.err));
      o.Set("detail", Napi::String::New(env, in.error.detail));
      break;
    default: throw errno_error(env, "receive from the helper", in.err);
  }
  return o;
}

Napi::Value SendGo(const Napi::CallbackInfo& info) {
  int rc = msg::send_sync(int_arg(info, 0), proto::kSyncGo, 0);
  if (rc < 0) throw errno_error(info.Env(), "send to the helper", -rc);
  return info.Env().Undefined();
}

Napi::Value Close(const Napi::CallbackInfo& info) {
  close(int_arg(info, 0));
  return info.Env().Undefined();
}

// waitSync(pid, nohang) -> { pid, code, signal } | null (nohang, still running)
Napi::Value WaitSync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  pid_t pid = int_arg(info, 0);
  bool nohang = info.Length() > 1 && info[1].ToBoolean();
  int status = 0;
  pid_t r;
  do {
    r = waitpid(pid, &status, nohang ? WNOHANG : 0);
  } while (r < 0 && errno == EINTR);
  if (r < 0) throw errno_error(env, "waitpid", errno);
  if (r == 0) return env.Null();
  return wait_status(env, r, status);
}

// wait(pid) -> Promise<{ pid, code, signal }>, in the thread pool.
class WaitWorker : public Napi::AsyncWorker {
 public:
  WaitWorker(Napi::Env env, pid_t pid)
      : Napi::AsyncWorker(env), pid_(pid), deferred_(Napi::Promise::Deferred::New(env)) {}
  Napi::Promise promise() { return deferred_.Promise(); }
  void Execute() override {
    pid_t r;
    do {
      r = waitpid(pid_, &status_, 0);
    } while (r < 0 && errno == EINTR);
    if (r < 0) err_ = errno;
  }
  void OnOK() override {
    Napi::Env env = Env();
    if (err_) deferred_.Reject(errno_error(env, "waitpid", err_).Value());
    else deferred_.Resolve(wait_status(env, pid_, status_));
  }

 private:
  pid_t pid_;
  int status_ = 0;
  int err_ = 0;
  Napi::Promise::Deferred deferred_;
};

Napi::Value Wait(const Napi::CallbackInfo& info) {
  WaitWorker* w = new WaitWorker(info.Env(), int_arg(info, 0));
  Napi::Promise p = w->promise();
  w->Queue();
  return p;
}

// kill(pid, sig) -> 0 or errno
Napi::Value Kill(const Napi::CallbackInfo& info) {
  int rc = kill(int_arg(info, 0), int_arg(info, 1));
  return Napi::Number::New(info.Env(), rc < 0 ? errno : 0);
}

Napi::Value SetSubreaper(const Napi::CallbackInfo& info) {
  if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
    throw errno_error(info.Env(), "prctl(PR_SET_CHILD_SUBREAPER)", errno);
  return info.Env().Undefined();
}

// prlimit(pid, resource, soft: bigint, hard: bigint)
Napi::Value Prlimit(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 4 || !info[2].IsBigInt() || !info[3].IsBigInt())
    throw Napi::TypeError::New(env, "prlimit(pid, resource, soft, hard)");
  bool lossless = true;
  struct rlimit64 rl;
  rl.rlim_cur = info[2].As<Napi::BigInt>().Uint64Value(&lossless);
  rl.rlim_max = info[3].As<Napi::BigInt>().Uint64Value(&lossless);
  if (prlimit64(int_arg(info, 0), static_cast<__rlimit_resource>(int_arg(info, 1)), &rl, nullptr) < 0)
    throw errno_error(env, "prlimit", errno);
  return env.Undefined();
}

// pipe() -> [readFd, writeFd], both close-on-exec
Napi::Value Pipe(const Napi::CallbackInfo& info) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) < 0) throw errno_error(info.Env(), "pipe2", errno);
  Napi::Array a = Napi::Array::New(info.Env(), 2);
  a.Set(0u, Napi::Number::New(info.Env(), fds[0]));
  a.Set(1u, Napi::Number::New(info.Env(), fds[1]));
  return a;
}

bool wait_ready(int fd, short events) {
  struct pollfd p = {fd, events, 0};
  return poll(&p, 1, -1) >= 0 || errno == EINTR;
}

// Copies `from` into `to` until `from` ends: EOF, or an error such as EIO,
// which a pty master returns only once every holder of the other side has
// closed it and all that they wrote has been read (n_tty_read flushes the
// pty's pending input before it reports EIO or EAGAIN). A failed write ends
// the copy, or, with keep_draining, drops the data and goes on reading, so
// that the writer on the other side never blocks on a full pty.
void copy_fd(int from, int to, bool keep_draining) {
  char buf[65536];
  bool writing = true;
  for (;;) {
    ssize_t n = read(from, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN && wait_ready(from, POLLIN)) continue;
    if (n <= 0) return;
    for (ssize_t off = 0; writing && off < n;) {
      ssize_t w = write(to, buf + off, n - off);
      if (w < 0 && errno == EINTR) continue;
      if (w < 0 && errno == EAGAIN && wait_ready(to, POLLOUT)) continue;
      if (w < 0) writing = false;
      else off += w;
    }
    if (!writing && !keep_draining) return;
  }
}

// Starts fn(arg) on a detached thread; returns pthread_create's result (the
// caller still owns arg when it is not 0).
int start_detached(void* (*fn)(void*), void* arg) {
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_t t;
  int rc = pthread_create(&t, &attr, fn, arg);
  pthread_attr_destroy(&attr);
  return rc;
}

// Copies `from` into `to` on a detached thread until EOF or an error, then
// closes `to` (unless told not to). Not on libuv's pool: a read that never
// returns (a terminal on stdin) must not keep the process from exiting.
struct Pump {
  int from;
  int to;
  bool close_to;
};

void* pump_thread(void* arg) {
  Pump pump = *static_cast<Pump*>(arg);
  delete static_cast<Pump*>(arg);
  copy_fd(pump.from, pump.to, false);
  if (pump.close_to) close(pump.to);
  return nullptr;
}

// pump(from, to, closeTo = true): see above.
Napi::Value PumpFd(const Napi::CallbackInfo& info) {
  bool close_to = info.Length() < 3 || info[2].ToBoolean();
  Pump* p = new Pump{int_arg(info, 0), int_arg(info, 1), close_to};
  int rc = start_detached(pump_thread, p);
  if (rc != 0) {
    delete p;
    throw errno_error(info.Env(), "pthread_create", rc);
  }
  return info.Env().Undefined();
}

// pumpOut(from, to, closeFrom = true) -> Promise: copies `from` into `to` on a
// detached thread until EOF or a read error, then closes `from` (unless told
// not to) and resolves. A write that fails drops its data and the copying goes
// on (our output gone, the container must still not block on a full pipe). As
// pump, not on libuv's pool. For a pty master it reads until the kernel's EIO,
// as runc's console copy does, where libuv's tty stream would take POLLHUP
// after a short read for the end while more data is still on its way (libuv
// before 1.52, fixed there by commit 2e2114ed "unix: fix partial read handling
// after POLLHUP").
struct OutPump {
  int from;
  int to;
  bool close_from;
  Napi::ThreadSafeFunction done;
  Napi::Promise::Deferred* deferred;
};

void* out_pump_thread(void* arg) {
  OutPump* p = static_cast<OutPump*>(arg);
  copy_fd(p->from, p->to, true);
  if (p->close_from) close(p->from);
  Napi::Promise::Deferred* deferred = p->deferred;
  p->done.BlockingCall([deferred](Napi::Env env, Napi::Function) {
    deferred->Resolve(env.Undefined());
    delete deferred;
  });
  p->done.Release();
  delete p;
  return nullptr;
}

Napi::Value PumpOut(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int from = int_arg(info, 0), to = int_arg(info, 1);
  bool close_from = info.Length() < 3 || info[2].ToBoolean();
  auto* deferred = new Napi::Promise::Deferred(Napi::Promise::Deferred::New(env));
  Napi::Promise promise = deferred->Promise();
  auto* p = new OutPump{from, to, close_from, Napi::ThreadSafeFunction::New(env, Napi::Function(), "pumpOut", 0, 1),
                        deferred};
  int rc = start_detached(out_pump_thread, p);
  if (rc != 0) {
    p->done.Release();
    delete p;
    delete deferred;
    throw errno_error(env, "pthread_create", rc);
  }
  return promise;
}

// warmCgroupMoves(procsFile): the first move of a process into a cgroup waits
// for an RCU grace period (cgroup_threadgroup_rwsem, ~10 ms), a move within a
// grace period of the last one does not. A detached thread writes our own pid
// into `procsFile`, the cgroup.procs of the cgroup we are in (so no process
// changes cgroup), now and every 2 ms, until stopWarmCgroupMoves() or 2 s; the
// first write pays the wait, in the background. A write that fails ends it.
std::atomic<bool> warm_stop{false};
std::atomic<bool> warm_running{false};

void* warm_thread(void* arg) {
  std::string* file = static_cast<std::string*>(arg);
  std::string pid = std::to_string(getpid());
  for (int i = 0; i < 1000 && !warm_stop.load(); i++) {
    int fd = open(file->c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) break;
    ssize_t w = write(fd, pid.data(), pid.size());
    close(fd);
    if (w < 0) break;
    struct timespec ts = {0, 2 * 1000 * 1000};
    nanosleep(&ts, nullptr);
  }
  delete file;
  warm_running.store(false);
  return nullptr;
}

Napi::Value WarmCgroupMoves(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsString()) throw Napi::TypeError::New(info.Env(), "warmCgroupMoves(procsFile)");
  if (warm_running.exchange(true)) return info.Env().Undefined();
  warm_stop.store(false);
  auto* file = new std::string(info[0].As<Napi::String>());
  int rc = start_detached(warm_thread, file);
  if (rc != 0) {
    delete file;
    warm_running.store(false);
  }
  return info.Env().Undefined();
}

Napi::Value StopWarmCgroupMoves(const Napi::CallbackInfo& info) {
  warm_stop.store(true);
  return info.Env().Undefined();
}

// Connects a new unix stream socket to `path` (a leading '@' names the
// abstract namespace, as Go's net.Dial does for runc) and sends `data` with
// `fd` attached (SCM_RIGHTS). Returns 0, or an errno with *step set to what
// failed.
int send_fd_to(const std::string& path, const void* data, size_t len, int fd, const char** step) {
  struct sockaddr_un addr;
  memset(&addr, 0, sizeof(addr));
  addr.sun_family = AF_UNIX;
  *step = "connect to";
  if (path.empty() || path.size() >= sizeof(addr.sun_path)) return path.empty() ? ENOENT : ENAMETOOLONG;
  memcpy(addr.sun_path, path.c_str(), path.size());
  socklen_t alen = sizeof(addr);
  if (path[0] == '@') {
    addr.sun_path[0] = '\0';
    alen = static_cast<socklen_t>(offsetof(struct sockaddr_un, sun_path) + path.size());
  }
  int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s < 0) return errno;
  if (connect(s, reinterpret_cast<struct sockaddr*>(&addr), alen) < 0) {
    int e = errno;
    close(s);
    return e;
  }
  *step = "send to";
  int rc = msg::send_with_fds(s, data, len, &fd, 1);
  close(s);
  return rc < 0 ? -rc : 0;
}

// sendFd(socketPath, fd): connects to a unix socket and sends fd with
// SCM_RIGHTS, the payload naming it "/dev/ptmx", as runc does for
// --console-socket.
Napi::Value SendFd(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsString()) throw Napi::TypeError::New(env, "sendFd(socketPath, fd)");
  std::string path = info[0].As<Napi::String>();
  static const char kName[] = "/dev/ptmx";
  const char* step = "";
  int e = send_fd_to(path, kName, sizeof(kName) - 1, int_arg(info, 1), &step);
  if (e != 0) throw errno_error(env, std::string(step) + " --console-socket " + path, e);
  return env.Undefined();
}

// sendWithFd(socketPath, payload, fd): the same with any payload (the seccomp
// listener's container process state). Errors carry errno and `step`
// ("connect to", "send to").
Napi::Value SendWithFd(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 3 || !info[0].IsString() || !info[1].IsBuffer())
    throw Napi::TypeError::New(env, "sendWithFd(socketPath, payload, fd)");
  std::string path = info[0].As<Napi::String>();
  Napi::Buffer<unsigned char> payload = info[1].As<Napi::Buffer<unsigned char>>();
  const char* step = "";
  int e = send_fd_to(path, payload.Data(), payload.Length(), int_arg(info, 2), &step);
  if (e != 0) {
    Napi::Error err = errno_error(env, std::string(step) + " " + path, e);
    err.Set("step", Napi::String::New(env, step));
    throw err;
  }
  return env.Undefined();
}

// pidfdGetfd(pid, fd) -> a close-on-exec copy of another process's fd
// (pidfd_open + pidfd_getfd), as runc takes the init's seccomp notify fd.
Napi::Value PidfdGetfd(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int pidfd = static_cast<int>(syscall(SYS_pidfd_open, int_arg(info, 0), 0));
  if (pidfd < 0) throw errno_error(env, "pidfd_open", errno);
  int fd = static_cast<int>(syscall(SYS_pidfd_getfd, pidfd, int_arg(info, 1), 0));
  int e = errno;
  close(pidfd);
  if (fd < 0) throw errno_error(env, "pidfd_getfd", e);
  return Napi::Number::New(env, fd);
}

// copyWinsize(from, to): the window size of one terminal onto another (the
// caller's onto the container's pty), as runc's ResizeFrom.
Napi::Value CopyWinsize(const Napi::CallbackInfo& info) {
  struct winsize ws;
  if (ioctl(int_arg(info, 0), TIOCGWINSZ, &ws) < 0) throw errno_error(info.Env(), "TIOCGWINSZ", errno);
  if (ioctl(int_arg(info, 1), TIOCSWINSZ, &ws) < 0) throw errno_error(info.Env(), "TIOCSWINSZ", errno);
  return info.Env().Undefined();
}

// getTerminal(fd) -> Buffer: tcgetattr, the settings as an opaque struct
// termios for setTerminal. ENOTTY: fd is no terminal.
Napi::Value GetTerminal(const Napi::CallbackInfo& info) {
  struct termios t;
  if (tcgetattr(int_arg(info, 0), &t) < 0) throw errno_error(info.Env(), "tcgetattr", errno);
  return Napi::Buffer<uint8_t>::Copy(info.Env(), reinterpret_cast<const uint8_t*>(&t), sizeof(t));
}

// setTerminal(fd, settings, change): tcsetattr(TCSANOW) with settings from
// getTerminal, changed first:
//   "as-is"     none (to put saved settings back)
//   "raw"       runc's raw mode for the caller's terminal: cfmakeraw, but
//               with output processing (OPOST) kept
//   "no-onlcr"  ONLCR cleared: runc's setting of a pty it relays, so that
//               its "\n" is not made "\r\n" twice
Napi::Value SetTerminal(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 3 || !info[1].IsBuffer() || !info[2].IsString())
    throw Napi::TypeError::New(env, "setTerminal(fd, settings, change)");
  Napi::Buffer<uint8_t> buf = info[1].As<Napi::Buffer<uint8_t>>();
  if (buf.Length() != sizeof(struct termios)) throw Napi::RangeError::New(env, "settings: not from getTerminal");
  struct termios t;
  memcpy(&t, buf.Data(), sizeof(t));
  std::string change = info[2].As<Napi::String>();
  if (change == "raw") {
    cfmakeraw(&t);
    t.c_oflag |= OPOST;
  } else if (change == "no-onlcr") {
    t.c_oflag &= ~ONLCR;
  } else if (change != "as-is") {
    throw Napi::TypeError::New(env, "change: as-is, raw or no-onlcr");
  }
  if (tcsetattr(int_arg(info, 0), TCSANOW, &t) < 0) throw errno_error(env, "tcsetattr", errno);
  return env.Undefined();
}

// exitNow(code): _exit(2), as runc's os.Exit on SIGINT with a terminal. Not
// process.exit: that waits for the thread pool, where a waitpid for a process
// that runs on may never end.
Napi::Value ExitNow(const Napi::CallbackInfo& info) { _exit(int_arg(info, 0) & 0xff); }

// lockDir(path) -> fd: an exclusive flock on a directory, blocking until
// other minirun commands on the same container are done. Close the fd to
// release it.
Napi::Value LockDir(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) throw Napi::TypeError::New(env, "lockDir(path)");
  std::string path = info[0].As<Napi::String>();
  int fd = open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) throw errno_error(env, "open " + path, errno);
  int rc;
  do {
    rc = flock(fd, LOCK_EX);
  } while (rc < 0 && errno == EINTR);
  if (rc < 0) {
    int e = errno;
    close(fd);
    throw errno_error(env, "flock " + path, e);
  }
  return Napi::Number::New(env, fd);
}

// compileSeccomp({ defaultAction, architectures: string[], rules: [{ syscall,
// action, args: [{ index, op, value: bigint, valueTwo: bigint }] }] }) -> Buffer
Napi::Value CompileSeccomp(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) throw Napi::TypeError::New(env, "compileSeccomp(filter)");
  Napi::Object o = info[0].As<Napi::Object>();
  seccomp_compile::Filter f;
  f.default_action = o.Get("defaultAction").As<Napi::Number>().Uint32Value();
  Napi::Array archs = o.Get("architectures").As<Napi::Array>();
  for (uint32_t i = 0; i < archs.Length(); i++) f.architectures.push_back(archs.Get(i).As<Napi::String>());
  Napi::Array rules = o.Get("rules").As<Napi::Array>();
  for (uint32_t i = 0; i < rules.Length(); i++) {
    Napi::Object r = rules.Get(i).As<Napi::Object>();
    seccomp_compile::Rule rule;
    rule.syscall = r.Get("syscall").As<Napi::String>();
    rule.action = r.Get("action").As<Napi::Number>().Uint32Value();
    Napi::Array args = r.Get("args").As<Napi::Array>();
    for (uint32_t j = 0; j < args.Length(); j++) {
      Napi::Object a = args.Get(j).As<Napi::Object>();
      bool lossless = true;
      rule.args.push_back({a.Get("index").As<Napi::Number>().Uint32Value(),
                           a.Get("op").As<Napi::Number>().Uint32Value(),
                           a.Get("value").As<Napi::BigInt>().Uint64Value(&lossless),
                           a.Get("valueTwo").As<Napi::BigInt>().Uint64Value(&lossless)});
    }
    f.rules.push_back(std::move(rule));
  }
  std::vector<unsigned char> bpf;
  std::string err = seccomp_compile::compile(f, &bpf);
  if (!err.empty()) throw Napi::Error::New(env, err);
  return Napi::Buffer<unsigned char>::Copy(env, bpf.data(), bpf.size());
}

// seccompVersion() -> "2.5.4": the linked libseccomp's, for --version.
Napi::Value SeccompVersion(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), seccomp_compile::library_version());
}

// attachDeviceFilter(cgroupDir, insns: Buffer of struct bpf_insn)
Napi::Value AttachDeviceFilter(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsString() || !info[1].IsBuffer())
    throw Napi::TypeError::New(env, "attachDeviceFilter(cgroupDir, insns)");
  std::string dir = info[0].As<Napi::String>();
  Napi::Buffer<unsigned char> insns = info[1].As<Napi::Buffer<unsigned char>>();
  std::string err = device_filter::attach(dir.c_str(), insns.Data(), insns.Length() / 8);
  if (!err.empty()) throw Napi::Error::New(env, err);
  return env.Undefined();
}

// moveNetDevice(hostName, pid, name)
Napi::Value MoveNetDevice(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 3 || !info[0].IsString() || !info[2].IsString())
    throw Napi::TypeError::New(env, "moveNetDevice(hostName, pid, name)");
  std::string err = netdev::move_into(info[0].As<Napi::String>(), int_arg(info, 1), info[2].As<Napi::String>());
  if (!err.empty()) throw Napi::Error::New(env, err);
  return env.Undefined();
}

Napi::Value Mkfifo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsString()) throw Napi::TypeError::New(env, "mkfifo(path, mode)");
  std::string path = info[0].As<Napi::String>();
  if (mkfifo(path.c_str(), static_cast<mode_t>(int_arg(info, 1))) < 0) throw errno_error(env, "mkfifo " + path, errno);
  return env.Undefined();
}

// mknod(path, mode, major, minor): a device node or fifo of an image layer
// (mode has the S_IF* type bits). Not subject to the umask's effect on the
// type; the caller sets the permission bits after.
Napi::Value Mknod(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 4 || !info[0].IsString()) throw Napi::TypeError::New(env, "mknod(path, mode, major, minor)");
  std::string path = info[0].As<Napi::String>();
  dev_t dev = makedev(static_cast<unsigned>(int_arg(info, 2)), static_cast<unsigned>(int_arg(info, 3)));
  if (mknod(path.c_str(), static_cast<mode_t>(int_arg(info, 1)), dev) < 0)
    throw errno_error(env, "mknod " + path, errno);
  return env.Undefined();
}

// lsetxattr(path, name, value): an image layer's xattr, on the entry itself
// (a symlink is not followed).
Napi::Value Lsetxattr(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 3 || !info[0].IsString() || !info[1].IsString() || !info[2].IsBuffer())
    throw Napi::TypeError::New(env, "lsetxattr(path, name, value)");
  std::string path = info[0].As<Napi::String>();
  std::string name = info[1].As<Napi::String>();
  Napi::Buffer<char> value = info[2].As<Napi::Buffer<char>>();
  if (lsetxattr(path.c_str(), name.c_str(), value.Data(), value.Length(), 0) < 0)
    throw errno_error(env, "lsetxattr " + path + " " + name, errno);
  return env.Undefined();
}

// umount2(2) of a path; 0 or the errno. For the rootfs mounts a container
// without a mount namespace of its own made in the runtime's.
Napi::Value Umount(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsString()) throw Napi::TypeError::New(env, "umount(path, flags)");
  std::string path = info[0].As<Napi::String>();
  int rc = umount2(path.c_str(), int_arg(info, 1));
  return Napi::Number::New(env, rc < 0 ? errno : 0);
}

// mountOverlay(target, options, readonly): an overlayfs on a host path, for a
// layered image's rootfs (the container's lower layers, its upper and work
// dirs) before the init starts, as containerd mounts a snapshot for runc.
// The options are overlayfs's (lowerdir=...,upperdir=...,workdir=...).
Napi::Value MountOverlay(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 3 || !info[0].IsString() || !info[1].IsString() || !info[2].IsBoolean())
    throw Napi::TypeError::New(env, "mountOverlay(target, options, readonly)");
  std::string target = info[0].As<Napi::String>();
  std::string options = info[1].As<Napi::String>();
  unsigned long flags = info[2].As<Napi::Boolean>().Value() ? MS_RDONLY : 0;
  if (mount("overlay", target.c_str(), "overlay", flags, options.c_str()) < 0)
    throw errno_error(env, "mount overlay on " + target, errno);
  return env.Undefined();
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("startHelper", Napi::Function::New(env, StartHelper));
  exports.Set("recv", Napi::Function::New(env, Recv));
  exports.Set("sendGo", Napi::Function::New(env, SendGo));
  exports.Set("close", Napi::Function::New(env, Close));
  exports.Set("waitSync", Napi::Function::New(env, WaitSync));
  exports.Set("wait", Napi::Function::New(env, Wait));
  exports.Set("kill", Napi::Function::New(env, Kill));
  exports.Set("setSubreaper", Napi::Function::New(env, SetSubreaper));
  exports.Set("prlimit", Napi::Function::New(env, Prlimit));
  exports.Set("mkfifo", Napi::Function::New(env, Mkfifo));
  exports.Set("mknod", Napi::Function::New(env, Mknod));
  exports.Set("lsetxattr", Napi::Function::New(env, Lsetxattr));
  exports.Set("umount", Napi::Function::New(env, Umount));
  exports.Set("mountOverlay", Napi::Function::New(env, MountOverlay));
  exports.Set("pipe", Napi::Function::New(env, Pipe));
  exports.Set("pump", Napi::Function::New(env, PumpFd));
  exports.Set("pumpOut", Napi::Function::New(env, PumpOut));
  exports.Set("warmCgroupMoves", Napi::Function::New(env, WarmCgroupMoves));
  exports.Set("stopWarmCgroupMoves", Napi::Function::New(env, StopWarmCgroupMoves));
  exports.Set("sendFd", Napi::Function::New(env, SendFd));
  exports.Set("sendWithFd", Napi::Function::New(env, SendWithFd));
  exports.Set("pidfdGetfd", Napi::Function::New(env, PidfdGetfd));
  exports.Set("copyWinsize", Napi::Function::New(env, CopyWinsize));
  exports.Set("getTerminal", Napi::Function::New(env, GetTerminal));
  exports.Set("setTerminal", Napi::Function::New(env, SetTerminal));
  exports.Set("exitNow", Napi::Function::New(env, ExitNow));
  exports.Set("lockDir", Napi::Function::New(env, LockDir));
  exports.Set("compileSeccomp", Napi::Function::New(env, CompileSeccomp));
  exports.Set("seccompVersion", Napi::Function::New(env, SeccompVersion));
  exports.Set("attachDeviceFilter", Napi::Function::New(env, AttachDeviceFilter));
  exports.Set("moveNetDevice", Napi::Function::New(env, MoveNetDevice));
  return exports;
}

}  // namespace

NODE_API_MODULE(minirun, Init)
