// Replays the fuzz corpus (test/fuzz/corpus/seed: one input per protocol state and parser, and
// corpus/regressions: inputs that once found a bug) through the same oracles as `npm run fuzz`:
// nothing escapes the engine, parsers throw only their typed errors, rechunking changes nothing.
// corpus/found/ holds fresh findings of a fuzz run and is not replayed until fixed and moved.

import { describe, it, expect } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { execute, type FuzzInput } from './targets.ts';

const root = fileURLToPath(new URL('./corpus/', import.meta.url));

function inputsIn(sub: string): [string, FuzzInput][] {
  const dir = `${root}${sub}/`;
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const j = JSON.parse(readFileSync(dir + f, 'utf8')) as FuzzInput | { input: FuzzInput };
      return [f, 'input' in j ? j.input : j];
    });
}

describe('fuzz corpus replay', () => {
  const seed = inputsIn('seed');
  const regressions = inputsIn('regressions');

  it('the seed corpus reaches every kind of target', () => {
    const kinds = new Set(seed.map(([, i]) => (i.kind === 'key' ? `key:${i.parser}` : i.kind)));
    for (const k of ['wire', 'rechunk', 'deep', 'capture', 'key:private', 'key:public', 'key:known_hosts', 'key:authorized_keys', 'key:keylog']) expect(kinds).toContain(k);
    // and every chunk of the recorded sessions on both sides (version exchange to disconnect)
    const wireStates = new Set(seed.filter(([, i]) => i.kind === 'wire').map(([, i]) => i.kind === 'wire' && i.chunk));
    expect(Math.max(...[...wireStates].map(Number))).toBeGreaterThanOrEqual(6);
  });

  it.each(seed)('seed %s', (_name, input) => {
    const out = execute(input);
    expect(out.ok ? 'ok' : out.message).toBe('ok');
  });

  it.each(regressions.length ? regressions : [['(none yet)', null] as unknown as [string, FuzzInput]])('regression %s', (_name, input) => {
    if (!input) return;
    const out = execute(input);
    expect(out.ok ? 'ok' : out.message).toBe('ok');
  });
});
