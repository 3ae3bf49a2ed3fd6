// The id maps of a rootless unpack, in the OCI config's words (containerID,
// hostID, size). The unpack runs in a user namespace whose maps are the
// user's own id as 0 and the user's subordinate ranges (/etc/subuid,
// /etc/subgid) as 1, 2, ... in order, as podman's rootless default is; the
// bundle's config.json gets the same maps. Pure.
export interface IdMapping {
  containerID: number;
  hostID: number;
  size: number;
}

/** A range of /etc/subuid or /etc/subgid: `count` ids from `start`. */
export interface SubIdRange {
  start: number;
  count: number;
}

/** 0 → the user's own id, then 1.. → each subordinate range in turn. */
export function rootlessMappings(own: number, ranges: SubIdRange[]): IdMapping[] {
  const maps: IdMapping[] = [{ containerID: 0, hostID: own, size: 1 }];
  let next = 1;
  for (const r of ranges) {
    maps.push({ containerID: next, hostID: r.start, size: r.count });
    next += r.count;
  }
  return maps;
}

/** The host id of a container id, or undefined when the maps leave it out. */
export function toHost(maps: IdMapping[], id: number): number | undefined {
  const m = maps.find((x) => id >= x.containerID && id - x.containerID < x.size);
  return m === undefined ? undefined : m.hostID + (id - m.containerID);
}

/** The maps of /proc/PID/uid_map or gid_map ("inside outside count" a line). */
export function parseIdMap(text: string): IdMapping[] {
  return text
    .split('\n')
    .map((l) => l.trim().split(/\s+/).map(Number))
    .filter((f) => f.length === 3 && f.every(Number.isSafeInteger))
    .map(([containerID, hostID, size]) => ({ containerID, hostID, size }));
}

/** The container ids the maps give, as text: "0-65536" or "0, 1-999". */
export function mappedText(maps: IdMapping[]): string {
  return maps
    .map((m) => (m.size === 1 ? `${m.containerID}` : `${m.containerID}-${m.containerID + m.size - 1}`))
    .join(', ');
}
