// AES-GCM decryption of small packets for capture reading (NIST SP 800-38D §7.2; RFC 5647 §7):
// the counter blocks go through one long-lived AES block function (an ECB cipher object, created
// once per key) and GHASH runs here with one 8-bit table per byte position (64 KiB per key), so a
// 36-byte CHANNEL_DATA does not pay for a fresh native GCM cipher object per packet — that object,
// not the arithmetic, dominated reading 200 000 small packets. Large packets should keep the
// native GCM path (JS GHASH costs ~1 µs per 16 bytes).

/** Encrypts whole 16-byte blocks with AES under one key (ECB), e.g. a node:crypto aes-*-ecb cipher's update(). */
export type AesBlocks = (blocks: Uint8Array) => Uint8Array;

/**
 * Multiplication by α (x) in GCM's bit order: a right shift of the 128-bit block (big-endian words
 * w0..w3), folding the bit shifted out back in with R = 11100001 || 0^120 (SP 800-38D §6.3).
 */
function mulAlpha(w: Uint32Array, at: number): void {
  const carry = w[at + 3]! & 1;
  w[at + 3] = (w[at + 3]! >>> 1) | (w[at + 2]! << 31);
  w[at + 2] = (w[at + 2]! >>> 1) | (w[at + 1]! << 31);
  w[at + 1] = (w[at + 1]! >>> 1) | (w[at]! << 31);
  w[at] = (w[at]! >>> 1) ^ (carry ? 0xe1000000 : 0);
}

/** LAST8[r]: what the byte r shifted out of a block by ·α^8 folds into the top 16 bits. */
const LAST8 = (() => {
  const t = new Uint32Array(256);
  const w = new Uint32Array(4);
  for (let r = 0; r < 256; r++) {
    w.fill(0);
    w[3] = r;
    for (let i = 0; i < 8; i++) mulAlpha(w, 0);
    t[r] = w[0]! >>> 16;
  }
  return t;
})();

/**
 * GHASH tables of H with one table per byte position (64 KiB per key): words 4·(256j + b) … +3
 * hold b·α^(8j)·H, where byte b's most significant bit is the coefficient of α^0 (the bit order
 * of the block). A block · H is then the XOR of 16 lookups, with no shifts or reductions.
 */
function ghashTable(h: Uint8Array): Uint32Array {
  const t = new Uint32Array(16 * 256 * 4);
  const dv = new DataView(h.buffer, h.byteOffset, 16);
  for (let i = 0; i < 4; i++) t[0x80 * 4 + i] = dv.getUint32(4 * i);
  for (let b = 0x40; b >= 1; b >>= 1) {
    t.copyWithin(b * 4, b * 8, b * 8 + 4);
    mulAlpha(t, b * 4);
  }
  for (let b = 2; b < 256; b <<= 1) for (let j = 1; j < b; j++) for (let i = 0; i < 4; i++) t[(b + j) * 4 + i] = t[b * 4 + i]! ^ t[j * 4 + i]!;
  // position j + 1 = position j · α^8: a right shift by a byte, folding the byte shifted out
  for (let k = 1024; k < t.length; k += 4) {
    const z0 = t[k - 1024]!;
    const z1 = t[k - 1023]!;
    const z2 = t[k - 1022]!;
    const z3 = t[k - 1021]!;
    t[k] = (z0 >>> 8) ^ (LAST8[z3 & 255]! << 16);
    t[k + 1] = (z1 >>> 8) | (z0 << 24);
    t[k + 2] = (z2 >>> 8) | (z1 << 24);
    t[k + 3] = (z3 >>> 8) | (z2 << 24);
  }
  return t;
}

