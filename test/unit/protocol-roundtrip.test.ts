// The plan protocol end to end, without privileges: plans built by the
// project's spec -> plan code (protocol-plans.ts) are encoded by
// src/native/protocol.ts, decoded by the init helper's own decoder
// (native/init/plan.cc, in the plan-dump test tool), and every decoded field
// is compared, by name, with the plan. The plans give the same-size fields of
// each record different values (checked below), so fields swapped in the
// encoder, in the decoder, or in native/protocol.h without regenerating the
// TypeScript layout, show here.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MiniRunError } from '../../src/errors';
import { launch } from '../../src/native/launch';
import { loadAddon } from '../../src/native/loader';
import { encodePlan } from '../../src/native/protocol';
import { PROTO, RECORD, Tag, TAGS } from '../../src/native/protocol-layout.generated';
import type { RecordName } from '../../src/native/record';
import type { LaunchPlan } from '../../src/plan/types';
import { planCases } from './protocol-plans';

const PLAN_DUMP = path.join(__dirname, '../../build/Release/plan-dump');

function dump(records: Buffer): unknown {
  const r = spawnSync(PLAN_DUMP, { input: records, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`plan-dump: ${r.stderr || r.error}`);
  return JSON.parse(r.stdout);
}

const u64 = (v: bigint | number | undefined) => BigInt(v ?? 0).toString();
const hex = (b: Buffer | undefined) => b?.toString('hex') ?? '';

/** The plan as the helper must hold it after decoding: plan-dump's JSON, written from the plan by name. */
function expected(plan: LaunchPlan): unknown {
  const { user, caps, timeOffsets: t, scheduler: s } = plan;
  return {
    rootfs: plan.rootfs,
    rootfs_propagation: u64(plan.rootfsPropagation),
    root_readonly: plan.rootReadonly,
    no_pivot: plan.noPivot,
    clone_flags: u64(plan.cloneFlags),
    joins: plan.joins.map((j) => ({ type: j.type, path: j.path })),
    has_hostname: plan.hostname !== undefined,
    hostname: plan.hostname ?? '',
    has_domainname: plan.domainname !== undefined,
    domainname: plan.domainname ?? '',
    mounts: plan.mounts.map((m) => ({
      kind: m.kind,
      index: m.index ?? PROTO.kNoIndex,
      flags: u64(m.flags),
      propagation: [0, 1, 2, 3].map((i) => u64(m.propagation[i])),
      source: m.source,
      destination: m.destination,
      fstype: m.fstype,
      data: m.data,
      has_attr: m.recAttr !== undefined,
      attr: { attr_set: u64(m.recAttr?.set), attr_clr: u64(m.recAttr?.clr) },
      has_fallback: m.fallback !== undefined,
      fallback_flags: m.fallback?.maskMissing ? PROTO.kFallbackMaskMissing : 0,
      fallback_source: m.fallback?.source ?? '',
      idmap: m.idmap !== undefined,
      idmap_flags:
        (m.idmap?.recursive ? PROTO.kIdmapRecursive : 0) | (m.idmap?.joinedUserns ? PROTO.kIdmapJoinedUserns : 0),
      uid_maps: (m.idmap?.uidMappings ?? []).map((x) => ({
        container_id: x.containerID,
        host_id: x.hostID,
        size: x.size,
      })),
      gid_maps: (m.idmap?.gidMappings ?? []).map((x) => ({
        container_id: x.containerID,
        host_id: x.hostID,
        size: x.size,
      })),
    })),
    devices: plan.devices.map((d) => ({
      type: d.type.charCodeAt(0),
      major: d.major,
      minor: d.minor,
      mode: d.mode,
      uid: d.uid,
      gid: d.gid,
      path: d.path,
    })),
    masked: plan.maskedPaths,
    readonly: plan.readonlyPaths,
    sysctl: plan.sysctl,
    symlinks: plan.symlinks,
    has_user: true,
    user: { uid: user.uid, gid: user.gid, umask: user.umask ?? 0, has_umask: user.umask === undefined ? 0 : 1 },
    additional_gids: user.additionalGids,
    has_caps: caps !== undefined,
    caps: {
      bounding: u64(caps?.bounding),
      effective: u64(caps?.effective),
      permitted: u64(caps?.permitted),
      inheritable: u64(caps?.inheritable),
      ambient: u64(caps?.ambient),
    },
    no_new_privs: plan.noNewPrivileges,
    has_oom_score_adj: plan.oomScoreAdj !== undefined,
    oom_score_adj: plan.oomScoreAdj ?? 0,
    cwd: plan.cwd,
    env: plan.env,
    args: plan.args,
    setup_dev: plan.setupDev,
    exec_fifo: plan.execFifo ?? '',
    seccomp_bpf: hex(plan.seccompBpf),
    mkdirs: plan.mkdirs.map((d) => ({ mode: d.mode, path: d.path })),
    join_only: plan.joinOnly === true,
    rootless_euid: plan.rootlessEuid === true,
    runtime_in_userns: plan.runtimeInUserns === true,
    hook_points: plan.hookPoints ?? 0,
    exec_path: plan.execPath ?? '',
    terminal: plan.terminal ?? 0,
    console_rows: plan.consoleSize?.rows ?? 0,
    console_cols: plan.consoleSize?.cols ?? 0,
    extra_fds: plan.extraFds ?? 0,
    session_keyring: plan.sessionKeyring ?? '',
    seccomp_flags: plan.seccompBpf ? (plan.seccomp?.flags ?? 0) : 0,
    has_personality: plan.personality !== undefined,
    personality: plan.personality ?? 0,
    has_time_offsets: t !== undefined,
    time_offsets: {
      monotonic_secs: u64(t?.monotonicSecs),
      boottime_secs: u64(t?.boottimeSecs),
      monotonic_nanosecs: t?.monotonicNanosecs ?? 0,
      boottime_nanosecs: t?.boottimeNanosecs ?? 0,
    },
    has_scheduler: s !== undefined,
    scheduler: {
      policy: s?.policy ?? 0,
      nice: s?.nice ?? 0,
      priority: s?.priority ?? 0,
      flags: u64(s?.flags),
      runtime: u64(s?.runtime),
      deadline: u64(s?.deadline),
      period: u64(s?.period),
    },
    has_ioprio: plan.ioPriority !== undefined,
    ioprio: plan.ioPriority ?? 0,
    cpu_affinity: hex(plan.cpuAffinity),
    has_memory_policy: plan.memoryPolicy !== undefined,
    memory_policy: plan.memoryPolicy?.mode ?? 0,
    memory_nodes: hex(plan.memoryPolicy?.nodes),
    apparmor_profile: plan.apparmorProfile ?? '',
  };
}

/** A record of `length` bytes of "x". */
function tlv(tag: Tag, length: number): Buffer {
  const h = Buffer.alloc(RECORD.TlvHeader.size);
  h.writeUInt16LE(tag, RECORD.TlvHeader.fields.tag.offset);
  h.writeUInt32LE(length, RECORD.TlvHeader.fields.length.offset);
  return Buffer.concat([h, Buffer.alloc(length, 'x')]);
}

/** The TLV records of an encoded plan: [tag, payload]. */
function records(buf: Buffer): [Tag, Buffer][] {
  const h = RECORD.TlvHeader;
  const out: [Tag, Buffer][] = [];
  for (let at = 0; at < buf.length;) {
    const tag = buf.readUInt16LE(at + h.fields.tag.offset) as Tag;
    const length = buf.readUInt32LE(at + h.fields.length.offset);
    out.push([tag, buf.subarray(at + h.size, at + h.size + length)]);
    at += h.size + length;
  }
  return out;
}

/** The fixed records a tag's payload starts with (MountIdmap: then IdMapRecords). */
const RECORD_OF_TAG: Partial<Record<Tag, RecordName>> = {
  [Tag.NsJoin]: 'NsJoinRecord',
  [Tag.Mount]: 'MountRecord',
  [Tag.MountAttr]: 'MountAttrRecord',
  [Tag.MountIdmap]: 'MountIdmapRecord',
  [Tag.MountFallback]: 'MountFallbackRecord',
  [Tag.Device]: 'DeviceRecord',
  [Tag.Mkdir]: 'MkdirRecord',
  [Tag.User]: 'UserRecord',
  [Tag.Caps]: 'CapsRecord',
  [Tag.ConsoleSize]: 'ConsoleSizeRecord',
  [Tag.TimeOffsets]: 'TimeOffsetsRecord',
  [Tag.Scheduler]: 'SchedulerRecord',
  [Tag.MemoryPolicy]: 'MemoryPolicyRecord',
};
/** Records only C++ writes and reads (the addon and the helper share the header): not in a plan's payload. */
const NOT_IN_PLANS: RecordName[] = ['PlanHeader', 'TlvHeader', 'SyncRecord', 'ErrorRecord'];

/**
 * Does this record's bytes hold different values in every two fields (array
 * elements count one by one) of the same size, `reserved` aside? Then a swap
 * of any two of them changes what the decoder reads under a name.
 */
function sameSizeFieldsDiffer(name: RecordName, rec: Buffer): boolean {
  const bySize = new Map<number, string[]>();
  for (const [key, f] of Object.entries(RECORD[name].fields)) {
    if (key === 'reserved') continue;
    const elem = f.size / f.count;
    for (let i = 0; i < f.count; i++) {
      const bytes = rec.subarray(f.offset + i * elem, f.offset + (i + 1) * elem).toString('hex');
      bySize.set(elem, [...(bySize.get(elem) ?? []), bytes]);
    }
  }
  return [...bySize.values()].every((values) => new Set(values).size === values.length);
}

describe("plan protocol round trip (encodePlan -> the helper's decoder)", () => {
  const cases = planCases();

  it('has the plan-dump tool (npm run build)', () => {
    expect(fs.existsSync(PLAN_DUMP), `${PLAN_DUMP}: build it with npm run build`).toBe(true);
  });

  for (const { name, plan } of cases) {
    it(`decodes ${name} field by field`, () => {
      expect(dump(encodePlan(plan))).toEqual(expected(plan));
    });
  }

  it('the plans carry every tag of native/protocol.h', () => {
    const seen = new Set(cases.flatMap((c) => records(encodePlan(c.plan)).map(([tag]) => tag)));
    const missing = Object.entries(TAGS)
      .filter(([, v]) => !seen.has(v))
      .map(([k]) => k);
    expect(missing).toEqual([]);
  });

  it('the plans give the same-size fields of every record different values somewhere', () => {
    const sensitive = new Set<RecordName>();
    for (const { plan } of cases) {
      for (const [tag, payload] of records(encodePlan(plan))) {
        const name = RECORD_OF_TAG[tag];
        if (!name) continue;
        const head = payload.subarray(0, RECORD[name].size);
        if (sameSizeFieldsDiffer(name, head)) sensitive.add(name);
        if (tag === Tag.MountIdmap) {
          const size = RECORD.IdMapRecord.size;
          for (let at = head.length; at < payload.length; at += size) {
            if (sameSizeFieldsDiffer('IdMapRecord', payload.subarray(at, at + size))) sensitive.add('IdMapRecord');
          }
        }
      }
    }
    const all = (Object.keys(RECORD) as RecordName[]).filter((n) => !NOT_IN_PLANS.includes(n));
    expect(all.filter((n) => !sensitive.has(n))).toEqual([]);
  });

  it('the decoder refuses a record of the wrong size', () => {
    const plan = cases.find((c) => c.plan.consoleSize)!.plan;
    const short = tlv(Tag.ConsoleSize, RECORD.ConsoleSizeRecord.size - 4);
    expect(() => dump(Buffer.concat([encodePlan({ ...plan, consoleSize: undefined }), short]))).toThrow(
      `plan-dump: malformed record ${Tag.ConsoleSize}`,
    );
  });
});

describe('a plan larger than one message to the init helper', () => {
  // What one SOCK_SEQPACKET message may carry here: the init's buffer, or the
  // socket's send buffer less 32 bytes, where SO_SNDBUF (asked for as the
  // plan's size + 4 KiB) is capped at twice net.core.wmem_max.
  const wmemMax = Number(fs.readFileSync('/proc/sys/net/core/wmem_max', 'utf8'));
  const limit = Math.min(PROTO.kMaxPlanBytes, 2 * Math.min(wmemMax, PROTO.kMaxPlanBytes + 4096) - 32);
  const base = planCases().find((c) => c.name === 'minimal config')!.plan;
  // 40 variables of 32 KiB: 1.25 MiB, over the limit whatever wmem_max is.
  const big: LaunchPlan = { ...base, env: Array.from({ length: 40 }, (_, i) => `V${i}=${'x'.repeat(32 * 1024)}`) };

  it('is refused by the addon before the helper starts, naming both sizes', () => {
    const records = encodePlan(big);
    let err: { errno?: number; planBytes?: number; maxPlanBytes?: number } = {};
    try {
      loadAddon().startHelper('/nonexistent/minirun-init', records, [0, 1, 2]);
    } catch (e) {
      err = e as typeof err;
    }
    expect(err).toMatchObject({
      errno: 90 /* EMSGSIZE */,
      planBytes: RECORD.PlanHeader.size + records.length,
      maxPlanBytes: limit,
    });
  });

  it('is one clear error from launch', () => {
    const run = () => launch(loadAddon(), big, [0, 1, 2], { placeInit: () => {} });
    expect(run).toThrow(MiniRunError);
    expect(run).toThrow(
      new RegExp(
        `^the launch plan is ${RECORD.PlanHeader.size + encodePlan(big).length} bytes: one message to the init helper carries at most ${limit} \\(`,
      ),
    );
  });

  it('is not refused when it is just at the limit', () => {
    const records = encodePlan(base);
    const fits = Buffer.concat([
      records,
      tlv(Tag.Env, limit - RECORD.PlanHeader.size - records.length - RECORD.TlvHeader.size),
    ]);
    expect(RECORD.PlanHeader.size + fits.length).toBe(limit);
    // The addon goes on to start the helper: here one that is not there
    // (unless the addon has a copy of the real one already: then it is stopped).
    const addon = loadAddon();
    let err: { planBytes?: number; code?: string } | undefined;
    try {
      const h = addon.startHelper('/nonexistent/minirun-init', fits, [0, 1, 2]);
      addon.kill(h.pid, 9);
      addon.waitSync(h.pid);
      addon.close(h.sock);
    } catch (e) {
      err = e as typeof err;
    }
    expect(err?.planBytes).toBeUndefined();
  });
});
