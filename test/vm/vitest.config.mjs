// The cgroup v2 set, run inside the test VM's v2 boot by test/vm/run.sh (npm
// run test:vm): every test/vm file but the v1 boot's (*-v1.test.ts, vitest.v1.config.mjs)
// and the v2-suite-<mode> boots' (runc-suite-v2.test.ts, vitest.v2-suite.config.mjs).
// The host's files are read-only there: vite's cache goes to /tmp.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  cacheDir: '/tmp/minirun-vitest-cache',
  test: {
    include: ['test/vm/**/*.test.ts'],
    exclude: ['test/vm/**/*-v1.test.ts', 'test/vm/**/runc-suite-v2.test.ts', '**/node_modules/**'],
    pool: 'forks',
    // Everything is slow under software emulation.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    maxWorkers: 2,
  },
});
