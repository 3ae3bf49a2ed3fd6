// `minirun update`: change a created, running or paused container's limits,
// as runc update does: only the values given are written (0 means "leave
// it"), except that a CPU quota or period given alone is completed with the
// other's last value; the result is remembered in state.json.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeResources } from '../cgroups/manage';
import { dirFor, modeOfDirs, type CgroupMode } from '../cgroups/dirs';
import { KERNEL_MEMORY_WARNING, kernelMemoryGiven, type CgroupWrite } from '../cgroups/resources-common';
import { v1ResourceWrites } from '../cgroups/resources-v1';
import { v2ResourceWrites } from '../cgroups/resources-v2';
import { setProperties, systemdHost } from '../cgroups/systemd';
import { resourceProperties, v1ResourceProperties } from '../cgroups/systemd-props';
import { setLegacyProperties } from '../cgroups/systemd-v1';
import { MiniRunError } from '../errors';
import { warn } from '../log';
import { loadAddon } from '../native/loader';
import { parseJson, stringifyJson } from '../config/json';
import type { Resources } from '../config/types';
import { readResources } from '../config/validate';
import { dieAt } from './faults';
import { withContainer } from '../state/find';
import { requireStatus } from '../state/status';
import { writeState } from '../state/store';

/** What runc update accepts from its flags; undefined: not given. */
export interface UpdateFlags {
  blkioWeight?: number;
  cpuPeriod?: bigint;
  cpuQuota?: bigint;
  cpuShare?: bigint;
  cpuRtPeriod?: bigint;
  cpuRtRuntime?: bigint;
  cpusetCpus?: string;
  cpusetMems?: string;
  memory?: bigint;
  memoryReservation?: bigint;
  memorySwap?: bigint;
  pidsLimit?: bigint;
}

const UNITS: Record<string, bigint> = { '': 1n, k: 1n << 10n, m: 1n << 20n, g: 1n << 30n, t: 1n << 40n, p: 1n << 50n };

/** "32m", "1.5g", "1024", "-1": bytes, as runc parses memory flags (binary units). */
export function parseBytes(flag: string, text: string): bigint {
  if (text === '-1') return -1n;
  const m = /^(\d+(?:\.\d+)?) ?([kmgtp])?i?b?$/i.exec(text);
  if (!m)
    throw new MiniRunError(
      'USAGE',
      `--${flag}: invalid size ${JSON.stringify(text)} (a number of bytes, or with k, m, g, t, p)`,
    );
  const unit = UNITS[(m[2] ?? '').toLowerCase()];
  const [whole, frac = ''] = m[1].split('.');
  const scale = 10n ** BigInt(frac.length);
  return (BigInt(whole + frac) * unit) / scale;
}

/** The flags as a partial linux.resources (only what was given, 0 as runc's "leave it"). */
export function resourcesFromFlags(f: UpdateFlags): Resources {
  const r: Resources = {};
  const nz = <T>(v: T | undefined) => (v === undefined || v === 0n || v === 0 || v === '' ? undefined : v);
  const cpu = {
    shares: nz(f.cpuShare),
    quota: nz(f.cpuQuota),
    period: nz(f.cpuPeriod),
    realtimePeriod: nz(f.cpuRtPeriod),
    realtimeRuntime: nz(f.cpuRtRuntime),
    cpus: nz(f.cpusetCpus),
    mems: nz(f.cpusetMems),
  };
  const memory = { limit: nz(f.memory), reservation: nz(f.memoryReservation), swap: nz(f.memorySwap) };
  const defined = (o: object) => Object.values(o).some((v) => v !== undefined);
  if (defined(cpu)) r.cpu = cpu;
  if (defined(memory)) r.memory = memory;
  if (nz(f.pidsLimit) !== undefined) r.pids = { limit: f.pidsLimit };
  if (nz(f.blkioWeight) !== undefined) r.blockIO = { weight: f.blkioWeight };
  return r;
}

/** -r FILE or -r -: a linux.resources object, checked as config.json's is. */
export function resourcesFromFile(file: string, stdin: () => string): Resources {
  let text: string;
  try {
    text = file === '-' ? stdin() : fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new MiniRunError('USAGE', `--resources ${file}: cannot read: ${(e as NodeJS.ErrnoException).code}`);
  }
  try {
    return updatable(readResources(parseJson(text), ''));
  } catch (e) {
    throw e instanceof MiniRunError ? e.from(`--resources ${file}`, 'USAGE') : e;
  }
}

/**
 * What runc update takes from -r: memory limit, reservation and swap (kernel
 * memory only for its warning), the cpu values, blockIO.weight, pids and
 * unified. Anything else there (throttles, hugetlb, devices, swappiness ...)
 * runc ignores, and so does minirun: clients send the whole linux.resources.
 */
