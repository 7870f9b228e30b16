import { defineConfig } from 'vitest/config';

// Three projects: fast unit tests beside the code, interop tests that start real OpenSSH peers
// on loopback (slower, run one file at a time to keep ports and CPU calm), and browser e2e tests.
export const config = defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['engine/**/*.test.ts', 'cli/**/*.test.ts', 'scenarios/**/*.test.ts', 'app/**/*.test.ts', 'bench/**/*.test.ts', 'test/fuzz/**/*.test.ts'],
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
      {
        // The web app in a real browser (Debian's chromium via playwright-core): the setup builds
        // it with Vite and serves it with vite preview() on 127.0.0.1 port 0 (test/e2e/global-setup.ts).
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: ['test/e2e/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});

export default config;
