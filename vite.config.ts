import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// The web app: Svelte 5 sources in app/, built into dist/ (served by `sshscope start`, cli/start.ts).
// base './' keeps asset URLs relative, so the build works from any path.
export const config = defineConfig({
  root: 'app',
  base: './',
  plugins: [svelte()],
  build: {
    outDir: '../dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    chunkSizeWarningLimit: 1024,
  },
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
});

export default config;
