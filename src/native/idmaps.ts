// Writing a new user namespace's uid_map and gid_map from the parent, as runc
// 1.1.5's nsexec does: each map written directly; for a rootless caller, when
// the kernel refuses that (EPERM: more than the caller's own id, or setgroups
// not denied), through newuidmap/newgidmap (shadow's setuid tools, which
// check /etc/subuid and /etc/subgid), found in PATH. A rootless caller whose
// gid map is its own gid alone gets setgroups "deny" first, which the kernel
// requires for an unprivileged writer of gid_map.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MiniRunError } from '../errors';
import { debug } from '../log';
import { rootlessEuid } from './caller';
import type { IdMapping } from '../plan/types';

function mapText(maps: readonly IdMapping[]): string {
  return maps.map((m) => `${m.containerID} ${m.hostID} ${m.size}\n`).join('');
}

/** The file of that name in PATH that this process may execute, as Go's exec.LookPath. */
export function lookPath(name: string, envPath = process.env.PATH ?? ''): string | undefined {
  for (const dir of envPath.split(':')) {
    const file = path.join(dir === '' ? '.' : dir, name);
    try {
      if (fs.statSync(file).isFile()) {
        fs.accessSync(file, fs.constants.X_OK);
        return path.resolve(file);
      }
    } catch {
      // not here
    }
  }
  return undefined;
}

/** runc's requiresRootOrMappingTool, inverted: the gid map is the caller's own gid, mapped to 0, alone. */
function onlyOwnGid(gidMappings: readonly IdMapping[]): boolean {
  return (
    gidMappings.length === 1 &&
    gidMappings[0].containerID === 0 &&
    gidMappings[0].hostID === process.getegid!() &&
    gidMappings[0].size === 1
  );
}

/**
 * Runs newuidmap or newgidmap on the init (with an empty environment, as
 * runc); its refusal is one line with its own words.
 */
function mapWithTool(tool: 'newuidmap' | 'newgidmap', pid: number, maps: readonly IdMapping[], field: string): void {
  const file = lookPath(tool);
  if (!file)
    throw new MiniRunError(
      'INIT',
      `${field}: the kernel refused the mapping (EPERM) and ${tool} is not in PATH (Debian: apt-get install uidmap)`,
    );
  const args = [String(pid), ...maps.flatMap((m) => [m.containerID, m.hostID, m.size].map(String))];
  debug(() => `${field}: ${file} ${args.join(' ')}`);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- child_process loads only for this
  const { spawnSync } = require('node:child_process') as typeof import('node:child_process');
  const r = spawnSync(file, args, { env: {}, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (r.error) throw new MiniRunError('INIT', `${field}: ${file}: ${(r.error as NodeJS.ErrnoException).code}`);
  if (r.status === 0) return;
  const said = r.stderr
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .join('; ');
  const how = r.signal ? `killed by ${r.signal}` : `exit status ${r.status}`;
  throw new MiniRunError('INIT', `${field}: ${tool} ${args.join(' ')}: ${said || how}`);
}

function writeMap(pid: number, file: 'uid_map' | 'gid_map', maps: readonly IdMapping[], rootless: boolean): void {
  const field = file === 'uid_map' ? 'linux.uidMappings' : 'linux.gidMappings';
  try {
    fs.writeFileSync(`/proc/${pid}/${file}`, mapText(maps));
    return;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EPERM' || !rootless) throw new MiniRunError('INIT', `${field}: write /proc/${pid}/${file}: ${code}`);
  }
  mapWithTool(file === 'uid_map' ? 'newuidmap' : 'newgidmap', pid, maps, field);
}

/** The maps of the user namespace the process `pid` has just made. */
export function writeIdMaps(pid: number, uidMappings: readonly IdMapping[], gidMappings: readonly IdMapping[]): void {
  const rootless = rootlessEuid();
  if (rootless && onlyOwnGid(gidMappings)) {
    try {
      fs.writeFileSync(`/proc/${pid}/setgroups`, 'deny');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT')
        throw new MiniRunError('INIT', `linux.gidMappings: write "deny" to /proc/${pid}/setgroups: ${code}`);
    }
  }
  if (uidMappings.length > 0) writeMap(pid, 'uid_map', uidMappings, rootless);
  if (gidMappings.length > 0) writeMap(pid, 'gid_map', gidMappings, rootless);
}