/** y = (y XOR x) · H for the block x = (x0, x1, x2, x3), big-endian words (GHASH, SP 800-38D §6.4). */
function ghashWords(t: Uint32Array, y: Uint32Array, x0: number, x1: number, x2: number, x3: number): void {
  x0 ^= y[0]!;
  x1 ^= y[1]!;
  x2 ^= y[2]!;
  x3 ^= y[3]!;
  let z0 = 0;
  let z1 = 0;
  let z2 = 0;
  let z3 = 0;
  let k: number;
  // one lookup per byte position (unrolled: this is the hot loop of reading small packets)
  k = 0 | ((x0 >>> 22) & 0x3fc);
  z0 ^= t[k]!;
  z1 ^= t[k + 1]!;
  z2 ^= t[k + 2]!;
  z3 ^= t[k + 3]!;
  k = 1024 | ((x0 >>> 14) & 0x3fc);
  z0 ^= t[k]!;
  z1 ^= t[k + 1]!;
  z2 ^= t[k + 2]!;
  z3 ^= t[k + 3]!;
  k = 2048 | ((x0 >>> 6) & 0x3fc);
  z0 ^= t[k]!;
  z1 ^= t[k + 1]!;
  z2 ^= t[k + 2]!;
  z3 ^= t[k + 3]!;
  k = 3072 | ((x0 << 2) & 0x3fc);
  z0 ^= t[k]!;
  z1 ^= t[k + 1]!;
  z2 ^= t[k + 2]!;
  z3 ^= t[k + 3]!;
  k = 4096 | ((x1 >>> 22) & 0x3fc);
  z0 ^= t[k]!;
  z1 ^= t[k + 1]!;
  z2 ^= t[k + 2]!;
  z3 ^= t[k + 3]!;
  k = 5120 | ((x1 >>> 14) & 0x3fc);
  z0 ^= t[k]!;
  z1 ^= t[k + 1]!;
  z2 ^= t[k + 2]!;
  z3 ^= t[k + 3]!;
  k = 6144 | ((x1 >>> 6) & 0x3fc);
  z0 ^= t[k]!;
  z1 ^= t[k + 1]!;
  z2 ^= t[k + 2]!;
  z3 ^= t[k + 3]!;
  k = 7168 | ((x1 << 2) & 0x3fc);
  z0 ^= t[k]!;
  z1 ^= t[k + 1]!;
  z2 ^= t[k + 2]!;
  z3 ^= t[k + 3]!;
  k = 8192 | ((x2 >>> 22) & 0x3fc);
  z0 ^= t[k]!;
  z1 ^= t[k + 1]!;
  z2 ^= t[k + 2]!;
  z3 ^= t[k + 3]!;
  k = 9216 | ((x2 >>> 14) & 0x3fc);
  z0 ^= t[k]!;
  z1 ^= t[k + 1]!;
  z2 ^= t[k + 2]!;
  z3 ^= t[k + 3]!;
  k = 10240 | ((x2 >>> 6) & 0x3fc);
  z0 ^= t[k]!;
  z1 ^= t[k + 1]!;
  z2 ^= t[k + 2]!;
  z3 ^= t[k + 3]!;
  k = 11264 | ((x2 << 2) & 0x3fc);
  z0 ^= t[k]!;
  z1 ^= t[k + 1]!;
  z2 ^= t[k + 2]!;
  z3 ^= t[k + 3]!;
  k = 12288 | ((x3 >>> 22) & 0x3fc);
  z0 ^= t[k]!;
  z1 ^= t[k + 1]!;
  z2 ^= t[k + 2]!;
  z3 ^= t[k + 3]!;
  k = 13312 | ((x3 >>> 14) & 0x3fc);
  z0 ^= t[k]!;
  z1 ^= t[k + 1]!;
  z2 ^= t[k + 2]!;
  z3 ^= t[k + 3]!;
  k = 14336 | ((x3 >>> 6) & 0x3fc);
  z0 ^= t[k]!;
  z1 ^= t[k + 1]!;
  z2 ^= t[k + 2]!;
  z3 ^= t[k + 3]!;
  k = 15360 | ((x3 << 2) & 0x3fc);
  z0 ^= t[k]!;
  z1 ^= t[k + 1]!;
  z2 ^= t[k + 2]!;
  z3 ^= t[k + 3]!;
  y[0] = z0;
  y[1] = z1;
  y[2] = z2;
  y[3] = z3;
}

/** Big-endian word of `d` at `o`, bytes at or past `end` read as zero. */
function word(d: Uint8Array, o: number, end: number): number {
  if (o + 4 <= end) return (d[o]! << 24) | (d[o + 1]! << 16) | (d[o + 2]! << 8) | d[o + 3]!;
  let w = 0;
  for (let i = 0; i < 4; i++) w = (w << 8) | (o + i < end ? d[o + i]! : 0);
  return w;
}

/** GHASH over d[from, to), the last block padded with zeros. */
function ghash(t: Uint32Array, y: Uint32Array, d: Uint8Array, from: number, to: number): void {
  for (let o = from; o < to; o += 16) ghashWords(t, y, word(d, o, to), word(d, o + 4, to), word(d, o + 8, to), word(d, o + 12, to));
}

export interface SmallGcm {
  /** Decrypts and verifies; null when the tag does not verify (the same contract as CryptoProvider.aesGcmDecrypt). */
  decrypt(nonce: Uint8Array, aad: Uint8Array, ciphertextAndTag: Uint8Array): Uint8Array | null;
  /** The same, writing the plaintext to out[at …] (nothing allocated); false when the tag does not verify. */
  decryptTo(nonce: Uint8Array, aad: Uint8Array, ciphertextAndTag: Uint8Array, out: Uint8Array, at: number): boolean;
  /** `packet` = AAD (aadLen bytes) || ciphertext || tag: writes the AAD and the plaintext to out[at …] (CryptoProvider.aesGcmOpenTo). */
  openTo(nonce: Uint8Array, packet: Uint8Array, aadLen: number, out: Uint8Array, at: number): boolean;
}

