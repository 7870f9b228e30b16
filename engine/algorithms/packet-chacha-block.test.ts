// The one-block original ChaCha20 used for packet_length of chacha20-poly1305@openssh.com, against
// noble's chacha20orig and OpenSSL's ChaCha20 (node:crypto, IV = 64-bit LE counter || nonce).

import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { createCipheriv } from 'node:crypto';
import { chacha20orig } from '@noble/ciphers/chacha.js';
import { chachaBlock, chachaBlockBytes, chachaKeyWords, chachaXorBlock0, chachaXorFrom } from './packet-chacha-block.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('chachaBlock / chachaXorBlock0', () => {
  it('block 0 XOR equals noble chacha20orig and OpenSSL chacha20 for any key, nonce and up to 64 bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ minLength: 8, maxLength: 8 }), fc.uint8Array({ maxLength: 64 }), (key, nonce, data) => {
        const got = chachaXorBlock0(chachaKeyWords(key), nonce, data, new Uint8Array(data.length));
        expect(hex(got)).toBe(hex(chacha20orig(key, nonce, data)));
        const iv = new Uint8Array(16);
        iv.set(nonce, 8);
        expect(hex(got)).toBe(hex(createCipheriv('chacha20', key, iv).update(data)));
      }),
      { numRuns: 300 },
    );
  });

  it('works in place and for later blocks (counter < 2^32)', () => {
    const key = new Uint8Array(32).map((_, i) => i * 7);
    const nonce = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]);
    const data = new Uint8Array(4).fill(0xa5);
    const want = hex(chacha20orig(key, nonce, data));
    expect(hex(chachaXorBlock0(chachaKeyWords(key), nonce, data, data))).toBe(want);
    for (const counter of [1, 2, 255, 0x7fffffff]) {
      const out = new Uint32Array(16);
      chachaBlock(chachaKeyWords(key), counter, 0x04030201, 0x08070605, out);
      const want = hex(chacha20orig(key, nonce, new Uint8Array(64), undefined, counter));
      expect(hex(chachaBlockBytes(chachaKeyWords(key), counter, nonce))).toBe(want);
      expect(Array.from(out, (w) => w.toString(16).padStart(8, '0').match(/../g)!.reverse().join('')).join('')).toBe(want);
    }
  });

  it('refuses keys that are not 32 bytes and more than one block', () => {
    expect(() => chachaKeyWords(new Uint8Array(16))).toThrow(/32-byte/);
    expect(() => chachaXorBlock0(chachaKeyWords(new Uint8Array(32)), new Uint8Array(8), new Uint8Array(65), new Uint8Array(65))).toThrow(/one block/);
  });
});

describe('chachaXorFrom (the body of a small packet)', () => {
  it('equals noble chacha20orig from any block counter, for any key, nonce and up to 600 bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ minLength: 8, maxLength: 8 }), fc.integer({ min: 0, max: 0xffffff00 }), fc.uint8Array({ maxLength: 600 }), (key, nonce, counter, data) => {
        const got = chachaXorFrom(chachaKeyWords(key), counter, nonce, data, new Uint8Array(data.length));
        expect(hex(got)).toBe(hex(chacha20orig(key, nonce, data, undefined, counter)));
      }),
      { numRuns: 300 },
    );
  });

  it('works in place', () => {
    const key = new Uint8Array(32).map((_, i) => i * 13);
    const nonce = new Uint8Array([9, 8, 7, 6, 5, 4, 3, 2]);
    const data = new Uint8Array(150).map((_, i) => i);
    const want = hex(chacha20orig(key, nonce, data, undefined, 1));
    expect(hex(chachaXorFrom(chachaKeyWords(key), 1, nonce, data, data))).toBe(want);
  });
});
