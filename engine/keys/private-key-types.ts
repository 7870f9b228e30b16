// Private keys of every type this package reads and writes. The members are structurally the
// same as the engine's `SshPrivateKey` (engine/algorithms/types.ts), so a key read from a file can
// be handed to the engine as it is.

import { ed25519 } from '@noble/curves/ed25519.js';
import type { SshPrivateKey } from '../algorithms/types.ts';
import { bigintToBytes, equalBytes } from '../wire/codec.ts';
import { ECDSA_CURVES, publicKeyFromParts } from './public-key.ts';
import type { EcdsaCurve, EcdsaKeyType, SshPublicKey, SshPublicKeyParts } from './public-key.ts';

/** RFC 5656 §3.1 key with its private scalar d (OpenSSH PROTOCOL.key private section). */
export interface SshEcdsaPrivateKey {
  type: EcdsaKeyType;
  curve: EcdsaCurve;
  /** Uncompressed public point 0x04 || X || Y. */
  Q: Uint8Array;
  d: bigint;
  comment?: string;
}

/** RFC 8017 §3.2 private key as OpenSSH stores it (n, e, d, iqmp = q^-1 mod p, p, q). */
export interface SshRsaPrivateKey {
  type: 'ssh-rsa';
  n: bigint;
  e: bigint;
  d: bigint;
  iqmp: bigint;
  p: bigint;
  q: bigint;
  comment?: string;
}

/** The engine's ed25519 key (RFC 8032 §5.1.5: 32-byte seed and public key). */
export type SshEd25519PrivateKey = Extract<SshPrivateKey, { type: 'ssh-ed25519' }>;

export type SshPrivateKeyAny = SshEd25519PrivateKey | SshEcdsaPrivateKey | SshRsaPrivateKey;

/** The public half of a private key, as blob parts. */
export function publicPartsOf(k: SshPrivateKeyAny): SshPublicKeyParts {
  switch (k.type) {
    case 'ssh-ed25519':
      return { type: 'ssh-ed25519', publicKey: k.publicKey };
    case 'ssh-rsa':
      return { type: 'ssh-rsa', e: k.e, n: k.n };
    default:
      return { type: k.type, curve: k.curve, Q: k.Q };
  }
}

/** The public key (with blob) of a private key. */
export function publicKeyOf(k: SshPrivateKeyAny): SshPublicKey {
  return publicKeyFromParts(publicPartsOf(k));
}

/**
 * Checks that the private parts really belong to the public ones (what a wrong decryption or a
 * tampered file breaks). Returns a reason, or null when consistent.
 */
export function privateKeyInconsistency(k: SshPrivateKeyAny): string | null {
  switch (k.type) {
    case 'ssh-ed25519':
      if (k.seed.length !== 32) return 'ed25519 seed must be 32 bytes';
      if (k.publicKey.length !== 32) return 'ed25519 public key must be 32 bytes';
      return equalBytes(ed25519.getPublicKey(k.seed), k.publicKey) ? null : 'ed25519 public key does not derive from the seed';
    case 'ssh-rsa':
      if (k.p * k.q !== k.n) return 'RSA p·q differs from n';
      if ((k.iqmp * k.q) % k.p !== 1n) return 'RSA iqmp is not q⁻¹ mod p';
      return null;
    default: {
      const spec = ECDSA_CURVES[k.curve];
      const order = spec.curve.Point.CURVE().n;
      if (k.d <= 0n || k.d >= order) return `ECDSA private scalar out of range for ${k.curve}`;
      const Q = spec.curve.getPublicKey(bigintToBytes(k.d, spec.fieldBytes), false);
      return equalBytes(Q, k.Q) ? null : 'ECDSA public point does not derive from d';
    }
  }
}

/** ed25519 from a 32-byte seed (RFC 8032 §5.1.5). */
export function ed25519FromSeed(seed: Uint8Array, comment?: string): SshEd25519PrivateKey {
  const key: SshEd25519PrivateKey = { type: 'ssh-ed25519', publicKey: ed25519.getPublicKey(seed), seed: seed.slice() };
  if (comment !== undefined) key.comment = comment;
  return key;
}

/** ECDSA from a scalar d (SEC1 §3.2.1: Q = d·G). */
export function ecdsaFromScalar(curve: EcdsaCurve, d: bigint, comment?: string): SshEcdsaPrivateKey {
  const spec = ECDSA_CURVES[curve];
  const Q = spec.curve.getPublicKey(bigintToBytes(d, spec.fieldBytes), false);
  const key: SshEcdsaPrivateKey = { type: `ecdsa-sha2-${curve}`, curve, Q, d };
  if (comment !== undefined) key.comment = comment;
  return key;
}
