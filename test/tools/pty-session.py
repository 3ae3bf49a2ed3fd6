#!/usr/bin/env python3
"""Runs a command on a new pty (its controlling terminal and stdio, unless
--stdin-null) and reports, as one JSON object, the pty's termios before the
command starts, once MARKER has appeared in its output, and after it has
exited, with everything it wrote (carriage returns kept) and its status.

usage: pty-session.py [--marker M] [--input TEXT] [--signal SIG]
                      [--stdin-null] -- COMMAND [ARGS...]
--input is typed once the marker is seen; --signal (a name: INT, TERM...) is
sent to the command once the marker is seen, after taking the snapshot.
After 25 s without the end of its output, the command is killed."""
import argparse
import json
import os
import select
import signal
import termios
import time


def snapshot(fd: int) -> dict:
    iflag, oflag, cflag, lflag, _i, _o, cc = termios.tcgetattr(fd)
    num = lambda c: c[0] if isinstance(c, bytes) else c  # noqa: E731 (bytes while canonical)
    return {'iflag': iflag, 'oflag': oflag, 'cflag': cflag, 'lflag': lflag, 'vmin': num(cc[termios.VMIN]), 'vtime': num(cc[termios.VTIME])}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument('--marker', default='')
    ap.add_argument('--input', default='')
    ap.add_argument('--signal', default='')
    ap.add_argument('--stdin-null', action='store_true')
    ap.add_argument('command', nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.command[1:] if a.command and a.command[0] == '--' else a.command
    master, slave = os.openpty()
    before = snapshot(master)
    pid = os.fork()
    if pid == 0:
        os.close(master)
        os.setsid()
        import fcntl
        fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
        os.dup2(slave, 1)
        os.dup2(slave, 2)
        if a.stdin_null:
            null = os.open('/dev/null', os.O_RDONLY)
            os.dup2(null, 0)
            os.close(null)
        else:
            os.dup2(slave, 0)
        os.close(slave)
        os.execvp(cmd[0], cmd)
    os.close(slave)
    out = b''
    during = None
    deadline = time.time() + 25
    while time.time() < deadline:
        if during is None and a.marker and a.marker.encode() in out:
            during = snapshot(master)
            if a.signal:
                os.kill(pid, getattr(signal, 'SIG' + a.signal))
            if a.input:
                os.write(master, a.input.encode())
        if not select.select([master], [], [], max(0.0, deadline - time.time()))[0]:
            os.kill(pid, signal.SIGKILL)  # too slow: the caller's cleanup takes the rest
            break
        try:
            chunk = os.read(master, 4096)
        except OSError:  # EIO: every holder of the pty's slave side is gone
            break
        if not chunk:
            break
        out += chunk
    _, status = os.waitpid(pid, 0)
    after = snapshot(master)
    print(json.dumps({'status': os.waitstatus_to_exitcode(status), 'out': out.decode(errors='replace'), 'before': before, 'during': during, 'after': after}))


if __name__ == '__main__':
    main()
