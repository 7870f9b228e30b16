// Arithmetic modulo p = 2^130 - 5 (RFC 8439 §2.5) for recovering the OpenSSH Poly1305 tag from
// node's AEAD (cli/node-crypto-chacha.ts polyTag), without BigInt: values are ten 13-bit limbs, little-endian
// (the poly1305-donna-16 layout noble's Poly1305 uses), so every product (< 2^29) and every sum of
// ten of them (< 2^33) stays exact in a double. BigInt needed ~50 allocating operations per packet
// (~10 µs); this is a few hundred plain number operations.

/** Ten 13-bit limbs: value = Σ l[i]·2^(13i). */
export type Limbs = Float64Array | number[];

const MASK = 0x1fff;
/** 2^-13: (s - (s & MASK)) * INV is the exact carry of a non-negative integer s < 2^53. */
const INV = 1 / 8192;
const G = limbs();
const D = limbs();

export function limbs(): Limbs {
  // Float64Array: every element access is monomorphic (plain arrays switch between small-integer
  // and double elements); the hot path (node-crypto-chacha.ts) allocates its limbs once, not per call
  return new Float64Array(10);
}

/**
 * The little-endian value of `b` (at most 16 bytes) plus 2^`topBit` when topBit >= 0: a Poly1305
 * chunk (topBit = 8·length) or a key or tag half (topBit = -1).
 */
export function fromBytes(b: Uint8Array, topBit: number, out: Limbs = limbs()): Limbs {
  const n = b.length;
  for (let i = 0; i < 10; i++) {
    const bit = 13 * i;
    const at = bit >> 3;
    const v = (at < n ? b[at]! : 0) | (at + 1 < n ? b[at + 1]! << 8 : 0) | (at + 2 < n ? b[at + 2]! << 16 : 0);
    out[i] = (v >>> (bit & 7)) & MASK;
  }
  if (topBit >= 0) out[(topBit / 13) | 0]! += 1 << topBit % 13;
  return out;
}

/** The small integer v (< 2^53) plus 2^`topBit` when topBit >= 0. */
export function fromNumber(v: number, topBit: number, out: Limbs = limbs()): Limbs {
  for (let i = 0; i < 10; i++) {
    out[i] = v % 8192;
    v = Math.floor(v / 8192);
  }
  if (topBit >= 0) out[(topBit / 13) | 0]! += 1 << topBit % 13;
  return out;
}

/** a + b with carries, bits at and above 2^130 returned separately (not folded). */
export function addExact(a: Limbs, b: Limbs, out: Limbs = limbs()): number {
  let c = 0;
  for (let i = 0; i < 10; i++) {
    const s = a[i]! + b[i]! + c;
    const l = s & MASK;
    out[i] = l;
    c = (s - l) * INV;
  }
  return c;
}

/** a + b mod p, fully reduced (a, b < 2^131). */
export function addMod(a: Limbs, b: Limbs, out: Limbs = limbs()): Limbs {
  const hi = addExact(a, b, out);
  return reduce(out, hi);
}

/** p - b for 0 <= b <= p: the additive inverse, so a - b = a + neg(b) (mod p). */
export function neg(b: Limbs, out: Limbs = limbs()): Limbs {
  let borrow = 0;
  for (let i = 0; i < 10; i++) {
    const pi = i === 0 ? 0x1ffb : MASK;
    let d = pi - b[i]! - borrow;
    borrow = 0;
    if (d < 0) {
      d += 8192;
      borrow = 1;
    }
    out[i] = d;
  }
  return out;
}

/** value + hi·2^130 reduced mod p into limbs < 2^13, value < p. */
function reduce(x: Limbs, hi: number): Limbs {
  // 2^130 = 5 (mod p): fold the overflow into the bottom limb, twice at most.
  while (hi > 0) {
    let c = hi * 5;
    hi = 0;
    for (let i = 0; i < 10 && c > 0; i++) {
      const s = x[i]! + c;
      const l = s & MASK;
      x[i] = l;
      c = (s - l) * INV;
    }
    hi = c;
  }
  // x < 2^130 now; subtract p once when x >= p, i.e. when x + 5 carries out of bit 130.
  let c = 5;
  const g = G;
  for (let i = 0; i < 10; i++) {
    const s = x[i]! + c;
    const l = s & MASK;
    g[i] = l;
    c = (s - l) * INV;
  }
  if (c > 0) for (let i = 0; i < 10; i++) x[i] = g[i]!;
  return x;
}

