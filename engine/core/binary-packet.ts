// The binary packet protocol, RFC 4253 §6:
//   uint32 packet_length; byte padding_length; byte[n1] payload; byte[n2] random padding; byte[m] mac
// Building (with padding), reading from a byte stream through a PacketOpener, and the framing tree.

import type { PacketOpener, PacketSealer } from '../algorithms/types.ts';
import type { FieldNode } from '../events.ts';
import type { ByteQueue } from './byte-queue.ts';
import { writeUint32 } from '../algorithms/packet-none.ts';
import { REASON, SshProtocolError } from './errors.ts';

/** OpenSSH's limit (PACKET_MAX_SIZE, 256 KiB); RFC 4253 §6.1 requires at least 35000. */
export const MAX_PACKET_LENGTH = 256 * 1024;

/** Builds the plaintext packet for `payload`, padded per RFC 4253 §6 for `sealer`. */
export function buildPacket(payload: Uint8Array, sealer: PacketSealer, random: (n: number) => Uint8Array): Uint8Array {
  const block = Math.max(8, sealer.blockLen);
  const covered = (sealer.lengthExcludedFromPadding ? 1 : 5) + payload.length;
  let pad = block - (covered % block);
  if (pad < 4) pad += block;
  const packetLength = 1 + payload.length + pad;
  const packet = new Uint8Array(4 + packetLength);
  new DataView(packet.buffer).setUint32(0, packetLength);
  packet[4] = pad;
  packet.set(payload, 5);
  packet.set(random(pad), 5 + payload.length);
  return packet;
}

/**
 * The bulk-data fast path: SSH_MSG_CHANNEL_DATA / SSH_MSG_CHANNEL_EXTENDED_DATA (RFC 4254 §5.2)
 * written straight into the packet, byte-identical to encoding the message and then framing it.
 */
export function buildChannelDataPacket(recipient: number, data: Uint8Array, dataTypeCode: number | null, sealer: PacketSealer, random: (n: number) => Uint8Array): Uint8Array {
  const [head, body, padding] = channelDataPieces(recipient, data, dataTypeCode, sealer, random);
  const packet = new Uint8Array(head.length + body.length + padding.length);
  packet.set(head);
  packet.set(body, head.length);
  packet.set(padding, head.length + body.length);
  return packet;
}

/**
 * The same packet as buildChannelDataPacket, as the three pieces PacketSealer.sealPieces takes,
 * without copying the data: [packet_length, padding_length, message number, recipient channel,
 * (data type code,) data length] (18 or 22 bytes), the data itself, the random padding.
 */
export function channelDataPieces(recipient: number, data: Uint8Array, dataTypeCode: number | null, sealer: PacketSealer, random: (n: number) => Uint8Array): [Uint8Array, Uint8Array, Uint8Array] {
  const header = dataTypeCode === null ? 9 : 13;
  const payloadLength = header + data.length;
  const block = Math.max(8, sealer.blockLen);
  const covered = (sealer.lengthExcludedFromPadding ? 1 : 5) + payloadLength;
  let pad = block - (covered % block);
  if (pad < 4) pad += block;
  const packetLength = 1 + payloadLength + pad;
  const head = new Uint8Array(5 + header);
  writeUint32(head, 0, packetLength);
  head[4] = pad;
  head[5] = dataTypeCode === null ? 94 : 95;
  writeUint32(head, 6, recipient);
  if (dataTypeCode !== null) writeUint32(head, 10, dataTypeCode);
  writeUint32(head, header + 1, data.length);
  return [head, data, random(pad)];
}

/** A copy of a tree with every range moved by `delta` bytes. */
export function shiftTree(node: FieldNode, delta: number): FieldNode {
  const out: FieldNode = { ...node, start: node.start + delta, end: node.end + delta };
  if (node.children) out.children = node.children.map((c) => shiftTree(c, delta));
  return out;
}

