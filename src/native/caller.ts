// Facts about the process running minirun that the host-side steps and the
// init's plan both need, read once: whether the caller is root, and whether
// it runs in a user namespace of its own (rootless podman runs the runtime as
// root of one).
import * as fs from 'node:fs';

/** The caller is not root (runc's RootlessEUID). */
export function rootlessEuid(): boolean {
  return process.geteuid!() !== 0;
}

let inUserNs: boolean | undefined;

/**
 * Whether this process is in a user namespace other than the initial one
 * (runc's userns.RunningInUserNS: the uid map is not the one full range).
 */
export function runningInUserNs(): boolean {
  if (inUserNs === undefined) inUserNs = readInUserNs();
  return inUserNs;
}

function readInUserNs(): boolean {
  let text: string;
  try {
    text = fs.readFileSync('/proc/self/uid_map', 'utf8');
  } catch {
    return false;
  }
  const lines = text.trim().split('\n');
  if (lines.length !== 1) return true;
  const [a, b, c] = lines[0].trim().split(/\s+/).map(Number);
  return !(a === 0 && b === 0 && c === 4294967295);
}
