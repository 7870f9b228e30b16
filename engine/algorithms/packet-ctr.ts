// A block cipher in CTR mode (RFC 4344 §4) plus an HMAC (RFC 4253 §6.4, RFC 6668), in both orders:
//  - mac-then-encrypt, RFC 4253 §6.4: mac = MAC(key, uint32 seq || plaintext packet), whole packet
//    encrypted; the receiver must decrypt the first block to learn packet_length.
//  - encrypt-then-mac, OpenSSH PROTOCOL §1.5: packet_length in clear, the rest encrypted,
//    mac = MAC(key, uint32 seq || packet_length || ciphertext); verified before decrypting.

import type { CipherSpec, CryptoProvider, DirectionKeys, MacSpec, PacketOpener, PacketSealer } from './types.ts';
import { IntegrityError } from './types.ts';
import { aesCtrStream, type KeyStream } from './aes-ctr-stream.ts';
import { hmacKeyed } from './hashes.ts';
import { readUint32, writeUint32 } from './packet-none.ts';
import { constantTimeEqual } from './bytes.ts';

function keyStream(c: CipherSpec, keys: DirectionKeys, provider?: CryptoProvider): KeyStream {
  if (c.name === 'none') return { update: (d, out) => (out ? (out.set(d), out) : d.slice()) };
  return aesCtrStream(keys.key.subarray(0, c.keyLen), keys.iv.subarray(0, 16), provider);
}

function macFn(m: MacSpec, keys: DirectionKeys, provider?: CryptoProvider) {
  const tag = hmacKeyed(m.hash, keys.macKey.subarray(0, m.keyLen), provider);
  const seqBuf = new Uint8Array(4);
  return (seq: number, ...parts: Uint8Array[]): Uint8Array => {
    writeUint32(seqBuf, 0, seq);
    return tag(seqBuf, ...parts).subarray(0, m.macLen);
  };
}

export function createCtrSealer(c: CipherSpec, m: MacSpec, keys: DirectionKeys, provider?: CryptoProvider): PacketSealer {
  const ks = keyStream(c, keys, provider);
  const mac = macFn(m, keys, provider);
  return {
    cipher: c.name,
    mac: m.name,
    blockLen: Math.max(8, c.blockLen),
    macLen: m.macLen,
    lengthExcludedFromPadding: m.etm,
    seal(seq, packet) {
      const n = packet.length;
      const out = new Uint8Array(n + m.macLen);
      if (m.etm) {
        out.set(packet.subarray(0, 4));
        ks.update(packet.subarray(4), out.subarray(4, n));
        out.set(mac(seq, out.subarray(0, n)), n);
      } else {
        out.set(mac(seq, packet), n);
        ks.update(packet, out.subarray(0, n));
      }
      return out;
    },
  };
}

export function createCtrOpener(c: CipherSpec, m: MacSpec, keys: DirectionKeys, provider?: CryptoProvider): PacketOpener {
  const ks = keyStream(c, keys, provider);
  const mac = macFn(m, keys, provider);
  const blockLen = Math.max(8, c.blockLen);
  // mac-then-encrypt: the first block, decrypted by readLength, is kept for open.
  let first: Uint8Array | null = null;
  let firstWire: Uint8Array | null = null;
  return {
    cipher: c.name,
    mac: m.name,
    blockLen,
    macLen: m.macLen,
    headLen: m.etm ? 4 : blockLen,
    readLength(_seq, head) {
      if (m.etm) return readUint32(head);
      firstWire = head.slice(0, blockLen);
      first = ks.update(firstWire);
      return readUint32(first);
    },
    open(seq, wire) {
      const n = wire.length - m.macLen;
      const got = wire.subarray(n);
      const plain = new Uint8Array(n);
      if (m.etm) {
        if (!constantTimeEqual(mac(seq, wire.subarray(0, n)), got)) throw new IntegrityError(`${m.name}: MAC mismatch on packet ${seq}`);
        plain.set(wire.subarray(0, 4));
        ks.update(wire.subarray(4, n), plain.subarray(4));
        return plain;
      }
      if (!first || !firstWire) throw new Error('open before readLength');
      // The first block was decrypted by readLength; the MAC below covers its plaintext, so a changed
      // ciphertext block must be caught here.
      if (!constantTimeEqual(firstWire, wire.subarray(0, blockLen))) throw new IntegrityError(`${c.name}: first block changed since readLength on packet ${seq}`);
      if (n < blockLen) throw new IntegrityError(`${c.name}: packet of ${n} bytes is shorter than one cipher block`);
      plain.set(first);
      first = firstWire = null;
      ks.update(wire.subarray(blockLen, n), plain.subarray(blockLen));
      if (!constantTimeEqual(mac(seq, plain), got)) throw new IntegrityError(`${m.name}: MAC mismatch on packet ${seq}`);
      return plain;
    },
  };
}
