// The fds a container gets beyond stdio, as runc passes them: socket
// activation's LISTEN_FDS first (with LISTEN_FDS/LISTEN_PID set for the
// container's process), then --preserve-fds N of minirun's own fds.
import * as fs from 'node:fs';
import { MiniRunError } from '../errors';
import { PROTO } from '../native/protocol-layout.generated';

export interface ExtraFds {
  fds: number[];
  env: string[];
}

/** One message carries the plan's fds: stdio and these (SCM_MAX_FD). */
const MAX_EXTRA_FDS = PROTO.kMaxPlanFds - 3;

export function parsePreserveFds(text: string | undefined): number {
  if (text === undefined) return 0;
  if (!/^\d+$/.test(text) || Number(text) > MAX_EXTRA_FDS) {
    throw new MiniRunError('USAGE', `--preserve-fds: must be a number from 0 to ${MAX_EXTRA_FDS}, got "${text}"`);
  }
  return Number(text);
}

export function extraFds(preserve: number): ExtraFds {
  const fds: number[] = [];
  const env: string[] = [];
  const listen = Number(process.env.LISTEN_FDS);
  if (process.env.LISTEN_FDS && Number(process.env.LISTEN_PID) === process.pid && listen > 0) {
    for (let i = 0; i < listen; i++) fds.push(3 + i);
    env.push(`LISTEN_FDS=${listen}`, 'LISTEN_PID=1');
  }
  const base = 3 + fds.length;
  for (let i = 0; i < preserve; i++) {
    try {
      fs.fstatSync(base + i);
    } catch (e) {
      throw new MiniRunError(
        'USAGE',
        `--preserve-fds: fd ${base + i} is not open (preserved fd ${i} of ${preserve}): ${(e as NodeJS.ErrnoException).code}`,
      );
    }
    fds.push(base + i);
  }
  return { fds, env };
}
