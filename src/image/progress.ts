// The progress of an unpack, on a terminal: one line, rewritten in place
// (`\r`, then erase to the end of the line), at most 10 times a second:
//   unpacking layer 2/5: 3.1 MiB of 12.0 MiB, 15.2 MiB of 52.8 MiB in all
// counting the blobs' bytes read (compressed, as they are stored). It is
// drawn when a layer starts and then every 100 ms while one is applied, cut
// to the terminal's width (a wrapped line could not be rewritten), and
// erased at the end and before anything else is written to the terminal.
// The CLI uses it only when stderr is a terminal and --quiet is not given.
import * as fs from 'node:fs';

export interface Progress {
  /** Layer `index` (from 0) of `sizes.length` starts; `read` says how many bytes of its blob have been read. */
  layer(index: number, sizes: number[], read: () => number): void;
  /** Erases the line (before a note is written); the next tick draws it again. */
  clear(): void;
  /** Erases the line for good. */
  end(): void;
}

export const NO_PROGRESS: Progress = { layer() {}, clear() {}, end() {} };

const EVERY_MS = 100;

export function bytesText(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(1)} ${units[u]}`;
}

/** The line for layer `index` of `sizes`, `read` bytes of it read. Pure. */
export function progressLine(index: number, sizes: number[], read: number): string {
  const before = sizes.slice(0, index).reduce((a, b) => a + b, 0);
  const total = sizes.reduce((a, b) => a + b, 0);
  const layer = `unpacking layer ${index + 1}/${sizes.length}: ${bytesText(read)} of ${bytesText(sizes[index])}`;
  return sizes.length === 1 ? layer : `${layer}, ${bytesText(before + read)} of ${bytesText(total)} in all`;
}

/** Progress drawn on the terminal `fd`, `columns()` wide. */
export function terminalProgress(fd: number, columns: () => number | undefined): Progress {
  let current: { index: number; sizes: number[]; read: () => number } | undefined;
  let shown = false;
  let lastDraw = 0;
  const write = (s: string) => {
    try {
      fs.writeSync(fd, s);
    } catch {
      // the terminal is gone: progress is not worth failing for
    }
  };
  const draw = () => {
    if (current === undefined || Date.now() - lastDraw < EVERY_MS) return;
    lastDraw = Date.now();
    const width = Math.max((columns() || 80) - 1, 10); // 0 when the terminal has not said
    write(`\r${progressLine(current.index, current.sizes, current.read()).slice(0, width)}\x1b[K`);
    shown = true;
  };
  const clear = () => {
    if (shown) write('\r\x1b[K');
    shown = false;
  };
  const timer = setInterval(draw, EVERY_MS);
  timer.unref();
  return {
    layer(index, sizes, read) {
      current = { index, sizes, read };
      draw();
    },
    clear,
    end() {
      clearInterval(timer);
      current = undefined;
      clear();
    },
  };
}
