// Signature algorithms for host keys and user keys (RFC 4253 §6.6).
// ssh-ed25519, RFC 8709 §4-§6: public key blob = string "ssh-ed25519" || string key (32 bytes);
// signature blob = string "ssh-ed25519" || string signature (64 bytes, RFC 8032 §5.1.6).

import { ed25519 } from '@noble/curves/ed25519.js';
import type { SignatureSpec, SshPrivateKey } from './types.ts';
import { ascii, concat, parseSshStrings, sshString, text } from './bytes.ts';

const ED25519 = 'ssh-ed25519';

/** RFC 8709 §4: the public key blob of a private key. */
export function publicKeyBlob(key: SshPrivateKey): Uint8Array {
  if (key.type !== ED25519) throw new Error(`unsupported key type ${String((key as { type: unknown }).type)}`);
  return concat(sshString(ascii(ED25519)), sshString(key.publicKey));
}

/** Builds an in-memory ed25519 key from a 32-byte RFC 8032 seed. */
export function ed25519FromSeed(seed: Uint8Array, comment?: string): SshPrivateKey {
  if (seed.length !== 32) throw new Error(`ed25519 seed must be 32 bytes, got ${seed.length}`);
  const key: SshPrivateKey = { type: ED25519, publicKey: ed25519.getPublicKey(seed), seed: seed.slice() };
  if (comment !== undefined) key.comment = comment;
  return key;
}

/** A new ed25519 key whose seed is drawn from `random` (seeded sessions stay reproducible). */
export function generateEd25519(random: (n: number) => Uint8Array, comment?: string): SshPrivateKey {
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
  sign(key, data) {
    if (key.type !== ED25519) throw new Error(`ssh-ed25519 cannot sign with a ${key.type} key`);
    return concat(sshString(ascii(ED25519)), sshString(ed25519.sign(data, key.seed)));
  },
  verify(publicKeyBlob, data, signatureBlob) {
    try {
      const pk = parseSshStrings(publicKeyBlob, 2);
      const sig = parseSshStrings(signatureBlob, 2);
      if (!pk || !sig) return false;
      if (text(pk[0]!) !== ED25519 || text(sig[0]!) !== ED25519) return false;
      if (pk[1]!.length !== 32 || sig[1]!.length !== 64) return false;
      return ed25519.verify(sig[1]!, data, pk[1]!);
    } catch {
      return false;
    }
  },
};

/** Keyed by the algorithm name negotiated in KEXINIT and carried in signature blobs. */
export const SIGNATURES: Record<string, SignatureSpec> = {
  [ED25519]: ed25519Spec,
};
