// The 13-bit-limb arithmetic mod p = 2^130 - 5 against BigInt (RFC 8439 §2.5 field), on random and
// edge values (0, p - 1, values near 2^128 and 2^130).

import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { poly1305 } from '@noble/ciphers/_poly1305.js';
import { addExact, addMod, fromBytes, fromNumber, geq, mulMod, neg, P_LIMBS, poly1305Limbs, toBytes16, type Limbs } from './poly1305-limbs.ts';

const P = (1n << 130n) - 5n;
const big = (l: Limbs) => Array.from(l).reduceRight((acc, v) => (acc << 13n) + BigInt(v), 0n);
const fromBig = (v: bigint): Limbs => Array.from({ length: 10 }, (_, i) => Number((v >> BigInt(13 * i)) & 0x1fffn));
const le = (b: Uint8Array) => b.reduceRight((acc, v) => (acc << 8n) + BigInt(v), 0n);

const below = (limit: bigint) =>
  fc.oneof(
    fc.bigInt({ min: 0n, max: limit - 1n }),
    fc.constantFrom(0n, 1n, limit - 1n, limit - 5n, (1n << 128n) - 1n, 1n << 128n, (1n << 128n) + 5n).filter((v) => v >= 0n && v < limit),
  );

describe('limb arithmetic mod 2^130 - 5', () => {
  it('mulMod, addMod and neg agree with BigInt, fully reduced', () => {
    fc.assert(
      fc.property(below(P), below(P), (a, b) => {
        expect(big(mulMod(fromBig(a), fromBig(b)))).toBe((a * b) % P);
        expect(big(addMod(fromBig(a), fromBig(b)))).toBe((a + b) % P);
        expect(big(neg(fromBig(b)))).toBe(P - b);
      }),
      { numRuns: 500 },
    );
  });

  it('addMod reduces sums of values up to 2^130 + 2^129', () => {
    fc.assert(
      fc.property(below(1n << 130n), below(1n << 129n), (a, b) => {
        expect(big(addMod(fromBig(a), fromBig(b)))).toBe((a + b) % P);
      }),
    );
  });

  it('addExact, geq, toBytes16, fromBytes and fromNumber', () => {
    fc.assert(
      fc.property(below(1n << 130n), below(1n << 130n), fc.uint8Array({ maxLength: 16 }), fc.nat({ max: 2 ** 40 }), (a, b, bytes, n) => {
        const out = fromBig(0n);
        const hi = addExact(fromBig(a), fromBig(b), out);
        expect(big(out) + (BigInt(hi) << 130n)).toBe(a + b);
        expect(geq(fromBig(a), fromBig(b))).toBe(a >= b);
        expect(geq(fromBig(a), P_LIMBS)).toBe(a >= P);
        expect(le(toBytes16(fromBig(a)))).toBe(a & ((1n << 128n) - 1n));
        expect(big(fromBytes(bytes, 8 * bytes.length))).toBe(le(bytes) + (1n << BigInt(8 * bytes.length)));
        expect(big(fromBytes(bytes, -1))).toBe(le(bytes));
        expect(big(fromNumber(n, 128))).toBe(BigInt(n) + (1n << 128n));
      }),
      { numRuns: 300 },
    );
  });
});

describe('poly1305Limbs (short messages: window adjusts, keystrokes)', () => {
  const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
  it('equals noble Poly1305 for random keys and messages of 0..100 bytes, and the RFC 8439 §2.5.2 vector', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ maxLength: 100 }), (key, data) => {
        expect(hex(poly1305Limbs(key, data))).toBe(hex(poly1305(data, key)));
      }),
      { numRuns: 500 },
    );
    const key = Buffer.from('85d6be7857556d337f4452fe42d506a80103808afb0db2fd4abff6af4149f51b', 'hex');
    const msg = new TextEncoder().encode('Cryptographic Forum Research Group');
    expect(hex(poly1305Limbs(key, msg))).toBe('a8061dc1305136c6c22b8baf0c0127a9');
  });

  it('reduces h fully before adding s (h near p, all-0xff keys and data)', () => {
    const key = new Uint8Array(32).fill(0xff);
    for (const n of [0, 1, 15, 16, 17, 47, 48]) {
      const data = new Uint8Array(n).fill(0xff);
      expect(hex(poly1305Limbs(key, data))).toBe(hex(poly1305(data, key)));
    }
  });
});
