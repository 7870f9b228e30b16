// Finding the next SSH packet boundary after a hole in a capture (bytes lost between two TCP
// segments). Before NEWKEYS a boundary is a plausible binary packet header (RFC 4253 §6: packet
// length, padding length 4 … 255, total a multiple of 8, a known message number) followed by another
// one. After NEWKEYS with keys, only a boundary where a whole packet decrypts and its MAC or tag
// verifies counts: the lost packets' count j is unknown, so each candidate (offset, j) gets an opener
// positioned for it — chacha20-poly1305 (PROTOCOL.chacha20poly1305) depends only on the sequence
// number; AES-GCM's nonce on the number of packets since NEWKEYS (RFC 5647 §7.1); AES-CTR's counter
// on the keystream bytes used since NEWKEYS (RFC 4344 §4), which j and the bytes lost determine.
// The work is bounded by a budget of attempts, weighted by cost: a candidate refused by its length
// is a 32nd, a fresh opener 3, and every 64 bytes decrypted and authenticated one more, so a unit
// is a few microseconds whatever the cipher.

import { CIPHERS, MACS, createOpener, type CryptoProvider, type DirectionKeys, type PacketOpener } from '../algorithms/index.ts';
import { addToCounter } from '../algorithms/aes-ctr-stream.ts';
import { unsafe as aesBlock } from '@noble/ciphers/aes.js';
import { MAX_PACKET_LENGTH } from '../core/binary-packet.ts';

export interface KeyedDirection {
  cipher: string;
  mac: string | null;
  keys: DirectionKeys;
  provider?: CryptoProvider;
}

export type CipherMode = 'gcm' | 'chacha' | 'ctr' | 'none';

export function cipherMode(cipher: string): CipherMode {
  let m = MODES.get(cipher);
  if (m === undefined) {
    m = cipher.includes('gcm') ? 'gcm' : cipher.startsWith('chacha20') ? 'chacha' : cipher.includes('ctr') ? 'ctr' : 'none';
    if (MODES.size < 256) MODES.set(cipher, m);
  }
  return m;
}
/** cipherMode's answers (it runs once per packet). */
const MODES = new Map<string, CipherMode>();

/** encrypt-then-mac applies to AES-CTR only: the AEAD ciphers ignore the negotiated MAC (RFC 5647 §5.1). */
function etm(k: KeyedDirection): boolean {
  return cipherMode(k.cipher) === 'ctr' && !!(k.mac && MACS[k.mac]?.etm);
}

/** Keystream bytes a packet of `packetLength` uses (AES-CTR: the whole packet, or without the length with -etm). */
export function keystreamBytes(k: KeyedDirection, packetLength: number): number {
  if (cipherMode(k.cipher) !== 'ctr') return 0;
  return etm(k) ? packetLength : 4 + packetLength;
}

/** Wire bytes per packet that are not keystream (MAC, and the clear length with -etm). */
function overhead(k: KeyedDirection): number {
  const m = k.mac ? (MACS[k.mac]?.macLen ?? 0) : 0;
  return etm(k) ? 4 + m : m;
}

/** An opener for the packet that follows `index` packets and `keystream` CTR bytes since NEWKEYS. */
export function openerAt(k: KeyedDirection, index: number, keystream: number): PacketOpener {
  const mode = cipherMode(k.cipher);
  let iv = k.keys.iv;
  if (mode === 'gcm' && index > 0) {
    // bytes 4..12 of the nonce: a 64-bit big-endian invocation counter (RFC 5647 §7.1)
    iv = iv.slice();
    let carry = BigInt(index);
    for (let i = 11; i >= 4 && carry > 0n; i--) {
      const v = BigInt(iv[i]!) + (carry & 0xffn);
      iv[i] = Number(v & 0xffn);
      carry = (carry >> 8n) + (v >> 8n);
    }
  } else if (mode === 'ctr' && keystream > 0) {
    iv = iv.slice();
    addToCounter(iv, keystream / 16);
  }
  return createOpener(k.cipher, k.mac, { ...k.keys, iv }, k.provider);
}

/** Whether `len` can be a packet_length with this cipher (padding rules of RFC 4253 §6, RFC 5647 §7.3, PROTOCOL §1.5). */
function lengthFits(k: KeyedDirection, len: number): boolean {
  if (len < 5 || len > MAX_PACKET_LENGTH) return false;
  const c = CIPHERS[k.cipher];
  const block = Math.max(8, c?.blockLen ?? 8);
  const mode = cipherMode(k.cipher);
  // AEAD modes and -etm leave packet_length out of the padded part (OpenSSH packet.c: aadlen)
  return (mode === 'gcm' || mode === 'chacha' || etm(k) ? len : 4 + len) % block === 0;
}