/** a·b mod p, fully reduced (a, b with 13-bit limbs, i.e. < 2^130). */
export function mulMod(a: Limbs, b: Limbs, out: Limbs = limbs()): Limbs {
  // Schoolbook product written out (the loop version took twice as long): limb i of the product
  // sums a_j·b_(i-j), and the terms that pass 2^130 come back times 5 (2^130 = 5 mod p), so
  // c_k = 5·b_k. Each term < 2^29 (c_k < 2^16), each sum of ten < 2^33: exact in a double.
  const a0 = a[0]!, a1 = a[1]!, a2 = a[2]!, a3 = a[3]!, a4 = a[4]!, a5 = a[5]!, a6 = a[6]!, a7 = a[7]!, a8 = a[8]!, a9 = a[9]!;
  const b0 = b[0]!, b1 = b[1]!, b2 = b[2]!, b3 = b[3]!, b4 = b[4]!, b5 = b[5]!, b6 = b[6]!, b7 = b[7]!, b8 = b[8]!, b9 = b[9]!;
  const c1 = 5 * b1, c2 = 5 * b2, c3 = 5 * b3, c4 = 5 * b4, c5 = 5 * b5, c6 = 5 * b6, c7 = 5 * b7, c8 = 5 * b8, c9 = 5 * b9;
  const d0 = a0 * b0 + a1 * c9 + a2 * c8 + a3 * c7 + a4 * c6 + a5 * c5 + a6 * c4 + a7 * c3 + a8 * c2 + a9 * c1;
  const d1 = a0 * b1 + a1 * b0 + a2 * c9 + a3 * c8 + a4 * c7 + a5 * c6 + a6 * c5 + a7 * c4 + a8 * c3 + a9 * c2;
  const d2 = a0 * b2 + a1 * b1 + a2 * b0 + a3 * c9 + a4 * c8 + a5 * c7 + a6 * c6 + a7 * c5 + a8 * c4 + a9 * c3;
  const d3 = a0 * b3 + a1 * b2 + a2 * b1 + a3 * b0 + a4 * c9 + a5 * c8 + a6 * c7 + a7 * c6 + a8 * c5 + a9 * c4;
  const d4 = a0 * b4 + a1 * b3 + a2 * b2 + a3 * b1 + a4 * b0 + a5 * c9 + a6 * c8 + a7 * c7 + a8 * c6 + a9 * c5;
  const d5 = a0 * b5 + a1 * b4 + a2 * b3 + a3 * b2 + a4 * b1 + a5 * b0 + a6 * c9 + a7 * c8 + a8 * c7 + a9 * c6;
  const d6 = a0 * b6 + a1 * b5 + a2 * b4 + a3 * b3 + a4 * b2 + a5 * b1 + a6 * b0 + a7 * c9 + a8 * c8 + a9 * c7;
  const d7 = a0 * b7 + a1 * b6 + a2 * b5 + a3 * b4 + a4 * b3 + a5 * b2 + a6 * b1 + a7 * b0 + a8 * c9 + a9 * c8;
  const d8 = a0 * b8 + a1 * b7 + a2 * b6 + a3 * b5 + a4 * b4 + a5 * b3 + a6 * b2 + a7 * b1 + a8 * b0 + a9 * c9;
  const d9 = a0 * b9 + a1 * b8 + a2 * b7 + a3 * b6 + a4 * b5 + a5 * b4 + a6 * b3 + a7 * b2 + a8 * b1 + a9 * b0;
  const d = D;
  d[0] = d0;
  d[1] = d1;
  d[2] = d2;
  d[3] = d3;
  d[4] = d4;
  d[5] = d5;
  d[6] = d6;
  d[7] = d7;
  d[8] = d8;
  d[9] = d9;
  // carry through the limbs; what passes 2^130 comes back times 5
  let c = 0;
  for (let i = 0; i < 10; i++) {
    const s = d[i]! + c;
    const l = s & MASK;
    out[i] = l;
    c = (s - l) * INV;
  }
  return reduce(out, c);
}

/** True when a >= b (both with 13-bit limbs). */
export function geq(a: Limbs, b: Limbs): boolean {
  for (let i = 9; i >= 0; i--) if (a[i] !== b[i]) return a[i]! > b[i]!;
  return true;
}

/** P as limbs, for comparisons. */
export const P_LIMBS: Limbs = (() => {
  const p = limbs();
  p[0] = 0x1ffb;
  for (let i = 1; i < 10; i++) p[i] = MASK;
  return p;
})();

/** The low 128 bits as 16 little-endian bytes. */
export function toBytes16(x: Limbs, out: Uint8Array = new Uint8Array(16)): Uint8Array {
  out.fill(0);
  for (let i = 0; i < 10; i++) {
    const bit = 13 * i;
    const v = x[i]! << (bit & 7);
    const at = bit >> 3;
    for (let k = 0; k < 3 && at + k < 16; k++) out[at + k]! |= (v >>> (8 * k)) & 0xff;
  }
  return out;
}

/** (a + b) mod 2^128, as 16 little-endian bytes. */
export function addLow128(a: Limbs, b: Limbs): Uint8Array {
  const t = limbs();
  addExact(a, b, t);
  return toBytes16(t);
}

/** Clamps the r half of a Poly1305 key in place (RFC 8439 §2.5: r &= 0x0ffffffc0ffffffc0ffffffc0fffffff). */
export function clampR(r: Uint8Array): Uint8Array {
  r[3]! &= 0x0f;
  r[7]! &= 0x0f;
  r[11]! &= 0x0f;
  r[15]! &= 0x0f;
  r[4]! &= 0xfc;
  r[8]! &= 0xfc;
  r[12]! &= 0xfc;
  return r;
}

const PR = limbs();
const PH = limbs();
const PC = limbs();
const CHUNK = new Uint8Array(16);

/**
 * Poly1305 (RFC 8439 §2.5.1) of a short message with the limb arithmetic above. For the few chunks
 * of a window adjust's tag this is cheaper than a general implementation's per-call setup, and the
 * functions it runs are the ones the bulk tag path has already made hot.
 */
export function poly1305Limbs(key: Uint8Array, data: Uint8Array): Uint8Array {
  if (key.length !== 32) throw new Error(`Poly1305 needs a 32-byte key, got ${key.length}`);
  for (let i = 0; i < 16; i++) CHUNK[i] = key[i]!;
  fromBytes(clampR(CHUNK), -1, PR);
  PH.fill(0);
  for (let o = 0; o < data.length; o += 16) {
    const n = Math.min(16, data.length - o);
    CHUNK.fill(0);
    for (let i = 0; i < n; i++) CHUNK[i] = data[o + i]!;
    mulMod(addMod(PH, fromBytes(CHUNK, 8 * n, PC), PH), PR, PH);
  }
  for (let i = 0; i < 16; i++) CHUNK[i] = key[16 + i]!;
  addExact(PH, fromBytes(CHUNK, -1, PC), PH);
  return toBytes16(PH);
}
