// runc's suite's cgroup files (runc-suite-v2.test.ts), run inside the test VM's v2-suite-<mode> boots
// (pure cgroup v2, as the v2 boot) by test/vm/run.sh (npm run test:vm), beside the other boots.
import { defineConfig } from 'vitest/config';
import base from './vitest.config.mjs';

export default defineConfig({
  ...base,
  test: { ...base.test, include: ['test/vm/**/runc-suite-v2.test.ts'], exclude: ['**/node_modules/**'] },
});
