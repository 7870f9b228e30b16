// `npm test`'s closing line is what CI reads: check it against a fixture project whose outcomes
// are known by construction (scripts/fixtures/totals: 4 pass, 1 fails, 1 fails to load, 1 skip, 1 todo).

import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const config = 'scripts/fixtures/totals/vitest.config.ts';

/** Runs bootstrap's `test` outside this vitest (its worker variables removed from the env). */
async function bootstrapTest(args: string[]) {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('VITEST') && k !== 'NODE_ENV' && k !== 'TEST') env[k] = v;
  return new Promise<{ code: number | null; stdout: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ['scripts/bootstrap.mjs', 'test', '--config', config, ...args], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'ignore'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout }));
  });
}

const lastLine = (s: string) => s.trimEnd().split('\n').at(-1);

describe('bootstrap test: the totals line', () => {
  it('counts passes, failures (a file that fails to load included) and skips, and exits non-zero', async () => {
    const r = await bootstrapTest([]);
    expect(lastLine(r.stdout)).toBe('4 passed, 2 failed, 2 skipped');
    expect(r.code).not.toBe(0);
  });

  it('exits 0 with no skipped part when everything passes', async () => {
    const r = await bootstrapTest(['ok.fixture.ts']);
    expect(lastLine(r.stdout)).toBe('1 passed, 0 failed');
    expect(r.code).toBe(0);
  });

  it('fails when no test ran', async () => {
    const r = await bootstrapTest(['no-such-file.fixture.ts']);
    expect(r.code).not.toBe(0);
    expect(lastLine(r.stdout)).toMatch(/^0 passed, [1-9]\d* failed$/);
  });
});
