// node:crypto behind the engine's synchronous CryptoProvider (engine/algorithms/types.ts): OpenSSL's
// AES-CTR, AES-GCM, ChaCha20, HMAC and hashes are about ten times faster than pure JS (stack.md).
// node:crypto exposes no raw Poly1305, so the chacha20-poly1305@openssh.com tag is recovered from the
// RFC 8439 AEAD (see chachaPolyTag below); the bare `poly1305` member stays with noble.

import { createCipheriv, createDecipheriv, createHash, createHmac, createPrivateKey, createPublicKey, diffieHellman, sign, verify, type KeyObject } from 'node:crypto';
import { poly1305 } from '@noble/ciphers/_poly1305.js';
import type { CryptoProvider, HashName } from '../engine/algorithms/types.ts';
import { chachaBlockBytes, chachaKeyWords } from '../engine/algorithms/packet-chacha-block.ts';
import { addExact, addMod, fromBytes, fromNumber, geq, limbs, mulMod, neg, P_LIMBS, toBytes16, type Limbs } from './node-crypto-poly.ts';

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

// ---- Poly1305 through node's chacha20-poly1305 AEAD ---------------------------------------------
// RFC 8439 §2.8: AEAD_CHACHA20_POLY1305(K, N) with AAD A and plaintext M computes
//   Poly1305_{r,s}(A || pad16(A) || C || pad16(C) || le64(len A) || le64(len C)),
// its one-time key (r, s) being ChaCha20-IETF(K, counter 0, N) block 0. With N = 0^4 || nonce8 that
// block equals original ChaCha20(K, nonce8) block 0 (the state words coincide), which is exactly the
// key OpenSSH derives. Poly1305 evaluates h = (...((c1)·r + c2)·r ... + cq)·r mod p, p = 2^130 - 5,
// and outputs (h + s) mod 2^128, each 16-byte chunk c_i read little-endian plus 2^(8·len).
// Let m = P || Q with Q the last chunk (1..16 bytes) and H the state after P (|P| % 16 == 0):
//   pass 1, A = P, no plaintext:          h1 = (H + (|P| + 2^128))·r
//   wanted:                               h  = (H + q)·r = h1 + (q - |P| - 2^128)·r
// The tag reveals h1 only mod 2^128 (h1 < p < 2^130: four candidates), so
//   pass 2, A = P, plaintext 16 zero bytes → C and  h2 = ((H·r + c·r) + (|P| + 16·2^64 + 2^128))·r
// picks the candidate whose predicted pass-2 tag matches. Both passes run in OpenSSL.
const ZERO16 = new Uint8Array(16);

/** Feeds bytes [0, end) of the pieces, taken as one message, to the AEAD's AAD (OpenSSL accepts several calls). */
function setAadRange(c: ReturnType<typeof createCipheriv>, pieces: readonly Uint8Array[], end: number): void {
  let o = 0;
  for (const p of pieces) {
    if (o >= end) break;
    const take = Math.min(p.length, end - o);
    if (take > 0) (c as unknown as { setAAD(b: Uint8Array): void }).setAAD(take === p.length ? p : p.subarray(0, take));
    o += take;
  }
}

/** Bytes [from, to) of the pieces taken as one message, copied. */
function range(pieces: readonly Uint8Array[], from: number, to: number): Uint8Array {
  const out = new Uint8Array(to - from);
  let o = 0;
  for (const p of pieces) {
    const a = Math.max(from, o);
    const b = Math.min(to, o + p.length);
    if (a < b) out.set(p.subarray(a - o, b - o), a - from);
    o += p.length;
    if (o >= to) break;
  }
  return out;
}

/** One AEAD pass: AAD = the first `aadLen` bytes of the pieces, plaintext none or 16 zero bytes. */
function aead(key: Uint8Array, iv12: Uint8Array, pieces: readonly Uint8Array[], aadLen: number, zeros16: boolean): { tag: Uint8Array; ct: Uint8Array | null } {
  const c = createCipheriv('chacha20-poly1305', key, iv12, { authTagLength: 16 });
  setAadRange(c, pieces, aadLen);
  const ct = zeros16 ? view(c.update(ZERO16)) : null;
  c.final();
  return { tag: view(c.getAuthTag()), ct };
}

