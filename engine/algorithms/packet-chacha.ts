// chacha20-poly1305@openssh.com, OpenSSH PROTOCOL.chacha20poly1305:
// the 64-byte key is K_2 (first 32 bytes, payload) || K_1 (last 32 bytes, packet length).
// nonce = packet sequence number as uint64 big-endian. The length is encrypted with K_1 at block
// counter 0; the Poly1305 key is the first 32 bytes of K_2's keystream block 0; the packet body is
// encrypted with K_2 from block counter 1; tag = Poly1305(encrypted length || encrypted body).
// Original 8-byte-nonce ChaCha20 (chacha20orig), not RFC 8439's 12-byte variant.

import { chacha20orig } from '@noble/ciphers/chacha.js';
import { poly1305 } from '@noble/ciphers/_poly1305.js';
import type { CipherSpec, CryptoProvider, DirectionKeys, PacketOpener, PacketSealer } from './types.ts';
import { IntegrityError } from './types.ts';
import { readUint32 } from './packet-none.ts';
import { constantTimeEqual, uint64be } from './bytes.ts';
import { chachaBlockBytes, chachaKeyWords, chachaXorBlock0, chachaXorFrom } from './packet-chacha-block.ts';
import { splitLength } from './packet-gcm.ts';
import { poly1305Limbs } from './poly1305-limbs.ts';

/**
 * Below these sizes the pure-JS ChaCha20 / Poly1305 beat a provider's native calls, whose fixed cost
 * (a cipher object per call, and for the tag one or two AEAD passes) dominates small packets such
 * as window adjusts and keystrokes (node:crypto, measured: a 36-byte tag 2.8 µs in JS vs 23 µs).
 */
const SMALL_BODY = 512;
const SMALL_TAG = 2048;
/** Up to three Poly1305 chunks (a window adjust's tag covers 20 bytes): the limb arithmetic, not noble's per-call setup. */
const TINY_TAG = 48;

// Classes rather than closures: a new connection's sealer and opener share the prototype methods,
// so the JIT's optimized code for them carries over from one connection to the next (closures made
// per connection were compiled again for each of the first few connections).

/** One direction's keys and the per-packet ChaCha20 / Poly1305 steps. */
class ChachaKeys {
  readonly k2: Uint8Array;
  readonly k1: Uint8Array;
  readonly nonce = new Uint8Array(8);
  private readonly k1Words: Uint32Array;
  private readonly k2Words: Uint32Array;

  constructor(
    c: CipherSpec,
    keys: DirectionKeys,
    private readonly provider?: CryptoProvider,
  ) {
    if (keys.key.length < 64) throw new Error(`${c.name} needs a 64-byte key`);
    this.k2 = keys.key.slice(0, 32);
    this.k1 = keys.key.slice(32, 64);
    this.k1Words = chachaKeyWords(this.k1);
    this.k2Words = chachaKeyWords(this.k2);
  }

  setSeq(seq: number): void {
    uint64be(seq, this.nonce);
  }

  /** packet_length: 4 bytes of K_1's block 0, computed here (cheaper than a native cipher object per packet). */
  lengthXor(data: Uint8Array, out?: Uint8Array): Uint8Array {
    return chachaXorBlock0(this.k1Words, this.nonce, data, out ?? new Uint8Array(data.length));
  }

  /** The packet body: K_2 from block 1. */
  bodyXor(data: Uint8Array, out?: Uint8Array): Uint8Array {
    const p = this.provider;
    if (p?.chacha20 && data.length > SMALL_BODY) {
      const r = p.chacha20(this.k2, this.nonce, 1, data);
      if (out) {
        out.set(r);
        return out;
      }
      return r;
    }
    // a few blocks (a window adjust's body is 16 bytes): the JS block, without noble's per-call setup
    if (data.length <= SMALL_BODY) return chachaXorFrom(this.k2Words, 1, this.nonce, data, out ?? new Uint8Array(data.length));
    return chacha20orig(this.k2, this.nonce, data, out, 1);
  }

