// The bundle's config.json from an image config (image-spec config.md), on
// top of the default spec (what `minirun spec` writes), as umoci's unpack
// makes it: Entrypoint + Cmd → process.args, Env over the default's (same
// name replaced in place), WorkingDir → cwd, User resolved (users.ts) with
// HOME added when the image's Env has none, Volumes → tmpfs mounts, Labels
// and umoci's org.opencontainers.image.* annotations. The rootfs is
// writable, as umoci's. Pure, given the resolved user.
import { defaultSpec } from '../config/default';
import { MiniRunError } from '../errors';
import type { ExecUser } from './users';

export interface ImageConfig {
  architecture?: string;
  os?: string;
  author?: string;
  created?: string;
  config?: {
    User?: string;
    Env?: string[];
    Entrypoint?: string[] | null;
    Cmd?: string[] | null;
    WorkingDir?: string;
    ExposedPorts?: Record<string, unknown>;
    Volumes?: Record<string, unknown>;
    Labels?: Record<string, string>;
    StopSignal?: string;
  };
}

function configError(field: string, reason: string): MiniRunError {
  return new MiniRunError('IMAGE', reason, 1, { source: 'image config', field });
}

function strings(v: unknown, field: string): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) throw configError(field, 'must be a list of strings');
  return v as string[];
}

/** Sets NAME=value in env: in place when NAME is there, else at the end. */
export function setEnv(env: string[], entry: string): string[] {
  const name = entry.split('=')[0];
  const at = env.findIndex((e) => e.split('=')[0] === name);
  return at < 0 ? [...env, entry] : env.map((e, i) => (i === at ? entry : e));
}

/** The user string of the image config, checked to be a string. */
export function imageUser(ic: ImageConfig): string {
  const u = ic.config?.User ?? '';
  if (typeof u !== 'string') throw configError('config.User', 'must be a string');
  return u;
}

/** The default spec's fields that the image sets. */
interface BaseSpec {
  process: { args: string[]; env: string[]; cwd: string; user: object };
  root: object;
  mounts: object[];
  annotations?: Record<string, string>;
}

export function runtimeSpec(ic: ImageConfig, user: ExecUser): BaseSpec & Record<string, unknown> {
  const spec = defaultSpec() as BaseSpec & Record<string, unknown>;
  const c = ic.config ?? {};
  const args = [...strings(c.Entrypoint, 'config.Entrypoint'), ...strings(c.Cmd, 'config.Cmd')];
  if (args.length === 0) throw configError('config', 'has neither Entrypoint nor Cmd: no process to run');
  let env = spec.process.env;
  const imageEnv = strings(c.Env, 'config.Env');
  for (const e of imageEnv) {
    if (!e.includes('=')) throw configError('config.Env', `"${e}" is not NAME=value`);
    env = setEnv(env, e);
  }
  if (user.home !== undefined && !env.some((e) => e.startsWith('HOME='))) env = [...env, `HOME=${user.home}`];
  spec.process.args = args;
  spec.process.env = env;
  const cwd = c.WorkingDir ?? '';
  if (typeof cwd !== 'string') throw configError('config.WorkingDir', 'must be a string');
  spec.process.cwd = cwd === '' ? '/' : cwd;
  spec.process.user = {
    uid: user.uid,
    gid: user.gid,
    ...(user.additionalGids.length > 0 ? { additionalGids: user.additionalGids } : {}),
  };
  spec.root = { path: 'rootfs' };

  for (const v of Object.keys(c.Volumes ?? {}).sort()) {
    spec.mounts.push({
      destination: v,
      type: 'tmpfs',
      source: 'none',
      options: ['rw', 'nosuid', 'nodev', 'noexec', 'relatime'],
    });
  }
  const annotations: Record<string, string> = { ...(c.Labels ?? {}) };
  const put = (k: string, v: string | undefined) => {
    if (v !== undefined) annotations[`org.opencontainers.image.${k}`] = v;
  };
  put('os', ic.os);
  put('architecture', ic.architecture);
  put('author', ic.author);
  put('created', ic.created);
  put('stopSignal', c.StopSignal ?? '');
  const ports = Object.keys(c.ExposedPorts ?? {}).sort();
  if (ports.length > 0) put('exposedPorts', ports.join(','));
  spec.annotations = annotations;
  return spec;
}
