// The systemd cgroup driver's calls to systemd (through the addon's sd-bus
// surface): the container's transient unit started with the init in it and
// its job waited for, its resource properties set, and the unit stopped and
// its failed state reset when the container goes. The unit's cgroup is then
// used as the cgroupfs v2 driver uses its directory (manage.ts).
import type * as ChildProcess from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MiniRunError } from '../errors';
import { debug, warn } from '../log';
import type { Addon, UnitProperty } from '../native/addon';
import { unitProperties, type SystemdHost } from './systemd-props';

/** What a container's plan holds for the systemd driver. */
export interface SystemdPlan {
  unit: string;
  slice: string;
  /** the config's name part (the unit's Description) */
  name: string;
  /** org.systemd.property.* annotations, sent with the unit's start */
  annotations: UnitProperty[];
  /** linux.resources as properties, set once the unit runs (as runc's Set) */
  resources: UnitProperty[];
  /** the manager's bus: the user's (rootless), or '' for the system's */
  bus: string;
  /** cgroup v1 (legacy or hybrid): runc's legacy manager (systemd-v1.ts) */
  v1?: boolean;
}

/** How long a start or stop job may take (runc: 30 s). */
const JOB_TIMEOUT_SEC = 30;

function busError(e: unknown): string {
  return (e as Error).message;
}

/** runc's check: systemd is pid 1 when /run/systemd/system is a directory. */
export function checkSystemdRunning(): void {
  let running = false;
  try {
    running = fs.lstatSync('/run/systemd/system').isDirectory();
  } catch {
    // not there
  }
  if (!running)
    throw new MiniRunError('CGROUP', 'systemd not running on this host, cannot use systemd cgroups manager');
}

/**
 * The user's bus, as runc's DetectUserDbusSessionBusAddress picks it:
 * $DBUS_SESSION_BUS_ADDRESS, then $XDG_RUNTIME_DIR/bus when it exists, then
 * what `systemctl --user show-environment` says.
 */
