import { describe, expect, it } from 'vitest';
import { parseArgs } from './args.ts';

describe('bench arguments', () => {
  it('defaults: full sizes, all parts, enough runs for a verdict', () => {
    const o = parseArgs([]);
    expect(o.bulkMiB).toBe(256);
    expect([...o.parts].sort()).toEqual(['bulk', 'exec', 'kex', 'memory']);
    expect(o.kexRuns).toBe(10);
    expect(parseArgs(['--kex-runs', '3']).kexRuns).toBe(3);
    expect(o.execRuns).toBeGreaterThanOrEqual(20);
    expect(o.memoryRuns).toBeGreaterThanOrEqual(20);
  });

  it('--quick: 32 MiB, 5 bulk runs, still 20 handshake runs; explicit values win', () => {
    const q = parseArgs(['--quick']);
    expect([q.bulkMiB, q.bulkRuns, q.execRuns, q.memoryRuns]).toEqual([32, 5, 20, 20]);
    const o = parseArgs(['--mib=8', '--quick', '--runs', '25', '--cipher', 'aes128-gcm@openssh.com', '--only', 'bulk,exec']);
    expect([o.bulkMiB, o.execRuns, o.memoryRuns]).toEqual([8, 25, 25]);
    expect(o.ciphers).toEqual(['aes128-gcm@openssh.com']);
    expect([...o.parts].sort()).toEqual(['bulk', 'exec']);
  });

  it('rejects unknown options, unknown parts and non-positive counts', () => {
    expect(() => parseArgs(['--fast'])).toThrow(/unknown option/);
    expect(() => parseArgs(['--only', 'disk'])).toThrow(/unknown part/);
    expect(() => parseArgs(['--runs', '0'])).toThrow(/positive integer/);
    expect(() => parseArgs(['--mib', 'x'])).toThrow(/positive integer/);
  });
});
