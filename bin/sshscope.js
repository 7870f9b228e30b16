#!/usr/bin/env node
// The `sshscope` command: registers tsx so that Node can load our TypeScript sources, then
// hands the arguments to cli/main.ts (`main(argv): Promise<number>` returns the exit code).

import { existsSync } from 'node:fs';
import { register } from 'tsx/esm/api';

register();

const mainUrl = new URL('../cli/main.ts', import.meta.url);
const argv = process.argv.slice(2);

try {
  if (existsSync(mainUrl)) {
    const { main } = await import(mainUrl.href);
    process.exitCode = await main(argv);
  } else if (argv[0] === 'start') {
    // cli/main.ts is not there yet: `start` alone works without it.
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
