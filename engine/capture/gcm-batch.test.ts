import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { createCipheriv } from 'node:crypto';
import { smallGcm } from './gcm-batch.ts';

const ecb = (key: Uint8Array) => {
  const c = createCipheriv(`aes-${key.length * 8}-ecb`, key, null);
  c.setAutoPadding(false);
  return (b: Uint8Array) => new Uint8Array(c.update(b));
};

describe('smallGcm (batched counter blocks, JS GHASH)', () => {
  it('decrypts what node:crypto AES-GCM encrypts, and refuses a changed byte', () => {
    fc.assert(
      fc.property(fc.constantFrom(16, 32), fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ minLength: 12, maxLength: 12 }), fc.uint8Array({ minLength: 0, maxLength: 8 }), fc.uint8Array({ minLength: 0, maxLength: 300 }), fc.nat(), (klen, k, nonce, aad, plain, flip) => {
        const key = k.slice(0, klen);
        const enc = createCipheriv(`aes-${klen * 8}-gcm` as 'aes-128-gcm', key, nonce);
        enc.setAAD(aad);
        const ct = Buffer.concat([enc.update(plain), enc.final(), enc.getAuthTag()]);
        const g = smallGcm(ecb(key));
        expect(Buffer.from(g.decrypt(nonce, aad, new Uint8Array(ct))!).equals(Buffer.from(plain))).toBe(true);
        // the same instance again (its state must not leak between packets)
        expect(Buffer.from(g.decrypt(nonce, aad, new Uint8Array(ct))!).equals(Buffer.from(plain))).toBe(true);
        const bad = new Uint8Array(ct);
        bad[flip % bad.length] ^= 1;
        expect(g.decrypt(nonce, aad, bad)).toBeNull();
      }),
      { numRuns: 200 },
    );
  });
});
