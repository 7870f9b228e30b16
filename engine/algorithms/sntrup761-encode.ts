// The radix encoding of Streamlined NTRU Prime ("NTRU Prime: round 3", Bernstein et al., 2020,
// §3.2 "Encode" / "Decode"): a list of integers 0 <= R[i] < M[i] < 16384 becomes a byte string
// whose length depends only on the list of moduli M.
//
// Pairs (R[2i], R[2i+1]) are merged into one digit R[2i] + R[2i+1]*M[2i] of modulus M[2i]*M[2i+1];
// while that modulus is at least 2^14 its low byte is emitted and it is divided by 256 (rounding
// the modulus up). The merged list, half as long, is encoded recursively after the bytes of this
// level. A single remaining digit is written in little-endian bytes until its modulus reaches 1.
// Decode reverses each step and reduces every digit modulo its modulus, so any byte string of the
// right length decodes to a valid list (no decoding failure exists by design).

const LIMIT = 16384;

/** Encodes `r` (0 <= r[i] < m[i] < 2^14) under the moduli `m` (same length). */
export function radixEncode(r: ArrayLike<number>, m: ArrayLike<number>): Uint8Array {
  const out: number[] = [];
  encodeInto(out, Array.from(r), Array.from(m));
  return Uint8Array.from(out);
}

function encodeInto(out: number[], r: number[], m: number[]): void {
  const len = r.length;
  if (len === 0) return;
  if (len === 1) {
    let rr = r[0]!;
    let mm = m[0]!;
    while (mm > 1) {
      out.push(rr & 0xff);
      rr >>>= 8;
      mm = (mm + 255) >>> 8;
    }
    return;
  }
  const r2: number[] = [];
  const m2: number[] = [];
  let i = 0;
  for (; i + 1 < len; i += 2) {
    let rr = r[i]! + r[i + 1]! * m[i]!;
    let mm = m[i]! * m[i + 1]!;
    while (mm >= LIMIT) {
      out.push(rr & 0xff);
      rr >>>= 8;
      mm = (mm + 255) >>> 8;
    }
    r2.push(rr);
    m2.push(mm);
  }
  if (i < len) {
    r2.push(r[i]!);
    m2.push(m[i]!);
  }
  encodeInto(out, r2, m2);
}

/** How many bytes `radixEncode` writes for the moduli `m`. */
export function radixEncodedLength(m: ArrayLike<number>): number {
  let moduli = Array.from(m);
  let n = 0;
  while (moduli.length > 1) {
    const next: number[] = [];
    let i = 0;
    for (; i + 1 < moduli.length; i += 2) {
      let mm = moduli[i]! * moduli[i + 1]!;
      while (mm >= LIMIT) {
        n++;
        mm = (mm + 255) >>> 8;
      }
      next.push(mm);
    }
    if (i < moduli.length) next.push(moduli[i]!);
    moduli = next;
  }
  let mm = moduli[0] ?? 1;
  while (mm > 1) {
    n++;
    mm = (mm + 255) >>> 8;
  }
  return n;
}

/**
 * Decodes `s` (exactly `radixEncodedLength(m)` bytes from `offset`) into digits 0 <= R[i] < m[i].
 */
export function radixDecode(s: Uint8Array, m: ArrayLike<number>, offset = 0): Uint16Array {
  const out = new Uint16Array(m.length);
  decodeFrom({ s, pos: offset }, Array.from(m), out, 0);
  return out;
}

interface Cursor {
  s: Uint8Array;
  pos: number;
}

function decodeFrom(c: Cursor, m: number[], out: Uint16Array, at: number): void {
  const len = m.length;
  if (len === 0) return;
  if (len === 1) {
    // The inverse of the single-digit case: up to two little-endian bytes.
    const mm = m[0]!;
    let v = 0;
    let scale = 1;
    for (let t = mm; t > 1; t = (t + 255) >>> 8) {
      v += c.s[c.pos++]! * scale;
      scale *= 256;
    }
    out[at] = v % mm;
    return;
  }
  const pairs = len >>> 1;
  const bottomR = new Array<number>(pairs);
  const bottomT = new Array<number>(pairs);
  const m2: number[] = [];
  for (let k = 0; k < pairs; k++) {
    let mm = m[2 * k]! * m[2 * k + 1]!;
    let v = 0;
    let scale = 1;
    while (mm >= LIMIT) {
      v += c.s[c.pos++]! * scale;
      scale *= 256;
      mm = (mm + 255) >>> 8;
    }
    bottomR[k] = v;
    bottomT[k] = scale;
    m2.push(mm);
  }
  if (len & 1) m2.push(m[len - 1]!);
  const r2 = new Uint16Array(m2.length);
  decodeFrom(c, m2, r2, 0);
  for (let k = 0; k < pairs; k++) {
    const v = bottomR[k]! + bottomT[k]! * r2[k]!;
    const m0 = m[2 * k]!;
    out[at + 2 * k] = v % m0;
    // The reduction mod m[2k+1] only matters for byte strings no encoder produced.
    out[at + 2 * k + 1] = Math.floor(v / m0) % m[2 * k + 1]!;
  }
  if (len & 1) out[at + len - 1] = r2[pairs]!;
}
