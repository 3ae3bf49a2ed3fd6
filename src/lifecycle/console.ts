// Where a container's pty master goes: to the --console-socket (SCM_RIGHTS,
// as runc), or, in the foreground, relayed to minirun's own terminal in raw
// mode with the window size kept in step.
import * as fs from 'node:fs';
import { MiniRunError } from '../errors';
import type { Addon } from '../native/addon';
import { writeAll } from '../output';

/** runc's rules for --console-socket and process.terminal. */
export function checkConsoleUse(terminal: boolean, detached: boolean, consoleSocket: string | undefined): void {
  if (terminal && detached && consoleSocket === undefined) {
    throw new MiniRunError('USAGE', '--console-socket: required for a terminal (process.terminal) when minirun does not stay attached');
  }
  if (consoleSocket !== undefined && !terminal) {
    throw new MiniRunError('USAGE', '--console-socket: only for a process with a terminal (process.terminal or --tty)');
  }
}

/**
 * A terminal relayed in the foreground needs minirun's own controlling
 * terminal; without one runc fails too (open /dev/tty: ENXIO).
 */
export function checkControllingTerminal(): void {
  try {
    fs.closeSync(fs.openSync('/dev/tty', 'r+'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new MiniRunError('USAGE', `process.terminal: minirun has no terminal to attach the container to (open /dev/tty: ${code}); run it from a terminal or pass --console-socket`);
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
  /** the pty master arrived: start copying */
  attach(fd: number): void;
  /** resolves once the container side of the pty is closed and all output copied */
  drained(): Promise<void>;
  /** restores our terminal */
  restore(): void;
}


export function terminalRelay(addon: Addon): TerminalRelay {
  let done: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (done = resolve));
  let raw = false;
  let onWinch: (() => void) | undefined;
  return {
    attach(master: number) {
      const resize = () => {
        if (process.stdout.isTTY) {
          const [cols, rows] = process.stdout.getWindowSize();
          addon.setWinsize(master, rows, cols);
        }
      };
      resize();
      onWinch = resize;
      process.on('SIGWINCH', onWinch);
      if (process.stdin.isTTY) {
        process.stdin.setRawMode(true);
        raw = true;
      }
      // Our stdin into the pty on a native thread (a read that may never end).
      addon.pump(0, master, false);
      const { ReadStream } = require('node:tty') as typeof import('node:tty'); // only with a terminal
      const out = new ReadStream(master);
      out.on('data', (c: Buffer) => writeAll(1, c));
      // EIO: every process of the container let go of the pty.
      out.on('error', () => done());
      out.on('close', () => done());
      out.on('end', () => done());
    },
    drained: () => finished,
    restore() {
      if (onWinch) process.off('SIGWINCH', onWinch);
      if (raw) process.stdin.setRawMode(false);
    },
  };
}
