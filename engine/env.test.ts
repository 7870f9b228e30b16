import { describe, expect, it } from 'vitest';
import { defaultEnv, seededEnv } from './env.ts';

describe('Env', () => {
  it('seededEnv repeats its bytes for the same seed and differs for another', () => {
    const a = seededEnv('x');
    const b = seededEnv('x');
    const c = seededEnv('y');
    const ra = [a.randomBytes(5), a.randomBytes(5000), a.randomBytes(3)];
    expect([b.randomBytes(5), b.randomBytes(5000), b.randomBytes(3)]).toEqual(ra);
    expect(c.randomBytes(5)).not.toEqual(ra[0]);
  });

  it('defaultEnv hands out fresh bytes for small and large requests, never the same twice', () => {
    const env = defaultEnv();
    const seen = new Set<string>();
    for (let i = 0; i < 20000; i++) {
      const b = env.randomBytes(16);
      const hex = Buffer.from(b).toString('hex');
      expect(seen.has(hex)).toBe(false);
      seen.add(hex);
    }
    const big = env.randomBytes(100_000);
    expect(big.length).toBe(100_000);
    expect(new Set(big).size).toBe(256);
  });
});
