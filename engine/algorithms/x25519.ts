// X25519 (RFC 7748) for curve25519-sha256 and the hybrids: noble by default, or a faster
// synchronous implementation from the CryptoProvider (node:crypto in Node).

import { x25519 } from '@noble/curves/ed25519.js';
import type { CryptoProvider } from './types.ts';
import { KexError } from './types.ts';

export function x25519PublicKey(privateKey: Uint8Array, provider?: CryptoProvider): Uint8Array {
  return provider?.x25519PublicKey ? provider.x25519PublicKey(privateKey) : x25519.getPublicKey(privateKey);
}

/** The shared secret with `who`'s public key; a wrong length, a low-order point or an all-zero result is a KexError. */
export function x25519SharedSecret(privateKey: Uint8Array, peerPublic: Uint8Array, who: string, provider?: CryptoProvider): Uint8Array {
  if (peerPublic.length !== 32) throw new KexError(`the ${who}'s X25519 public key must be 32 bytes, got ${peerPublic.length}`);
  let secret: Uint8Array;
  try {
    secret = provider?.x25519 ? provider.x25519(privateKey, peerPublic) : x25519.getSharedSecret(privateKey, peerPublic);
  } catch (e) {
    throw new KexError(`X25519 with the ${who}'s public key failed: ${(e as Error).message} (a low-order point gives an all-zero secret, RFC 7748 §6.1)`);
  }
  if (secret.every((b) => b === 0)) throw new KexError(`X25519 with the ${who}'s public key gives an all-zero shared secret (RFC 8731 §3)`);
  return secret;
}
