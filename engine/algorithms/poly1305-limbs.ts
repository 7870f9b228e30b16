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
  const d = D;
  for (let i = 0; i < 10; i++) {
    let s = 0;
    for (let j = 0; j <= i; j++) s += a[j]! * b[i - j]!;
    for (let j = i + 1; j < 10; j++) s += a[j]! * 5 * b[i + 10 - j]!;
    d[i] = s;
  }
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
