// One block of the original ChaCha20 (D. J. Bernstein, "ChaCha, a variant of Salsa20", 2008; the
// 64-bit counter / 64-bit nonce layout OpenSSH uses, PROTOCOL.chacha20poly1305), for the 4-byte
// packet_length of chacha20-poly1305@openssh.com: K_1's keystream block 0 under the sequence number.
// A native cipher object costs a few microseconds to create for these 4 bytes; this costs well under one.
// State words: 0-3 the constant "expand 32-byte k", 4-11 the key, 12-13 the block counter
// (little-endian, low word first), 14-15 the nonce (RFC 8439 §2.3 shows the same round function).

const SIGMA: readonly number[] = [0x61707865, 0x3320646e, 0x79622d32, 0x6b206574];

/** The 8 little-endian key words of a 32-byte key (into `w` when given). */
export function chachaKeyWords(key: Uint8Array, w: Uint32Array = new Uint32Array(8)): Uint32Array {
  if (key.length !== 32) throw new Error(`ChaCha20 needs a 32-byte key, got ${key.length}`);
  for (let i = 0; i < 8; i++) w[i] = (key[4 * i]! | (key[4 * i + 1]! << 8) | (key[4 * i + 2]! << 16) | (key[4 * i + 3]! << 24)) >>> 0;
  return w;
}

const rotl = (x: number, n: number): number => (x << n) | (x >>> (32 - n));

/**
 * Keystream block `counter` (below 2^32 here) of original ChaCha20 under key words `k` and the
 * 8-byte nonce given as two little-endian words; writes the 16 output words into `out`.
 */
export function chachaBlock(k: Uint32Array, counter: number, nonceLo: number, nonceHi: number, out: Uint32Array): void {
  const j0 = SIGMA[0]!, j1 = SIGMA[1]!, j2 = SIGMA[2]!, j3 = SIGMA[3]!;
  const j4 = k[0]!, j5 = k[1]!, j6 = k[2]!, j7 = k[3]!, j8 = k[4]!, j9 = k[5]!, j10 = k[6]!, j11 = k[7]!;
  const j12 = counter >>> 0, j13 = 0, j14 = nonceLo >>> 0, j15 = nonceHi >>> 0;
  let x0 = j0, x1 = j1, x2 = j2, x3 = j3, x4 = j4, x5 = j5, x6 = j6, x7 = j7;
  let x8 = j8, x9 = j9, x10 = j10, x11 = j11, x12 = j12, x13 = j13, x14 = j14, x15 = j15;
  for (let i = 0; i < 20; i += 2) {
    // column rounds
    x0 = (x0 + x4) | 0; x12 = rotl(x12 ^ x0, 16); x8 = (x8 + x12) | 0; x4 = rotl(x4 ^ x8, 12);
    x0 = (x0 + x4) | 0; x12 = rotl(x12 ^ x0, 8); x8 = (x8 + x12) | 0; x4 = rotl(x4 ^ x8, 7);
    x1 = (x1 + x5) | 0; x13 = rotl(x13 ^ x1, 16); x9 = (x9 + x13) | 0; x5 = rotl(x5 ^ x9, 12);
    x1 = (x1 + x5) | 0; x13 = rotl(x13 ^ x1, 8); x9 = (x9 + x13) | 0; x5 = rotl(x5 ^ x9, 7);
    x2 = (x2 + x6) | 0; x14 = rotl(x14 ^ x2, 16); x10 = (x10 + x14) | 0; x6 = rotl(x6 ^ x10, 12);
    x2 = (x2 + x6) | 0; x14 = rotl(x14 ^ x2, 8); x10 = (x10 + x14) | 0; x6 = rotl(x6 ^ x10, 7);
    x3 = (x3 + x7) | 0; x15 = rotl(x15 ^ x3, 16); x11 = (x11 + x15) | 0; x7 = rotl(x7 ^ x11, 12);
    x3 = (x3 + x7) | 0; x15 = rotl(x15 ^ x3, 8); x11 = (x11 + x15) | 0; x7 = rotl(x7 ^ x11, 7);
    // diagonal rounds
    x0 = (x0 + x5) | 0; x15 = rotl(x15 ^ x0, 16); x10 = (x10 + x15) | 0; x5 = rotl(x5 ^ x10, 12);
    x0 = (x0 + x5) | 0; x15 = rotl(x15 ^ x0, 8); x10 = (x10 + x15) | 0; x5 = rotl(x5 ^ x10, 7);
    x1 = (x1 + x6) | 0; x12 = rotl(x12 ^ x1, 16); x11 = (x11 + x12) | 0; x6 = rotl(x6 ^ x11, 12);
    x1 = (x1 + x6) | 0; x12 = rotl(x12 ^ x1, 8); x11 = (x11 + x12) | 0; x6 = rotl(x6 ^ x11, 7);
    x2 = (x2 + x7) | 0; x13 = rotl(x13 ^ x2, 16); x8 = (x8 + x13) | 0; x7 = rotl(x7 ^ x8, 12);
    x2 = (x2 + x7) | 0; x13 = rotl(x13 ^ x2, 8); x8 = (x8 + x13) | 0; x7 = rotl(x7 ^ x8, 7);
    x3 = (x3 + x4) | 0; x14 = rotl(x14 ^ x3, 16); x9 = (x9 + x14) | 0; x4 = rotl(x4 ^ x9, 12);
    x3 = (x3 + x4) | 0; x14 = rotl(x14 ^ x3, 8); x9 = (x9 + x14) | 0; x4 = rotl(x4 ^ x9, 7);
  }
  out[0] = x0 + j0; out[1] = x1 + j1; out[2] = x2 + j2; out[3] = x3 + j3;
  out[4] = x4 + j4; out[5] = x5 + j5; out[6] = x6 + j6; out[7] = x7 + j7;
  out[8] = x8 + j8; out[9] = x9 + j9; out[10] = x10 + j10; out[11] = x11 + j11;
  out[12] = x12 + j12; out[13] = x13 + j13; out[14] = x14 + j14; out[15] = x15 + j15;
}

