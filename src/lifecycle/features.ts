// `minirun features`: the runtime-spec Features document, derived from the
// tables minirun itself uses, so it cannot claim what is not implemented.
import { supportedMountOptions } from '../plan/mount-options';
import { CLONE_NEW } from '../plan/namespaces';
import { memoryPolicyFeatures } from '../config/process-settings';
import { seccompFeatures } from '../config/seccomp';
import { CAPABILITIES } from '../config/capabilities';
import { SPEC_VERSION } from '../version';

export const SUPPORTED_HOOKS: readonly string[] = [
  'prestart',
  'createRuntime',
  'createContainer',
  'startContainer',
  'poststart',
  'poststop',
];

export function features(version: string): object {
  return {
    ociVersionMin: '1.0.0',
    ociVersionMax: SPEC_VERSION,
    hooks: [...SUPPORTED_HOOKS],
    mountOptions: supportedMountOptions(),
    linux: {
      namespaces: Object.keys(CLONE_NEW).sort(),
      capabilities: [...CAPABILITIES],
      cgroup: { v1: true, v2: true, systemd: true, systemdUser: true },
      seccomp: seccompFeatures(),
      // profiles are applied where the host has AppArmor (refused up front where not)
      apparmor: { enabled: true },
      selinux: { enabled: false },
      intelRdt: { enabled: false },
      memoryPolicy: memoryPolicyFeatures(),
      netDevices: { enabled: true },
    },
    annotations: { 'org.opencontainers.minirun.version': version },
  };
}
