// Streamlined NTRU Prime sntrup761 KEM ("NTRU Prime: round 3", Bernstein, Brumley, Chen,
// Chuengsatiansup, Lange, Marotzke, Peng, Tuveri, van Vredendaal, Yang, 2020), parameters
// p = 761, q = 4591, w = 286, with the byte formats of the round-3 reference implementation
// (the one OpenSSH's sntrup761.c and the NIST round-3 KATs use):
//
//   public key  1158 bytes  Rq_encode(h)                                          (§3.2, §3.3)
//   secret key  1763 bytes  Small(f) || Small(1/g in R/3) || pk || rho || Hash4(pk) (§3.4 "KEM")
//   ciphertext  1039 bytes  Rounded_encode(Round(h*r)) || HashConfirm(r, pk)
//   session key   32 bytes  HashSession(1, r, ciphertext); with implicit rejection
//                           HashSession(0, rho, ciphertext) when re-encryption does not match.
//
// Hash_b(s) is the first 32 bytes of SHA-512(b || s) (§3.4 "Hash").
// Randomness comes only from `random(n)`, read in the reference's order and call sizes (4p bytes
// per random polynomial, then 191 bytes for rho), so a deterministic byte source such as the NIST
// AES-256-CTR DRBG reproduces the published known-answer tests.

import { sha512 } from '@noble/hashes/sha2.js';
import { radixDecode, radixEncode } from './sntrup761-encode.ts';
import { P, Q, W, r3FromRq, r3Mult, r3Recip, round3, rqMult3, rqMultSmall, rqRecip3, weight } from './sntrup761-poly.ts';

export const SNTRUP761_PUBLIC_KEY_BYTES = 1158;
export const SNTRUP761_SECRET_KEY_BYTES = 1763;
export const SNTRUP761_CIPHERTEXT_BYTES = 1039;
export const SNTRUP761_SHARED_SECRET_BYTES = 32;

const Q12 = (Q - 1) / 2;
/** Bytes of one small polynomial, four coefficients per byte (p mod 4 = 1 leaves one alone). */
const SMALL_BYTES = (P + 3) >> 2; // 191
const ROUNDED_BYTES = 1007;
const HASH_BYTES = 32;
const RQ_MODULI = new Array<number>(P).fill(Q);
const ROUNDED_MODULI = new Array<number>(P).fill((Q + 2) / 3); // 1531

export type RandomSource = (n: number) => Uint8Array;

/** Hash_b(s) = SHA-512(b || s)[0..32) (round 3 §3.4). */
function hashPrefix(b: number, s: Uint8Array): Uint8Array {
  const x = new Uint8Array(1 + s.length);
  x[0] = b;
  x.set(s, 1);
  return sha512(x).subarray(0, HASH_BYTES);
}

/**
 * p random 32-bit words: one random(4p) call read as little-endian uint32s (crypto_decode_pxint32),
 * as the supercop/PQClean/liboqs reference code and its KATs draw them.
 */
function randomWords(random: RandomSource): Uint32Array {
  const c = random(4 * P);
  if (c.length !== 4 * P) throw new Error(`random(${4 * P}) returned ${c.length} bytes`);
  const out = new Uint32Array(P);
  for (let i = 0; i < P; i++) out[i] = (c[4 * i]! | (c[4 * i + 1]! << 8) | (c[4 * i + 2]! << 16) | (c[4 * i + 3]! << 24)) >>> 0;
  return out;
}

/** Uniform-ish element of R/3 (Small_random): each coefficient floor(3*u/2^30) - 1, u 30 bits. */
function smallRandom(random: RandomSource): Int8Array {
  const words = randomWords(random);
  const out = new Int8Array(P);
  for (let i = 0; i < P; i++) out[i] = (((words[i]! & 0x3fffffff) * 3) >>> 30) - 1;
  return out;
}

/**
 * Random short polynomial of weight w (Short_random / Short_fromlist): the first w of p random
 * 32-bit words are tagged ±1 (low bits 00 / 10), the others 0 (low bits 01), and sorting the words
 * shuffles the tags.
 */
