// Foreground `run` without a terminal, as runc does it: the container gets
// three pipes of its own, and minirun copies its stdin into one and the other
// two out to its stdout and stderr.
import * as net from 'node:net';
import type { Addon } from '../native/addon';
import { writeAll } from '../output';

export interface StdioRelay {
  /** the ends the container gets as 0, 1, 2 */
  readonly childFds: [number, number, number];
  /** closes our copies of the container's ends, once the helper has them */
  releaseChildEnds(): void;
  /** resolves when the container side of stdout and stderr is closed and all was copied */
  drained(): Promise<void>;
}

function copyOut(fd: number, to: number): Promise<void> {
  const sock = new net.Socket({ fd, readable: true, writable: false });
  sock.on('data', (c: Buffer) => writeAll(to, c));
  return new Promise((resolve) => {
    sock.on('close', () => resolve());
    sock.on('error', () => resolve());
  });
}

export function startRelay(addon: Addon): StdioRelay {
  const [inR, inW] = addon.pipe();
  const [outR, outW] = addon.pipe();
  const [errR, errW] = addon.pipe();
  const outputs = Promise.all([copyOut(outR, 1), copyOut(errR, 2)]).then(() => undefined);

  // stdin: on a native thread, so that a read that never returns cannot hold the exit.
  addon.pump(0, inW);

  return {
    childFds: [inR, outW, errW],
    releaseChildEnds: () => [inR, outW, errW].forEach((fd) => addon.close(fd)),
    drained: () => outputs,
  };
}
