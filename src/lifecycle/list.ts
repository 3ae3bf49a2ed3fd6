// `minirun list`: every container under --root, as runc lists them.
import * as fs from 'node:fs';
import * as os from 'node:os';
import { findContainer } from '../state/find';
import { stateView, type StateView } from './state';

function collect(root: string): StateView[] {
  let ids: string[];
  try {
    ids = fs.readdirSync(root).sort();
  } catch {
    return [];
  }
  const out: StateView[] = [];
  for (const id of ids) {
    try {
      const found = findContainer(root, id);
      out.push(stateView(found, found.state.owner || os.userInfo().username));
    } catch {
      // not a container dir, or its state.json is unreadable (`state ID` says why)
    }
  }
  return out;
}

/** Columns as Go's tabwriter with minwidth 12 and padding 3 lays them out (runc). */
function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(12, ...rows.map((r) => r[c].length + 3)));
  return rows
    .map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]))).join('') + '\n')
    .join('');
}

export function listText(root: string, format: string, quiet: boolean): string {
  const items = collect(root);
  if (quiet) return items.map((i) => `${i.id}\n`).join('');
  if (format === 'json') return items.length === 0 ? 'null\n' : `${JSON.stringify(items)}\n`;
  const rows = [['ID', 'PID', 'STATUS', 'BUNDLE', 'CREATED', 'OWNER']];
  for (const i of items) rows.push([i.id, i.pid, i.status, i.bundle, i.created, i.owner].map(String));
  return table(rows);
}
