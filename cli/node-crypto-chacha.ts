// chacha20-poly1305@openssh.com through node:crypto (OpenSSH PROTOCOL.chacha20poly1305): the body is
// ChaCha20 under K_2 from block 1, the tag Poly1305 keyed with K_2's block 0 over
// enc_len || ciphertext. node:crypto exposes no raw Poly1305, so the tag is recovered from OpenSSL's
// RFC 8439 AEAD run over the packet as AAD (derivation below); the mod-p steps are in
// engine/algorithms/poly1305-limbs.ts. Every function here is synchronous and runs to the end before another can
// start, so the scratch buffers and limbs at module level are never shared between two calls.

import { createCipheriv, type CipherChaCha20Poly1305 } from 'node:crypto';
import { chachaBlockInto, chachaKeyWords } from '../engine/algorithms/packet-chacha-block.ts';
import { updateEach, view } from './node-buffers.ts';
import { addExact, addMod, clampR, fromBytes, fromNumber, geq, limbs, mulMod, neg, P_LIMBS, toBytes16, type Limbs } from '../engine/algorithms/poly1305-limbs.ts';

type Cipher = ReturnType<typeof createCipheriv>;

/** Scratch IVs: createCipheriv copies the IV into the native context, so one array serves every call. */
const IV16 = new Uint8Array(16);
const IV12 = new Uint8Array(12);

/** ChaCha20 IV for OpenSSL: 64-bit block counter (little-endian) || 8-byte nonce, in IV16. */
export function chachaIv(nonce8: Uint8Array, counter: number): Uint8Array {
  const hi = Math.floor(counter / 0x100000000);
  for (let i = 0; i < 4; i++) {
    IV16[i] = (counter >>> (8 * i)) & 0xff;
    IV16[4 + i] = (hi >>> (8 * i)) & 0xff;
  }
  IV16.set(nonce8, 8);
  return IV16;
}

// ---- the Poly1305 key: K_2's keystream block 0, in JS -------------------------------------------
const KEY_WORDS = new Uint32Array(8);
const POLY_KEY = new Uint8Array(32);

