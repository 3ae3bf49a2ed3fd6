// Where a container's pty master goes: to the --console-socket (SCM_RIGHTS,
// as runc), or, in the foreground, relayed to minirun's own terminal in raw
// mode with the window size kept in step, as runc's tty.go.
import * as fs from 'node:fs';
import { MiniRunError } from '../errors';
import type { Addon } from '../native/addon';
import { errnoName } from '../native/errno';

/** runc's rules for --console-socket and process.terminal. */
export function checkConsoleUse(terminal: boolean, detached: boolean, consoleSocket: string | undefined): void {
  if (terminal && detached && consoleSocket === undefined) {
    throw new MiniRunError(
      'USAGE',
      '--console-socket: required for a terminal (process.terminal) when minirun does not stay attached',
    );
  }
  if (consoleSocket !== undefined && !terminal) {
    throw new MiniRunError('USAGE', '--console-socket: only for a process with a terminal (process.terminal or --tty)');
  }
}

export function sendToSocket(addon: Addon, socket: string, fd: number): void {
  try {
    addon.sendFd(socket, fd);
  } finally {
    addon.close(fd);
  }
}

export interface TerminalRelay {
  /** the pty master arrived: start copying, make our terminal raw */
  attach(fd: number): void;
  /** resolves once the container side of the pty is closed and all output copied */
  drained(): Promise<void>;
  /** puts our terminal's settings back (again: nothing) */
  restore(): void;
}

/**
 * runc's tty for a process.terminal in the foreground (tty.go). Made before
 * anything is started: the caller's terminal is the first of stderr, stdout
 * and stdin that is one, else /dev/tty (none: an error, as runc's), and its
 * settings are kept from now to be put back by restore(), which every way
 * out of run and exec calls. When the pty master arrives: ONLCR off on the
 * pty (our terminal adds the "\r"), the copying starts, our terminal goes
 * raw (cfmakeraw with output processing kept), and it takes our window size
 * now and on SIGWINCH. A SIGINT to minirun (not ^C: that goes to the
 * container as a byte) puts the terminal back and exits 0 at once, without
 * forwarding it or waiting: the container is left as it is, as runc's
 * handleInterrupt leaves it.
 */
export function terminalRelay(addon: Addon): TerminalRelay {
  const host = hostTerminal(addon);
  let done: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (done = resolve));
  let restored = false;
  let onWinch: (() => void) | undefined;
  const restore = () => {
    if (restored) return;
    restored = true;
    if (onWinch) process.off('SIGWINCH', onWinch);
    process.off('SIGINT', onInterrupt);
    try {
      addon.setTerminal(host.fd, host.settings, 'as-is');
    } catch {
      // our terminal is gone (hung up): nothing to put back, as runc ignores it
    }
    if (host.opened) fs.closeSync(host.fd);
  };
  const onInterrupt = () => {
    restore();
    addon.exitNow(0);
  };
  return {
    attach(master: number) {
      termios(
        () => addon.setTerminal(master, addon.getTerminal(master), 'no-onlcr'),
        "clear ONLCR on the container's pty",
      );
      // The pty out to our stdout, until the kernel says EIO (every process of the container let go of
      // the pty, and all they wrote was read), as runc's copy; not a node:tty stream, whose libuv ends
      // at POLLHUP after a short read with more still on its way. The master stays open until we exit:
      // the stdin thread may still write to it.
      void addon.pumpOut(master, 1, false).then(() => done());
      termios(
        () => addon.setTerminal(host.fd, addon.getTerminal(host.fd), 'raw'),
        `make our terminal (${host.name}) raw`,
      );
      // Then our stdin into the pty, on a native thread (a read that may never end): read raw from
      // the first byte, as runc's copy reads in practice (it starts it just before SetRaw, and the
      // goroutine runs after). What waits in our terminal is passed on as bytes: an EOF typed before
      // (script(1) writes one when its own stdin ends) arrives as a NUL, which the pty echoes as ^@,
      // and does not end our copy of stdin as a cooked read of it would.
      addon.pump(0, master, false);
      process.on('SIGINT', onInterrupt);
      onWinch = () => {
        try {
          addon.copyWinsize(host.fd, master);
        } catch {
          // as runc: a terminal gone away (a hangup under way) is no error
        }
      };
      onWinch();
      process.on('SIGWINCH', onWinch);
    },
    drained: () => finished,
    restore,
  };
}

interface HostTerminal {
  fd: number;
  /** fd is our own /dev/tty, to close */
  opened: boolean;
  name: string;
  settings: Buffer;
}

/** runc's initHostConsole: the first of stderr, stdout, stdin that is a terminal, else /dev/tty. */
function hostTerminal(addon: Addon): HostTerminal {
  for (const [fd, name] of [
    [2, 'stderr'],
    [1, 'stdout'],
    [0, 'stdin'],
  ] as const) {
    try {
      return { fd, opened: false, name, settings: addon.getTerminal(fd) };
    } catch {
      // not a terminal (ENOTTY), or closed: the next one
    }
  }
  let fd: number;
  try {
    fd = fs.openSync('/dev/tty', 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new MiniRunError(
      'USAGE',
      `process.terminal: minirun has no terminal to attach the container to (open /dev/tty: ${code}); run it from a terminal or pass --console-socket`,
    );
  }
  try {
    return { fd, opened: true, name: '/dev/tty', settings: addon.getTerminal(fd) };
  } catch (e) {
    fs.closeSync(fd);
    throw new MiniRunError(
      'USAGE',
      `process.terminal: /dev/tty: tcgetattr: ${errnoName((e as { errno?: number }).errno ?? 0)}`,
    );
  }
}

function termios(f: () => void, what: string): void {
  try {
    f();
  } catch (e) {
    throw new MiniRunError('INIT', `process.terminal: ${what}: ${errnoName((e as { errno?: number }).errno ?? 0)}`);
  }
}