  tag(data: Uint8Array): Uint8Array {
    const p = this.provider;
    if (p?.chachaPolyTag && data.length > SMALL_TAG) return p.chachaPolyTag(this.k2, this.nonce, data);
    const polyKey = chachaBlockBytes(this.k2Words, 0, this.nonce).subarray(0, 32);
    if (data.length <= TINY_TAG) return poly1305Limbs(polyKey, data);
    return p?.poly1305 && data.length > SMALL_TAG ? p.poly1305(polyKey, data) : poly1305(data, polyKey);
  }
}

/** What a sealer and an opener share: the cipher's name and sizes, and one direction's keys. */
class ChachaDirection {
  readonly cipher: string;
  readonly mac = null;
  readonly blockLen: number;
  readonly macLen: number;
  protected readonly e: ChachaKeys;

  constructor(c: CipherSpec, keys: DirectionKeys, provider?: CryptoProvider) {
    this.cipher = c.name;
    this.blockLen = Math.max(8, c.blockLen);
    this.macLen = c.tagLen;
    this.e = new ChachaKeys(c, keys, provider);
  }
}

class ChachaSealer extends ChachaDirection implements PacketSealer {
  readonly lengthExcludedFromPadding = true;

  seal(seq: number, packet: Uint8Array): Uint8Array {
    const e = this.e;
    e.setSeq(seq);
    const n = packet.length;
    const out = new Uint8Array(n + this.macLen);
    e.lengthXor(packet.subarray(0, 4), out.subarray(0, 4));
    e.bodyXor(packet.subarray(4), out.subarray(4, n));
    out.set(e.tag(out.subarray(0, n)), n);
    return out;
  }
}

/** With a provider's chachaPolySealPieces: the bulk fast path (PacketSealer.sealPieces). */
class ChachaPiecesSealer extends ChachaSealer {
  constructor(
    c: CipherSpec,
    keys: DirectionKeys,
    private readonly provider: CryptoProvider & Required<Pick<CryptoProvider, 'chachaPolySealPieces'>>,
  ) {
    super(c, keys, provider);
  }

  sealPieces(seq: number, pieces: readonly Uint8Array[]): Uint8Array[] {
    const e = this.e;
    e.setSeq(seq);
    const { aad: length, body } = splitLength(pieces);
    const head = e.lengthXor(length, length);
    const r = this.provider.chachaPolySealPieces(e.k2, e.nonce, head, body);
    return [head, ...r.pieces, r.tag];
  }
}

export function createChachaSealer(c: CipherSpec, keys: DirectionKeys, provider?: CryptoProvider): PacketSealer {
  if (provider?.chachaPolySealPieces) return new ChachaPiecesSealer(c, keys, provider as CryptoProvider & Required<Pick<CryptoProvider, 'chachaPolySealPieces'>>);
  return new ChachaSealer(c, keys, provider);
}

class ChachaOpener extends ChachaDirection implements PacketOpener {
  readonly headLen = 4;
  private lastSeq = -1;
  private readonly lastHead = new Uint8Array(4);
  private readonly lastLen = new Uint8Array(4);

  readLength(seq: number, head: Uint8Array): number {
    this.e.setSeq(seq);
    this.lastSeq = seq;
    this.lastHead.set(head.subarray(0, 4));
    this.e.lengthXor(this.lastHead, this.lastLen);
    return readUint32(this.lastLen);
  }

  open(seq: number, wire: Uint8Array): Uint8Array {
    const e = this.e;
    e.setSeq(seq);
    const n = wire.length - this.macLen;
    if (!constantTimeEqual(e.tag(wire.subarray(0, n)), wire.subarray(n))) {
      throw new IntegrityError(`${this.cipher}: Poly1305 tag mismatch on packet ${seq}`);
    }
    const plain = new Uint8Array(n);
    // reuse the length readLength decrypted for this packet
    if (seq === this.lastSeq && constantTimeEqual(this.lastHead, wire.subarray(0, 4))) plain.set(this.lastLen);
    else e.lengthXor(wire.subarray(0, 4), plain.subarray(0, 4));
    this.lastSeq = -1;
    e.bodyXor(wire.subarray(4, n), plain.subarray(4));
    return plain;
  }
}

export function createChachaOpener(c: CipherSpec, keys: DirectionKeys, provider?: CryptoProvider): PacketOpener {
  return new ChachaOpener(c, keys, provider);
}