function shortRandom(random: RandomSource): Int8Array {
  const list = randomWords(random);
  for (let i = 0; i < P; i++) list[i] = i < W ? list[i]! & ~1 : (list[i]! & ~3) | 1;
  list.sort();
  const out = new Int8Array(P);
  for (let i = 0; i < P; i++) out[i] = (list[i]! & 3) - 1;
  return out;
}

/** Small_encode: coefficient + 1 in two bits, four per byte, lowest first. */
function smallEncode(f: Int8Array): Uint8Array {
  const out = new Uint8Array(SMALL_BYTES);
  for (let i = 0; i < P; i++) out[i >> 2] |= (f[i]! + 1) << (2 * (i & 3));
  return out;
}

function smallDecode(s: Uint8Array, offset: number): Int8Array {
  const f = new Int8Array(P);
  for (let i = 0; i < P; i++) f[i] = ((s[offset + (i >> 2)]! >> (2 * (i & 3))) & 3) - 1;
  return f;
}

function rqEncode(h: Int16Array): Uint8Array {
  const digits = new Uint16Array(P);
  for (let i = 0; i < P; i++) digits[i] = h[i]! + Q12;
  return radixEncode(digits, RQ_MODULI);
}

function rqDecode(s: Uint8Array): Int16Array {
  const digits = radixDecode(s, RQ_MODULI);
  const h = new Int16Array(P);
  for (let i = 0; i < P; i++) h[i] = digits[i]! - Q12;
  return h;
}

/** Rounded_encode: a multiple of 3 in [-(q-1)/2, (q-1)/2] as (c + (q-1)/2)/3 < 1531. */
function roundedEncode(c: Int16Array): Uint8Array {
  const digits = new Uint16Array(P);
  for (let i = 0; i < P; i++) digits[i] = ((c[i]! + Q12) * 10923) >>> 15;
  return radixEncode(digits, ROUNDED_MODULI);
}

function roundedDecode(s: Uint8Array): Int16Array {
  const digits = radixDecode(s, ROUNDED_MODULI);
  const c = new Int16Array(P);
  for (let i = 0; i < P; i++) c[i] = digits[i]! * 3 - Q12;
  return c;
}

/** HashConfirm(r, pk) = Hash2(Hash3(r) || Hash4(pk)). */
function hashConfirm(rEnc: Uint8Array, pkHash: Uint8Array): Uint8Array {
  const x = new Uint8Array(2 * HASH_BYTES);
  x.set(hashPrefix(3, rEnc), 0);
  x.set(pkHash, HASH_BYTES);
  return hashPrefix(2, x);
}

/** HashSession(b, y, z) = Hash_b(Hash3(y) || z). */
function hashSession(b: number, y: Uint8Array, z: Uint8Array): Uint8Array {
  const x = new Uint8Array(HASH_BYTES + z.length);
  x.set(hashPrefix(3, y), 0);
  x.set(z, HASH_BYTES);
  return hashPrefix(b, x);
}

/** Ciphertext of input r under public key pk (with its cached Hash4): "Hide" in the reference. */
function hide(r: Int8Array, pk: Uint8Array, pkHash: Uint8Array): { ciphertext: Uint8Array; rEnc: Uint8Array } {
  const rEnc = smallEncode(r);
  const h = rqDecode(pk);
  const c = round3(rqMultSmall(h, r));
  const ciphertext = new Uint8Array(SNTRUP761_CIPHERTEXT_BYTES);
  ciphertext.set(roundedEncode(c), 0);
  ciphertext.set(hashConfirm(rEnc, pkHash), ROUNDED_BYTES);
  return { ciphertext, rEnc };
}

export interface Sntrup761KeyPair {
  publicKey: Uint8Array;
  secretKey: Uint8Array;
}

/**
 * KeyGen (§3.3): g small and invertible in R/3 (retry otherwise), f short of weight w,
 * h = g / (3f) in R/q. Reads random(3044) per g attempt, random(3044) for f, then random(191) for rho.
 */
