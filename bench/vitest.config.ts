import { defineConfig } from 'vitest/config';

// The bench's own unit tests (pure helpers: statistics, table, arguments). The root config's
// `unit` project does not include bench/, so: npx vitest run --config bench/vitest.config.ts
export const config = defineConfig({
  test: {
    root: new URL('.', import.meta.url).pathname,
    include: ['*.test.ts'],
  },
});

export default config;