export function updatable(r: Resources): Resources {
  const { memory, cpu, blockIO, pids, unified } = r;
  const out: Resources = {};
  if (memory)
    out.memory = {
      limit: memory.limit,
      reservation: memory.reservation,
      swap: memory.swap,
      kernel: memory.kernel,
      kernelTCP: memory.kernelTCP,
    };
  if (cpu)
    out.cpu = {
      shares: cpu.shares,
      quota: cpu.quota,
      period: cpu.period,
      realtimeRuntime: cpu.realtimeRuntime,
      realtimePeriod: cpu.realtimePeriod,
      cpus: cpu.cpus,
      mems: cpu.mems,
      idle: cpu.idle,
    };
  if (blockIO?.weight !== undefined) out.blockIO = { weight: blockIO.weight };
  if (pids) out.pids = pids;
  if (unified) out.unified = unified;
  return stripUndefinedDeep(out);
}

function stripUndefinedDeep(r: Resources): Resources {
  const sections = Object.entries(r as Record<string, object>);
  return Object.fromEntries(sections.map(([k, v]) => [k, k === 'unified' ? v : stripUndefined(v)]));
}

/** Given values over the last applied ones, section by section. */
export function merge(old: Resources, given: Resources): Resources {
  const out: Record<string, unknown> = { ...old };
  for (const [k, v] of Object.entries(given as Record<string, unknown>)) {
    if (v === undefined) continue;
    const prev = (old as Record<string, unknown>)[k];
    const isPlain = typeof v === 'object' && v !== null && !Array.isArray(v) && k !== 'unified' && k !== 'rdma';
    out[k] = isPlain && typeof prev === 'object' && prev !== null ? { ...prev, ...stripUndefined(v) } : v;
  }
  return out;
}

function stripUndefined(o: object): object {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

/**
 * What an update applies, as runc's: the values given, and nothing else (a value not given is unset
 * and left as it is), except that a quota or period given alone keeps the other's last value (v2's
 * cpu.max and systemd's CPUQuota need both).
 */
export function applied(given: Resources, merged: Resources): Resources {
  const r: Resources = { ...given };
  if (given.cpu && (given.cpu.quota !== undefined) !== (given.cpu.period !== undefined)) {
    r.cpu = { ...given.cpu, quota: merged.cpu?.quota, period: merged.cpu?.period };
  }
  return r;
}

/** The files to write, from what the update applies. */
export function updateWrites(
  mode: CgroupMode,
  given: Resources,
  merged: Resources,
  currentMemoryLimit: () => bigint,
): CgroupWrite[] {
  const r = applied(given, merged);
  if (mode === 'v2') return v2ResourceWrites(r);
  return v1ResourceWrites(r, given.memory?.limit !== undefined ? currentMemoryLimit() : 0n);
}

export function update(root: string, id: string, requested: Resources): void {
  let given = requested;
  if (kernelMemoryGiven(given)) {
    warn(KERNEL_MEMORY_WARNING);
    given = { ...given, memory: { ...given.memory, kernel: undefined, kernelTCP: undefined } };
  }
  const addon = loadAddon();
  withContainer(addon, root, id, ({ dir, state }, status) => {
    requireStatus('update', id, status);
    const dirs = state.cgroupDirs ?? [];
    const mode = state.cgroupMode ?? modeOfDirs(dirs);
    const old = state.resources ? readResources(parseJson(state.resources), 'linux.resources') : {};
    const merged = merge(old, given);
    const currentLimit = () => {
      const mem = dirFor(dirs, 'memory');
      return mem ? BigInt(fs.readFileSync(path.join(mem.path, 'memory.limit_in_bytes'), 'utf8').trim()) : 0n;
    };
    const unit = state.systemdUnit;
    // The systemd driver on v1 writes every file again, as runc's Set: systemd has just rewritten
    // the ones it manages from the properties (a quota rounded to 10 ms a second, for one).
    const legacy = unit !== undefined && mode !== 'v2';
    let writes: CgroupWrite[];
    try {
      writes = updateWrites(mode, legacy ? merged : given, merged, currentLimit);
    } catch (e) {
      throw e instanceof MiniRunError && e.parts.source === 'config.json' ? e.from('update') : e;
    }
    // The systemd driver: the unit's properties first, as runc's Set. On v2 from what the files get
    // (the values not given are unset, so `--memory -1` alone also lifts the swap limit, as on v2
    // files); on v1 the v1 ones from all the values, the container frozen meanwhile.
    if (unit) addon.useSystemdBus(state.systemdBus ?? '');
    const host = systemdHost(() => addon);
    const setUnit = (r: Resources) =>
      legacy
        ? setLegacyProperties(addon, unit, v1ResourceProperties(host, r), dirs)
        : setProperties(addon, unit!, resourceProperties(host, r));
    try {
      if (unit) setUnit(legacy ? merged : applied(given, merged));
      writeResources({ mode, dirs }, writes);
    } catch (e) {
      if (unit) {
        try {
          setUnit(old);
        } catch {
          // the error that matters is the first one
        }
      }
      // As runc does: put the last applied values back (best effort), then fail.
      for (const w of updateWrites(mode, old, old, currentLimit)) {
        try {
          writeResources({ mode, dirs }, [w]);
        } catch {
          // the error that matters is the first one
        }
      }
      throw e;
    }
    dieAt('update-written');
    writeState(dir, { ...state, resources: stringifyJson(merged) });
  });
}
