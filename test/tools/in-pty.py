#!/usr/bin/env python3
"""Runs a command on a new pty, as a user at a terminal would: types INPUT,
then prints everything the command wrote to the terminal and exits with its
status. usage: in-pty.py INPUT COMMAND [ARGS...]"""
import os
import pty
import sys
import time


def main() -> None:
    text = sys.argv[1]
    pid, master = pty.fork()
    if pid == 0:
        os.execvp(sys.argv[2], sys.argv[2:])
    time.sleep(0.3)
    os.write(master, text.encode())
    out = b''
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
