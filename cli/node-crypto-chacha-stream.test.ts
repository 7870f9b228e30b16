// The chacha20-poly1305@openssh.com fast paths of cli/node-crypto.ts against noble (independent
// pure-JS implementation): the one-pass tag shortcut and the shared K_2 stream (Poly1305 key from
// block 0, body from block 1, OpenSSH PROTOCOL.chacha20poly1305) in every call order.

import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { chacha20orig } from '@noble/ciphers/chacha.js';
import { poly1305 } from '@noble/ciphers/_poly1305.js';
import { nodeCryptoProvider as P, chachaPolyTag } from './node-crypto.ts';

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
const refTag = (key: Uint8Array, nonce: Uint8Array, data: Uint8Array) => hex(poly1305(data, chacha20orig(key, nonce, new Uint8Array(32))));
const refBody = (key: Uint8Array, nonce: Uint8Array, data: Uint8Array) => hex(chacha20orig(key, nonce, data, undefined, 1));

const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });

describe('chachaPolyTag and chacha20 from block 1 share one K_2 stream', () => {
  it('tags equal noble Poly1305 for random keys, nonces and lengths (both the one-pass and two-pass cases)', () => {
    fc.assert(
      fc.property(bytes(32), bytes(8), fc.uint8Array({ maxLength: 600 }), (key, nonce, data) => {
        expect(hex(chachaPolyTag(key, nonce, data))).toBe(refTag(key, nonce, data));
      }),
      { numRuns: 400 },
    );
  });

  it('32 KiB packets: tag and body agree with noble in either order, repeated and interleaved', () => {
    fc.assert(
      fc.property(bytes(32), bytes(32), bytes(8), fc.integer({ min: 1, max: 40000 }), fc.constantFrom('tag-body', 'body-tag', 'body-body-tag', 'interleaved'), (k1, k2, nonce, n, order) => {
        const data = new Uint8Array(n).map((_, i) => (i * 131 + n) & 0xff);
        const tag = () => expect(hex(chachaPolyTag(k1, nonce, data))).toBe(refTag(k1, nonce, data));
        const body = () => expect(hex(P.chacha20!(k1, nonce, 1, data))).toBe(refBody(k1, nonce, data));
        if (order === 'tag-body') (tag(), body());
        else if (order === 'body-tag') (body(), tag());
        else if (order === 'body-body-tag') (body(), body(), tag());
        else {
          body();
          expect(hex(P.chacha20!(k2, nonce, 1, data))).toBe(refBody(k2, nonce, data));
          tag();
          expect(hex(chachaPolyTag(k2, nonce, data))).toBe(refTag(k2, nonce, data));
          body();
        }
      }),
      { numRuns: 60 },
    );
  });

  it('a key mutated in place between calls is not served from the cache', () => {
    const key = new Uint8Array(32).fill(7);
    const nonce = new Uint8Array(8).fill(1);
    const data = new Uint8Array(100).fill(3);
    chachaPolyTag(key, nonce, data);
    key[0] = 8;
    expect(hex(P.chacha20!(key, nonce, 1, data))).toBe(refBody(key, nonce, data));
    expect(hex(chachaPolyTag(key, nonce, data))).toBe(refTag(key, nonce, data));
  });
});
