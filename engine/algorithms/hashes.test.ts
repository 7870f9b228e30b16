import { describe, it, expect } from 'vitest';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { hash, hashLen, hmac, hmacKeyed } from './hashes.ts';
import type { HashName } from './types.ts';

const NAMES: HashName[] = ['sha1', 'sha256', 'sha384', 'sha512'];
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('hashes', () => {
  it('match known answers for "abc" (FIPS 180-2 examples)', () => {
    const abc = new TextEncoder().encode('abc');
    expect(hex(hash('sha1', abc))).toBe('a9993e364706816aba3e25717850c26c9cd0d89d');
    expect(hex(hash('sha256', abc))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it.each(NAMES)('%s and hmac-%s match node:crypto', (name) => {
    for (const n of [0, 1, 55, 64, 200, 4096]) {
      const data = new Uint8Array(randomBytes(n));
      const key = new Uint8Array(randomBytes(n % 150));
      expect(hex(hash(name, data))).toBe(createHash(name).update(data).digest('hex'));
      expect(hashLen(name)).toBe(createHash(name).digest().length);
      const want = createHmac(name, key).update(data).digest('hex');
      expect(hex(hmac(name, key, data))).toBe(want);
      const keyed = hmacKeyed(name, key);
      expect(hex(keyed(data.subarray(0, 3), data.subarray(3)))).toBe(want);
      expect(hex(keyed(data))).toBe(want); // reusable
    }
  });

  it('uses the provider when it has the member', () => {
    const seen: string[] = [];
    const provider = {
      hash: (h: HashName, d: Uint8Array) => (seen.push(`hash:${h}`), new Uint8Array(createHash(h).update(d).digest())),
      hmac: (h: HashName, k: Uint8Array, d: Uint8Array) => (seen.push(`hmac:${h}`), new Uint8Array(createHmac(h, k).update(d).digest())),
    };
    const d = new Uint8Array([1, 2, 3]);
    expect(hex(hash('sha256', d, provider))).toBe(createHash('sha256').update(d).digest('hex'));
    expect(hex(hmacKeyed('sha512', d, provider)(d, d))).toBe(createHmac('sha512', d).update(Buffer.from([1, 2, 3, 1, 2, 3])).digest('hex'));
    expect(seen).toEqual(['hash:sha256', 'hmac:sha512']);
  });
});
