#!/usr/bin/env python3
"""A console-socket receiver for the tests, like runc's recvtty: listens on a
unix socket, takes one pty master sent with SCM_RIGHTS, then (optionally)
types INPUT into it after the first line of output, and prints everything
the container writes to it.

usage: recvtty.py SOCKET [INPUT] [--report FILE]
Prints "name=<payload>" and "isatty=<bool>" first, then the pty output."""
import os
import socket
import sys
import time


def main() -> None:
    path = sys.argv[1]
    text = sys.argv[2] if len(sys.argv) > 2 else ''
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(1)
    print('listening', flush=True)
    conn, _ = srv.accept()
    msg, fds, _flags, _addr = socket.recv_fds(conn, 1024, 1)
    conn.close()
    srv.close()
    master = fds[0]
    print(f'name={msg.decode()}', flush=True)
    print(f'isatty={os.isatty(master)}', flush=True)
    out = b''
    deadline = time.time() + 20
    # Type only once the program has printed its first line, so that the
    # echo of the input always comes after it.
    typed = not text
    while time.time() < deadline:
        if not typed and b'\n' in out:
            os.write(master, text.encode())
            typed = True
        try:
            chunk = os.read(master, 4096)
        except OSError:  # EIO: the container closed the pty
            break
        if not chunk:
            break
        out += chunk
    sys.stdout.write(out.decode(errors='replace'))


if __name__ == '__main__':
    main()
