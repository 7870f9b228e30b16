// The hash functions SSH names (RFC 4253 §7.2 "HASH", RFC 6668, RFC 5656 §6.2.1) and HMAC (RFC 2104).
// noble by default; a CryptoProvider (node:crypto in Node) is used when it has the member.

import { sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import { sha1 } from '@noble/hashes/legacy.js';
import { hmac as nobleHmac } from '@noble/hashes/hmac.js';
import type { CryptoProvider, HashName } from './types.ts';
import { concatBytes } from '../wire/codec.ts';

const NOBLE = { sha1, sha256, sha384, sha512 } as const;

/** Digest sizes in bytes: SHA-1 20, SHA-256 32, SHA-384 48, SHA-512 64 (FIPS 180-4). */
const LENGTHS: Record<HashName, number> = { sha1: 20, sha256: 32, sha384: 48, sha512: 64 };

export function hashLen(name: HashName): number {
  const n = LENGTHS[name];
  if (n === undefined) throw new Error(`unknown hash ${String(name)}`);
  return n;
}

export function hash(name: HashName, data: Uint8Array, provider?: CryptoProvider): Uint8Array {
  if (provider?.hash) return provider.hash(name, data);
  const fn = NOBLE[name];
  if (!fn) throw new Error(`unknown hash ${String(name)}`);
  return fn(data);
}

export function hmac(name: HashName, key: Uint8Array, data: Uint8Array, provider?: CryptoProvider): Uint8Array {
  if (provider?.hmac) return provider.hmac(name, key, data);
  const fn = NOBLE[name];
  if (!fn) throw new Error(`unknown hash ${String(name)}`);
  return nobleHmac(fn, key, data);
}

/**
 * A reusable HMAC keyed once: `mac(parts...)` authenticates the concatenation of `parts`
 * without copying them (noble's incremental API; the provider gets one concatenated buffer).
 */
export function hmacKeyed(name: HashName, key: Uint8Array, provider?: CryptoProvider): (...parts: Uint8Array[]) => Uint8Array {
  if (provider?.hmac) {
    const ph = provider.hmac.bind(provider);
    return (...parts) => ph(name, key, parts.length === 1 ? parts[0]! : concatBytes(...parts));
  }
  const fn = NOBLE[name];
  if (!fn) throw new Error(`unknown hash ${String(name)}`);
  const base = nobleHmac.create(fn, key);
  return (...parts) => {
    const h = base.clone();
    for (const p of parts) h.update(p);
    return h.digest();
  };
}

