// `spec` on a pure cgroup v2 host: runc 1.1.5's config there has a cgroup namespace (its
// specconv.Example adds one when /sys/fs/cgroup is cgroup2), and so must minirun's, byte for byte:
// the runc suite's tests make their bundles with `$RUNC spec`, and on v2 expect the container's
// processes to see their own cgroup as "/".
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { exec, MINIRUN } from '../integration/harness';

let dir: string | undefined;
afterEach(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

it('minirun spec writes what runc spec writes, with a cgroup namespace', () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spec-v2-'));
  for (const rt of ['runc', 'minirun']) {
    fs.mkdirSync(path.join(dir, rt));
    const r = exec(rt === 'runc' ? 'runc' : MINIRUN, ['spec'], { cwd: path.join(dir, rt) });
    expect(r.code, r.stderr).toBe(0);
  }
  const ours = fs.readFileSync(path.join(dir, 'minirun/config.json'), 'utf8');
  expect(ours).toBe(fs.readFileSync(path.join(dir, 'runc/config.json'), 'utf8'));
  expect(JSON.parse(ours).linux.namespaces).toContainEqual({ type: 'cgroup' });
});