const u32 = (d: Uint8Array, o: number) => ((d[o]! << 24) | (d[o + 1]! << 16) | (d[o + 2]! << 8) | d[o + 3]!) >>> 0;

/** A plausible unencrypted binary packet header at `o` (the packet must end by `limit`). */
function plainHeaderAt(d: Uint8Array, o: number, limit: number, knownMessage: (id: number) => boolean): boolean {
  if (o + 6 > limit) return false;
  const len = u32(d, o);
  if (len < 12 || len > MAX_PACKET_LENGTH || (4 + len) % 8 !== 0) return false;
  const pad = d[o + 4]!;
  if (pad < 4 || pad > len - 2) return false;
  if (!knownMessage(d[o + 5]!)) return false;
  return o + 4 + len <= limit;
}

/**
 * The first offset in [from, limit) where an unencrypted packet starts and the next one (if the
 * data goes on) starts plausibly too; -1 when there is none.
 */
export function findPlainBoundary(d: Uint8Array, from: number, limit: number, knownMessage: (id: number) => boolean, maxScan = MAX_PACKET_LENGTH + 8): number {
  const last = Math.min(limit, from + maxScan);
  for (let o = from; o < last; o++) {
    if (!plainHeaderAt(d, o, limit, knownMessage)) continue;
    const next = o + 4 + u32(d, o);
    if (next === limit || next + 6 > limit || plainHeaderAt(d, next, limit, knownMessage)) return o;
  }
  return -1;
}

export interface KeyedSearch {
  data: Uint8Array;
  /** Where the damaged region starts: the end of the last packet read. */
  from: number;
  /** Where the bytes after the hole start (≥ from). */
  gapAt: number;
  /** Bytes missing at gapAt. */
  lost: number;
  /** The end of the contiguous data after the hole. */
  limit: number;
  /** Offsets where TCP segments start (packet boundaries are often there): tried first. */
  segmentStarts: number[];
  /** The sequence number of the packet that starts at `from` (a range when it is uncertain). */
  seqLo: number;
  seqHi: number;
  /** Packets and CTR keystream bytes since NEWKEYS before `from`. */
  index: number;
  keystream: number;
  /** Only this offset with j = 0 (the sequence number alone is uncertain). */
  only?: number;
}

export interface KeyedHit {
  offset: number;
  /** Packets lost in the hole. */
  skipped: number;
  seq: number;
  index: number;
  keystream: number;
}

/**
 * Budgets in attempts (see the top of this file): the real holes of the interop and gaps tests use
 * under 1 000 per gap; a damaged capture the fuzzer made used 136 000 (0.9 s) under the old 200 000.
 */
export const GAP_SEARCH_BUDGET = 30_000;
export const DIRECTION_SEARCH_BUDGET = 60_000;

