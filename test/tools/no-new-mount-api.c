/* no-new-mount-api: runs a command as on a kernel, or under a seccomp profile
 * (minirun run inside a container), without the new mount API and openat2:
 * a seccomp filter answers ENOSYS to open_tree, move_mount, fsopen, fsconfig,
 * fsmount, fspick, mount_setattr, open_tree_attr and openat2. The filter is
 * inherited by every child and kept across execve, so it reaches minirun's
 * helper (execveat of a memfd) and the container too. crun's CI does the same
 * for openat2 with tests/no_openat2.c.
 *
 * usage: no-new-mount-api COMMAND [ARG...]   (exit 127 if COMMAND cannot run) */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_open_tree_attr
#define SYS_open_tree_attr 467
#endif

/* Numbers from 424 up are the same on every architecture but alpha, so the
 * filter does not look at seccomp_data.arch. */
static const unsigned int kBlocked[] = {
    SYS_open_tree, SYS_move_mount, SYS_fsopen,        SYS_fsconfig,       SYS_fsmount,
    SYS_fspick,    SYS_openat2,    SYS_mount_setattr, SYS_open_tree_attr,
};
#define N_BLOCKED (sizeof kBlocked / sizeof kBlocked[0])

static int install_filter(void) {
  /* load nr; one jump per blocked number to the ENOSYS return; else allow */
  struct sock_filter insns[N_BLOCKED + 3];
  insns[0] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
  for (unsigned int i = 0; i < N_BLOCKED; i++)
    insns[1 + i] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, kBlocked[i], N_BLOCKED - i, 0);
  insns[N_BLOCKED + 1] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
  insns[N_BLOCKED + 2] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (ENOSYS & SECCOMP_RET_DATA));
  struct sock_fprog prog = {.len = (unsigned short)(N_BLOCKED + 3), .filter = insns};
  if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) == 0) return 0;
  /* With CAP_SYS_ADMIN (root) no no_new_privs is needed, and none is set: it
   * would be inherited by every container (as crun's helper, and as runc loads
   * a profile for a process that keeps CAP_SYS_ADMIN). Anyone else needs it. */
  if (errno != EACCES) return -1;
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) return -1;
  return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fputs("usage: no-new-mount-api COMMAND [ARG...]\n", stderr);
    return 2;
  }
  if (install_filter() < 0) {
    fprintf(stderr, "no-new-mount-api: install the seccomp filter: %s\n", strerror(errno));
    return 1;
  }
  execvp(argv[1], argv + 1);
  fprintf(stderr, "no-new-mount-api: %s: %s\n", argv[1], strerror(errno));
  return 127;
}
