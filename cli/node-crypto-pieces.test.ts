// PacketSealer.sealPieces with the node:crypto provider (the bulk fast path: pieces in, wire parts
// out, nothing joined) against the noble sealer's seal() of the joined packet, which other tests tie
// to OpenSSH (PROTOCOL.chacha20poly1305, RFC 5647 §7). Any split of the packet into pieces must
// give the same wire bytes, and the noble opener must accept them.

import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { nodeCryptoProvider as P, chachaPolySealPieces } from './node-crypto.ts';
import { createOpener, createSealer } from '../engine/algorithms/ciphers.ts';
import { channelDataPieces } from '../engine/core/binary-packet.ts';
import type { DirectionKeys } from '../engine/algorithms/types.ts';
import { chacha20orig } from '@noble/ciphers/chacha.js';
import { poly1305 } from '@noble/ciphers/_poly1305.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const join = (parts: readonly Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};

/** The packet cut at the given offsets (sorted, deduplicated; the first piece keeps ≥ 4 bytes). */
function cut(packet: Uint8Array, cuts: number[]): Uint8Array[] {
  const at = [...new Set(cuts.map((c) => 4 + (c % Math.max(1, packet.length - 4))))].sort((a, b) => a - b);
  const pieces: Uint8Array[] = [];
  let o = 0;
  for (const c of at) {
    pieces.push(packet.subarray(o, c));
    o = c;
  }
  pieces.push(packet.subarray(o));
  return pieces;
}

function plainPacket(payload: Uint8Array, pad: Uint8Array): Uint8Array {
  const p = new Uint8Array(5 + payload.length + pad.length);
  new DataView(p.buffer).setUint32(0, 1 + payload.length + pad.length);
  p[4] = pad.length;
  p.set(payload, 5);
  p.set(pad, 5 + payload.length);
  return p;
}

const CIPHERS = ['chacha20-poly1305@openssh.com', 'aes128-gcm@openssh.com', 'aes256-gcm@openssh.com'] as const;

describe.each(CIPHERS)('%s: sealPieces (node:crypto) equals the noble seal of the joined packet', (cipher) => {
  const keysOf = (key: Uint8Array, iv: Uint8Array): DirectionKeys => ({ key, iv, macKey: new Uint8Array(0) });

  it('for random payloads, paddings, sequence numbers and splits, over several packets in a row', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 64, maxLength: 64 }),
        fc.uint8Array({ minLength: 12, maxLength: 12 }),
        fc.array(fc.tuple(fc.uint8Array({ maxLength: 3000 }), fc.uint8Array({ minLength: 4, maxLength: 19 }), fc.array(fc.nat(), { maxLength: 5 })), { minLength: 1, maxLength: 4 }),
        fc.nat(),
        (key, iv, packets, seq0) => {
          const node = createSealer(cipher, null, keysOf(key, iv), P);
          const noble = createSealer(cipher, null, keysOf(key, iv));
          const opener = createOpener(cipher, null, keysOf(key, iv));
          expect(node.sealPieces).toBeTypeOf('function');
          expect(noble.sealPieces).toBeUndefined();
          packets.forEach(([payload, pad, cuts], i) => {
            const seq = (seq0 + i) >>> 0;
            const packet = plainPacket(payload, pad);
            const wire = join(node.sealPieces!(seq, cut(packet, cuts)));
            expect(hex(wire)).toBe(hex(noble.seal(seq, packet)));
            expect(hex(opener.open(seq, wire))).toBe(hex(packet));
          });
        },
      ),
      { numRuns: 60 },
    );
  });

  it('a 32 KiB channel data packet in the three pieces the connection hands over', () => {
    const key = new Uint8Array(randomBytes(64));
    const iv = new Uint8Array(randomBytes(12));
    const node = createSealer(cipher, null, keysOf(key, iv), P);
    const noble = createSealer(cipher, null, keysOf(key, iv));
    for (let seq = 0; seq < 8; seq++) {
      const data = new Uint8Array(randomBytes(32768 - seq));
      const pieces = channelDataPieces(7, data, null, node, (n) => new Uint8Array(randomBytes(n)));
      expect(pieces).toHaveLength(3);
      expect(pieces[1]).toBe(data); // not copied
      const wire = join(node.sealPieces!(seq, pieces));
      expect(hex(wire)).toBe(hex(noble.seal(seq, join(pieces))));
    }
  });
});

