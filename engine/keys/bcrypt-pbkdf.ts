// bcrypt_pbkdf (OpenBSD lib/libutil/bcrypt_pbkdf.c), the KDF of passphrase-protected
// openssh-key-v1 files (OpenSSH PROTOCOL.key: kdfname "bcrypt", kdfoptions = string salt ||
// uint32 rounds). PBKDF2-like, with SHA-512 and a bcrypt-style core, and a non-linear output layout.

import { sha512 } from '@noble/hashes/sha2.js';
import { blowfishEncipher, blowfishExpand0State, blowfishExpandState, blowfishInitState, stream2word } from './blowfish.ts';

const BCRYPT_WORDS = 8;
const BCRYPT_HASHSIZE = BCRYPT_WORDS * 4;
const MAGIC = new TextEncoder().encode('OxychromaticBlowfishSwatDynamite');

/** bcrypt_hash: 64 rounds of expensive key schedule, then 64 encryptions of the magic string. */
function bcryptHash(sha2pass: Uint8Array, sha2salt: Uint8Array): Uint8Array {
  const st = blowfishInitState();
  blowfishExpandState(st, sha2salt, sha2pass);
  for (let i = 0; i < 64; i++) {
    blowfishExpand0State(st, sha2salt);
    blowfishExpand0State(st, sha2pass);
  }
  const cdata = new Uint32Array(BCRYPT_WORDS);
  const pos = { j: 0 };
  for (let i = 0; i < BCRYPT_WORDS; i++) cdata[i] = stream2word(MAGIC, pos);
  for (let i = 0; i < 64; i++) for (let b = 0; b < BCRYPT_WORDS; b += 2) blowfishEncipher(st, cdata, b);
  // Copy out little-endian per word (the "endianness bug" kept for compatibility).
  const out = new Uint8Array(BCRYPT_HASHSIZE);
  for (let i = 0; i < BCRYPT_WORDS; i++) {
    const v = cdata[i]!;
    out[4 * i + 3] = v >>> 24;
    out[4 * i + 2] = (v >>> 16) & 0xff;
    out[4 * i + 1] = (v >>> 8) & 0xff;
    out[4 * i] = v & 0xff;
  }
  return out;
}

/** Derives `keyLen` bytes from a passphrase and salt with `rounds` iterations. */
export function bcryptPbkdf(pass: Uint8Array, salt: Uint8Array, keyLen: number, rounds: number): Uint8Array {
  if (rounds < 1) throw new RangeError('bcrypt_pbkdf: rounds must be at least 1');
  if (pass.length === 0 || salt.length === 0 || keyLen === 0 || keyLen > BCRYPT_HASHSIZE * BCRYPT_HASHSIZE || salt.length > 1 << 20) {
    throw new RangeError('bcrypt_pbkdf: empty passphrase or salt, or bad key length');
  }
  const stride = Math.ceil(keyLen / BCRYPT_HASHSIZE);
  let amt = Math.ceil(keyLen / stride);
  const key = new Uint8Array(keyLen);
  const sha2pass = sha512(pass);
  const countSalt = new Uint8Array(salt.length + 4);
  countSalt.set(salt);
  let left = keyLen;
  for (let count = 1; left > 0; count++) {
    countSalt[salt.length] = (count >>> 24) & 0xff;
    countSalt[salt.length + 1] = (count >>> 16) & 0xff;
    countSalt[salt.length + 2] = (count >>> 8) & 0xff;
    countSalt[salt.length + 3] = count & 0xff;
    let tmp = bcryptHash(sha2pass, sha512(countSalt));
    const out = tmp.slice();
    for (let i = 1; i < rounds; i++) {
      tmp = bcryptHash(sha2pass, sha512(tmp));
      for (let j = 0; j < out.length; j++) out[j]! ^= tmp[j]!;
    }
    // "pbkdf2 deviation": output the key material non-linearly.
    amt = Math.min(amt, left);
    let i = 0;
    for (; i < amt; i++) {
      const dest = i * stride + (count - 1);
      if (dest >= keyLen) break;
      key[dest] = out[i]!;
    }
    left -= i;
  }
  return key;
}