/** Keystream block `counter` as 64 bytes (the words little-endian), under an 8-byte nonce. */
export function chachaBlockBytes(k: Uint32Array, counter: number, nonce8: Uint8Array): Uint8Array {
  return chachaBlockInto(k, counter, nonce8, new Uint8Array(64));
}

const WORDS = new Uint32Array(16);

/** The first `out.length` (at most 64) bytes of keystream block `counter`, into `out`. */
export function chachaBlockInto(k: Uint32Array, counter: number, nonce8: Uint8Array, out: Uint8Array): Uint8Array {
  const lo = nonce8[0]! | (nonce8[1]! << 8) | (nonce8[2]! << 16) | (nonce8[3]! << 24);
  const hi = nonce8[4]! | (nonce8[5]! << 8) | (nonce8[6]! << 16) | (nonce8[7]! << 24);
  chachaBlock(k, counter, lo, hi, WORDS);
  for (let i = 0; i < out.length; i++) out[i] = (WORDS[i >> 2]! >>> (8 * (i & 3))) & 0xff;
  return out;
}

/**
 * XORs `data` (at most 64 bytes) with keystream block 0 of original ChaCha20 under key words `k`
 * and the 8-byte `nonce8`, into `out` (may be `data`).
 */
export function chachaXorBlock0(k: Uint32Array, nonce8: Uint8Array, data: Uint8Array, out: Uint8Array): Uint8Array {
  if (data.length > 64) throw new Error('chachaXorBlock0: at most one block');
  const lo = nonce8[0]! | (nonce8[1]! << 8) | (nonce8[2]! << 16) | (nonce8[3]! << 24);
  const hi = nonce8[4]! | (nonce8[5]! << 8) | (nonce8[6]! << 16) | (nonce8[7]! << 24);
  const ks = new Uint32Array(16);
  chachaBlock(k, 0, lo, hi, ks);
  for (let i = 0; i < data.length; i++) out[i] = data[i]! ^ ((ks[i >> 2]! >>> (8 * (i & 3))) & 0xff);
  return out;
}

const KS = new Uint32Array(16);

/**
 * XORs `data` (any length) with the keystream of original ChaCha20 under key words `k` and the
 * 8-byte `nonce8` from block `counter` on, into `out` (may be `data`): the body of a small
 * chacha20-poly1305@openssh.com packet (counter 1), where a native cipher object or a general
 * library call costs more than the few blocks themselves.
 */
export function chachaXorFrom(k: Uint32Array, counter: number, nonce8: Uint8Array, data: Uint8Array, out: Uint8Array): Uint8Array {
  const lo = nonce8[0]! | (nonce8[1]! << 8) | (nonce8[2]! << 16) | (nonce8[3]! << 24);
  const hi = nonce8[4]! | (nonce8[5]! << 8) | (nonce8[6]! << 16) | (nonce8[7]! << 24);
  for (let o = 0; o < data.length; o += 64) {
    chachaBlock(k, counter + o / 64, lo, hi, KS);
    const end = Math.min(data.length, o + 64);
    for (let i = o; i < end; i++) out[i] = data[i]! ^ ((KS[(i - o) >> 2]! >>> (8 * (i & 3))) & 0xff);
  }
  return out;
}
