// The device nodes every container gets when /dev is not bind-mounted, in
// runc's order, and the /dev symlinks.
import type { PlanDevice } from './types';

const DEFAULT_DEVICES: readonly [string, number, number][] = [
  ['/dev/null', 1, 3],
  ['/dev/random', 1, 8],
  ['/dev/full', 1, 7],
  ['/dev/tty', 5, 0],
  ['/dev/zero', 1, 5],
  ['/dev/urandom', 1, 9],
];

export function defaultDevices(): PlanDevice[] {
  return DEFAULT_DEVICES.map(([path, major, minor]) => ({
    type: 'c',
    path,
    major,
    minor,
    mode: 0o666,
    uid: 0,
    gid: 0,
  }));
}

/** [target, linkpath]; /dev/core only where the host has /proc/kcore, as runc. */
export function devSymlinks(hostHasKcore: boolean): [string, string][] {
  const links: [string, string][] = [
    ['pts/ptmx', '/dev/ptmx'],
    ['/proc/self/fd', '/dev/fd'],
    ['/proc/self/fd/0', '/dev/stdin'],
    ['/proc/self/fd/1', '/dev/stdout'],
    ['/proc/self/fd/2', '/dev/stderr'],
  ];
  if (hostHasKcore) links.push(['/proc/kcore', '/dev/core']);
  return links;
}
