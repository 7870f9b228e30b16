// A small streaming zlib/DEFLATE compressor for SSH compression (RFC 1950 header, RFC 1951 blocks).
//
// One zlib stream per direction over the whole connection (RFC 4253 §6.2). Each packet's payload
// becomes one fixed-Huffman block (RFC 1951 §3.2.6) whose matches may reach back into earlier
// packets (the 32 KiB window carries over), followed by a sync flush: an empty stored block
// (RFC 1951 §3.2.4; 00 00 ff ff after the 3 header bits), which ends the packet on a byte boundary
// so the receiver can inflate everything we sent. Fixed codes are simpler than zlib's dynamic ones
// and compress a little less; any inflater (OpenSSH's zlib included) reads them.

import { DIST_BASE, DIST_EXTRA, LEN_BASE, LEN_EXTRA } from './inflate.ts';

const WINDOW = 32768;
const MIN_MATCH = 3;
const MAX_MATCH = 258;
const HASH_BITS = 15;
const MAX_CHAIN = 64;

export interface Compressor {
  /** Compresses one packet payload, ending with a sync flush. */
  compress(payload: Uint8Array): Uint8Array;
  readonly stats: { in: number; out: number };
}

class BitWriter {
  private buf = new Uint8Array(1024);
  private len = 0;
  private acc = 0;
  private n = 0;

  /** `count` bits of `value`, least significant first (RFC 1951 §3.1.1). */
  bits(value: number, count: number): void {
    this.acc |= value << this.n;
    this.n += count;
    while (this.n >= 8) {
      this.byte(this.acc & 0xff);
      this.acc >>>= 8;
      this.n -= 8;
    }
  }

  /** A Huffman code, most significant bit first (RFC 1951 §3.1.1). */
  code(code: number, length: number): void {
    let rev = 0;
    for (let i = 0; i < length; i++) rev |= ((code >>> i) & 1) << (length - 1 - i);
    this.bits(rev, length);
  }

  align(): void {
    if (this.n > 0) this.bits(0, 8 - this.n);
  }

  byte(b: number): void {
    if (this.len === this.buf.length) {
      const bigger = new Uint8Array(this.buf.length * 2);
      bigger.set(this.buf);
      this.buf = bigger;
    }
    this.buf[this.len++] = b;
  }

  take(): Uint8Array {
    const out = this.buf.slice(0, this.len);
    this.len = 0;
    return out;
  }
}

/** RFC 1951 §3.2.6 fixed literal/length code of `sym`. */
function fixedLit(w: BitWriter, sym: number): void {
  if (sym < 144) w.code(0x30 + sym, 8);
  else if (sym < 256) w.code(0x190 + sym - 144, 9);
  else if (sym < 280) w.code(sym - 256, 7);
  else w.code(0xc0 + sym - 280, 8);
}

function lengthCode(len: number): number {
  let i = LEN_BASE.length - 1;
  while (LEN_BASE[i]! > len) i--;
  return i;
}

function distCode(d: number): number {
  let i = DIST_BASE.length - 1;
  while (DIST_BASE[i]! > d) i--;
  return i;
}

/** A compressor for one direction of a connection; the first call also writes the zlib header. */
export function createCompressor(): Compressor {
  let history = new Uint8Array(0);
  let started = false;
  const w = new BitWriter();
  const stats = { in: 0, out: 0 };

  return {
    stats,
    compress(payload) {
      stats.in += payload.length;
      if (!started) {
        // RFC 1950 §2.2: CM 8 (deflate), CINFO 7 (32 KiB window), FLEVEL 2, FCHECK so that % 31 == 0.
        w.byte(0x78);
        w.byte(0x9c);
        started = true;
      }
      const buf = new Uint8Array(history.length + payload.length);
      buf.set(history);
      buf.set(payload, history.length);
      const head = new Int32Array(1 << HASH_BITS).fill(-1);
      const prev = new Int32Array(buf.length);
      const hashAt = (i: number) => (((buf[i]! << 16) | (buf[i + 1]! << 8) | buf[i + 2]!) * 2654435761) >>> (32 - HASH_BITS);
      const insert = (i: number) => {
        if (i + MIN_MATCH > buf.length) return;
        const h = hashAt(i);
        prev[i] = head[h]!;
        head[h] = i;
      };
      for (let i = 0; i < history.length; i++) insert(i);

      // block header: BFINAL 0, BTYPE 01 (fixed Huffman), RFC 1951 §3.2.3
      w.bits(0, 1);
      w.bits(1, 2);
      let i = history.length;
      while (i < buf.length) {
        let bestLen = 0;
        let bestDist = 0;
        if (i + MIN_MATCH <= buf.length) {
          let cand = head[hashAt(i)]!;
          const max = Math.min(MAX_MATCH, buf.length - i);
          for (let chain = 0; cand >= 0 && i - cand <= WINDOW && chain < MAX_CHAIN; chain++) {
            let l = 0;
            while (l < max && buf[cand + l] === buf[i + l]) l++;
            if (l > bestLen) {
              bestLen = l;
              bestDist = i - cand;
              if (l === max) break;
            }
            cand = prev[cand]!;
          }
        }
        if (bestLen >= MIN_MATCH) {
          const li = lengthCode(bestLen);
          fixedLit(w, 257 + li);
          w.bits(bestLen - LEN_BASE[li]!, LEN_EXTRA[li]!);
          const di = distCode(bestDist);
          w.code(di, 5);
          w.bits(bestDist - DIST_BASE[di]!, DIST_EXTRA[di]!);
          for (let k = 0; k < bestLen; k++) insert(i + k);
          i += bestLen;
        } else {
          fixedLit(w, buf[i]!);
          insert(i);
          i++;
        }
      }
      fixedLit(w, 256); // end of block
      // sync flush: empty stored block, byte aligned: 000, pad, LEN 0000, NLEN ffff
      w.bits(0, 3);
      w.align();
      w.byte(0x00);
      w.byte(0x00);
      w.byte(0xff);
      w.byte(0xff);
      history = buf.length > WINDOW ? buf.slice(buf.length - WINDOW) : buf;
      const out = w.take();
      stats.out += out.length;
      return out;
    },
  };
}
