// node:crypto behind the engine's synchronous CryptoProvider (engine/algorithms/types.ts): OpenSSL's
// AES-CTR, AES-GCM, ChaCha20, HMAC and hashes are about ten times faster than pure JS (stack.md).
// Poly1305 stays with noble: node:crypto exposes no raw Poly1305.

import { createCipheriv, createDecipheriv, createHash, createHmac } from 'node:crypto';
import { poly1305 } from '@noble/ciphers/_poly1305.js';
import type { CryptoProvider, HashName } from '../engine/algorithms/types.ts';

/** A plain Uint8Array view of a Buffer's bytes (no copy). */
const view = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);

const AES_CTR = { 16: 'aes-128-ctr', 24: 'aes-192-ctr', 32: 'aes-256-ctr' } as Record<number, string>;
const AES_GCM = { 16: 'aes-128-gcm', 32: 'aes-256-gcm', 24: 'aes-192-gcm' } as Record<number, string>;

function algo(table: Record<number, string>, key: Uint8Array, what: string): string {
  const a = table[key.length];
  if (!a) throw new Error(`${what}: unsupported key length ${key.length}`);
  return a;
}

/** ChaCha20 IV for OpenSSL: 64-bit block counter (little-endian) || 8-byte nonce. */
function chachaIv(nonce8: Uint8Array, counter: number): Uint8Array {
  const iv = new Uint8Array(16);
  const dv = new DataView(iv.buffer);
  dv.setUint32(0, counter >>> 0, true);
  dv.setUint32(4, Math.floor(counter / 0x100000000), true);
  iv.set(nonce8, 8);
  return iv;
}

export const nodeCryptoProvider: CryptoProvider = {
  aesCtr(key, iv) {
    const c = createCipheriv(algo(AES_CTR, key, 'aes-ctr'), key, iv);
    return { update: (data) => view(c.update(data)) };
  },
  aesGcmEncrypt(key, nonce, aad, plaintext) {
    const c = createCipheriv(algo(AES_GCM, key, 'aes-gcm') as 'aes-128-gcm', key, nonce, { authTagLength: 16 });
    c.setAAD(aad);
    const out = new Uint8Array(plaintext.length + 16);
    const a = c.update(plaintext);
    out.set(a, 0);
    const b = c.final();
    out.set(b, a.length);
    out.set(c.getAuthTag(), a.length + b.length);
    return out;
  },
  aesGcmDecrypt(key, nonce, aad, ciphertextAndTag) {
    if (ciphertextAndTag.length < 16) return null;
    const n = ciphertextAndTag.length - 16;
    const d = createDecipheriv(algo(AES_GCM, key, 'aes-gcm') as 'aes-128-gcm', key, nonce, { authTagLength: 16 });
    d.setAAD(aad);
    d.setAuthTag(ciphertextAndTag.subarray(n));
    const a = d.update(ciphertextAndTag.subarray(0, n));
    try {
      const b = d.final();
      if (b.length === 0) return view(a);
      const out = new Uint8Array(a.length + b.length);
      out.set(a);
      out.set(b, a.length);
      return out;
    } catch {
      return null;
    }
  },
  chacha20(key, nonce8, counter, data) {
    const c = createCipheriv('chacha20', key, chachaIv(nonce8, counter));
    return view(c.update(data));
  },
  poly1305: (key, data) => poly1305(data, key),
  hmac: (hash: HashName, key, data) => view(createHmac(hash, key).update(data).digest()),
  hash: (hash: HashName, data) => view(createHash(hash).update(data).digest()),
};
