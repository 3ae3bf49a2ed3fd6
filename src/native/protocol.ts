// The launch plan's encoding: the TLV records of native/protocol.h, each
// record written by field name at the offsets the header gives
// (protocol-layout.generated.ts, which the build generates from it).
import type { LaunchPlan } from '../plan/types';
import { PROTO, Tag } from './protocol-layout.generated';
import { packRecord } from './record';

export { MountKind, SyncKind, Tag } from './protocol-layout.generated';

export const NO_INDEX = PROTO.kNoIndex;
export const IDMAP_RECURSIVE = PROTO.kIdmapRecursive;
export const FALLBACK_MASK_MISSING = PROTO.kFallbackMaskMissing;
export const IDMAP_JOINED_USERNS = PROTO.kIdmapJoinedUserns;
export const HOOK_POINT_CREATE = PROTO.kHookPointCreate;
export const HOOK_POINT_START = PROTO.kHookPointStart;
export const INIT_FAILED_EXIT = PROTO.kInitFailedExit;

class Writer {
  private chunks: Buffer[] = [];

  record(tag: Tag, payload: Buffer): void {
    this.chunks.push(packRecord('TlvHeader', { tag, length: payload.length }), payload);
  }
  str(tag: Tag, s: string): void {
    this.record(tag, Buffer.from(s, 'utf8'));
  }
  u8(tag: Tag, v: boolean): void {
    this.record(tag, Buffer.from([v ? 1 : 0]));
  }
  u32(tag: Tag, v: number): void {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v >>> 0);
    this.record(tag, b);
  }
  i32(tag: Tag, v: number): void {
    const b = Buffer.alloc(4);
    b.writeInt32LE(v);
    this.record(tag, b);
  }
  u64(tag: Tag, v: bigint): void {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(v);
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
    w.record(Tag.NsJoin, Buffer.concat([packRecord('NsJoinRecord', { type: j.type }), Buffer.from(j.path, 'utf8')]));
  }
  if (plan.hostname !== undefined) w.str(Tag.Hostname, plan.hostname);
  if (plan.domainname !== undefined) w.str(Tag.Domainname, plan.domainname);
  for (const m of plan.mounts) {
    const rec = packRecord('MountRecord', {
      kind: m.kind,
      index: m.index ?? NO_INDEX,
      flags: m.flags,
      propagation: m.propagation,
    });
    w.record(Tag.Mount, Buffer.concat([rec, cstrs(m.source, m.destination, m.fstype, m.data)]));
    // These describe the Mount record just before them.
    if (m.recAttr)
      w.record(Tag.MountAttr, packRecord('MountAttrRecord', { attr_set: m.recAttr.set, attr_clr: m.recAttr.clr }));
    if (m.fallback) {
      const head = packRecord('MountFallbackRecord', { flags: m.fallback.maskMissing ? FALLBACK_MASK_MISSING : 0 });
      w.record(Tag.MountFallback, Buffer.concat([head, Buffer.from(m.fallback.source, 'utf8')]));
    }
    if (m.idmap) {
      const head = packRecord('MountIdmapRecord', {
        flags: (m.idmap.recursive ? IDMAP_RECURSIVE : 0) | (m.idmap.joinedUserns ? IDMAP_JOINED_USERNS : 0),
        uid_count: m.idmap.uidMappings.length,
        gid_count: m.idmap.gidMappings.length,
      });
      const maps = [...m.idmap.uidMappings, ...m.idmap.gidMappings].map((x) =>
        packRecord('IdMapRecord', { container_id: x.containerID, host_id: x.hostID, size: x.size }),
      );
      w.record(Tag.MountIdmap, Buffer.concat([head, ...maps]));
    }
  }
  for (const d of plan.devices) {
    const rec = packRecord('DeviceRecord', {
      type: d.type.charCodeAt(0),
      major: d.major,
      minor: d.minor,
      mode: d.mode,
      uid: d.uid,
      gid: d.gid,
    });
    w.record(Tag.Device, Buffer.concat([rec, Buffer.from(d.path, 'utf8')]));
  }
  for (const p of plan.maskedPaths) w.str(Tag.MaskedPath, p);
  for (const p of plan.readonlyPaths) w.str(Tag.ReadonlyPath, p);
  for (const [k, v] of plan.sysctl) w.record(Tag.Sysctl, cstrs(k, v));
  for (const [target, link] of plan.symlinks) w.record(Tag.Symlink, cstrs(target, link));
  for (const d of plan.mkdirs) {
    w.record(Tag.Mkdir, Buffer.concat([packRecord('MkdirRecord', { mode: d.mode }), Buffer.from(d.path, 'utf8')]));
  }
  const { uid, gid, umask } = plan.user;
  w.record(Tag.User, packRecord('UserRecord', { uid, gid, umask: umask ?? 0, has_umask: umask === undefined ? 0 : 1 }));
  for (const g of plan.user.additionalGids) w.u32(Tag.AdditionalGid, g);
  if (plan.caps) {
    const { bounding, effective, permitted, inheritable, ambient } = plan.caps;
    w.record(Tag.Caps, packRecord('CapsRecord', { bounding, effective, permitted, inheritable, ambient }));
  }
  w.u8(Tag.NoNewPrivs, plan.noNewPrivileges);
  if (plan.oomScoreAdj !== undefined) w.i32(Tag.OomScoreAdj, plan.oomScoreAdj);
  w.str(Tag.Cwd, plan.cwd);
  for (const e of plan.env) w.str(Tag.Env, e);
  for (const a of plan.args) w.str(Tag.Arg, a);
  w.u8(Tag.SetupDev, plan.setupDev);
  if (plan.execFifo) w.str(Tag.ExecFifo, plan.execFifo);
  if (plan.seccompBpf) w.record(Tag.SeccompBpf, plan.seccompBpf);
  if (plan.seccompBpf && plan.seccomp?.flags) w.u32(Tag.SeccompFlags, plan.seccomp.flags);
  if (plan.joinOnly) w.u8(Tag.JoinOnly, true);
  if (plan.rootlessEuid) w.u8(Tag.RootlessEuid, true);
  if (plan.runtimeInUserns) w.u8(Tag.RuntimeInUserns, true);
  if (plan.hookPoints) w.record(Tag.HookPoints, Buffer.from([plan.hookPoints]));
  if (plan.execPath) w.str(Tag.ExecPath, plan.execPath);
  if (plan.extraFds) w.u32(Tag.ExtraFds, plan.extraFds);
  if (plan.sessionKeyring) w.str(Tag.SessionKeyring, plan.sessionKeyring);
  if (plan.personality !== undefined) w.u32(Tag.Personality, plan.personality);
  if (plan.timeOffsets) {
    const t = plan.timeOffsets;
    w.record(
      Tag.TimeOffsets,
      packRecord('TimeOffsetsRecord', {
        monotonic_secs: t.monotonicSecs,
        boottime_secs: t.boottimeSecs,
        monotonic_nanosecs: t.monotonicNanosecs,
        boottime_nanosecs: t.boottimeNanosecs,
      }),
    );
  }
  if (plan.scheduler) {
    const s = plan.scheduler;
    w.record(
      Tag.Scheduler,
      packRecord('SchedulerRecord', {
        policy: s.policy,
        nice: s.nice,
        priority: s.priority,
        flags: BigInt(s.flags),
        runtime: s.runtime,
        deadline: s.deadline,
        period: s.period,
      }),
    );
  }
  if (plan.ioPriority !== undefined) w.u32(Tag.IoPriority, plan.ioPriority);
  if (plan.cpuAffinity) w.record(Tag.CpuAffinity, plan.cpuAffinity);
  if (plan.memoryPolicy) {
    const mode = packRecord('MemoryPolicyRecord', { mode: plan.memoryPolicy.mode });
    w.record(Tag.MemoryPolicy, Buffer.concat([mode, plan.memoryPolicy.nodes ?? Buffer.alloc(0)]));
  }
  if (plan.apparmorProfile) w.str(Tag.ApparmorProfile, plan.apparmorProfile);
  if (plan.terminal) w.record(Tag.Terminal, Buffer.from([plan.terminal]));
  if (plan.consoleSize) {
    w.record(
      Tag.ConsoleSize,
      packRecord('ConsoleSizeRecord', { rows: plan.consoleSize.rows, cols: plan.consoleSize.cols }),
    );
  }
  return w.done();
}
