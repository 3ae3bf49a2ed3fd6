/* probe: a static multi-call program for checks inside a container.
 * `probe CHECK [ARGS]` prints exact, one-fact-per-line output and exits 0,
 * or prints a message on stderr and exits with a distinct status:
 * 2 usage, 3 system call failed, 1 a "write"/"open"/"mkdir" attempt failed
 * (its errno name is printed on stdout). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static int die(const char *what) {
  fprintf(stderr, "probe: %s: %s\n", what, strerror(errno));
  return 3;
}

static const char *errno_name(int e) {
  switch (e) {
    case EPERM: return "EPERM";
    case ENOENT: return "ENOENT";
    case EACCES: return "EACCES";
    case EROFS: return "EROFS";
    case EEXIST: return "EEXIST";
    case ENOTDIR: return "ENOTDIR";
    case EISDIR: return "EISDIR";
    case EINVAL: return "EINVAL";
    case ETXTBSY: return "ETXTBSY";
    case ENOSYS: return "ENOSYS";
    case ENOSPC: return "ENOSPC";
    case EBUSY: return "EBUSY";
    case ELOOP: return "ELOOP";
    case EAGAIN: return "EAGAIN";
    case ENOMEM: return "ENOMEM";
    case EFAULT: return "EFAULT";
    case EBADF: return "EBADF";
    default: return "EOTHER";
  }
}

/* Prints the lines of `file` that start with one of `prefixes`. */
static int grep_status(const char *const *prefixes) {
  FILE *f = fopen("/proc/self/status", "re");
  if (!f) return die("/proc/self/status");
  char line[512];
  while (fgets(line, sizeof line, f)) {
    for (const char *const *p = prefixes; *p; p++)
      if (strncmp(line, *p, strlen(*p)) == 0) fputs(line, stdout);
  }
  fclose(f);
  return 0;
}

static int cat(const char *path) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    printf("%s\n", errno_name(errno));
    return 1;
  }
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) fwrite(buf, 1, n, stdout);
  close(fd);
  return 0;
}

static int check_caps(void) {
  static const char *const p[] = {"CapInh:", "CapPrm:", "CapEff:", "CapBnd:", "CapAmb:", "NoNewPrivs:", NULL};
  return grep_status(p);
}

static int check_seccomp(void) {
  static const char *const p[] = {"Seccomp:", "Seccomp_filters:", NULL};
  return grep_status(p);
}

static int check_ids(void) {
  uid_t r, e, s;
  gid_t gr, ge, gs;
  getresuid(&r, &e, &s);
  getresgid(&gr, &ge, &gs);
  printf("uid %u\neuid %u\nsuid %u\ngid %u\negid %u\nsgid %u\ngroups", r, e, s, gr, ge, gs);
  gid_t groups[256];
  int n = getgroups(256, groups);
  if (n < 0) return die("getgroups");
  for (int i = 0; i < n; i++) printf(" %u", groups[i]);
  printf("\n");
  return 0;
}

static void limit(rlim_t v) {
  if (v == RLIM_INFINITY) printf(" unlimited");
  else printf(" %llu", (unsigned long long)v);
}

static int check_rlimits(void) {
  static const char *const names[] = {"CPU",      "FSIZE",  "DATA",    "STACK", "CORE",  "RSS",
                                      "NPROC",    "NOFILE", "MEMLOCK", "AS",    "LOCKS", "SIGPENDING",
                                      "MSGQUEUE", "NICE",   "RTPRIO",  "RTTIME"};
  for (int i = 0; i < 16; i++) {
    struct rlimit rl;
    if (getrlimit(i, &rl) < 0) return die("getrlimit");
    printf("RLIMIT_%s", names[i]);
    limit(rl.rlim_cur);
    limit(rl.rlim_max);
    printf("\n");
  }
  return 0;
}

static int check_fds(void) {
  DIR *d = opendir("/proc/self/fd");
  if (!d) return die("/proc/self/fd");
  int self = dirfd(d);
  struct dirent *e;
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.') continue;
    int fd = atoi(e->d_name);
    if (fd == self) continue;
    char target[4096];
    ssize_t n = readlinkat(self, e->d_name, target, sizeof target - 1);
    target[n < 0 ? 0 : n] = '\0';
    printf("%d %s\n", fd, target);
  }
  closedir(d);
  return 0;
}

