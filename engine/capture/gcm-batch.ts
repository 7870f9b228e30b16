// AES-GCM decryption of small packets for capture reading (NIST SP 800-38D §7.2; RFC 5647 §7):
// the counter blocks go through one long-lived AES block function (an ECB cipher object, created
// once per key) and GHASH runs here with Shoup's 4-bit tables (as in mbedTLS gcm.c), so a
// 36-byte CHANNEL_DATA does not pay for a fresh native GCM cipher object per packet — that object,
// not the arithmetic, dominated reading 200 000 small packets. Large packets should keep the
// native GCM path (JS GHASH costs ~1 µs per 16 bytes).

/** Encrypts whole 16-byte blocks with AES under one key (ECB), e.g. a node:crypto aes-*-ecb cipher's update(). */
export type AesBlocks = (blocks: Uint8Array) => Uint8Array;

const LAST4 = [0x0000, 0x1c20, 0x3840, 0x2460, 0x7080, 0x6ca0, 0x48c0, 0x54e0, 0xe100, 0xfd20, 0xd940, 0xc560, 0x9180, 0x8da0, 0xa9c0, 0xb5e0];

interface Ghash {
  t0: Uint32Array;
  t1: Uint32Array;
  t2: Uint32Array;
  t3: Uint32Array;
}

function ghashTables(h: Uint8Array): Ghash {
  const dv = new DataView(h.buffer, h.byteOffset, 16);
  const t0 = new Uint32Array(16);
  const t1 = new Uint32Array(16);
  const t2 = new Uint32Array(16);
  const t3 = new Uint32Array(16);
  let v0 = dv.getUint32(0);
  let v1 = dv.getUint32(4);
  let v2 = dv.getUint32(8);
  let v3 = dv.getUint32(12);
  t0[8] = v0;
  t1[8] = v1;
  t2[8] = v2;
  t3[8] = v3;
  for (let i = 4; i > 0; i >>= 1) {
    const T = v3 & 1 ? 0xe1000000 : 0;
    v3 = ((v3 >>> 1) | (v2 << 31)) >>> 0;
    v2 = ((v2 >>> 1) | (v1 << 31)) >>> 0;
    v1 = ((v1 >>> 1) | (v0 << 31)) >>> 0;
    v0 = ((v0 >>> 1) ^ T) >>> 0;
    t0[i] = v0;
    t1[i] = v1;
    t2[i] = v2;
    t3[i] = v3;
  }
  for (let i = 2; i <= 8; i *= 2) {
    for (let j = 1; j < i; j++) {
      t0[i + j] = t0[i]! ^ t0[j]!;
      t1[i + j] = t1[i]! ^ t1[j]!;
      t2[i + j] = t2[i]! ^ t2[j]!;
      t3[i + j] = t3[i]! ^ t3[j]!;
    }
  }
  return { t0, t1, t2, t3 };
}

/** y = x · H where x = (x0, x1, x2, x3) big-endian words; the result goes to y. */
function mulWords(g: Ghash, y: Uint32Array, x0: number, x1: number, x2: number, x3: number): void {
  const { t0, t1, t2, t3 } = g;
  let z0 = 0;
  let z1 = 0;
  let z2 = 0;
  let z3 = 0;
  // bytes 15 … 0 of x, low nibble then high nibble (Shoup's 4-bit method)
  for (let i = 15; i >= 0; i--) {
    const w = i < 4 ? x0 : i < 8 ? x1 : i < 12 ? x2 : x3;
    const byte = (w >>> ((3 - (i & 3)) * 8)) & 255;
    const lo = byte & 15;
    const hi = byte >>> 4;
    let rem: number;
    if (i !== 15) {
      rem = z3 & 15;
      z3 = (z3 >>> 4) | (z2 << 28);
      z2 = (z2 >>> 4) | (z1 << 28);
      z1 = (z1 >>> 4) | (z0 << 28);
      z0 = (z0 >>> 4) ^ (LAST4[rem]! << 16);
      z0 ^= t0[lo]!;
      z1 ^= t1[lo]!;
      z2 ^= t2[lo]!;
      z3 ^= t3[lo]!;
    } else {
      z0 = t0[lo]!;
      z1 = t1[lo]!;
      z2 = t2[lo]!;
      z3 = t3[lo]!;
    }
    rem = z3 & 15;
    z3 = (z3 >>> 4) | (z2 << 28);
    z2 = (z2 >>> 4) | (z1 << 28);
    z1 = (z1 >>> 4) | (z0 << 28);
    z0 = (z0 >>> 4) ^ (LAST4[rem]! << 16);
    z0 ^= t0[hi]!;
    z1 ^= t1[hi]!;
    z2 ^= t2[hi]!;
    z3 ^= t3[hi]!;
  }
  y[0] = z0 >>> 0;
  y[1] = z1 >>> 0;
  y[2] = z2 >>> 0;
  y[3] = z3 >>> 0;
}