/** (a - b) mod 2^128 on 16-byte little-endian values. */
function sub128(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(16);
  let borrow = 0;
  for (let i = 0; i < 16; i++) {
    let d = a[i]! - b[i]! - borrow;
    borrow = d < 0 ? 1 : 0;
    if (d < 0) d += 256;
    out[i] = d;
  }
  return out;
}

function equal16(a: Uint8Array, b: Uint8Array): boolean {
  let x = 0;
  for (let i = 0; i < 16; i++) x |= a[i]! ^ b[i]!;
  return x === 0;
}

/** (a + b + extra) mod 2^128 as 16 little-endian bytes. */
function low128(a: Limbs, b: Limbs, extra = 0): Uint8Array {
  const t = limbs();
  addExact(a, b, t);
  if (extra) addExact(t, fromNumber(extra, -1), t);
  return toBytes16(t);
}

/**
 * Poly1305 keyed with `polyKey` (r || s) over the pieces taken as one message, computed with
 * OpenSSL's chacha20-poly1305 AEAD under (`key`, 0^4 || `nonce8`), whose own one-time key is the
 * same block 0. See the derivation above; the arithmetic mod p is in node-crypto-poly.ts.
 */
function polyTag(key: Uint8Array, nonce8: Uint8Array, polyKey: Uint8Array, pieces: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of pieces) n += p.length;
  const sBytes = polyKey.subarray(16, 32);
  if (n === 0) return sBytes.slice();
  const rBytes = polyKey.slice(0, 16);
  // clamp (RFC 8439 §2.5)
  rBytes[3]! &= 0x0f;
  rBytes[7]! &= 0x0f;
  rBytes[11]! &= 0x0f;
  rBytes[15]! &= 0x0f;
  rBytes[4]! &= 0xfc;
  rBytes[8]! &= 0xfc;
  rBytes[12]! &= 0xfc;
  const r = fromBytes(rBytes, -1);
  const s = fromBytes(sBytes, -1);
  const iv12 = new Uint8Array(12);
  iv12.set(nonce8, 4);
  const lastLen = n % 16 || 16;
  const pLen = n - lastLen;
  const q = fromBytes(range(pieces, pLen, n), 8 * lastLen);
  const minusLenP = neg(fromNumber(pLen, 128));
  const x1Bytes = sub128(aead(key, iv12, pieces, pLen, false).tag, sBytes);
  const x1 = fromBytes(x1Bytes, -1);
  // h = h1 + d (mod p) with d = (q - lenP)·r: h mod 2^128 = x1 + d - j·p (j = [h1 + d >= p]) and
  // p = -5 (mod 2^128). When every candidate h1 = x1 + k·2^128 < p gives the same j, the two
  // unknown top bits of h1 do not matter and the second pass is skipped.
  const d = mulMod(addMod(q, minusLenP), r);
  let top = true; // x1 >= 2^128 - 5: then x1 + 3·2^128 >= p and k stops at 2
  for (let i = 1; i < 16 && top; i++) top = x1Bytes[i] === 0xff;
  const kMax = top && x1Bytes[0]! >= 0xfb ? 2 : 3;
  const sum = limbs();
  const jLow = addExact(x1, d, sum) > 0 || geq(sum, P_LIMBS);
  const high = limbs();
  const kTop = limbs();
  kTop[9] = kMax << 11; // kMax·2^128 (bit 128 is bit 11 of limb 9)
  const jHigh = jLow || addExact(sum, kTop, high) > 0 || geq(high, P_LIMBS);
  if (jLow === jHigh) return low128(sum, s, jLow ? 5 : 0);
  const p2 = aead(key, iv12, pieces, pLen, true);
  const c = fromBytes(p2.ct!, 128);
  const lenP2 = fromNumber(pLen, 128);
  lenP2[5]! += 1 << 3; // + 16·2^64 (ciphertext length 16 in the AEAD length block; 2^68 = limb 5, bit 3)
  // h2 = (h1 - lenP·r + c·r + lenP2)·r
  const a = addMod(mulMod(addMod(c, minusLenP), r), lenP2);
  for (let k = 0; k <= kMax; k++) {
    const h1 = x1.slice();
    h1[9]! += k << 11;
    const h2 = mulMod(addMod(h1, a), r);
    if (!equal16(low128(h2, s), p2.tag)) continue;
    return low128(addMod(h1, d), s);
  }
  throw new Error('chachaPolyTag: no consistent Poly1305 state (internal error)');
}

