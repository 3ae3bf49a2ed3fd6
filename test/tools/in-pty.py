#!/usr/bin/env python3
"""Runs a command on a new pty, as a user at a terminal would: types INPUT
once the command has written a line, then prints everything the command wrote to the terminal and exits with its
status. usage: in-pty.py INPUT COMMAND [ARGS...]"""
import os
import pty
import select
import sys
import time


def main() -> None:
    text = sys.argv[1]
    pid, master = pty.fork()
    if pid == 0:
        os.execvp(sys.argv[2], sys.argv[2:])
    # Type once the command has written its first line (at most 10 s), not
    # before: a line typed earlier is echoed ahead of the output.
    out = b''
    deadline = time.time() + 10
    while b'\n' not in out and time.time() < deadline:
        if not select.select([master], [], [], max(0.0, deadline - time.time()))[0]:
            break
        try:
            chunk = os.read(master, 4096)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    os.write(master, text.encode())
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    _, status = os.waitpid(pid, 0)
    sys.stdout.write(out.decode(errors='replace').replace('\r\n', '\n'))
    sys.exit(os.waitstatus_to_exitcode(status))


if __name__ == '__main__':
    main()
