import { defineConfig } from 'vitest/config';

// Two projects: fast unit tests beside the code, and interop tests that start real
// OpenSSH peers on loopback (slower, run one file at a time to keep ports and CPU calm).
export const config = defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['engine/**/*.test.ts', 'cli/**/*.test.ts', 'scenarios/**/*.test.ts', 'app/**/*.test.ts'],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'interop',
          include: ['test/interop/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 60_000,
          fileParallelism: false,
        },
      },
    ],
  },
});

export default config;
