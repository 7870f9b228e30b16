import { describe, it, expect } from 'vitest';
import { createPrivateKey, createSign, createVerify, sign, verify } from 'node:crypto';
import { generateKey } from './generate-key.ts';
import { writePemPrivateKey } from './pem.ts';
import { isProbablePrime, modInverse, modPow } from './rsa-math.ts';
import { seededEnv } from '../env.ts';
import { privateKeyInconsistency } from './private-key-types.ts';

const rand = (seed: string) => {
  const env = seededEnv(seed);
  return (n: number) => env.randomBytes(n);
};

describe('rsa math', () => {
  it('modPow agrees with the naive method and Fermat', () => {
    for (const [b, e, m] of [[3n, 1000n, 1009n], [123456789n, 65537n, (1n << 127n) - 1n], [2n, 0n, 7n]] as const) {
      let want = 1n;
      for (let i = 0n; i < (e > 2000n ? 0n : e); i++) want = (want * b) % m;
      if (e <= 2000n) expect(modPow(b, e, m)).toBe(want);
    }
    const p = (1n << 127n) - 1n; // a Mersenne prime
    expect(modPow(5n, p - 1n, p)).toBe(1n);
    expect(isProbablePrime(p, rand('mr'))).toBe(true);
    expect(isProbablePrime(p * ((1n << 61n) - 1n), rand('mr'))).toBe(false);
    expect(isProbablePrime(561n, rand('mr'))).toBe(false); // Carmichael number
    expect((modInverse(17n, 3120n) * 17n) % 3120n).toBe(1n);
  });
});

describe('generateKey', () => {
  it('is deterministic given the random source', () => {
    expect(generateKey({ type: 'ed25519', random: rand('a') })).toEqual(generateKey({ type: 'ed25519', random: rand('a') }));
    expect(generateKey({ type: 'rsa', bits: 1024, random: rand('b') })).toEqual(generateKey({ type: 'rsa', bits: 1024, random: rand('b') }));
    expect(generateKey({ type: 'ecdsa', random: rand('c') })).not.toEqual(generateKey({ type: 'ecdsa', random: rand('d') }));
  });

  it('makes keys that OpenSSL signs and verifies with', () => {
    for (const opts of [{ type: 'rsa', bits: 1024 }, { type: 'rsa', bits: 2048 }, { type: 'ecdsa', bits: 256 }, { type: 'ecdsa', bits: 384 }, { type: 'ecdsa', bits: 521 }, { type: 'ed25519' }] as const) {
      const k = generateKey({ ...opts, random: rand(JSON.stringify(opts)), comment: 'gen' });
      expect(privateKeyInconsistency(k)).toBeNull();
      expect(k.comment).toBe('gen');
      if (k.type === 'ssh-rsa') expect(k.n.toString(2)).toHaveLength(opts.bits!);
      const nodeKey = createPrivateKey(writePemPrivateKey(k, 'pkcs8'));
      const alg = k.type === 'ssh-ed25519' ? null : 'sha256';
      if (alg) {
        const sig = createSign(alg).update('hello').sign(nodeKey);
        expect(createVerify(alg).update('hello').verify(nodeKey, sig)).toBe(true);
      } else {
        const sig = sign(null, Buffer.from('hello'), nodeKey);
        expect(verify(null, Buffer.from('hello'), nodeKey, sig)).toBe(true);
      }
      // OpenSSL's own consistency check of RSA keys (RSA_check_key) runs when the key is imported
      expect(nodeKey.asymmetricKeyType).toBe(k.type === 'ssh-rsa' ? 'rsa' : k.type === 'ssh-ed25519' ? 'ed25519' : 'ec');
    }
  });

  it('refuses sizes ssh-keygen refuses', () => {
    expect(() => generateKey({ type: 'ecdsa', bits: 255, random: rand('x') })).toThrow(/256, 384 or 521/);
    expect(() => generateKey({ type: 'rsa', bits: 512, random: rand('x') })).toThrow(/1024/);
  });
});
