#!/usr/bin/env node
// The `sshscope` command: loads cli/main.ts (`main(argv): Promise<number>` returns the exit code)
// from the prebuilt bundle bin/cli-bundle.mjs keeps fresh (rebuilt when any source changed), or,
// when that cannot be built or SSHSCOPE_TSX=1 is set, from the TypeScript sources through tsx.

import { existsSync } from 'node:fs';

const mainUrl = new URL('../cli/main.ts', import.meta.url);
const argv = process.argv.slice(2);

/** cli/main.ts's main(), from the bundle when possible (then with saveCache(), see cli-bundle.mjs). */
async function loadMain() {
  if (process.env.SSHSCOPE_TSX !== '1') {
    try {
      const { freshBundle, loadBundle } = await import('./cli-bundle.mjs');
      return loadBundle(await freshBundle(), argv);
    } catch {
      // no esbuild, a read-only checkout, a source that does not compile: tsx says what is wrong
    }
  }
  const { register } = await import('tsx/esm/api');
  register();
  return { main: (await import(mainUrl.href)).main, saveCache() {} };
}

try {
  if (existsSync(mainUrl)) {
    const { main, saveCache } = await loadMain();
    process.exitCode = await main(argv);
    saveCache();
  } else if (argv[0] === 'start') {
    // cli/main.ts is not there yet: `start` alone works without it.
    const { register } = await import('tsx/esm/api');
    register();
    const { start } = await import(new URL('../cli/start.ts', import.meta.url).href);
    process.exitCode = await start(argv.slice(1));
  } else {
    process.stderr.write('sshscope: cli/main.ts is missing; only `sshscope start` is available\n');
    process.exitCode = 2;
  }
} catch (err) {
  process.stderr.write(`sshscope: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
}
