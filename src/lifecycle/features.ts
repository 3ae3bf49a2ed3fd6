// `minirun features`: the runtime-spec Features document, derived from the
// tables minirun itself uses, so it cannot claim what is not implemented.
import { supportedMountOptions } from '../plan/mount-options';
import { CLONE_NEW } from '../plan/namespaces';
import { seccompFeatures } from '../plan/seccomp';
import { CAPABILITIES } from '../spec/capabilities';
import { SPEC_VERSION } from '../version';

export const SUPPORTED_HOOKS: readonly string[] = ['prestart', 'createRuntime', 'createContainer', 'startContainer', 'poststart', 'poststop'];

export function features(version: string): object {
  return {
    ociVersionMin: '1.0.0',
    ociVersionMax: SPEC_VERSION,
    hooks: [...SUPPORTED_HOOKS],
    mountOptions: supportedMountOptions(),
    linux: {
      namespaces: Object.keys(CLONE_NEW).sort(),
      capabilities: [...CAPABILITIES],
      cgroup: { v1: true, v2: true, systemd: false, systemdUser: false },
      seccomp: seccompFeatures(),
      apparmor: { enabled: false },
      selinux: { enabled: false },
    },
    annotations: { 'org.opencontainers.minirun.version': version },
  };
}