/** The first 32 bytes of original ChaCha20(key, nonce8) block 0, into POLY_KEY (valid until the next call). */
function polyKeyOf(key: Uint8Array, nonce8: Uint8Array): Uint8Array {
  return chachaBlockInto(chachaKeyWords(key, KEY_WORDS), 0, nonce8, POLY_KEY);
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
//   pass 2, A = P || 0^16, no plaintext:  h2 = ((H + 2^128)·r + (|P| + 16 + 2^128))·r
//                                             = (h1 - |P|·r + (|P| + 16 + 2^128))·r
// picks the candidate whose predicted pass-2 tag matches. Both passes run in OpenSSL.
const ZERO16 = new Uint8Array(16);

// scratch limbs and bytes of polyTag
const [R, S, Q, NEG_LEN, X1, D, SUM, HIGH, K_TOP, T, A, H2, DELTA] = Array.from({ length: 13 }, limbs);
const FIVE = fromNumber(5, -1);
/** 2^128: bit 128 is bit 11 of limb 9. */
const TWO_128 = fromNumber(0, 128);
const [R_BYTES, S_BYTES, Q_BYTES, X1_BYTES, TAG2] = Array.from({ length: 5 }, () => new Uint8Array(16));

/** Feeds bytes [0, end) of the pieces, taken as one message, to the AEAD's AAD (OpenSSL accepts several calls). */
function setAadRange(c: Cipher, pieces: readonly Uint8Array[], end: number): void {
  let o = 0;
  for (const p of pieces) {
    if (o >= end) break;
    const take = Math.min(p.length, end - o);
    if (take > 0) (c as unknown as { setAAD(b: Uint8Array): void }).setAAD(take === p.length ? p : p.subarray(0, take));
    o += take;
  }
}

/** Bytes [from, from + 16) of the pieces taken as one message into Q_BYTES, zeros past their end. */
function lastChunk(pieces: readonly Uint8Array[], from: number): void {
  Q_BYTES.fill(0);
  let o = 0;
  for (const p of pieces) {
    const end = o + p.length;
    for (let i = Math.max(from, o); i < end; i++) Q_BYTES[i - from] = p[i - o]!;
    o = end;
  }
}

/** One AEAD pass with AAD = the first `aadLen` bytes of the pieces: the cipher, ready for update/final. */
function aeadOver(key: Uint8Array, pieces: readonly Uint8Array[], aadLen: number): CipherChaCha20Poly1305 {
  const c = createCipheriv('chacha20-poly1305', key, IV12, { authTagLength: 16 });
  setAadRange(c, pieces, aadLen);
  return c;
}

/** (a - b) mod 2^128 on 16-byte little-endian values, into `out`. */
function sub128(a: Uint8Array, b: Uint8Array, out: Uint8Array): Uint8Array {
  let borrow = 0;
  for (let i = 0; i < 16; i++) {
    const d = a[i]! - b[i]! - borrow;
    borrow = d < 0 ? 1 : 0;
    out[i] = d & 0xff;
  }
  return out;
}

function equal16(a: Uint8Array, b: Uint8Array): boolean {
  let x = 0;
  for (let i = 0; i < 16; i++) x |= a[i]! ^ b[i]!;
  return x === 0;
}

/** (a + s + 5·j) mod 2^128 as 16 little-endian bytes, into `out` (a fresh array unless given). */
function tagOf(a: Limbs, j: boolean, out?: Uint8Array): Uint8Array {
  addExact(a, S, T);
  if (j) addExact(T, FIVE, T);
  return toBytes16(T, out);
}

/**
 * Poly1305 keyed with `polyKey` (r || s) over the pieces taken as one message, computed with
 * OpenSSL's chacha20-poly1305 AEAD under (`key`, 0^4 || `nonce8`), whose own one-time key is the
 * same block 0. See the derivation above; the arithmetic mod p is in engine/algorithms/poly1305-limbs.ts.
 */
export function polyTag(key: Uint8Array, nonce8: Uint8Array, polyKey: Uint8Array, pieces: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of pieces) n += p.length;
  for (let i = 0; i < 16; i++) {
    R_BYTES[i] = polyKey[i]!;
    S_BYTES[i] = polyKey[16 + i]!;
  }
  if (n === 0) return S_BYTES.slice();
  fromBytes(clampR(R_BYTES), -1, R);
  fromBytes(S_BYTES, -1, S);
  IV12.fill(0, 0, 4);
  IV12.set(nonce8, 4);
  const lastLen = n % 16 || 16;
  const pLen = n - lastLen;
  lastChunk(pieces, pLen);
  fromBytes(Q_BYTES, 8 * lastLen, Q);
  neg(fromNumber(pLen, 128, T), NEG_LEN);
  const c1 = aeadOver(key, pieces, pLen);
  c1.final();
  fromBytes(sub128(c1.getAuthTag(), S_BYTES, X1_BYTES), -1, X1);
  // h = h1 + d (mod p) with d = (q - lenP)·r: h mod 2^128 = x1 + d - j·p (j = [h1 + d >= p]) and
  // p = -5 (mod 2^128). When every candidate h1 = x1 + k·2^128 < p gives the same j, the two
  // unknown top bits of h1 do not matter and the second pass is skipped.
  mulMod(addMod(Q, NEG_LEN, D), R, D);
  let top = true; // x1 >= 2^128 - 5: then x1 + 3·2^128 >= p and k stops at 2
  for (let i = 1; i < 16 && top; i++) top = X1_BYTES[i] === 0xff;
  const kMax = top && X1_BYTES[0]! >= 0xfb ? 2 : 3;
  const jLow = addExact(X1, D, SUM) > 0 || geq(SUM, P_LIMBS);
  K_TOP[9] = kMax << 11; // kMax·2^128
  const jHigh = jLow || addExact(SUM, K_TOP, HIGH) > 0 || geq(HIGH, P_LIMBS);
  if (jLow === jHigh) return tagOf(SUM, jLow);
  const c2 = aeadOver(key, pieces, pLen);
  (c2 as unknown as { setAAD(b: Uint8Array): void }).setAAD(ZERO16);
  c2.final();
  const tag2 = c2.getAuthTag();
  // h2 = (h1 - |P|·r + lenP2)·r = (x1 + a)·r + k·(2^128·r), a = -|P|·r + lenP2
  mulMod(neg(fromNumber(pLen, -1, A), A), R, A);
  addMod(A, fromNumber(pLen + 16, 128, HIGH), A);
  mulMod(addMod(X1, A, H2), R, H2);
  mulMod(TWO_128, R, DELTA);
  for (let k = 0; k <= kMax; k++) {
    if (k > 0) addMod(H2, DELTA, H2);
    if (!equal16(tagOf(H2, false, TAG2), tag2)) continue;
    // h1 = x1 + k·2^128 < p; h = h1 + d mod p
    for (let i = 0; i < 10; i++) T[i] = X1[i]!;
    T[9]! += k << 11;
    return tagOf(addMod(T, D, T), false);
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
  atBlock1: Cipher | null;
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
export function chachaFromBlock1(key: Uint8Array, nonce8: Uint8Array, data: Uint8Array): Uint8Array {
  const s = k2StreamFor(key, nonce8);
  let c = s.atBlock1;
  if (c) s.atBlock1 = null;
  else c = createCipheriv('chacha20', key, chachaIv(nonce8, 1));
  return view(c.update(data));
}

export function chachaPolyTag(key: Uint8Array, nonce8: Uint8Array, data: Uint8Array): Uint8Array {
  return polyTag(key, nonce8, k2StreamFor(key, nonce8).polyKey, [data]);
}

/**
 * CryptoProvider.chachaPolySealPieces: the Poly1305 key is K_2's block 0, computed in JS
 * (packet-chacha-block.ts); one native K_2 cipher from block 1 encrypts the pieces one after the
 * other; the tag covers `head` and that ciphertext.
 */
export function chachaPolySealPieces(key: Uint8Array, nonce8: Uint8Array, head: Uint8Array, pieces: readonly Uint8Array[]): { pieces: Uint8Array[]; tag: Uint8Array } {
  const polyKey = polyKeyOf(key, nonce8);
  const ct = updateEach(createCipheriv('chacha20', key, chachaIv(nonce8, 1)), pieces);
  return { pieces: ct, tag: polyTag(key, nonce8, polyKey, [head, ...ct]) };
}
