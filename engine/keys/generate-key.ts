// Key generation like ssh-keygen -t ed25519|ecdsa|rsa [-b bits], deterministic given `random`
// (so a seeded Env reproduces the same key). Defaults as ssh-keygen 9.2: ecdsa 256, rsa 3072.

import { ECDSA_CURVES } from './public-key.ts';
import type { EcdsaCurve } from './public-key.ts';
import { ecdsaFromScalar, ed25519FromSeed } from './private-key-types.ts';
import type { SshPrivateKeyAny, SshRsaPrivateKey } from './private-key-types.ts';
import { gcd, modInverse, randomBelow, randomPrime } from './rsa-math.ts';
import { KeyFileError } from './errors.ts';

export interface GenerateKeyOptions {
  type: 'ed25519' | 'ecdsa' | 'rsa';
  /** ecdsa: 256 | 384 | 521 (default 256); rsa: 1024…16384 (default 3072); ed25519: 256 only. */
  bits?: number;
  comment?: string;
  random: (n: number) => Uint8Array;
}

/** RSA with e = 65537 (RFC 8017 §3.2; d = e⁻¹ mod λ(n) as OpenSSL computes it). */
export function generateRsa(bits: number, random: (n: number) => Uint8Array, comment?: string): SshRsaPrivateKey {
  const e = 65537n;
  for (;;) {
    const p = randomPrime(bits - (bits >> 1), e, random);
    const q = randomPrime(bits >> 1, e, random);
    if (p === q) continue;
    const n = p * q;
    if (n.toString(2).length !== bits) continue;
    const lambda = ((p - 1n) * (q - 1n)) / gcd(p - 1n, q - 1n);
    const d = modInverse(e, lambda);
    const key: SshRsaPrivateKey = { type: 'ssh-rsa', n, e, d, iqmp: modInverse(q, p), p, q };
    if (comment !== undefined) key.comment = comment;
    return key;
  }
}

export function generateKey(opts: GenerateKeyOptions): SshPrivateKeyAny {
  switch (opts.type) {
    case 'ed25519':
      if (opts.bits !== undefined && opts.bits !== 256) throw new KeyFileError('ed25519 keys are 256 bits', { field: 'bits' }, 'unsupported');
      return ed25519FromSeed(opts.random(32), opts.comment);
    case 'ecdsa': {
      const bits = opts.bits ?? 256;
      const curve = `nistp${bits}` as EcdsaCurve;
      if (!(curve in ECDSA_CURVES)) throw new KeyFileError('ecdsa keys are 256, 384 or 521 bits', { field: 'bits' }, 'unsupported');
      const order = ECDSA_CURVES[curve].curve.Point.CURVE().n;
      return ecdsaFromScalar(curve, randomBelow(opts.random, 1n, order - 1n), opts.comment);
    }
    case 'rsa': {
      const bits = opts.bits ?? 3072;
      // ssh-keygen: SSH_RSA_MINIMUM_MODULUS_SIZE 1024, OPENSSL_RSA_MAX_MODULUS_BITS 16384
      if (bits < 1024 || bits > 16384) throw new KeyFileError('rsa keys are 1024 to 16384 bits', { field: 'bits' }, 'unsupported');
      return generateRsa(bits, opts.random, opts.comment);
    }
  }
}