/** Splits a verified plaintext packet into payload and padding, checking padding_length. */
export function unpackPacket(plain: Uint8Array, opener: PacketOpener): Uint8Array {
  const packetLength = plain.length - 4;
  const pad = plain[4]!;
  if (pad < 4) throw new SshProtocolError(REASON.PROTOCOL_ERROR, `padding_length ${pad} is less than 4`, { field: 'padding_length', offset: 4 });
  if (pad > packetLength - 1) throw new SshProtocolError(REASON.PROTOCOL_ERROR, `padding_length ${pad} exceeds packet_length ${packetLength} - 1`, { field: 'padding_length', offset: 4 });
  const covered = opener.headLen === 4 && opener.cipher !== 'none' ? packetLength : packetLength + 4;
  const block = Math.max(8, opener.blockLen);
  if (covered % block !== 0) {
    throw new SshProtocolError(REASON.PROTOCOL_ERROR, `packet_length ${packetLength} is not a multiple of the block size ${block}`, { field: 'packet_length', offset: 0 });
  }
  return plain.subarray(5, 4 + packetLength - pad);
}

export interface ReadPacket {
  wire: Uint8Array;
  plain: Uint8Array;
}

/**
 * Reads one packet from `queue` when it is complete. Keeps the packet length between calls, so the
 * opener's readLength is called exactly once per packet.
 */
export class PacketReader {
  private pendingLength = -1;

  next(queue: ByteQueue, opener: PacketOpener, seq: number): ReadPacket | null {
    if (this.pendingLength < 0) {
      if (queue.length < opener.headLen) return null;
      const len = opener.readLength(seq, queue.peek(opener.headLen));
      if (len < 5) throw new SshProtocolError(REASON.PROTOCOL_ERROR, `packet_length ${len} is too short to hold padding`, { field: 'packet_length', offset: 0 });
      if (len > MAX_PACKET_LENGTH) throw new SshProtocolError(REASON.PROTOCOL_ERROR, `packet_length ${len} exceeds the ${MAX_PACKET_LENGTH}-byte limit`, { field: 'packet_length', offset: 0 });
      this.pendingLength = len;
    }
    const total = 4 + this.pendingLength + opener.macLen;
    if (queue.length < total) return null;
    this.pendingLength = -1;
    const wire = queue.take(total);
    const plain = opener.open(seq, wire);
    return { wire, plain };
  }
}

/** The framing tree of one binary packet; `message` is the payload's tree (ranges already offset by 5). */
export function packetTree(plain: Uint8Array, macLen: number, message: FieldNode, macLabel: string): FieldNode {
  const packetLength = plain.length - 4;
  const pad = plain[4]!;
  const payloadEnd = 4 + packetLength - pad;
  const children: FieldNode[] = [
    { path: 'packet_length', label: 'packet_length', kind: 'uint32', start: 0, end: 4, value: packetLength, display: String(packetLength), doc: 'Length of the packet in bytes, not including this field or the MAC (RFC 4253 §6).' },
    { path: 'padding_length', label: 'padding_length', kind: 'byte', start: 4, end: 5, value: pad, display: String(pad), doc: 'Length of the random padding (at least 4 bytes).' },
    { ...message, path: message.path || 'payload', start: 5, end: payloadEnd },
    { path: 'padding', label: 'random padding', kind: 'bytes', start: payloadEnd, end: 4 + packetLength, display: `${pad} bytes`, doc: 'Random bytes that make the packet a multiple of the cipher block size.' },
  ];
  if (macLen > 0) {
    children.push({ path: 'mac', label: macLabel, kind: 'bytes', start: 4 + packetLength, end: 4 + packetLength + macLen, display: `${macLen} bytes`, doc: 'Message authentication code (or AEAD tag) over the sequence number and the packet.' });
  }
  return { path: '', label: 'binary packet', kind: 'packet', start: 0, end: 4 + packetLength + macLen, children };
}
