// Before the first NEWKEYS: cipher "none", MAC "none" (RFC 4253 §6.3, §6.4). The packet travels as is;
// padding still aligns the whole packet (length included) to 8 bytes (RFC 4253 §6).

import type { PacketOpener, PacketSealer } from './types.ts';

export function readUint32(b: Uint8Array, off = 0): number {
  return ((b[off]! << 24) | (b[off + 1]! << 16) | (b[off + 2]! << 8) | b[off + 3]!) >>> 0;
}

export function writeUint32(b: Uint8Array, off: number, v: number): void {
  b[off] = v >>> 24;
  b[off + 1] = (v >>> 16) & 0xff;
  b[off + 2] = (v >>> 8) & 0xff;
  b[off + 3] = v & 0xff;
}

export function createNoneSealer(): PacketSealer {
  return {
    cipher: 'none',
    mac: null,
    blockLen: 8,
    macLen: 0,
    lengthExcludedFromPadding: false,
    seal: (_seq, packet) => packet,
  };
}

export const NONE_SEALER: PacketSealer = Object.freeze(createNoneSealer());

export function createNoneOpener(): PacketOpener {
  return {
    cipher: 'none',
    mac: null,
    blockLen: 8,
    macLen: 0,
    headLen: 4,
    readLength: (_seq, head) => readUint32(head),
    open: (_seq, wire) => wire,
  };
}
