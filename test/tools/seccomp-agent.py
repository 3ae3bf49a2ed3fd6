#!/usr/bin/env python3
"""A seccomp notify agent for the tests (runtime-spec listenerPath): listens on
a unix socket, takes the container process state JSON with the seccomp notify
fd (SCM_RIGHTS), and answers the container's notified syscalls.

usage: seccomp-agent.py SOCKET REPORT [--answer SYSCALL=ANSWER ...] [--conns N] [--drop]
  ANSWER is errno:N (the syscall fails with errno N), value:N (it "succeeds"
  with return value N and does nothing) or continue (the kernel runs it).
  Syscalls without an --answer are continued. --drop: close each notify fd
  at once (the kernel then fails notified syscalls with ENOSYS).
Writes one JSON line per connection to REPORT: {"raw": <the message as
received>, "fds": <number of fds>}, then one {"syscall": NAME}
line per notification it answered. Exits once N connections came (default 1)
and every notify fd has hung up (the filter's processes are gone), or after
60 s."""
import ctypes
import json
import os
import select
import socket
import struct
import sys
import time

# x86_64 layouts (include/uapi/linux/seccomp.h):
#   struct seccomp_data       { int nr; u32 arch; u64 ip; u64 args[6]; }       64 bytes
#   struct seccomp_notif      { u64 id; u32 pid; u32 flags; seccomp_data; }   80 bytes
#   struct seccomp_notif_resp { u64 id; s64 val; s32 error; u32 flags; }      24 bytes
NOTIF_SIZE = 80
RESP_SIZE = 24


def iowr(nr: int, size: int) -> int:
    return (3 << 30) | (size << 16) | (ord('!') << 8) | nr


SECCOMP_IOCTL_NOTIF_RECV = iowr(0, NOTIF_SIZE)
SECCOMP_IOCTL_NOTIF_SEND = iowr(1, RESP_SIZE)
SECCOMP_USER_NOTIF_FLAG_CONTINUE = 1
NAMES = {83: 'mkdir', 258: 'mkdirat', 90: 'chmod', 91: 'fchmod', 268: 'fchmodat', 39: 'getpid', 63: 'uname'}

libc = ctypes.CDLL(None, use_errno=True)
libc.ioctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_void_p]


def ioctl(fd: int, req: int, buf: ctypes.Array) -> bool:
    if libc.ioctl(fd, req, buf) < 0:
        e = ctypes.get_errno()
        if e == 2:  # ENOENT: the process went away before our answer
            return False
        if e == 4:  # EINTR
            return False
        raise OSError(e, os.strerror(e))
    return True


def answer(fd: int, answers: dict, report) -> None:
    notif = ctypes.create_string_buffer(NOTIF_SIZE)
    if not ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, notif):
        return
    nid, _pid, _flags, nr = struct.unpack_from('<QIIi', notif.raw, 0)
    name = NAMES.get(nr, str(nr))
    how = answers.get(name, 'continue')
    if how.startswith('errno:'):
        val, err, flags = 0, -int(how[6:]), 0
    elif how.startswith('value:'):
        val, err, flags = int(how[6:]), 0, 0
    else:
        val, err, flags = 0, 0, SECCOMP_USER_NOTIF_FLAG_CONTINUE
    resp = ctypes.create_string_buffer(struct.pack('<QqiI', nid, val, err, flags), RESP_SIZE)
    if ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, resp):
        report.write(json.dumps({'syscall': name}) + '\n')
        report.flush()


def main() -> None:
    path, report_path = sys.argv[1], sys.argv[2]
    answers: dict = {}
    conns = 1
    drop = False
    rest = sys.argv[3:]
    while rest:
        if rest[0] == '--answer':
            k, v = rest[1].split('=', 1)
            answers[k] = v
        elif rest[0] == '--conns':
            conns = int(rest[1])
        elif rest[0] == '--drop':
            drop = True
            rest = rest[1:]
            continue
        rest = rest[2:]
    report = open(report_path, 'w')
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(4)
    print('listening', flush=True)
    poll = select.poll()
    poll.register(srv, select.POLLIN)
    notify_fds = set()
    got = 0
    deadline = time.time() + 60
    while time.time() < deadline and (got < conns or notify_fds):
        for fd, ev in poll.poll(200):
            if fd == srv.fileno():
                conn, _ = srv.accept()
                msg, fds, _f, _a = socket.recv_fds(conn, 65536, 4)
                conn.close()
                got += 1
                report.write(json.dumps({'raw': msg.decode(), 'fds': len(fds)}) + '\n')
                report.flush()
                for n in fds:
                    if drop:
                        os.close(n)
                        continue
                    notify_fds.add(n)
                    poll.register(n, select.POLLIN)
            elif ev & select.POLLIN:
                answer(fd, answers, report)
            elif ev & (select.POLLHUP | select.POLLERR):
                poll.unregister(fd)
                notify_fds.discard(fd)
                os.close(fd)
    report.close()
    srv.close()
    os.unlink(path)


if __name__ == '__main__':
    main()
