import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { DEFAULT_DEMO, runDemo } from './demo.ts';

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

describe('the page demo session', () => {
  it('runs all five phases and returns the remote output', () => {
    const r = runDemo();
    expect(r.stdout).toBe(`${DEFAULT_DEMO.command.slice(5)}\n`);
    expect(r.exitStatus).toBe(0);
    expect(new Set(r.events.map((e) => e.phase))).toEqual(new Set([1, 2, 3, 4, 5]));
    expect(r.events.some((e) => e.side === 'client')).toBe(true);
    expect(r.events.some((e) => e.side === 'server')).toBe(true);
  });

  it('shows an exchange hash that node:crypto recomputes from its input', () => {
    const r = runDemo();
    const hashes = r.events.filter((e) => e.type === 'exchange-hash');
    expect(hashes.length).toBeGreaterThanOrEqual(2); // both sides compute H
    for (const e of hashes) {
      const algo = e.hash.replace('-', '').toLowerCase();
      expect(hex(e.H)).toBe(createHash(algo).update(e.input).digest('hex'));
    }
    // both sides agree on H
    expect(new Set(hashes.map((e) => hex(e.H))).size).toBe(1);
  });

  it('is byte-reproducible for a seed and differs across seeds', () => {
    const wire = (seed: string) =>
      runDemo({ ...DEFAULT_DEMO, seed })
        .events.filter((e) => e.type === 'packet')
        .map((e) => hex(e.wire))
        .join('|');
    expect(wire('a')).toBe(wire('a'));
    expect(wire('a')).not.toBe(wire('b'));
  });

  it('reports a wrong password as an authentication failure and runs nothing', () => {
    const r = runDemo({ ...DEFAULT_DEMO, password: 'not-the-password' });
    expect(r.events.some((e) => e.type === 'auth' && e.method === 'password' && e.result === 'failure')).toBe(true);
    expect(r.exitStatus).toBeNull();
    expect(r.stdout).toBe('');
  });

  it('answers an unknown command with status 127 on stderr', () => {
    const r = runDemo({ ...DEFAULT_DEMO, command: 'ls' });
    expect(r.exitStatus).toBe(127);
    expect(r.stderr).toMatch(/command not found/);
  });
});
