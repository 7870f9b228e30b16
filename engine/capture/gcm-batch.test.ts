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
        // openTo: AAD || ciphertext || tag in, AAD || plaintext written at an offset
        const packet = new Uint8Array([...aad, ...ct]);
        const out = new Uint8Array(3 + packet.length);
        expect(g.openTo(nonce, packet, aad.length, out, 3)).toBe(true);
        expect(Buffer.from(out.subarray(3, 3 + aad.length + plain.length)).equals(Buffer.concat([aad, plain]))).toBe(true);
        const bad = new Uint8Array(ct);
        bad[flip % bad.length] ^= 1;
        expect(g.decrypt(nonce, aad, bad)).toBeNull();
        packet[aad.length + (flip % ct.length)] ^= 1;
        expect(g.openTo(nonce, packet, aad.length, out, 0)).toBe(false);
      }),
      { numRuns: 200 },
    );
  });
});

describe('smallGcm over a session: consecutive nonces, varied lengths, a jump', () => {
  it('matches node:crypto for every packet', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.uint8Array({ minLength: 12, maxLength: 12 }), fc.array(fc.tuple(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 20 })), { minLength: 1, maxLength: 150 }), (key, start, packets) => {
        const g = smallGcm(ecb(key));
        const nonce = start.slice();
        nonce[8] = 0xff; // near a carry into the upper bytes of the invocation counter
        nonce[9] = 0xff;
        nonce[10] = 0xff;
        for (const [len, skip] of packets) {
          // sometimes skip invocation counters (packets lost, or another opener's turn)
          for (let s = 0; s < (skip > 17 ? skip * 5 : 1); s++) for (let i = 11; i >= 4; i--) if ((nonce[i] = (nonce[i]! + 1) & 0xff) !== 0) break;
          const plain = new Uint8Array(len).map((_, i) => (i * 31 + len) & 255);
          const aad = new Uint8Array([0, 0, len >> 8, len & 255]);
          const enc = createCipheriv('aes-128-gcm', key, nonce);
          enc.setAAD(aad);
          const ct = new Uint8Array(Buffer.concat([enc.update(plain), enc.final(), enc.getAuthTag()]));
          const got = g.decrypt(nonce.slice(), aad, ct);
          expect(got && Buffer.from(got).equals(Buffer.from(plain))).toBe(true);
        }
      }),
      { numRuns: 60 },
    );
  });
});
