// e2e project setup: build the app with Vite into a scratch directory (dist/ belongs to
// `sshscope start`), serve it with Vite's programmatic preview() on 127.0.0.1 port 0, and
// provide the URL to the tests (they `inject('appUrl')`).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    appUrl: string;
    /** The built app's directory, for tests that serve it themselves (e.g. with the bridge). */
    appDir: string;
  }
}

const root = fileURLToPath(new URL('../..', import.meta.url));

export async function setup(project: TestProject): Promise<() => Promise<void>> {
  const vite = await import('vite');
  const outDir = mkdtempSync(join(tmpdir(), 'sshscope-e2e-dist-'));
  const configFile = join(root, 'vite.config.ts');
  await vite.build({ configFile, logLevel: 'warn', build: { outDir, emptyOutDir: true, sourcemap: false } });
  const server = await vite.preview({ configFile, logLevel: 'warn', build: { outDir }, preview: { host: '127.0.0.1', port: 0, strictPort: true, open: false } });
  const addr = server.httpServer.address();
  if (!addr || typeof addr === 'string') throw new Error('preview server has no TCP address');
  project.provide('appUrl', `http://127.0.0.1:${addr.port}/`);
  project.provide('appDir', outDir);
  return async () => {
    await server.close();
    rmSync(outDir, { recursive: true, force: true });
  };
}
