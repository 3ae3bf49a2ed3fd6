// The bundle directory and root.path as host paths, read as runc reads them
// before anything is made.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { configError, MiniRunError } from '../errors';
import type { Spec } from '../config/types';

export function resolveBundle(bundle: string | undefined): string {
  const dir = path.resolve(bundle ?? '.');
  let st: fs.Stats;
  try {
    st = fs.statSync(dir);
  } catch (e) {
    throw new MiniRunError('USAGE', `--bundle ${dir}: ${(e as NodeJS.ErrnoException).code}`);
  }
  if (!st.isDirectory()) throw new MiniRunError('USAGE', `--bundle ${dir}: not a directory`);
  return dir;
}

/**
 * The bundle's path as runc names it: runc chdirs into the bundle and takes
 * Go's os.Getwd, which is $PWD when $PWD names that same directory (a path
 * that may go through symlinks), else getcwd(3), free of symlinks.
 */
export function runcBundlePath(dir: string, pwd = process.env.PWD): string {
  if (pwd && pwd.startsWith('/')) {
    try {
      const a = fs.statSync(pwd);
      const b = fs.statSync(dir);
      if (a.dev === b.dev && a.ino === b.ino) return pwd;
    } catch {
      // not a directory we can stat: getcwd's answer, as Go falls back to it
    }
  }
  return fs.realpathSync(dir);
}

/**
 * root.path as an absolute, symlink-free path. As runc's validator: the path
 * (relative ones joined onto the bundle as runc names it) must be that
 * already, neither a symlink nor through one ("invalid rootfs: not an
 * absolute path, or a symlink").
 */
export function resolveRootfs(bundle: string, spec: Spec, pwd = process.env.PWD): string {
  const rootPath = spec.root?.path;
  if (!rootPath) throw configError('root.path', 'is required');
  const abs = path.resolve(runcBundlePath(bundle, pwd), rootPath);
  let real: string;
  try {
    real = fs.realpathSync(abs);
  } catch (e) {
    throw configError('root.path', `${abs}: ${(e as NodeJS.ErrnoException).code}`);
  }
  if (real !== abs)
    throw configError('root.path', `invalid rootfs: ${abs} is a symlink or goes through one (it resolves to ${real})`);
  if (!fs.statSync(real).isDirectory()) throw configError('root.path', `${abs}: not a directory`);
  return real;
}
