import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // test/vm is the cgroup v2 set: it runs inside a qemu guest (npm run test:vm).
    exclude: ['test/vm/**', '**/node_modules/**'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration tests start real containers: two files at a time on 2 cores.
    maxWorkers: 2,
  },
});
