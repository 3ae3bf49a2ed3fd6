// runtime-spec namespace names -> CLONE_NEW* flags.
export const CLONE_NEW: Readonly<Record<string, number>> = Object.freeze({
  mount: 0x00020000,
  cgroup: 0x02000000,
  uts: 0x04000000,
  ipc: 0x08000000,
  user: 0x10000000,
  pid: 0x20000000,
  network: 0x40000000,
  time: 0x00000080,
});

export function cloneFlag(type: string): number | undefined {
  return Object.prototype.hasOwnProperty.call(CLONE_NEW, type) ? CLONE_NEW[type] : undefined;
}
