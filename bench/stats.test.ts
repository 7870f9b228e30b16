import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { median, megabytesPerSecond, quantile, summarize } from './stats.ts';

describe('stats', () => {
  it('matches numpy.percentile (linear interpolation) on its documented examples', () => {
    // numpy docs: np.percentile([[10, 7, 4], [3, 2, 1]], 50) == 3.5 (flattened)
    expect(median([10, 7, 4, 3, 2, 1])).toBe(3.5);
    // np.percentile([1, 2, 3, 4], 25) == 1.75; 75 -> 3.25
    expect(quantile([1, 2, 3, 4], 0.25)).toBe(1.75);
    expect(quantile([1, 2, 3, 4], 0.75)).toBe(3.25);
  });

  it('median: for an odd count, as many samples lie below as above it', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -1000, max: 1000 }), { minLength: 1, maxLength: 41 }).filter((a) => a.length % 2 === 1), (a) => {
        const m = median(a);
        const below = a.filter((x) => x < m).length;
        const above = a.filter((x) => x > m).length;
        const half = (a.length - 1) / 2;
        expect(a).toContain(m);
        expect(below).toBeLessThanOrEqual(half);
        expect(above).toBeLessThanOrEqual(half);
      }),
    );
  });

  it('summarize: min ≤ p25 ≤ median ≤ p75 ≤ max, and the input is not reordered', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 50 }), (a) => {
        const copy = [...a];
        const s = summarize(a);
        expect(a).toEqual(copy);
        expect(s.n).toBe(a.length);
        expect(s.min).toBe(Math.min(...a));
        expect(s.max).toBe(Math.max(...a));
        expect(s.min <= s.p25 && s.p25 <= s.median && s.median <= s.p75 && s.p75 <= s.max).toBe(true);
      }),
    );
  });

  it('MB/s uses 10^6 bytes per MB: 256 MiB in 1 s is 268.435456 MB/s', () => {
    expect(megabytesPerSecond(256 * 1024 * 1024, 1000)).toBeCloseTo(268.435456, 9);
  });
});
