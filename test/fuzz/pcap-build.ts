// Writes a recorded in-memory session as a capture file (Ethernet / IPv4 / TCP, RFC 791 / 793),
// in the classic pcap format and in pcapng with an SSH key log Decryption Secrets Block, so the
// capture reader gets real, decryptable SSH streams to be fuzzed with.

import type { Recording } from './sessions.ts';

const MSS = 1400;

function frame(fromClient: boolean, seq: number, ack: number, flags: number, payload: Uint8Array): Uint8Array {
  const ipLen = 20 + 20 + payload.length;
  const f = new Uint8Array(14 + ipLen);
  const dv = new DataView(f.buffer);
  // Ethernet II: dst, src, type 0x0800
  f.set([2, 0, 0, 0, 0, fromClient ? 2 : 1, 2, 0, 0, 0, 0, fromClient ? 1 : 2], 0);
  dv.setUint16(12, 0x0800);
  // IPv4 header, no options
  f[14] = 0x45;
  dv.setUint16(16, ipLen);
  f[22] = 64;
  f[23] = 6; // TCP
  f.set(fromClient ? [10, 0, 0, 1, 10, 0, 0, 2] : [10, 0, 0, 2, 10, 0, 0, 1], 26);
  // TCP header
  dv.setUint16(34, fromClient ? 50000 : 22);
  dv.setUint16(36, fromClient ? 22 : 50000);
  dv.setUint32(38, seq >>> 0);
  dv.setUint32(42, ack >>> 0);
  f[46] = 5 << 4;
  f[47] = flags;
  dv.setUint16(48, 65535);
  f.set(payload, 54);
  return f;
}

/** The frames of a recording: handshake, then each chunk split at MSS, in the order sent. */
export function framesOf(rec: Recording): Uint8Array[] {
  const frames: Uint8Array[] = [];
  let cseq = 1000;
  let sseq = 900000;
  frames.push(frame(true, cseq - 1, 0, 0x02, new Uint8Array(0)));
  frames.push(frame(false, sseq - 1, cseq, 0x12, new Uint8Array(0)));
  frames.push(frame(true, cseq, sseq, 0x10, new Uint8Array(0)));
  const n = Math.max(rec.received.client.length, rec.received.server.length);
  for (let i = 0; i < n; i++) {
    for (const fromClient of [true, false]) {
      const chunk = (fromClient ? rec.received.server : rec.received.client)[i];
      if (!chunk) continue;
      for (let o = 0; o < chunk.length; o += MSS) {
        const p = chunk.subarray(o, o + MSS);
        if (fromClient) {
          frames.push(frame(true, cseq, sseq, 0x18, p));
          cseq += p.length;
        } else {
          frames.push(frame(false, sseq, cseq, 0x18, p));
          sseq += p.length;
        }
      }
    }
  }
  frames.push(frame(true, cseq, sseq, 0x11, new Uint8Array(0)));
  frames.push(frame(false, sseq, cseq + 1, 0x11, new Uint8Array(0)));
  return frames;
}

export function pcapOf(frames: Uint8Array[]): Uint8Array {
  let size = 24;
  for (const f of frames) size += 16 + f.length;
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, 0xa1b2c3d4, true);
  dv.setUint16(4, 2, true);
  dv.setUint16(6, 4, true);
  dv.setUint32(16, 262144, true);
  dv.setUint32(20, 1, true); // LINKTYPE_ETHERNET
  let o = 24;
  frames.forEach((f, i) => {
    dv.setUint32(o, 1_700_000_000 + i, true);
    dv.setUint32(o + 8, f.length, true);
    dv.setUint32(o + 12, f.length, true);
    out.set(f, o + 16);
    o += 16 + f.length;
  });
  return out;
}

const pad4 = (n: number) => (n + 3) & ~3;

function block(type: number, body: Uint8Array): Uint8Array {
  const len = 12 + pad4(body.length);
  const b = new Uint8Array(len);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, type, true);
  dv.setUint32(4, len, true);
  b.set(body, 8);
  dv.setUint32(len - 4, len, true);
  return b;
}

/** pcapng: SHB, IDB (Ethernet), a DSB of type 0x5353484b (SSH key log) when given, then EPBs. */
export function pcapngOf(frames: Uint8Array[], keylog?: string): Uint8Array {
  const blocks: Uint8Array[] = [];
  const shb = new Uint8Array(16);
  const sdv = new DataView(shb.buffer);
  sdv.setUint32(0, 0x1a2b3c4d, true);
  sdv.setUint16(4, 1, true);
  sdv.setUint32(8, 0xffffffff, true);
  sdv.setUint32(12, 0xffffffff, true);
  blocks.push(block(0x0a0d0d0a, shb));
  const idb = new Uint8Array(8);
  new DataView(idb.buffer).setUint16(0, 1, true);
  new DataView(idb.buffer).setUint32(4, 262144, true);
  blocks.push(block(1, idb));
  if (keylog) {
    const text = new TextEncoder().encode(keylog);
    const dsb = new Uint8Array(8 + pad4(text.length));
    new DataView(dsb.buffer).setUint32(0, 0x5353484b, true);
    new DataView(dsb.buffer).setUint32(4, text.length, true);
    dsb.set(text, 8);
    blocks.push(block(10, dsb));
  }
  frames.forEach((f, i) => {
    const epb = new Uint8Array(20 + pad4(f.length));
    const dv = new DataView(epb.buffer);
    dv.setUint32(4, i, true);
    dv.setUint32(12, f.length, true);
    dv.setUint32(16, f.length, true);
    epb.set(f, 20);
    blocks.push(block(6, epb));
  });
  let n = 0;
  for (const b of blocks) n += b.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const b of blocks) {
    out.set(b, o);
    o += b.length;
  }
  return out;
}
