// The cgroup v1 set (*-v1.test.ts), run inside the test VM's v1 boot (systemd
// on the hybrid hierarchy) by test/vm/run.sh (npm run test:vm).
import { defineConfig } from 'vitest/config';
import base from './vitest.config.mjs';

export default defineConfig({
  ...base,
  test: { ...base.test, include: ['test/vm/**/*-v1.test.ts'], exclude: ['**/node_modules/**'] },
});