static int check_mounts(void) {
  FILE *f = fopen("/proc/self/mountinfo", "re");
  if (!f) return die("/proc/self/mountinfo");
  char line[4096];
  while (fgets(line, sizeof line, f)) {
    /* id parent dev root mountpoint opts [optional...] - fstype source superopts */
    char *field[64];
    int n = 0;
    for (char *t = strtok(line, " \n"); t && n < 64; t = strtok(NULL, " \n")) field[n++] = t;
    int sep = -1;
    for (int i = 6; i < n; i++)
      if (strcmp(field[i], "-") == 0) {
        sep = i;
        break;
      }
    if (sep < 0 || sep + 3 >= n) continue;
    printf("%s %s %s %s\n", field[4], field[5], field[sep + 1], field[sep + 3]);
  }
  fclose(f);
  return 0;
}

static int check_ns(void) {
  static const char *const names[] = {"cgroup", "ipc", "mnt", "net", "pid", "time", "user", "uts", NULL};
  for (const char *const *n = names; *n; n++) {
    char path[64], target[256];
    snprintf(path, sizeof path, "/proc/self/ns/%s", *n);
    ssize_t k = readlink(path, target, sizeof target - 1);
    if (k < 0) {
      printf("%s %s\n", *n, errno_name(errno));
      continue;
    }
    target[k] = '\0';
    printf("%s %s\n", *n, target);
  }
  return 0;
}

static int check_sched(void) {
  printf("policy %d\n", sched_getscheduler(0));
  long prio = syscall(SYS_ioprio_get, 1 /* IOPRIO_WHO_PROCESS */, 0);
  printf("ioprio class %ld level %ld\n", prio >> 13, prio & 0xff);
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) < 0) return die("sched_getaffinity");
  printf("cpus");
  for (int c = 0; c < CPU_SETSIZE; c++)
    if (CPU_ISSET(c, &set)) printf(" %d", c);
  printf("\n");
  return 0;
}

static int check_exe(void) {
  char target[4096];
  ssize_t n = readlink("/proc/self/exe", target, sizeof target - 1);
  if (n < 0) return die("readlink /proc/self/exe");
  target[n] = '\0';
  printf("exe %s\n", target);
  int fd = open("/proc/self/exe", O_WRONLY | O_CLOEXEC);
  printf("open-for-write %s\n", fd < 0 ? errno_name(errno) : "ok");
  if (fd >= 0) close(fd);
  return 0;
}

/* The session keyring: "type;uid;gid;perm;description" (runc gives _ses.<id>). */
static int check_keyring(void) {
  char desc[512];
  long n = syscall(SYS_keyctl, 6 /* KEYCTL_DESCRIBE */, -3 /* KEY_SPEC_SESSION_KEYRING */, desc, sizeof desc - 1);
  if (n < 0) return die("keyctl describe");
  desc[sizeof desc - 1] = '\0';
  printf("%s\n", desc);
  return 0;
}

static void on_term(int sig) {
  (void)sig;
  _exit(0);
}

