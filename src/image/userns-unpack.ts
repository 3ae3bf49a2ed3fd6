// A rootless unpack (`minirun image unpack` run by a user other than root):
// minirun runs its own unpack again in a user namespace whose maps are the
// user's own uid/gid as 0 and its subordinate ranges (/etc/subuid,
// /etc/subgid) as 1.. (idmap.ts), so that the layers' owners can be set.
// Node cannot unshare itself (it has threads), so the child is started by
// util-linux `unshare --user` running a shell that says "ready" on fd 3 and
// waits; this process then writes the child's maps as the runtime writes a
// container's (newuidmap/newgidmap for subordinate ranges, which only they
// may grant; else the one line of the user's own id, as any process may),
// and says "go": the shell execs node, which, with its uid mapped by then,
// is root with every capability in the namespace (before the maps an exec
// would drop them). The child prints its own errors and notes; its exit
// status is this command's.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import type { Readable, Writable } from 'node:stream';
import { MiniRunError } from '../errors';
import { writeIdMaps } from '../native/idmaps';
import { type IdMapping, parseIdMap, rootlessMappings } from './idmap';
import { readSubIds } from './subids';

export interface RootlessMaps {
  uidMap: IdMapping[];
  gidMap: IdMapping[];
}

/** The maps for the user running this: its own ids as 0, then its subordinate ranges. */
export function rootlessMaps(): RootlessMaps {
  const uid = process.geteuid?.() ?? 0;
  const gid = process.getegid?.() ?? 0;
  let name: string | undefined;
  try {
    name = os.userInfo().username;
  } catch {
    // no passwd entry: /etc/subuid lines by uid still count
  }
  return {
    uidMap: rootlessMappings(uid, readSubIds('/etc/subuid', name, uid)),
    gidMap: rootlessMappings(gid, readSubIds('/etc/subgid', name, gid)),
  };
}

function fail(reason: string, errno?: string): MiniRunError {
  return new MiniRunError('IMAGE', reason, 1, { source: 'rootless unpack', errno });
}

// "$@" is node, its flags, minirun's script and the child's arguments.
const WAIT_THEN_EXEC = 'echo ready >&3 && read -r go <&3 && [ "$go" = go ] && exec "$@" 3<&-';

/** Writes the child's uid and gid maps, as the runtime writes a container's (native/idmaps.ts). */
function writeMaps(pid: number, maps: RootlessMaps): void {
  try {
    writeIdMaps(pid, maps.uidMap, maps.gidMap);
  } catch (e) {
    throw e instanceof MiniRunError ? e.from('rootless unpack', 'IMAGE') : e;
  }
}

/** Runs minirun with `args` in a new user namespace with `maps`; its exit status. */
export async function runInUserNamespace(args: string[], maps: RootlessMaps): Promise<number> {
  const self = [...process.execArgv, process.argv[1]];
  const child = spawn(
    'unshare',
    ['--user', '--', '/bin/sh', '-c', WAIT_THEN_EXEC, 'sh', process.execPath, ...self, ...args],
    {
      stdio: ['inherit', 'inherit', 'inherit', 'pipe'],
    },
  );
  const exited = new Promise<number>((resolve, reject) => {
    child.on('error', (e) => {
      const code = (e as NodeJS.ErrnoException).code;
      reject(code === 'ENOENT' ? fail('unshare is missing (util-linux)') : fail(`unshare: ${e.message}`, code));
    });
    child.on('exit', (code, signal) => resolve(code ?? 128 + (os.constants.signals[signal ?? 'SIGKILL'] ?? 9)));
  });
  exited.catch(() => {}); // awaited below, or its rejection is the error
  const sync = child.stdio[3] as (Readable & Writable) | null;
  if (sync === null) return exited;
  const ready = await new Promise<boolean>((resolve) => {
    let got = '';
    sync.on('data', (b: Buffer) => {
      got += b.toString();
      if (got.includes('ready\n')) resolve(true);
    });
    sync.on('close', () => resolve(false));
    sync.on('error', () => resolve(false));
    child.on('exit', () => resolve(false));
    child.on('error', () => resolve(false));
  });
  if (!ready) return exited; // unshare said why on stderr
  try {
    writeMaps(child.pid as number, maps);
  } catch (e) {
    child.kill('SIGKILL');
    await exited.catch(() => 0);
    throw e;
  }
  sync.end('go\n');
  return exited;
}

/** In the child: the maps of the namespace it runs in, as the kernel has them. */
export function ownMaps(): RootlessMaps {
  return {
    uidMap: parseIdMap(fs.readFileSync('/proc/self/uid_map', 'utf8')),
    gidMap: parseIdMap(fs.readFileSync('/proc/self/gid_map', 'utf8')),
  };
}