describe('chachaPolySealPieces', () => {
  it('encrypts from block 1 and tags head || ciphertext like noble ChaCha20 + Poly1305', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ minLength: 8, maxLength: 8 }), fc.uint8Array({ minLength: 4, maxLength: 4 }), fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 4 }), (key, nonce, head, pieces) => {
        const r = chachaPolySealPieces(key, nonce, head, pieces);
        const ct = chacha20orig(key, nonce, join(pieces), undefined, 1);
        expect(hex(join(r.pieces))).toBe(hex(ct));
        expect(hex(r.tag)).toBe(hex(poly1305(join([head, ct]), chacha20orig(key, nonce, new Uint8Array(32)))));
      }),
      { numRuns: 200 },
    );
  });
});

describe('chachaPolySealPieces keeps no result in its scratch buffers', () => {
  it('ciphertexts and tags of earlier packets stay intact after later calls (32 KiB packets, both tag passes)', () => {
    const key = new Uint8Array(32).map((_, i) => i * 29 + 3);
    const data = new Uint8Array(32768).map((_, i) => (i * 7 + 1) & 0xff);
    const kept: { nonce: Uint8Array; head: Uint8Array; r: { pieces: Uint8Array[]; tag: Uint8Array } }[] = [];
    for (let seq = 0; seq < 24; seq++) {
      const nonce = new Uint8Array(8);
      nonce[7] = seq;
      const head = new Uint8Array([0, 0, 0x80, seq]);
      kept.push({ nonce, head, r: chachaPolySealPieces(key, nonce, head, [data.subarray(0, 18), data.subarray(18, 32786), data.subarray(32786, 32792)]) });
    }
    for (const { nonce, head, r } of kept) {
      const ct = chacha20orig(key, nonce, data.subarray(0, 32792), undefined, 1);
      expect(hex(join(r.pieces))).toBe(hex(ct));
      expect(hex(r.tag)).toBe(hex(poly1305(join([head, ct]), chacha20orig(key, nonce, new Uint8Array(32)))));
    }
  });
});

describe('aesGcmEncryptPieces', () => {
  it('equals one node:crypto AES-GCM encryption of the joined plaintext, and decrypts', () => {
    fc.assert(
      fc.property(fc.constantFrom(16, 32), fc.uint8Array({ minLength: 12, maxLength: 12 }), fc.uint8Array({ maxLength: 8 }), fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 5 }), (keyLen, nonce, aad, pieces) => {
        const key = new Uint8Array(randomBytes(keyLen));
        const r = P.aesGcmEncryptPieces!(key, nonce, aad, pieces);
        const c = createCipheriv(keyLen === 16 ? 'aes-128-gcm' : 'aes-256-gcm', key, nonce);
        c.setAAD(aad);
        const ct = Buffer.concat([c.update(join(pieces)), c.final()]);
        expect(hex(join(r.pieces))).toBe(hex(ct));
        expect(hex(r.tag)).toBe(hex(c.getAuthTag()));
        const d = createDecipheriv(keyLen === 16 ? 'aes-128-gcm' : 'aes-256-gcm', key, nonce);
        d.setAAD(aad);
        d.setAuthTag(r.tag);
        expect(hex(Buffer.concat([d.update(join(r.pieces)), d.final()]))).toBe(hex(join(pieces)));
      }),
      { numRuns: 100 },
    );
  });
});
