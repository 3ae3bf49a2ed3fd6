// From a bundle on disk to a launch plan and a cgroup plan: everything that
// reads the host before anything is made. Throws before touching anything.
import * as fs from 'node:fs';
import { cgroupOwner } from '../cgroups/owner';
import { planCgroups, type CgroupPlan } from '../cgroups';
import { KERNEL_MEMORY_WARNING, kernelMemoryGiven } from '../cgroups/resources-common';
import { resolveBundle, resolveRootfs } from './bundle';
import { checkLsm } from './lsm';
import { planOverlay } from './overlay';
import { rootlessCgroups, rootlessEuid } from './rootless';
import { checkRootless } from '../config/rootless-check';
import { rootfsMountsBefore } from './shared-mounts';
import { debug, warn } from '../log';
import { configError } from '../errors';
import { FS_MAGIC } from '../native/kernel-constants.generated';
import { buildPlan } from '../plan/build';
import { readNetDevices, type NetDevice } from '../config/net-devices';
import type { LaunchPlan } from '../plan/types';
import { loadSpec } from '../config/load';
import type { Spec } from '../config/types';
import type { OverlayMount } from '../state/types';

export interface Prepared {
  spec: Spec;
  bundle: string;
  plan: LaunchPlan;
  cgroups: CgroupPlan;
  /** host interfaces to move into the container (linux.netDevices) */
  netDevices: NetDevice[];
  /** without a mount namespace of its own: the mounts on the rootfs path before create (shared-mounts.ts) */
  rootfsMountsBefore?: number;
  /** a layered bundle (image unpack --layered): the overlay to mount on the rootfs (overlay.ts) */
  overlay?: OverlayMount;
}

export interface PrepareOptions {
  id: string;
  bundle?: string;
  noPivot: boolean;
  noNewKeyring: boolean;
  execFifo?: string;
  /** --systemd-cgroup */
  systemdCgroup?: boolean;
}

export function prepare(opts: PrepareOptions): Prepared {
  const bundle = resolveBundle(opts.bundle);
  const spec = loadSpec(bundle);
  const rootfs = resolveRootfs(bundle, spec);
  const linux = spec.linux ?? {};
  if (rootlessEuid()) checkRootless(spec);
  if (kernelMemoryGiven(linux.resources)) warn(KERNEL_MEMORY_WARNING);
  const cgroups = planCgroups({
    id: opts.id,
    cgroupsPath: linux.cgroupsPath,
    deviceRules: linux.resources?.devices ?? [],
    resources: linux.resources,
    rootless: rootlessCgroups(),
    systemd: opts.systemdCgroup,
    annotations: spec.annotations,
    ownerUid: cgroupOwner(spec),
  });
  const plan = buildPlan({
    spec,
    bundle,
    rootfs,
    noPivot: opts.noPivot,
    sessionKeyring: opts.noNewKeyring ? undefined : `_ses.${opts.id}`,
    cgroup: cgroups,
    hostHasKcore: fs.existsSync('/proc/kcore'),
    isProcfs: (p) => {
      try {
        return fs.statfsSync(p).type === FS_MAGIC.PROC_SUPER_MAGIC;
      } catch {
        return false;
      }
    },
    isHostNetns: (nsPath) => {
      try {
        const a = fs.statSync(nsPath);
        const b = fs.statSync('/proc/self/ns/net');
        return a.dev === b.dev && a.ino === b.ino;
      } catch {
        return false; // a bad path fails where the namespace is joined
      }
    },
    execFifo: opts.execFifo,
  });
  checkLsm({ ...spec.process, mountLabel: linux.mountLabel });
  const netDevices = readNetDevices(linux.netDevices, linux.namespaces ?? []);
  for (const d of netDevices) {
    if (!fs.existsSync(`/sys/class/net/${d.hostName}`))
      throw configError(`linux.netDevices[${JSON.stringify(d.hostName)}]`, 'no such interface on the host');
  }
  debug(
    () => `bundle ${bundle}, rootfs ${rootfs}; cgroups (${cgroups.mode}): ${cgroups.dirs.map((d) => d.path).join(' ')}`,
  );
  return {
    spec,
    bundle,
    plan,
    cgroups,
    netDevices,
    rootfsMountsBefore: rootfsMountsBefore(spec, rootfs),
    overlay: planOverlay(spec, rootfs, opts.id),
  };
}
