// node:crypto behind the engine's synchronous CryptoProvider (engine/algorithms/types.ts): OpenSSL's
// AES-CTR, AES-GCM, ChaCha20, HMAC and hashes are about ten times faster than pure JS (stack.md).
// node:crypto exposes no raw Poly1305, so the chacha20-poly1305@openssh.com tag is recovered from the
// RFC 8439 AEAD (node-crypto-chacha.ts); the bare `poly1305` member stays with noble.

import { createCipheriv, createDecipheriv, createHash, createHmac, createPrivateKey, createPublicKey, diffieHellman, sign, verify, type KeyObject } from 'node:crypto';
import { poly1305 } from '@noble/ciphers/_poly1305.js';
import type { CryptoProvider, HashName } from '../engine/algorithms/types.ts';
import { modpPow } from './node-crypto-modp.ts';
import { ecdh, ecdhPublicKey, ecdsaVerify } from './node-crypto-ec.ts';
import { chachaFromBlock1, chachaIv, chachaPolySealPieces, chachaPolyTag } from './node-crypto-chacha.ts';
import { updateEach, view } from './node-buffers.ts';

export { chachaPolySealPieces, chachaPolyTag };

const AES_CTR = { 16: 'aes-128-ctr', 24: 'aes-192-ctr', 32: 'aes-256-ctr' } as Record<number, string>;
const AES_GCM = { 16: 'aes-128-gcm', 32: 'aes-256-gcm', 24: 'aes-192-gcm' } as Record<number, string>;

function algo(table: Record<number, string>, key: Uint8Array, what: string): string {
  const a = table[key.length];
  if (!a) throw new Error(`${what}: unsupported key length ${key.length}`);
  return a;
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
  aesGcmEncryptPieces(key, nonce, aad, pieces) {
    const c = createCipheriv(algo(AES_GCM, key, 'aes-gcm') as 'aes-128-gcm', key, nonce, { authTagLength: 16 });
    c.setAAD(aad);
    // GCM is a stream mode: update returns as many bytes as it gets, and final() none.
    const ct = updateEach(c, pieces);
    if (c.final().length !== 0) throw new Error('aes-gcm: final() returned bytes (not a stream mode?)');
    return { pieces: ct, tag: view(c.getAuthTag()) };
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
    if (counter === 1 && key.length === 32) return chachaFromBlock1(key, nonce8, data);
    const c = createCipheriv('chacha20', key, chachaIv(nonce8, counter));
    return view(c.update(data));
  },
  poly1305: (key, data) => poly1305(data, key),
  chachaPolyTag,
  chachaPolySealPieces,
  hmac: (hash: HashName, key, data) => view(createHmac(hash, key).update(data).digest()),
  hash: (hash: HashName, data) => view(createHash(hash).update(data).digest()),
  x25519PublicKey: (privateKey) => rawPublic(x25519Private(privateKey)),
  x25519: (privateKey, peerPublic) => view(diffieHellman({ privateKey: x25519Private(privateKey), publicKey: publicKeyObject(X25519_SPKI, peerPublic) })),
  ed25519Sign: (seed, _publicKey, data) => view(sign(null, data, createPrivateKey({ key: Buffer.concat([ED25519_PKCS8, seed]), format: 'der', type: 'pkcs8' }))),
  ed25519Verify: (publicKey, data, signature) => {
    try {
      return verify(null, data, publicKeyObject(ED25519_SPKI, publicKey), signature);
    } catch {
      return false;
    }
  },
  modpPow,
  ecdhPublicKey,
  ecdh,
  ecdsaVerify,
};

// DER prefixes of RFC 8410 keys: PKCS#8 private keys and SubjectPublicKeyInfo public keys, each
// followed by the raw 32 bytes.
const X25519_PKCS8 = Buffer.from('302e020100300506032b656e04220420', 'hex');
const X25519_SPKI = Buffer.from('302a300506032b656e032100', 'hex');
const ED25519_PKCS8 = Buffer.from('302e020100300506032b657004220420', 'hex');
const ED25519_SPKI = Buffer.from('302a300506032b6570032100', 'hex');

function x25519Private(privateKey: Uint8Array): KeyObject {
  return createPrivateKey({ key: Buffer.concat([X25519_PKCS8, privateKey]), format: 'der', type: 'pkcs8' });
}

function publicKeyObject(prefix: Buffer, raw: Uint8Array): KeyObject {
  if (raw.length !== 32) throw new Error(`public key must be 32 bytes, got ${raw.length}`);
  return createPublicKey({ key: Buffer.concat([prefix, raw]), format: 'der', type: 'spki' });
}

function rawPublic(privateKey: KeyObject): Uint8Array {
  return view(createPublicKey(privateKey).export({ format: 'der', type: 'spki' })).slice(-32);
}
