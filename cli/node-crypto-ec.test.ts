import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { p256, p384, p521 } from '@noble/curves/nist.js';
import { ecdh, ecdhPublicKey, ecdsaVerify } from './node-crypto-ec.ts';
import { ECDH_KEX } from '../engine/algorithms/kex-ecdh.ts';
import { ECDSA_SIGNATURES, generateEcdsa } from '../engine/algorithms/signatures-ecdsa.ts';
import { nodeCryptoProvider } from './node-crypto.ts';
import { seededEnv } from '../engine/env.ts';
import { publicKeyBlob } from '../engine/algorithms/signatures.ts';

const CURVES = [['nistp256', p256], ['nistp384', p384], ['nistp521', p521]] as const;

describe('ECDH and ECDSA through OpenSSL agree with noble', () => {
  for (const [id, curve] of CURVES) {
    it(`${id}: public points, shared x coordinates and signature checks`, () => {
      fc.assert(
        fc.property(fc.uint8Array({ minLength: curve.lengths.seed!, maxLength: curve.lengths.seed! }), fc.uint8Array({ minLength: curve.lengths.seed!, maxLength: curve.lengths.seed! }), fc.uint8Array({ maxLength: 200 }), (s1, s2, msg) => {
          const a = curve.utils.randomSecretKey(s1);
          const b = curve.utils.randomSecretKey(s2);
          const qa = ecdhPublicKey(id, a);
          expect(qa).toEqual(curve.getPublicKey(a, false));
          const qb = curve.getPublicKey(b, false);
          expect(ecdh(id, a, qb)).toEqual(curve.getSharedSecret(a, qb, true).slice(1));
          const sig = curve.sign(msg, a, { prehash: true, lowS: false });
          expect(ecdsaVerify(id, qa, msg, sig)).toBe(true);
          const bad = sig.slice();
          bad[bad.length - 1]! ^= 1;
          expect(ecdsaVerify(id, qa, msg, bad)).toBe(false);
          expect(ecdsaVerify(id, qb, msg, sig)).toBe(false);
        }),
        { numRuns: id === 'nistp521' ? 3 : 8 },
      );
    });
  }

  it('malformed points and signatures are false, not exceptions', () => {
    const q = p256.getPublicKey(p256.utils.randomSecretKey(), false);
    expect(ecdsaVerify('nistp256', q.subarray(1), new Uint8Array(1), new Uint8Array(64))).toBe(false);
    expect(ecdsaVerify('nistp256', q, new Uint8Array(1), new Uint8Array(10))).toBe(false);
  });

  it('the engine with the node provider: same K as noble, and ECDSA host-key signatures verify both ways', () => {
    for (const name of Object.keys(ECDH_KEX)) {
      const spec = ECDH_KEX[name]!;
      const env = seededEnv(`ec-${name}`);
      const client = spec.startClient!((n) => env.randomBytes(n), nodeCryptoProvider);
      const server = spec.respond!((n) => env.randomBytes(n), client.clientPublic, nodeCryptoProvider);
      expect(client.finish(server.serverPublic).secret).toEqual(server.secret);
      const env2 = seededEnv(`ec-${name}`);
      const clientNoble = spec.startClient!((n) => env2.randomBytes(n), undefined);
      expect(clientNoble.clientPublic).toEqual(client.clientPublic);
    }
    for (const name of Object.keys(ECDSA_SIGNATURES)) {
      const spec = ECDSA_SIGNATURES[name]!;
      const env = seededEnv(`sig-${name}`);
      const key = generateEcdsa(name.replace('ecdsa-sha2-', '') as 'nistp256', (n) => env.randomBytes(n));
      const data = env.randomBytes(100);
      const sig = spec.sign(key, data);
      expect(spec.verify(publicKeyBlob(key), data, sig, nodeCryptoProvider)).toBe(true);
      expect(spec.verify(publicKeyBlob(key), data.map((x, i) => (i === 0 ? x ^ 1 : x)), sig, nodeCryptoProvider)).toBe(false);
    }
  });
});
