// The --pid-file of create, run and exec: written whole (a temporary file
// renamed), as runc writes it.
import * as fs from 'node:fs';
import { MiniRunError } from '../errors';

export function writePidFile(file: string, pid: number): void {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(tmp, String(pid));
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw new MiniRunError('USAGE', `--pid-file ${file}: ${(e as NodeJS.ErrnoException).code}`);
  }
}
