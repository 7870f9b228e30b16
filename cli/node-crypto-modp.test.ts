import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { modpPow } from './node-crypto-modp.ts';
import { modPow } from '../engine/algorithms/bigint-math.ts';
import { MODP_GROUP_14, MODP_GROUP_16, MODP_GROUP_18, OAKLEY_GROUP_2 } from '../engine/algorithms/modp-groups.ts';

describe('modpPow through OpenSSL agrees with bigint modPow', () => {
  for (const [name, group] of [['group14', MODP_GROUP_14], ['group16', MODP_GROUP_16], ['group18', MODP_GROUP_18]] as const) {
    it(`${name}: g^x and y^x for random exponents`, () => {
      fc.assert(
        fc.property(fc.bigInt({ min: 2n, max: (1n << 512n) - 1n }), fc.bigInt({ min: 2n, max: (1n << 512n) - 1n }), (x, y) => {
          const gx = modpPow(group.p, x)!;
          expect(gx).toBe(modPow(2n, x, group.p));
          const gy = modPow(2n, y, group.p);
          expect(modpPow(group.p, x, gy)).toBe(modPow(gy, x, group.p));
        }),
        { numRuns: name === 'group18' ? 3 : 10 },
      );
    });
  }

  it('returns null for a prime OpenSSL does not name (the engine then uses bigint)', () => {
    expect(modpPow(OAKLEY_GROUP_2.p, 12345n)).toBeNull();
    expect(modpPow(23n, 5n)).toBeNull();
  });
});
