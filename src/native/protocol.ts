// Mirrors native/protocol.h: the TLV encoding of the launch plan and the
// message kinds. Change both together.
import type { LaunchPlan } from '../plan/types';

export const enum Tag {
  Rootfs = 1,
  RootfsPropagation = 2,
  RootReadonly = 3,
  NoPivot = 4,
  CloneFlags = 5,
  NsJoin = 6,
  Hostname = 7,
  Domainname = 8,
  Mount = 9,
  Device = 10,
  MaskedPath = 11,
  ReadonlyPath = 12,
  Sysctl = 13,
  User = 15,
  AdditionalGid = 16,
  Caps = 17,
  NoNewPrivs = 18,
  OomScoreAdj = 19,
  Cwd = 20,
  Env = 21,
  Arg = 22,
  SetupDev = 23,
  ExecFifo = 24,
  SeccompBpf = 25,
  Symlink = 26,
  Mkdir = 27,
  JoinOnly = 29,
  HookPoints = 30,
  ExecPath = 31,
  Terminal = 32,
  ConsoleSize = 33,
  ExtraFds = 34,
  SessionKeyring = 35,
  SeccompFlags = 36,
  Personality = 37,
  TimeOffsets = 38,
  Scheduler = 39,
  IoPriority = 40,
  CpuAffinity = 41,
  MountAttr = 42,
  MountIdmap = 43,
  MemoryPolicy = 60,
  ApparmorProfile = 61,
}

export const enum MountKind {
  Generic = 0,
  Bind = 1,
  Tmpfs = 2,
  Proc = 3,
  Sysfs = 4,
  TmpfsCopyUp = 5,
}

export const enum SyncKind {
  UsernsReady = 1,
  Pid = 2,
  Go = 3,
  Created = 4,
  Exec = 5,
  Error = 6,
  CreateHooks = 7,
  StartHooks = 8,
  Console = 9,
  Seccomp = 10,
}

export const NO_INDEX = 0xffffffff;
export const IDMAP_RECURSIVE = 1;
export const IDMAP_JOINED_USERNS = 2;
export const HOOK_POINT_CREATE = 1;
export const HOOK_POINT_START = 2;
export const INIT_FAILED_EXIT = 127;

class Writer {
  private chunks: Buffer[] = [];