export function sntrup761Keypair(random: RandomSource): Sntrup761KeyPair {
  let g: Int8Array;
  let gInv: Int8Array | null;
  do {
    g = smallRandom(random);
    gInv = r3Recip(g);
  } while (!gInv);
  const f = shortRandom(random);
  const h = rqMultSmall(rqRecip3(f), g);
  const publicKey = rqEncode(h);
  const rho = random(SMALL_BYTES);
  if (rho.length !== SMALL_BYTES) throw new Error(`random(${SMALL_BYTES}) returned ${rho.length} bytes`);
  const secretKey = new Uint8Array(SNTRUP761_SECRET_KEY_BYTES);
  let o = 0;
  secretKey.set(smallEncode(f), o);
  o += SMALL_BYTES;
  secretKey.set(smallEncode(gInv), o);
  o += SMALL_BYTES;
  secretKey.set(publicKey, o);
  o += SNTRUP761_PUBLIC_KEY_BYTES;
  secretKey.set(rho, o);
  o += SMALL_BYTES;
  secretKey.set(hashPrefix(4, publicKey), o);
  return { publicKey, secretKey };
}

/** Encap: a random short r, the ciphertext of r, and the session key HashSession(1, r, ciphertext). */
export function sntrup761Encapsulate(publicKey: Uint8Array, random: RandomSource): { ciphertext: Uint8Array; sharedSecret: Uint8Array } {
  if (publicKey.length !== SNTRUP761_PUBLIC_KEY_BYTES) {
    throw new RangeError(`sntrup761 public key must be ${SNTRUP761_PUBLIC_KEY_BYTES} bytes, got ${publicKey.length}`);
  }
  const pkHash = hashPrefix(4, publicKey);
  const r = shortRandom(random);
  const { ciphertext, rEnc } = hide(r, publicKey, pkHash);
  return { ciphertext, sharedSecret: hashSession(1, rEnc, ciphertext) };
}

/**
 * Decap with implicit rejection: decrypt r, re-encrypt it, and if the result differs from the
 * received ciphertext (including the confirmation hash) use rho and prefix 0 instead. Never fails
 * on a ciphertext of the right length.
 */
export function sntrup761Decapsulate(ciphertext: Uint8Array, secretKey: Uint8Array): Uint8Array {
  if (ciphertext.length !== SNTRUP761_CIPHERTEXT_BYTES) {
    throw new RangeError(`sntrup761 ciphertext must be ${SNTRUP761_CIPHERTEXT_BYTES} bytes, got ${ciphertext.length}`);
  }
  if (secretKey.length !== SNTRUP761_SECRET_KEY_BYTES) {
    throw new RangeError(`sntrup761 secret key must be ${SNTRUP761_SECRET_KEY_BYTES} bytes, got ${secretKey.length}`);
  }
  const f = smallDecode(secretKey, 0);
  const gInv = smallDecode(secretKey, SMALL_BYTES);
  const pkAt = 2 * SMALL_BYTES;
  const publicKey = secretKey.subarray(pkAt, pkAt + SNTRUP761_PUBLIC_KEY_BYTES);
  const rho = secretKey.subarray(pkAt + SNTRUP761_PUBLIC_KEY_BYTES, pkAt + SNTRUP761_PUBLIC_KEY_BYTES + SMALL_BYTES);
  const pkHash = secretKey.subarray(SNTRUP761_SECRET_KEY_BYTES - HASH_BYTES);

  // Decrypt (§3.3): e = 3fc in R/3, ev = e / g; accept ev only when it has weight w.
  const c = roundedDecode(ciphertext.subarray(0, ROUNDED_BYTES));
  const e = r3FromRq(rqMult3(rqMultSmall(c, f)));
  const ev = r3Mult(e, gInv);
  const r = new Int8Array(P);
  if (weight(ev) === W) r.set(ev);
  else for (let i = 0; i < W; i++) r[i] = 1;

  const again = hide(r, publicKey, pkHash);
  let diff = 0;
  for (let i = 0; i < SNTRUP761_CIPHERTEXT_BYTES; i++) diff |= again.ciphertext[i]! ^ ciphertext[i]!;
  return diff === 0 ? hashSession(1, again.rEnc, ciphertext) : hashSession(0, rho, ciphertext);
}
