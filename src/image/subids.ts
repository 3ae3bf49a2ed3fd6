// A user's subordinate ids: the lines of /etc/subuid or /etc/subgid
// (`USER:START:COUNT`, USER a name or a uid, as shadow's newuidmap reads
// them) that name the user, in file order. A missing file has none.
import * as fs from 'node:fs';
import type { SubIdRange } from './idmap';

/** The ranges of `text` for the user `name` with uid `uid`. Pure. */
export function parseSubIds(text: string, name: string | undefined, uid: number): SubIdRange[] {
  const out: SubIdRange[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(':');
    if (f.length !== 3 || !/^[0-9]+$/.test(f[1]) || !/^[0-9]+$/.test(f[2])) continue;
    if (f[0] !== name && f[0] !== String(uid)) continue;
    const start = Number(f[1]);
    const count = Number(f[2]);
    if (count > 0 && start + count <= 2 ** 32) out.push({ start, count });
  }
  return out;
}

export function readSubIds(file: string, name: string | undefined, uid: number): SubIdRange[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  return parseSubIds(text, name, uid);
}