// ---- one ChaCha20 stream per (key, nonce) for the Poly1305 key and the packet body --------------
// OpenSSH PROTOCOL.chacha20poly1305: the Poly1305 key is K_2's keystream block 0 and the body is
// K_2 from block 1, under the same nonce. One cipher object serves both: block 0 (64 bytes of
// keystream) is read first, which leaves the stream at block 1 for the body. The one-entry cache
// below keeps that object between the tag call and the body call of the same packet (the engine
// makes them back to back, in either order), so each packet creates one K_2 cipher, not two.
interface K2Stream {
  key: Uint8Array;
  nonce: Uint8Array;
  polyKey: Uint8Array;
  /** The cipher positioned at block 1, or null once the body used it. */
  atBlock1: ReturnType<typeof createCipheriv> | null;
}
let k2Stream: K2Stream | null = null;
const ZERO64 = new Uint8Array(64);

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function k2StreamFor(key: Uint8Array, nonce8: Uint8Array): K2Stream {
  const s = k2Stream;
  if (s && sameBytes(s.nonce, nonce8) && sameBytes(s.key, key)) return s;
  const c = createCipheriv('chacha20', key, chachaIv(nonce8, 0));
  const block0 = view(c.update(ZERO64));
  k2Stream = { key: key.slice(), nonce: nonce8.slice(), polyKey: block0.slice(0, 32), atBlock1: c };
  return k2Stream;
}

/** ChaCha20 (original, 8-byte nonce) of `data` from block 1: the body of an OpenSSH packet. */
function chachaFromBlock1(key: Uint8Array, nonce8: Uint8Array, data: Uint8Array): Uint8Array {
  const s = k2StreamFor(key, nonce8);
  let c = s.atBlock1;
  if (c) s.atBlock1 = null;
  else c = createCipheriv('chacha20', key, chachaIv(nonce8, 1));
  return view(c.update(data));
}

export function chachaPolyTag(key: Uint8Array, nonce8: Uint8Array, data: Uint8Array): Uint8Array {
  return polyTag(key, nonce8, k2StreamFor(key, nonce8).polyKey, [data]);
}

/** A reusable buffer for joining plaintext pieces before one cipher call (update copies out of it). */
let scratch = new Uint8Array(0);

/** The pieces as one array: the piece itself when there is one, else a view of `scratch`. */
function joinPieces(pieces: readonly Uint8Array[]): Uint8Array {
  if (pieces.length === 1) return pieces[0]!;
  let n = 0;
  for (const p of pieces) n += p.length;
  if (scratch.length < n) scratch = new Uint8Array(Math.max(n, 2 * scratch.length, 1 << 16));
  let o = 0;
  for (const p of pieces) {
    scratch.set(p, o);
    o += p.length;
  }
  return scratch.subarray(0, n);
}

/**
 * CryptoProvider.chachaPolySealPieces: the Poly1305 key is K_2's block 0, computed in JS
 * (packet-chacha-block.ts); one native K_2 cipher from block 1 encrypts the joined pieces in one
 * call; the tag covers `head` and that ciphertext.
 */
export function chachaPolySealPieces(key: Uint8Array, nonce8: Uint8Array, head: Uint8Array, pieces: readonly Uint8Array[]): { pieces: Uint8Array[]; tag: Uint8Array } {
  const polyKey = chachaBlockBytes(chachaKeyWords(key), 0, nonce8).subarray(0, 32);
  const ct = view(createCipheriv('chacha20', key, chachaIv(nonce8, 1)).update(joinPieces(pieces)));
  return { pieces: [ct], tag: polyTag(key, nonce8, polyKey, [head, ct]) };
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
    const ct = view(c.update(joinPieces(pieces)));
    if (c.final().length !== 0) throw new Error('aes-gcm: final() returned bytes (not a stream mode?)');
    return { pieces: [ct], tag: view(c.getAuthTag()) };
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
