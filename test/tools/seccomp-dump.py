#!/usr/bin/env python3
"""Prints the classic BPF program of a process's newest seccomp filter, as
hex (struct sock_filter[], host endian), read with PTRACE_SECCOMP_GET_FILTER:
what the kernel runs, to compare one runtime's filter with another's.

usage: seccomp-dump.py PID
Needs CAP_SYS_ADMIN and CAP_SYS_PTRACE (root); the process is attached,
stopped for the read, and detached."""
import ctypes
import os
import sys

PTRACE_ATTACH = 16
PTRACE_DETACH = 17
PTRACE_SECCOMP_GET_FILTER = 0x420C

libc = ctypes.CDLL(None, use_errno=True)
libc.ptrace.restype = ctypes.c_long
libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p]


def check(rc, what):
    if rc < 0:
        err = ctypes.get_errno()
        sys.exit(f"seccomp-dump: {what}: {os.strerror(err)}")
    return rc


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: seccomp-dump.py PID")
    pid = int(sys.argv[1])
    check(libc.ptrace(PTRACE_ATTACH, pid, None, None), f"attach {pid}")
    try:
        os.waitpid(pid, 0)
        # index 0 is the newest filter; without a buffer the call says how long it is
        count = check(libc.ptrace(PTRACE_SECCOMP_GET_FILTER, pid, None, None), "count the filter")
        buf = ctypes.create_string_buffer(count * 8)
        check(libc.ptrace(PTRACE_SECCOMP_GET_FILTER, pid, None, buf), "read the filter")
    finally:
        libc.ptrace(PTRACE_DETACH, pid, None, None)
    print(buf.raw.hex())


main()