/** Big-endian word of `d` at `o`, bytes past `end` read as zero. */
function word(d: Uint8Array, o: number, end: number): number {
  if (o + 4 <= end) return ((d[o]! << 24) | (d[o + 1]! << 16) | (d[o + 2]! << 8) | d[o + 3]!) >>> 0;
  let w = 0;
  for (let i = 0; i < 4; i++) w = (w << 8) | (o + i < end ? d[o + i]! : 0);
  return w >>> 0;
}

export interface SmallGcm {
  /** Decrypts and verifies; null when the tag does not verify (the same contract as CryptoProvider.aesGcmDecrypt). */
  decrypt(nonce: Uint8Array, aad: Uint8Array, ciphertextAndTag: Uint8Array): Uint8Array | null;
}

/** One key's small-packet AES-GCM (16-byte tag, 12-byte nonce). */
export function smallGcm(aes: AesBlocks): SmallGcm {
  const g = ghashTables(aes(new Uint8Array(16)).slice(0, 16));
  const y = new Uint32Array(4);
  const absorb = (data: Uint8Array, end: number): void => {
    for (let o = 0; o < end; o += 16) mulWords(g, y, y[0]! ^ word(data, o, end), y[1]! ^ word(data, o + 4, end), y[2]! ^ word(data, o + 8, end), y[3]! ^ word(data, o + 12, end));
  };
  // Speculative batches: SSH increments the nonce's invocation counter by one per packet (RFC 5647
  // §7.1), so the counter blocks of the next BATCH packets are known before they arrive; one AES
  // call makes them all, assuming each needs at most `per` blocks (J0 + data). A nonce outside the
  // batch, or a longer packet, starts a new batch at that nonce.
  const BATCH = 64;
  let ks: Uint8Array = new Uint8Array(0);
  let per = 0;
  let count = 0;
  const first = new Uint8Array(12);
  const batchIndex = (nonce: Uint8Array, need: number): number => {
    if (need > per || count === 0) return -1;
    for (let i = 0; i < 8; i++) if (nonce[i] !== first[i]) return -1;
    const lo = ((nonce[8]! << 24) | (nonce[9]! << 16) | (nonce[10]! << 8) | nonce[11]!) >>> 0;
    const base = ((first[8]! << 24) | (first[9]! << 16) | (first[10]! << 8) | first[11]!) >>> 0;
    const k = (lo - base) >>> 0;
    return k < count ? k : -1;
  };
  const newBatch = (nonce: Uint8Array, need: number): void => {
    per = Math.max(need, 4);
    // stay inside this 2^32 run of the low counter word (the batch check compares bytes 0..8)
    const lo = ((nonce[8]! << 24) | (nonce[9]! << 16) | (nonce[10]! << 8) | nonce[11]!) >>> 0;
    count = Math.min(BATCH, 0x100000000 - lo);
    first.set(nonce);
    const ctr = new Uint8Array(count * per * 16);
    const nn = nonce.slice();
    for (let k = 0; k < count; k++) {
      for (let b = 0; b < per; b++) {
        const o = (k * per + b) * 16;
        ctr.set(nn, o);
        ctr[o + 15] = b + 1; // J0 = nonce || 1, then inc32 (SP 800-38D §7.2); per < 256
      }
      for (let i = 11; i >= 4; i--) if ((nn[i] = (nn[i]! + 1) & 0xff) !== 0) break;
    }
    ks = aes(ctr);
  };
  return {
    decrypt(nonce, aad, ct) {
      if (ct.length < 16 || nonce.length !== 12) return null;
      const n = ct.length - 16;
      const blocks = Math.ceil(n / 16) + 1;
      if (blocks > 255) return null; // far above the sizes this path is for
      let k = batchIndex(nonce, blocks);
      if (k < 0) {
        newBatch(nonce, blocks);
        k = 0;
      }
      const at = k * per * 16; // E(J0) at `at`, the keystream from at + 16
      y.fill(0);
      absorb(aad, aad.length);
      absorb(ct, n);
      // the lengths block: 64-bit bit counts of the AAD and the ciphertext
      mulWords(g, y, y[0]!, y[1]! ^ (aad.length * 8), y[2]!, y[3]! ^ (n * 8));
      // tag = E(J0) XOR S, compared without an early exit
      let diff = 0;
      for (let i = 0; i < 4; i++) {
        const e = ((ks[at + 4 * i]! << 24) | (ks[at + 4 * i + 1]! << 16) | (ks[at + 4 * i + 2]! << 8) | ks[at + 4 * i + 3]!) ^ y[i]!;
        const t = (ct[n + 4 * i]! << 24) | (ct[n + 4 * i + 1]! << 16) | (ct[n + 4 * i + 2]! << 8) | ct[n + 4 * i + 3]!;
        diff |= e ^ t;
      }
      if (diff !== 0) return null;
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) out[i] = ct[i]! ^ ks[at + 16 + i]!;
      return out;
    },
  };
}