export function userBusAddress(env: NodeJS.ProcessEnv = process.env): string {
  if (env.DBUS_SESSION_BUS_ADDRESS) return env.DBUS_SESSION_BUS_ADDRESS;
  if (env.XDG_RUNTIME_DIR) {
    const bus = path.join(env.XDG_RUNTIME_DIR, 'bus');
    if (fs.existsSync(bus)) return `unix:path=${bus}`;
  }
  let out: string;
  try {
    // node:child_process (and node:net with it) only here, not on every run's path
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a synchronous lazy load
    const { execFileSync } = require('node:child_process') as typeof ChildProcess;
    out = execFileSync('systemctl', ['--user', '--no-pager', 'show-environment'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (e) {
    const o = e as { stdout?: string; stderr?: string; message: string };
    throw new MiniRunError(
      'CGROUP',
      `could not execute \`systemctl --user --no-pager show-environment\` (output=${JSON.stringify(`${o.stdout ?? ''}${o.stderr ?? ''}`)}): ${o.message.split('\n')[0]}`,
    );
  }
  for (const line of out.split('\n'))
    if (line.startsWith('DBUS_SESSION_BUS_ADDRESS=')) return line.slice('DBUS_SESSION_BUS_ADDRESS='.length);
  throw new MiniRunError(
    'CGROUP',
    'could not detect DBUS_SESSION_BUS_ADDRESS from `systemctl --user --no-pager show-environment`. Make sure you have installed the dbus-user-session or dbus-daemon package and then run: `systemctl --user start dbus`',
  );
}

/** The user manager's own cgroup (runc: its ControlGroup property), under which its slices are. */
export function managerCgroup(addon: Addon): string {
  try {
    return String(addon.getUnitProperty('', 'org.freedesktop.systemd1.Manager', 'ControlGroup'));
  } catch (e) {
    throw new MiniRunError('CGROUP', `unable to get the manager's ControlGroup: ${busError(e)}`);
  }
}

/** The host facts the property conversion asks for: systemd's version, /proc/devices, device nodes. */
export function systemdHost(addon: () => Addon): SystemdHost {
  let version: number | undefined;
  return {
    version: () => {
      if (version === undefined) {
        try {
          const v = String(addon().getUnitProperty('', 'org.freedesktop.systemd1.Manager', 'Version'));
          version = Number(/v?([0-9]+)/.exec(v)?.[1] ?? -1);
        } catch (e) {
          warn(`unable to get systemd version: ${busError(e)}`);
          version = -1;
        }
      }
      return version;
    },
    deviceGroup: (type, major) => {
      let text: string;
      try {
        text = fs.readFileSync('/proc/devices', 'utf8');
      } catch {
        return undefined;
      }
      let section: 'c' | 'b' | undefined;
      for (const raw of text.split('\n')) {
        const line = raw.trim();
        if (line === 'Character devices:') section = 'c';
        else if (line === 'Block devices:') section = 'b';
        else if (section === type) {
          const m = /^([0-9]+)\s+(\S+)$/.exec(line);
          if (m && Number(m[1]) === major) return `${type === 'c' ? 'char' : 'block'}-${m[2]}`;
        }
      }
      return undefined;
    },
    deviceExists: (p) => fs.existsSync(p) || fs.existsSync(`/sys${p}`),
    warn,
  };
}

/**
 * Starts the container's unit with `pid` in it and waits for the job, then
 * sets its resource properties (on cgroup v1 the caller sets them, once the
 * init is in every hierarchy: systemd-v1.ts). A unit that does not come up is
 * reset so that no failed unit is left (as runc).
 */
export function startUnit(addon: Addon, plan: SystemdPlan, pid: number): void {
  addon.useSystemdBus(plan.bus);
  const props = unitProperties(plan.unit, plan.slice, plan.name, pid, plan.annotations, plan.v1);
  debug(() => `systemd: start ${plan.unit} with ${props.map((p) => p.name).join(' ')}`);
  let result: string;
  try {
    result = addon.startTransientUnit(plan.unit, props, JOB_TIMEOUT_SEC);
  } catch (e) {
    if ((e as { errno?: number }).errno === 110) resetFailed(addon, plan.unit);
    throw new MiniRunError('CGROUP', `unable to start unit ${JSON.stringify(plan.unit)}: ${busError(e)}`);
  }
  if (result !== 'done' && result !== 'exists') {
    resetFailed(addon, plan.unit);
    throw new MiniRunError('CGROUP', `error creating systemd unit \`${plan.unit}\`: got \`${result}\``);
  }
  if (!plan.v1) setProperties(addon, plan.unit, plan.resources);
}

/** SetUnitProperties (runtime) with linux.resources as properties: create, and update. */
export function setProperties(addon: Addon, unit: string, props: UnitProperty[]): void {
  if (props.length === 0) return;
  debug(() => `systemd: set ${unit} ${props.map((p) => p.name).join(' ')}`);
  try {
    addon.setUnitProperties(unit, true, props);
  } catch (e) {
    throw new MiniRunError('CGROUP', `unable to set unit properties: ${busError(e)}`);
  }
}

function resetFailed(addon: Addon, unit: string): void {
  try {
    addon.resetFailedUnit(unit);
  } catch (e) {
    warn(`unable to reset failed unit: ${busError(e)}`);
  }
}

/** Stops the unit (a unit already gone is fine) and resets a failed state, so that nothing of it is left. */
export function stopUnit(addon: Addon, unit: string, bus: string): void {
  addon.useSystemdBus(bus);
  let result: string;
  try {
    result = addon.stopUnit(unit, JOB_TIMEOUT_SEC);
  } catch (e) {
    throw new MiniRunError('CGROUP', `unable to stop unit ${JSON.stringify(unit)}: ${busError(e)}`);
  }
  if (result !== 'done' && result !== 'nounit')
    warn(`error removing unit \`${unit}\`: got \`${result}\`. Continuing...`);
  resetFailed(addon, unit);
}
