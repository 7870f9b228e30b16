import { describe, it, expect } from 'vitest';
import { createRequire } from 'node:module';
import fc from 'fast-check';
import { bcryptPbkdf } from './bcrypt-pbkdf.ts';
import { piWords } from './blowfish-pi.ts';

// The npm bcrypt-pbkdf package (a port of OpenBSD's code, installed as a dependency of ssh2)
// serves as the independent reference.
const require = createRequire(import.meta.url);
const reference = require('bcrypt-pbkdf') as { pbkdf(pass: Uint8Array, passlen: number, salt: Uint8Array, saltlen: number, key: Uint8Array, keylen: number, rounds: number): number };

function ref(pass: Uint8Array, salt: Uint8Array, keyLen: number, rounds: number): Uint8Array {
  const out = new Uint8Array(keyLen);
  expect(reference.pbkdf(pass, pass.length, salt, salt.length, out, keyLen, rounds)).toBe(0);
  return out;
}

describe('Blowfish constants from π', () => {
  it('start and end with the published words', () => {
    const w = piWords();
    // Schneier 1993: P1 = 0x243F6A88, P18 = 0x8979FB1B; S1[0] = 0xD1310BA6; S4[255] = 0x3AC372E6.
    expect(w[0]).toBe(0x243f6a88);
    expect(w[17]).toBe(0x8979fb1b);
    expect(w[18]).toBe(0xd1310ba6);
    expect(w[18 + 1023]).toBe(0x3ac372e6);
  });
});

describe('bcrypt_pbkdf', () => {
  it('agrees with the reference for the openssh-key-v1 key sizes', () => {
    const pass = new TextEncoder().encode('correct horse battery staple');
    const salt = new Uint8Array(16).map((_, i) => i * 17);
    expect(bcryptPbkdf(pass, salt, 48, 4)).toEqual(ref(pass, salt, 48, 4)); // aes256-ctr: key 32 + iv 16
    expect(bcryptPbkdf(pass, salt, 64, 2)).toEqual(ref(pass, salt, 64, 2)); // chacha20-poly1305
  });

  it('agrees with the reference on random inputs and odd key lengths', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 80 }), fc.uint8Array({ minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 100 }), (p, s, len) => {
        expect(bcryptPbkdf(p, s, len, 1)).toEqual(ref(p, s, len, 1));
      }),
      { numRuns: 15 },
    );
  });

  it('refuses empty inputs and zero rounds', () => {
    expect(() => bcryptPbkdf(new Uint8Array(0), new Uint8Array(1), 32, 1)).toThrow(RangeError);
    expect(() => bcryptPbkdf(new Uint8Array(1), new Uint8Array(1), 32, 0)).toThrow(RangeError);
  });
});
