// The parts of Blowfish that bcrypt and bcrypt_pbkdf need (OpenBSD blf.c): the state, the
// enciphering of one 64-bit block, and the "expensive key schedule" steps Blowfish_expandstate
// and Blowfish_expand0state of Provos & Mazières, "A Future-Adaptable Password Scheme" (1999).

import { piWords } from './blowfish-pi.ts';

export interface BlowfishState {
  /** 18 subkeys. */
  P: Uint32Array;
  /** Four S-boxes of 256 words, one after the other. */
  S: Uint32Array;
}

/** Blowfish_initstate: P and S from the digits of π. */
export function blowfishInitState(): BlowfishState {
  const w = piWords();
  return { P: w.slice(0, 18), S: w.slice(18) };
}

/**
 * Enciphers the block (lr[off], lr[off+1]) in place (Blowfish_encipher, 16 rounds).
 * F(x) = ((S0[a] + S1[b]) ^ S2[c]) + S3[d] with a..d the bytes of x, most significant first.
 */
export function blowfishEncipher(st: BlowfishState, lr: Uint32Array, off: number): void {
  const P = st.P;
  const S = st.S;
  let l = lr[off]!;
  let r = lr[off + 1]!;
  l ^= P[0]!;
  for (let i = 1; i <= 16; i += 2) {
    r ^= ((((S[l >>> 24]! + S[256 | ((l >>> 16) & 0xff)]!) ^ S[512 | ((l >>> 8) & 0xff)]!) + S[768 | (l & 0xff)]!) ^ P[i]!);
    l ^= ((((S[r >>> 24]! + S[256 | ((r >>> 16) & 0xff)]!) ^ S[512 | ((r >>> 8) & 0xff)]!) + S[768 | (r & 0xff)]!) ^ P[i + 1]!);
  }
  lr[off] = (r ^ P[17]!) >>> 0;
  lr[off + 1] = l >>> 0;
}

/** Blowfish_stream2word: the next 4 bytes (big-endian), cycling over `data`. */
export function stream2word(data: Uint8Array, pos: { j: number }): number {
  let temp = 0;
  for (let i = 0; i < 4; i++) {
    if (pos.j >= data.length) pos.j = 0;
    temp = (temp << 8) | data[pos.j++]!;
  }
  return temp >>> 0;
}

function fill(st: BlowfishState, data: Uint8Array | null): void {
  const lr = new Uint32Array(2);
  const pos = { j: 0 };
  const step = (arr: Uint32Array, i: number) => {
    if (data) {
      lr[0] = lr[0]! ^ stream2word(data, pos);
      lr[1] = lr[1]! ^ stream2word(data, pos);
    }
    blowfishEncipher(st, lr, 0);
    arr[i] = lr[0]!;
    arr[i + 1] = lr[1]!;
  };
  for (let i = 0; i < 18; i += 2) step(st.P, i);
  for (let i = 0; i < 1024; i += 2) step(st.S, i);
}

function xorKeyIntoP(st: BlowfishState, key: Uint8Array): void {
  const pos = { j: 0 };
  for (let i = 0; i < 18; i++) st.P[i] = st.P[i]! ^ stream2word(key, pos);
}

/** Blowfish_expandstate(c, data, key): the salted key schedule step. */
export function blowfishExpandState(st: BlowfishState, data: Uint8Array, key: Uint8Array): void {
  xorKeyIntoP(st, key);
  fill(st, data);
}

/** Blowfish_expand0state(c, key): the unsalted key schedule step. */
export function blowfishExpand0State(st: BlowfishState, key: Uint8Array): void {
  xorKeyIntoP(st, key);
  fill(st, null);
}
