#!/usr/bin/env python3
"""Runs a command on a new pty, as a user at a terminal would: types INPUT
once the command has written a line, then prints everything the command wrote to the terminal and exits with its
status. usage: in-pty.py INPUT COMMAND [ARGS...]"""
import os
import pty
import select
import sys
import time


def read_more(master: int, out: bytes, enough, deadline: float) -> bytes:
    """Adds what the command writes to out until enough(out), the deadline,
    or the end of its output (EOF, or EIO once every writer is gone)."""
    while not enough(out):
        if not select.select([master], [], [], max(0.0, deadline - time.time()))[0]:
            break
        try:
            chunk = os.read(master, 4096)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    return out


def main() -> None:
    text = sys.argv[1]
    pid, master = pty.fork()
    if pid == 0:
        os.execvp(sys.argv[2], sys.argv[2:])
    # Type once the command has written its first line (at most 10 s), not
    # before: a line typed earlier is echoed ahead of the output.
    out = read_more(master, b'', lambda o: b'\n' in o, time.time() + 10)
    os.write(master, text.encode())
    out = read_more(master, out, lambda o: False, time.time() + 60)
    _, status = os.waitpid(pid, 0)
    sys.stdout.write(out.decode(errors='replace').replace('\r\n', '\n'))
    sys.exit(os.waitstatus_to_exitcode(status))


if __name__ == '__main__':
    main()
