// Ciphers that may protect the private section of an openssh-key-v1 file (OpenSSH cipher.c
// table, PROTOCOL.key "ciphername"). The key and IV come from bcrypt_pbkdf(passphrase, salt,
// keyLen + ivLen, rounds); AEAD ciphers append `tagLen` bytes after the encrypted string.

import { cbc, ctr, gcm } from '@noble/ciphers/aes.js';
import { chacha20orig } from '@noble/ciphers/chacha.js';
import { poly1305 } from '@noble/ciphers/_poly1305.js';
import { equalBytes } from '../wire/codec.ts';

export interface KeyCipher {
  name: string;
  blockLen: number;
  keyLen: number;
  ivLen: number;
  tagLen: number;
  /** Returns ciphertext (with the tag appended for AEADs). */
  encrypt(key: Uint8Array, iv: Uint8Array, plain: Uint8Array): Uint8Array;
  /** `data` includes the tag for AEADs; returns null when the tag does not verify. */
  decrypt(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array | null;
}

function aesCtr(bits: number): KeyCipher {
  return {
    name: `aes${bits}-ctr`,
    blockLen: 16,
    keyLen: bits / 8,
    ivLen: 16,
    tagLen: 0,
    encrypt: (k, iv, p) => ctr(k, iv).encrypt(p),
    decrypt: (k, iv, c) => ctr(k, iv).decrypt(c),
  };
}

function aesCbc(bits: number): KeyCipher {
  return {
    name: `aes${bits}-cbc`,
    blockLen: 16,
    keyLen: bits / 8,
    ivLen: 16,
    tagLen: 0,
    encrypt: (k, iv, p) => cbc(k, iv, { disablePadding: true }).encrypt(p),
    decrypt: (k, iv, c) => cbc(k, iv, { disablePadding: true }).decrypt(c),
  };
}

function aesGcm(bits: number): KeyCipher {
  // OpenSSH PROTOCOL "aes128-gcm@openssh.com": 12-byte IV, 16-byte tag, no additional data here.
  return {
    name: `aes${bits}-gcm@openssh.com`,
    blockLen: 16,
    keyLen: bits / 8,
    ivLen: 12,
    tagLen: 16,
    encrypt: (k, iv, p) => gcm(k, iv).encrypt(p),
    decrypt: (k, iv, c) => {
      try {
        return gcm(k, iv).decrypt(c);
      } catch {
        return null;
      }
    },
  };
}

/**
 * OpenSSH PROTOCOL.chacha20poly1305 with sequence number 0 and no length header: the Poly1305
 * key is the first 32 bytes of the keystream at block 0, the data is encrypted from block 1.
 */
const chachaPoly: KeyCipher = {
  name: 'chacha20-poly1305@openssh.com',
  blockLen: 8,
  keyLen: 64,
  ivLen: 0,
  tagLen: 16,
  encrypt(k, _iv, p) {
    const mainKey = k.subarray(0, 32);
    const nonce = new Uint8Array(8);
    const polyKey = chacha20orig(mainKey, nonce, new Uint8Array(32), undefined, 0);
    const c = chacha20orig(mainKey, nonce, p, undefined, 1);
    const out = new Uint8Array(c.length + 16);
    out.set(c);
    out.set(poly1305(c, polyKey), c.length);
    return out;
  },
  decrypt(k, _iv, data) {
    if (data.length < 16) return null;
    const mainKey = k.subarray(0, 32);
    const nonce = new Uint8Array(8);
    const c = data.subarray(0, data.length - 16);
    const polyKey = chacha20orig(mainKey, nonce, new Uint8Array(32), undefined, 0);
    if (!equalBytes(poly1305(c, polyKey), data.subarray(data.length - 16))) return null;
    return chacha20orig(mainKey, nonce, c, undefined, 1);
  },
};

const none: KeyCipher = {
  name: 'none',
  blockLen: 8,
  keyLen: 0,
  ivLen: 0,
  tagLen: 0,
  encrypt: (_k, _iv, p) => p.slice(),
  decrypt: (_k, _iv, c) => c.slice(),
};

export const KEY_CIPHERS: Record<string, KeyCipher> = Object.fromEntries(
  [none, aesCtr(128), aesCtr(192), aesCtr(256), aesCbc(128), aesCbc(192), aesCbc(256), aesGcm(128), aesGcm(256), chachaPoly].map((c) => [c.name, c]),
);

export function keyCipher(name: string): KeyCipher | undefined {
  return Object.prototype.hasOwnProperty.call(KEY_CIPHERS, name) ? KEY_CIPHERS[name] : undefined;
}
