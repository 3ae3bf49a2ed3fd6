// `minirun list`: every container under --root, as runc lists them.
import * as fs from 'node:fs';
import * as os from 'node:os';
import { currentStatus, readState, type ContainerState } from '../state/store';

interface Listed {
  ociVersion: string;
  id: string;
  pid: number;
  status: ContainerState['status'];
  bundle: string;
  rootfs: string;
  created: string;
  owner: string;
  annotations?: Record<string, string>;
}

function collect(root: string): Listed[] {
  let ids: string[];
  try {
    ids = fs.readdirSync(root).sort();
  } catch {
    return [];
  }
  const out: Listed[] = [];
  for (const id of ids) {
    let state: ContainerState;
    try {
      state = readState(root, id).state;
    } catch {
      continue; // not a container dir, or one being created right now
    }
    const status = currentStatus(state);
    const item: Listed = {
      ociVersion: state.ociVersion,
      id: state.id,
      pid: status === 'stopped' ? 0 : state.pid,
      status,
      bundle: state.bundle,
      rootfs: state.rootfs,
      created: state.created,
      owner: state.owner || os.userInfo().username,
    };
    if (state.annotations && Object.keys(state.annotations).length > 0) item.annotations = state.annotations;
    out.push(item);
  }
  return out;
}

/** Columns as Go's tabwriter with minwidth 12 and padding 3 lays them out (runc). */
function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(12, ...rows.map((r) => r[c].length + 3)));
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]))).join('') + '\n').join('');
}

export function listText(root: string, format: string, quiet: boolean): string {
  const items = collect(root);
  if (quiet) return items.map((i) => `${i.id}\n`).join('');
  if (format === 'json') return items.length === 0 ? 'null\n' : `${JSON.stringify(items)}\n`;
  const rows = [['ID', 'PID', 'STATUS', 'BUNDLE', 'CREATED', 'OWNER']];
  for (const i of items) rows.push([i.id, String(i.pid), i.status, i.bundle, i.created, i.owner]);
  return table(rows);
}
