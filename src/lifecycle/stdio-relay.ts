// Foreground `run` without a terminal, as runc does it: the container gets
// three pipes of its own, and minirun copies its stdin into one and the other
// two out to its stdout and stderr, each on a native thread (no node:net, and
// its streams, to load: about 6 ms of every start).
import type { Addon } from '../native/addon';

export interface StdioRelay {
  /** the ends the container gets as 0, 1, 2 */
  readonly childFds: [number, number, number];
  /** closes our copies of the container's ends, once the helper has them */
  releaseChildEnds(): void;
  /** resolves when the container side of stdout and stderr is closed and all was copied */
  drained(): Promise<void>;
}

export function startRelay(addon: Addon): StdioRelay {
  const [inR, inW] = addon.pipe();
  const [outR, outW] = addon.pipe();
  const [errR, errW] = addon.pipe();
  const outputs = Promise.all([addon.pumpOut(outR, 1), addon.pumpOut(errR, 2)]).then(() => undefined);

  // stdin: on a native thread, so that a read that never returns cannot hold the exit.
  addon.pump(0, inW);

  return {
    childFds: [inR, outW, errW],
    releaseChildEnds: () => [inR, outW, errW].forEach((fd) => addon.close(fd)),
    drained: () => outputs,
  };
}
