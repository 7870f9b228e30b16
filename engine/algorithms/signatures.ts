// Signature algorithms for host keys and user keys (RFC 4253 §6.6), one table keyed by the algorithm
// name. The algorithm name is not always the key type: rsa-sha2-256, rsa-sha2-512 (RFC 8332) and the
// legacy ssh-rsa all sign with a key whose blob says "ssh-rsa" (SignatureSpec.keyType).
//
// ssh-ed25519, RFC 8709 §4-§6: public key blob = string "ssh-ed25519" || string key (32 bytes);
// signature blob = string "ssh-ed25519" || string signature (64 bytes, RFC 8032 §5.1.6).
// ECDSA (RFC 5656 §3) in signatures-ecdsa.ts, RSA (RFC 4253 §6.6, RFC 8332) in signatures-rsa.ts.

import { ed25519 } from '@noble/curves/ed25519.js';
import type { Ed25519PrivateKey, SignatureSpec, SshPrivateKey } from './types.ts';
import { ascii, concat, parseSshStrings, sshString, text } from './bytes.ts';
import { ECDSA_SIGNATURES, ecdsaPublicKeyBlob } from './signatures-ecdsa.ts';
import { RSA_SIGNATURES, rsaPublicKeyBlob } from './signatures-rsa.ts';

export { ecdsaFromScalar, generateEcdsa } from './signatures-ecdsa.ts';
export { userKeyAlgorithm } from './user-key-algorithm.ts';

const ED25519 = 'ssh-ed25519';

/** The public key blob of a private key: RFC 8709 §4, RFC 5656 §3.1, RFC 4253 §6.6. */
export function publicKeyBlob(key: SshPrivateKey): Uint8Array {
  switch (key.type) {
    case ED25519:
      return concat(sshString(ascii(ED25519)), sshString(key.publicKey));
    case 'ssh-rsa':
      return rsaPublicKeyBlob(key);
    case 'ecdsa-sha2-nistp256':
    case 'ecdsa-sha2-nistp384':
    case 'ecdsa-sha2-nistp521':
      return ecdsaPublicKeyBlob(key);
    default:
      throw new Error(`unsupported key type ${String((key as { type: unknown }).type)}`);
  }
}

/** Builds an in-memory ed25519 key from a 32-byte RFC 8032 seed. */
export function ed25519FromSeed(seed: Uint8Array, comment?: string): Ed25519PrivateKey {
  if (seed.length !== 32) throw new Error(`ed25519 seed must be 32 bytes, got ${seed.length}`);
  const key: Ed25519PrivateKey = { type: ED25519, publicKey: ed25519.getPublicKey(seed), seed: seed.slice() };
  if (comment !== undefined) key.comment = comment;
  return key;
}

/** A new ed25519 key whose seed is drawn from `random` (seeded sessions stay reproducible). */
export function generateEd25519(random: (n: number) => Uint8Array, comment?: string): Ed25519PrivateKey {
  return ed25519FromSeed(random(32), comment);
}

/** The algorithm name inside a key or signature blob, or null when the blob does not start with a string. */
export function blobAlgorithm(blob: Uint8Array): string | null {
  if (blob.length < 4) return null;
  const n = ((blob[0]! << 24) | (blob[1]! << 16) | (blob[2]! << 8) | blob[3]!) >>> 0;
  if (blob.length - 4 < n) return null;
  return text(blob.subarray(4, 4 + n));
}

const ed25519Spec: SignatureSpec = {
  name: ED25519,
  keyType: ED25519,
  sign(key, data, provider) {
    if (key.type !== ED25519) throw new Error(`ssh-ed25519 cannot sign with a ${key.type} key`);
    const sig = provider?.ed25519Sign ? provider.ed25519Sign(key.seed, key.publicKey, data) : ed25519.sign(data, key.seed);
    return concat(sshString(ascii(ED25519)), sshString(sig));
  },
  verify(publicKeyBlob, data, signatureBlob, provider) {
    try {
      const pk = parseSshStrings(publicKeyBlob, 2);
      const sig = parseSshStrings(signatureBlob, 2);
      if (!pk || !sig) return false;
      if (text(pk[0]!) !== ED25519 || text(sig[0]!) !== ED25519) return false;
      if (pk[1]!.length !== 32 || sig[1]!.length !== 64) return false;
      return provider?.ed25519Verify ? provider.ed25519Verify(pk[1]!, data, sig[1]!) : ed25519.verify(sig[1]!, data, pk[1]!);
    } catch {
      return false;
    }
  },
};

/**
 * Keyed by the algorithm name negotiated in KEXINIT and carried in signature blobs, in OpenSSH 9.2's
 * preference order (myproposal.h KEX_DEFAULT_PK_ALG), legacy ssh-rsa last. The server's
 * server-sig-algs extension (RFC 8308 §3.1) lists these keys.
 */
export const SIGNATURES: Record<string, SignatureSpec> = {
  [ED25519]: ed25519Spec,
  ...ECDSA_SIGNATURES,
  ...RSA_SIGNATURES,
};

/** Signature algorithms kept for old peers only: SHA-1 (RFC 8332 §1; OpenSSH 8.8 release notes). */
export const LEGACY_SIGNATURES: readonly string[] = ['ssh-rsa'];