static long last_pid(void) {
  char buf[32] = {0};
  int fd = open("/proc/sys/kernel/ns_last_pid", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  return n > 0 ? atol(buf) : -1;
}

/* The real uid and the permitted capabilities of a process (from
 * /proc/<pid>/status) as "<uid> <CapPrm>", or "" when it is gone. */
static void creds_of(long pid, char *out, size_t size) {
  char path[64], buf[4096];
  snprintf(path, sizeof path, "/proc/%ld/status", pid);
  out[0] = '\0';
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  buf[n < 0 ? 0 : n] = '\0';
  char *u = strstr(buf, "\nUid:"), *c = strstr(buf, "\nCapPrm:");
  if (u && c) snprintf(out, size, "%ld %.16s", atol(u + 5), c + 9 + strspn(c + 9, " \t"));
}

/* Opens /proc/<pid>/exe; prints "<pid> open <target>" (the target of the
 * opened fd: a memfd shows as /memfd:<name>) and returns 0, or returns the errno. */
static int open_exe(long pid, const char *how) {
  char path[64], target[4096];
  snprintf(path, sizeof path, "/proc/%ld/exe", pid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno;
  snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
  ssize_t n = readlink(path, target, sizeof target - 1);
  target[n < 0 ? 0 : n] = '\0';
  printf("%ld %sopen %s\n", pid, how, target);
  close(fd);
  return 0;
}

/* Until SIGTERM: every process (or thread) that starts in the pid namespace
 * after "watching" is printed, by its pid (from ns_last_pid), has its
 * /proc/<pid>/exe opened over and over until an open succeeds or it is gone.
 * One line per pid each time the outcome changes: "<pid> <ERRNO>", or
 * "<pid> open <target>", after which the pid is left alone. With "stop", a
 * process seen to take the probe's own uid and permitted capabilities (from
 * then on the kernel leaves only its dumpable flag between it and us) is
 * stopped (SIGSTOP, allowed now), so that what it is then can be opened at
 * leisure: "<pid> stopped: <ERRNO>" or "<pid> stopped: open <target>", then
 * SIGCONT. */
static int watch_exe(int stop) {
  struct watched {
    long pid;
    int last;
    int seen;
    int stopped;
    long tries;
  } w[256];
  int nw = 0;
  char me[64], them[64];
  creds_of(getpid(), me, sizeof me);
  signal(SIGTERM, on_term);
  long last = last_pid();
  if (last < 0) return die("/proc/sys/kernel/ns_last_pid");
  printf("watching\n");
  fflush(stdout);
  for (;;) {
    long now = last_pid();
    for (; last < now; last++)
      if (nw < 256) w[nw++] = (struct watched){last + 1, -1, 0, 0, 0};
    for (int i = 0; i < nw; i++) {
      if (stop && !w[i].stopped && (creds_of(w[i].pid, them, sizeof them), !strcmp(them, me)) &&
          kill(w[i].pid, SIGSTOP) == 0) {
        w[i].stopped = 1;
        char path[64];
        snprintf(path, sizeof path, "/proc/%ld/stat", w[i].pid);
        for (int k = 0; k < 100000; k++) { /* until it is stopped ("T") */
          char st[512] = {0};
          int sfd = open(path, O_RDONLY | O_CLOEXEC);
          if (sfd < 0) break;
          ssize_t n = read(sfd, st, sizeof st - 1);
          close(sfd);
          char *p = n > 0 ? strrchr(st, ')') : NULL;
          if (!p || p[2] == 'T') break;
        }
        int err = open_exe(w[i].pid, "stopped: ");
        if (err) printf("%ld stopped: %s\n", w[i].pid, errno_name(err));
        kill(w[i].pid, SIGCONT);
      }
      int err = open_exe(w[i].pid, "");
      /* ENOENT: gone, or (a few times at first) not in /proc yet */
      int done = err == 0 || (err == ENOENT && (w[i].seen || ++w[i].tries > 100000));
      if (err != ENOENT) w[i].seen = 1;
      if (err && err != w[i].last && err != ENOENT) printf("%ld %s\n", w[i].pid, errno_name(err));
      w[i].last = err;
      fflush(stdout);
      if (done) w[i--] = w[--nw];
    }
  }
}

static int usage(void) {
  fputs(
      "usage: probe caps|ids|seccomp|rlimits|fds|cwd|umask|mounts|isatty FD|pause|exit N|kill SIG|"
      "cat FILE|write FILE TEXT|open FILE|mkdir PATH|hostname|env|ns|personality|sched|exe|keyring|"
      "syscall NR...|alloc MIB|forks N|spin SECONDS|watch-exe [stop]|help\n",
      stderr);
  return 2;
}

int main(int argc, char **argv) {
  if (argc < 2) return usage();
  const char *c = argv[1];
  const char *a = argc > 2 ? argv[2] : NULL;
  if (!strcmp(c, "caps")) return check_caps();
  if (!strcmp(c, "ids")) return check_ids();
  if (!strcmp(c, "seccomp")) return check_seccomp();
  if (!strcmp(c, "rlimits")) return check_rlimits();
  if (!strcmp(c, "fds")) return check_fds();
  if (!strcmp(c, "mounts")) return check_mounts();
  if (!strcmp(c, "ns")) return check_ns();
  if (!strcmp(c, "sched")) return check_sched();
  if (!strcmp(c, "exe")) return check_exe();
  if (!strcmp(c, "keyring")) return check_keyring();
  if (!strcmp(c, "watch-exe")) return watch_exe(a && !strcmp(a, "stop"));
  if (!strcmp(c, "cwd")) {
    char buf[4096];
    if (!getcwd(buf, sizeof buf)) return die("getcwd");
    printf("%s\n", buf);
    return 0;
  }
  if (!strcmp(c, "umask")) {
    mode_t m = umask(0);
    printf("%04o\n", m);
    return 0;
  }
  if (!strcmp(c, "hostname")) {
    struct utsname u;
    if (uname(&u) < 0) return die("uname");
    printf("hostname %s\ndomainname %s\n", u.nodename, u.domainname);
    return 0;
  }
  if (!strcmp(c, "env")) {
    for (char **e = environ; *e; e++) printf("%s\n", *e);
    return 0;
  }
  if (!strcmp(c, "personality")) {
    struct utsname u;
    uname(&u);
    printf("personality 0x%x\nmachine %s\n", personality(0xffffffff), u.machine);
    return 0;
  }
  if (!strcmp(c, "pause")) {
    signal(SIGTERM, on_term);
    for (;;) pause();
  }
  if (!strcmp(c, "isatty") && a) {
    printf("%s\n", isatty(atoi(a)) ? "tty" : "not a tty");
    return 0;
  }
  if (!strcmp(c, "exit") && a) return atoi(a);
  if (!strcmp(c, "kill") && a) {
    signal(atoi(a), SIG_DFL);
    kill(getpid(), atoi(a));
    return 3;
  }
  if (!strcmp(c, "cat") && a) return cat(a);
  if (!strcmp(c, "open") && a) {
    int fd = open(a, O_RDONLY | O_CLOEXEC);
    printf("%s\n", fd < 0 ? errno_name(errno) : "ok");
    return fd < 0 ? 1 : 0;
  }
  if (!strcmp(c, "write") && a && argc > 3) {
    int fd = open(a, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0 || write(fd, argv[3], strlen(argv[3])) < 0) {
      printf("%s\n", errno_name(errno));
      return 1;
    }
    close(fd);
    printf("ok\n");
    return 0;
  }
  if (!strcmp(c, "mkdir") && a) {
    if (mkdir(a, 0755) < 0) {
      printf("%s\n", errno_name(errno));
      return 1;
    }
    printf("ok\n");
    return 0;
  }
  if (!strcmp(c, "syscall") && a) {
    /* raw syscalls by number (0x... too), all arguments 0, one line each:
     * "NR ok" or "NR ERRNO" (what a seccomp filter answers), flushed before
     * the next in case the filter kills */
    for (int i = 2; i < argc; i++) {
      long r = syscall(strtol(argv[i], NULL, 0), 0L, 0L, 0L, 0L, 0L, 0L);
      printf("%s %s\n", argv[i], r < 0 ? errno_name(errno) : "ok");
      fflush(stdout);
    }
    return 0;
  }
  if (!strcmp(c, "alloc") && a) {
    /* touch MiB of anonymous memory, one page at a time; "ok" if it all fit */
    size_t n = (size_t)atol(a) << 20;
    char *p = malloc(n);
    if (!p) return die("malloc");
    for (size_t i = 0; i < n; i += 4096) p[i] = 1;
    printf("ok\n");
    return 0;
  }
  if (!strcmp(c, "forks") && a) {
    /* fork up to N children that wait; print how many forks succeeded */
    static pid_t kids[4096];
    int want = atoi(a), made = 0, err = 0;
    if (want > 4096) want = 4096;
    for (; made < want; made++) {
      pid_t pid = fork();
      if (pid < 0) {
        err = errno;
        break;
      }
      if (pid == 0) {
        pause();
        _exit(0);
      }
      kids[made] = pid;
    }
    printf("forked %d\n%s\n", made, err ? errno_name(err) : "ok");
    for (int i = 0; i < made; i++) kill(kids[i], SIGKILL);
    while (wait(NULL) > 0) {
    }
    return 0;
  }
  if (!strcmp(c, "spin") && a) {
    /* burn CPU for the given wall-clock seconds */
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    do clock_gettime(CLOCK_MONOTONIC, &t);
    while (t.tv_sec - t0.tv_sec < atoi(a));
    printf("ok\n");
    return 0;
  }
  if (!strcmp(c, "help")) {
    usage();
    return 0;
  }
  return usage();
}