/** Searches for a packet that decrypts and authenticates; null when none within the budget. */
export function findKeyedBoundary(k: KeyedDirection, s: KeyedSearch, budget = GAP_SEARCH_BUDGET): { hit: KeyedHit | null; exhausted: boolean; used: number } {
  const mode = cipherMode(k.cipher);
  const over = overhead(k);
  const d = s.data;
  const stateless = mode === 'chacha' ? openerAt(k, 0, 0) : null;
  const clearLength = mode === 'gcm' || etm(k);
  let left = budget;
  // chacha20-poly1305: the length is XORed with K_1's keystream for the sequence number alone, so a
  // candidate whose decrypted length cannot be a packet is rejected for a 32nd of an attempt
  const lengthKeystream = new Map<number, number>();
  const ZERO4 = new Uint8Array(4);
  const chachaLengthFits = (o: number, seqLo: number, seqHi: number): boolean => {
    if (o + 4 > s.limit) return false;
    const v = u32(d, o);
    for (let seq = seqLo; seq <= seqHi; seq++) {
      let ks = lengthKeystream.get(seq >>> 0);
      if (ks === undefined) {
        ks = stateless!.readLength(seq >>> 0, ZERO4);
        lengthKeystream.set(seq >>> 0, ks);
      }
      if (lengthFits(k, (v ^ ks) >>> 0)) return true;
    }
    return false;
  };
  // AES-CTR without -etm: the length is the first 4 bytes of the first keystream block, one AES
  // block under a key expanded once (RFC 4344 §4: counter = IV + blocks used), so a candidate whose
  // decrypted length cannot be a packet is refused without an opener
  const ctrKey = mode === 'ctr' && !clearLength ? aesBlock.expandKeyLE(k.keys.key) : null;
  const counter = new Uint8Array(16);
  const ctrLengthFits = (o: number, keystream: number): boolean => {
    if (o + 4 > s.limit) return false;
    counter.set(k.keys.iv);
    addToCounter(counter, keystream / 16);
    const ks = aesBlock.encryptBlock(ctrKey!, counter);
    return lengthFits(k, (u32(d, o) ^ u32(ks, 0)) >>> 0);
  };
  const attempt = (o: number, j: number): KeyedHit | null => {
    const D = s.gapAt - s.from + s.lost + (o - s.gapAt);
    const keystream = s.keystream + (mode === 'ctr' ? D - j * over : 0);
    // cheap refusals cost a 32nd of an attempt: j packets need 16 bytes each, AES-CTR packets
    // start on a keystream block, and a chacha or AES-CTR length must decrypt to a packet length
    if ((j > 0 && D < j * 16) || keystream < 0 || keystream % 16 !== 0 || (stateless && !chachaLengthFits(o, s.seqLo + j, s.seqHi + j)) || (ctrKey && !ctrLengthFits(o, keystream))) {
      left -= 1 / 32;
      return null;
    }
    left--; // every candidate counts, so the work stays bounded
    const index = s.index + j;
    if (clearLength) {
      // the length is in clear: check it before paying for an opener
      if (o + 4 > s.limit || !lengthFits(k, u32(d, o))) return null;
    }
    for (let seq = s.seqLo + j; seq <= s.seqHi + j && left > 0; seq++) {
      // a fresh opener (AES key schedule, HMAC keys) costs about three cheap attempts
      left -= stateless ? 1 : 3;
      const op = stateless ?? openerAt(k, index, keystream);
      const headLen = op.headLen;
      if (o + headLen > s.limit) return null;
      let len: number;
      try {
        len = op.readLength(seq >>> 0, d.subarray(o, o + headLen));
      } catch {
        continue;
      }
      if (!lengthFits(k, len)) continue;
      const total = 4 + len + op.macLen;
      if (o + total > s.limit) continue;
      // decrypting and authenticating costs by the byte: one more attempt per 64 bytes, so the
      // budget bounds time (a damaged capture can offer thousands of plausible lengths in clear)
      left -= total / 64;
      try {
        op.open(seq >>> 0, d.slice(o, o + total));
        return { offset: o, skipped: j, seq: seq >>> 0, index, keystream };
      } catch {
        // not a boundary (or not this j)
      }
    }
    return null;
  };
  if (s.only !== undefined) {
    const hit = attempt(s.only, 0);
    return { hit, exhausted: left <= 0, used: budget - left };
  }
  const maxJ = (o: number) => Math.max(1, Math.min(4096, Math.floor((s.gapAt - s.from + s.lost + (o - s.gapAt)) / 16)));
  const done = (hit: KeyedHit | null) => ({ hit, exhausted: !hit && left <= 0, used: budget - left });
  // 1. segment starts, few lost packets (packets usually start a segment, holes are usually short)
  const FEW = 16;
  let first: KeyedHit | null = null;
  for (const o of s.segmentStarts) {
    if (o < s.gapAt || o >= s.limit) continue;
    for (let j = 1; j <= Math.min(FEW, maxJ(o)) && left > 0 && !first; j++) first = attempt(o, j);
    if (first) break;
  }
  // 2. every offset (before the segment start found, if any: a packet that starts inside a segment
  //    and survived whole must not be skipped), fewest lost packets first
  const last = first ? first.offset : Math.min(s.limit, s.gapAt + MAX_PACKET_LENGTH + 64);
  const jLimit = (o: number) => (first ? Math.min(first.skipped, maxJ(o)) : maxJ(o));
  if (clearLength) {
    // 2a. the length is in clear: offsets whose length fits and is followed by another that fits
    for (let o = s.gapAt; o < last && left > 0; o++) {
      if (o + 4 > s.limit || !lengthFits(k, u32(d, o))) continue;
      const next = o + 4 + u32(d, o) + (mode === 'gcm' ? (CIPHERS[k.cipher]?.tagLen ?? 16) : over - 4);
      if (next + 4 <= s.limit && !lengthFits(k, u32(d, next))) continue;
      for (let j = 1; j <= jLimit(o) && left > 0; j++) {
        const hit = attempt(o, j);
        if (hit) return done(hit);
      }
    }
    return done(first);
  }
  // 2b. every offset, fewest lost packets first (AES-CTR: only offsets on a keystream block)
  for (let j = 1; j <= jLimit(last) && left > 0; j++) {
    const step = mode === 'ctr' ? 16 : 1;
    const start = mode === 'ctr' ? s.gapAt + mod16(-(s.keystream + s.gapAt - s.from + s.lost - j * over)) : s.gapAt;
    for (let o = start; o < last && left > 0; o += step) {
      const hit = attempt(o, j);
      if (hit) return done(hit);
    }
  }
  return done(first);
}

/** x mod 16 in 0 … 15. */
function mod16(x: number): number {
  return ((x % 16) + 16) % 16;
}
