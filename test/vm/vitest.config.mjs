// The cgroup v2 set, run inside the test VM by test/vm/run.sh (npm run test:vm).
// The host's files are read-only there: vite's cache goes to /tmp.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  cacheDir: '/tmp/minirun-vitest-cache',
  test: {
    include: ['test/vm/**/*.test.ts'],
    pool: 'forks',
    // Everything is slow under software emulation.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    maxWorkers: 2,
  },
});