  record(tag: Tag, payload: Buffer): void {
    const h = Buffer.alloc(8);
    h.writeUInt16LE(tag, 0);
    h.writeUInt32LE(payload.length, 4);
    this.chunks.push(h, payload);
  }
  str(tag: Tag, s: string): void {
    this.record(tag, Buffer.from(s, 'utf8'));
  }
  u8(tag: Tag, v: boolean): void {
    this.record(tag, Buffer.from([v ? 1 : 0]));
  }
  u32(tag: Tag, v: number): void {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v >>> 0, 0);
    this.record(tag, b);
  }
  u64(tag: Tag, v: bigint): void {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(v, 0);
    this.record(tag, b);
  }
  done(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

/** NUL-terminated strings, one after another. */
function cstrs(...parts: string[]): Buffer {
  return Buffer.concat(parts.map((p) => Buffer.from(p + '\0', 'utf8')));
}

/** Encodes a launch plan as the TLV records the helper decodes (no header). */
export function encodePlan(plan: LaunchPlan): Buffer {
  const w = new Writer();
  w.str(Tag.Rootfs, plan.rootfs);
  if (plan.rootfsPropagation !== 0n) w.u64(Tag.RootfsPropagation, plan.rootfsPropagation);
  w.u8(Tag.RootReadonly, plan.rootReadonly);
  w.u8(Tag.NoPivot, plan.noPivot);
  w.u64(Tag.CloneFlags, BigInt(plan.cloneFlags));
  for (const j of plan.joins) {
    const t = Buffer.alloc(4);
    t.writeUInt32LE(j.type >>> 0, 0);
    w.record(Tag.NsJoin, Buffer.concat([t, Buffer.from(j.path, 'utf8')]));
  }
  if (plan.hostname !== undefined) w.str(Tag.Hostname, plan.hostname);
  if (plan.domainname !== undefined) w.str(Tag.Domainname, plan.domainname);
  for (const m of plan.mounts) {
    const rec = Buffer.alloc(48);
    rec.writeUInt32LE(m.kind, 0);
    rec.writeUInt32LE(m.index ?? NO_INDEX, 4);
    rec.writeBigUInt64LE(m.flags, 8);
    m.propagation.slice(0, 4).forEach((p, i) => rec.writeBigUInt64LE(p, 16 + 8 * i));
    w.record(Tag.Mount, Buffer.concat([rec, cstrs(m.source, m.destination, m.fstype, m.data)]));
    // These two describe the Mount record just before them.
    if (m.recAttr) {
      const attr = Buffer.alloc(16);
      attr.writeBigUInt64LE(m.recAttr.set, 0);
      attr.writeBigUInt64LE(m.recAttr.clr, 8);
      w.record(Tag.MountAttr, attr);
    }
    if (m.idmap) {
      const maps = [...m.idmap.uidMappings, ...m.idmap.gidMappings];
      const rec = Buffer.alloc(16 + 12 * maps.length);
      rec.writeUInt32LE((m.idmap.recursive ? IDMAP_RECURSIVE : 0) | (m.idmap.joinedUserns ? IDMAP_JOINED_USERNS : 0), 0);
      rec.writeUInt32LE(m.idmap.uidMappings.length, 4);
      rec.writeUInt32LE(m.idmap.gidMappings.length, 8);
      maps.forEach((x, i) => {
        rec.writeUInt32LE(x.containerID >>> 0, 16 + 12 * i);
        rec.writeUInt32LE(x.hostID >>> 0, 20 + 12 * i);
        rec.writeUInt32LE(x.size >>> 0, 24 + 12 * i);
      });
      w.record(Tag.MountIdmap, rec);
    }
  }
  for (const d of plan.devices) {
    const rec = Buffer.alloc(24);
    rec.writeUInt32LE(d.type.charCodeAt(0), 0);
    rec.writeUInt32LE(d.major >>> 0, 4);
    rec.writeUInt32LE(d.minor >>> 0, 8);
    rec.writeUInt32LE(d.mode >>> 0, 12);
    rec.writeUInt32LE(d.uid >>> 0, 16);
    rec.writeUInt32LE(d.gid >>> 0, 20);
    w.record(Tag.Device, Buffer.concat([rec, Buffer.from(d.path, 'utf8')]));
  }
  for (const p of plan.maskedPaths) w.str(Tag.MaskedPath, p);
  for (const p of plan.readonlyPaths) w.str(Tag.ReadonlyPath, p);
  for (const [k, v] of plan.sysctl) w.record(Tag.Sysctl, cstrs(k, v));
  for (const [target, link] of plan.symlinks) w.record(Tag.Symlink, cstrs(target, link));
  for (const d of plan.mkdirs) {
    const m = Buffer.alloc(4);
    m.writeUInt32LE(d.mode, 0);
    w.record(Tag.Mkdir, Buffer.concat([m, Buffer.from(d.path, 'utf8')]));
  }
  const user = Buffer.alloc(16);
  user.writeUInt32LE(plan.user.uid >>> 0, 0);
  user.writeUInt32LE(plan.user.gid >>> 0, 4);
  user.writeUInt32LE((plan.user.umask ?? 0) >>> 0, 8);
  user.writeUInt32LE(plan.user.umask === undefined ? 0 : 1, 12);
  w.record(Tag.User, user);
  for (const g of plan.user.additionalGids) w.u32(Tag.AdditionalGid, g);
  if (plan.caps) {
    const caps = Buffer.alloc(40);
    const sets = [plan.caps.bounding, plan.caps.effective, plan.caps.permitted, plan.caps.inheritable, plan.caps.ambient];
    sets.forEach((v, i) => caps.writeBigUInt64LE(v, 8 * i));
    w.record(Tag.Caps, caps);
  }
  w.u8(Tag.NoNewPrivs, plan.noNewPrivileges);
  if (plan.oomScoreAdj !== undefined) {
    const o = Buffer.alloc(4);
    o.writeInt32LE(plan.oomScoreAdj, 0);
    w.record(Tag.OomScoreAdj, o);
  }
  w.str(Tag.Cwd, plan.cwd);
  for (const e of plan.env) w.str(Tag.Env, e);
  for (const a of plan.args) w.str(Tag.Arg, a);
  w.u8(Tag.SetupDev, plan.setupDev);
  if (plan.execFifo) w.str(Tag.ExecFifo, plan.execFifo);
  if (plan.seccompBpf) w.record(Tag.SeccompBpf, plan.seccompBpf);
  if (plan.seccompBpf && plan.seccomp?.flags) w.u32(Tag.SeccompFlags, plan.seccomp.flags);
  if (plan.joinOnly) w.u8(Tag.JoinOnly, true);
  if (plan.hookPoints) w.record(Tag.HookPoints, Buffer.from([plan.hookPoints]));
  if (plan.execPath) w.str(Tag.ExecPath, plan.execPath);
  if (plan.extraFds) w.u32(Tag.ExtraFds, plan.extraFds);
  if (plan.sessionKeyring) w.str(Tag.SessionKeyring, plan.sessionKeyring);
  if (plan.personality !== undefined) w.u32(Tag.Personality, plan.personality);
  if (plan.timeOffsets) {
    const t = Buffer.alloc(24);
    t.writeBigInt64LE(plan.timeOffsets.monotonicSecs, 0);
    t.writeBigInt64LE(plan.timeOffsets.boottimeSecs, 8);
    t.writeUInt32LE(plan.timeOffsets.monotonicNanosecs, 16);
    t.writeUInt32LE(plan.timeOffsets.boottimeNanosecs, 20);
    w.record(Tag.TimeOffsets, t);
  }
  if (plan.scheduler) {
    const s = Buffer.alloc(48);
    s.writeUInt32LE(plan.scheduler.policy, 0);
    s.writeInt32LE(plan.scheduler.nice, 4);
    s.writeUInt32LE(plan.scheduler.priority, 8);
    s.writeBigUInt64LE(BigInt(plan.scheduler.flags), 16);
    s.writeBigUInt64LE(plan.scheduler.runtime, 24);
    s.writeBigUInt64LE(plan.scheduler.deadline, 32);
    s.writeBigUInt64LE(plan.scheduler.period, 40);
    w.record(Tag.Scheduler, s);
  }
  if (plan.ioPriority !== undefined) w.u32(Tag.IoPriority, plan.ioPriority);
  if (plan.cpuAffinity) w.record(Tag.CpuAffinity, plan.cpuAffinity);
  if (plan.memoryPolicy) {
    const mode = Buffer.alloc(4);
    mode.writeUInt32LE(plan.memoryPolicy.mode, 0);
    w.record(Tag.MemoryPolicy, Buffer.concat([mode, plan.memoryPolicy.nodes ?? Buffer.alloc(0)]));
  }
  if (plan.apparmorProfile) w.str(Tag.ApparmorProfile, plan.apparmorProfile);
  if (plan.terminal) w.record(Tag.Terminal, Buffer.from([plan.terminal]));
  if (plan.consoleSize) {
    const size = Buffer.alloc(8);
    size.writeUInt32LE(plan.consoleSize.rows, 0);
    size.writeUInt32LE(plan.consoleSize.cols, 4);
    w.record(Tag.ConsoleSize, size);
  }
  return w.done();
}
