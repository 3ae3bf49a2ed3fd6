// Writing down a started container: its state.json.
import * as os from 'node:os';
import { stringifyJson } from '../config/json';
import { pidStartTime } from '../state/status';
import { writeState, type ContainerState } from '../state/store';
import type { Addon } from '../native/addon';
import { hookContainer, type HookContext } from './hook-points';
import type { Prepared } from './prepare';

/** The state of a container create is making, as state.json (and the journal before it) records it. */
export function stateRecord(
  id: string,
  prepared: Prepared,
  pid: number,
  status: ContainerState['status'],
): ContainerState {
  return {
    ociVersion: prepared.spec.ociVersion,
    id,
    pid,
    status,
    bundle: prepared.bundle,
    rootfs: prepared.plan.rootfs,
    created: new Date().toISOString(),
    owner: os.userInfo().username,
    annotations: prepared.spec.annotations,
    pidStartTime: pid > 0 ? pidStartTime(pid) : undefined,
    cgroupDirs: prepared.cgroups.dirs,
    cgroupMode: prepared.cgroups.mode,
    systemdUnit: prepared.cgroups.systemd?.unit,
    systemdBus: prepared.cgroups.systemd?.bus || undefined,
    resources: prepared.spec.linux?.resources
      ? stringifyJson({ ...prepared.spec.linux.resources, devices: undefined })
      : undefined,
    hooks: prepared.spec.hooks,
    namespaces: prepared.spec.linux?.namespaces,
    rootfsMountsBefore: prepared.rootfsMountsBefore,
    overlay: prepared.overlay,
  };
}

export function recordState(
  dir: string,
  id: string,
  prepared: Prepared,
  pid: number,
  status: ContainerState['status'],
): ContainerState {
  const state = stateRecord(id, prepared, pid, status);
  writeState(dir, state);
  return state;
}

export function hookContext(addon: Addon, id: string, prepared: Prepared): HookContext {
  return {
    addon,
    hooks: prepared.spec.hooks,
    state: {
      ociVersion: prepared.spec.ociVersion,
      id,
      bundle: prepared.bundle,
      annotations: prepared.spec.annotations,
    },
    container: hookContainer(prepared.spec),
    rootfs: prepared.plan.rootfs,
  };
}