/** One key's small-packet AES-GCM (16-byte tag, 12-byte nonce). */
export function smallGcm(aes: AesBlocks): SmallGcm {
  const m = ghashTable(aes(new Uint8Array(16)).slice(0, 16));
  const y = new Uint32Array(4);
  // Speculative batches: SSH increments the nonce's invocation counter by one per packet (RFC 5647
  // §7.1), so the counter blocks of the next BATCH packets are known before they arrive; one AES
  // call makes them all, assuming each needs at most `per` blocks (J0 + data). A nonce outside the
  // batch, or a longer packet, starts a new batch at that nonce.
  const BATCH = 128;
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
    // bytes 0..7 are the same in every block (bytes 4..7 of the invocation counter do not change
    // inside a batch): write them once and double them across the buffer
    ctr.set(nonce.subarray(0, 8));
    for (let n = 16; n < ctr.length; n *= 2) ctr.copyWithin(n, 0, Math.min(n, ctr.length - n));
    for (let k = 0, o = 0; k < count; k++) {
      const c = lo + k; // below 2^32
      for (let b = 0; b < per; b++, o += 16) {
        ctr[o + 8] = c >>> 24;
        ctr[o + 9] = c >>> 16;
        ctr[o + 10] = c >>> 8;
        ctr[o + 11] = c;
        ctr[o + 15] = b + 1; // J0 = nonce || 1, then inc32 (SP 800-38D §7.2); per < 256
      }
    }
    const r = aes(ctr);
    ks = new Uint8Array(r.buffer, r.byteOffset, r.length); // a plain Uint8Array (a Buffer would make the loops polymorphic)
  };
  /** AAD = src[aadAt, aadAt + aadLen), ciphertext || tag = src[ctAt, ctAt + ctLen); plaintext to out[outAt …]. */
  const core = (nonce: Uint8Array, aadSrc: Uint8Array, aadAt: number, aadLen: number, src: Uint8Array, ctAt: number, ctLen: number, out: Uint8Array, outAt: number): boolean => {
    if (ctLen < 16 || nonce.length !== 12) return false;
    const n = ctLen - 16;
    const blocks = Math.ceil(n / 16) + 1;
    if (blocks > 255) return false; // far above the sizes this path is for
    let k = batchIndex(nonce, blocks);
    if (k < 0) {
      newBatch(nonce, blocks);
      k = 0;
    }
    const at = k * per * 16; // E(J0) at `at`, the keystream from at + 16
    if (aadLen > 0 && aadLen <= 4) {
      // SSH's AAD is packet_length alone: the first block is one word and zeros, so y = w · H
      // takes the four lookups of byte positions 0..3 only
      const w = word(aadSrc, aadAt, aadAt + aadLen);
      const k0 = (w >>> 22) & 0x3fc;
      const k1 = 1024 | ((w >>> 14) & 0x3fc);
      const k2 = 2048 | ((w >>> 6) & 0x3fc);
      const k3 = 3072 | ((w << 2) & 0x3fc);
      for (let i = 0; i < 4; i++) y[i] = m[k0 + i]! ^ m[k1 + i]! ^ m[k2 + i]! ^ m[k3 + i]!;
    } else {
      y.fill(0);
      ghash(m, y, aadSrc, aadAt, aadAt + aadLen);
    }
    const end = ctAt + n;
    ghash(m, y, src, ctAt, end);
    // the lengths block: 64-bit bit counts of the AAD and the ciphertext (both below 2^32 here)
    ghashWords(m, y, 0, aadLen * 8, 0, n * 8);
    // tag = E(J0) XOR S, compared without an early exit
    let diff = 0;
    for (let i = 0; i < 4; i++) {
      const e = ((ks[at + 4 * i]! << 24) | (ks[at + 4 * i + 1]! << 16) | (ks[at + 4 * i + 2]! << 8) | ks[at + 4 * i + 3]!) ^ y[i]!;
      const t = (src[end + 4 * i]! << 24) | (src[end + 4 * i + 1]! << 16) | (src[end + 4 * i + 2]! << 8) | src[end + 4 * i + 3]!;
      diff |= e ^ t;
    }
    if (diff !== 0) return false;
    const ko = at + 16 - ctAt;
    const oo = outAt - ctAt;
    for (let i = ctAt; i < end; i++) out[oo + i] = src[i]! ^ ks[ko + i]!;
    return true;
  };
  return {
    decryptTo: (nonce, aad, ct, out, at) => core(nonce, aad, 0, aad.length, ct, 0, ct.length, out, at),
    decrypt(nonce, aad, ct) {
      const out = new Uint8Array(Math.max(0, ct.length - 16));
      return core(nonce, aad, 0, aad.length, ct, 0, ct.length, out, 0) ? out : null;
    },
    openTo(nonce, packet, aadLen, out, at) {
      if (!core(nonce, packet, 0, aadLen, packet, aadLen, packet.length - aadLen, out, at + aadLen)) return false;
      for (let i = 0; i < aadLen; i++) out[at + i] = packet[i]!;
      return true;
    },
  };
}
