import { describe, it, expect } from 'vitest';
import { writeSessionPcapng, ipBytes, MAX_SEGMENT } from './pcapng-writer.ts';
import { analyzeCapture } from './analyze.ts';
import { readCaptureFile } from './capture-file.ts';
import { tcpSegmentOf } from './tcp-segment.ts';
import { testSession } from './test-session.ts';

const dec = new TextDecoder();

/** RFC 1071 checksum verification written independently: 32-bit accumulation over a DataView. */
function onesComplementOk(parts: Uint8Array[]): boolean {
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length + (p.length & 1), 0));
  let o = 0;
  for (const p of parts) {
    all.set(p, o);
    o += p.length + (p.length & 1);
  }
  const dv = new DataView(all.buffer);
  let s = 0n;
  for (let i = 0; i < all.length; i += 2) s += BigInt(dv.getUint16(i));
  while (s > 0xffffn) s = (s & 0xffffn) + (s >> 16n);
  return s === 0xffffn;
}

/** Checks the IPv4 header and TCP checksums of an Ethernet/IPv4 frame. */
function checksumsOk(frame: Uint8Array): boolean {
  const ip = frame.subarray(14);
  const dv = new DataView(ip.buffer, ip.byteOffset, ip.byteLength);
  const total = dv.getUint16(2);
  const tcp = ip.subarray(20, total);
  const pseudo = new Uint8Array(12);
  pseudo.set(ip.subarray(12, 20));
  pseudo[9] = 6;
  new DataView(pseudo.buffer).setUint16(10, tcp.length);
  return onesComplementOk([ip.subarray(0, 20)]) && onesComplementOk([pseudo, tcp]);
}

describe('writeSessionPcapng', () => {
  const s = testSession('writer', { kex: ['curve25519-sha256'], cipher: ['chacha20-poly1305@openssh.com'] }, 'echo written');

  it('our reader reopens it and decrypts every packet with the Decryption Secrets Block alone', () => {
    expect(dec.decode(s.stdout)).toBe('written\n');
    const file = writeSessionPcapng({ client: { ip: '10.1.2.3', port: 50123 }, server: { ip: '10.9.8.7', port: 2222 }, chunks: s.chunks, keylog: s.keylog });
    const a = analyzeCapture(file);
    expect(a.problems).toEqual([]);
    expect(a.keylogErrors).toEqual([]);
    expect(a.streams.length).toBe(1);
    const st = a.streams[0]!;
    expect(st.errors).toEqual([]);
    expect(st.clientBy).toBe('syn');
    expect(st.client).toEqual({ ip: '10.1.2.3', port: 50123 });
    expect(st.server).toEqual({ ip: '10.9.8.7', port: 2222 });
    // the packets the client's engine sent and received, in the same order, all readable
    const sent = s.events.filter((e) => e.type === 'packet').map((e) => (e as { msg: string }).msg);
    expect(st.packets.map((p) => p.name)).toEqual(sent);
    expect(st.packets.filter((p) => p.decrypted).length).toBeGreaterThan(5);
    expect(st.packets.every((p) => p.error === undefined)).toBe(true);
    const data = st.packets.filter((p) => p.name === 'SSH_MSG_CHANNEL_DATA' && p.dir === 's2c').map((p) => dec.decode(p.message!.data as Uint8Array));
    expect(data.join('')).toBe('written\n');
    // timestamps: microseconds of the chunk times
    expect(st.packets[0]!.time).toBeCloseTo(s.chunks[1]!.timeMs / 1000, 5);
  });

  it('valid IPv4/TCP: checksums verify, handshake and FINs, sequence and acknowledgment numbers follow the bytes', () => {
    const file = writeSessionPcapng({ client: { ip: '127.0.0.1', port: 40000 }, server: { ip: '127.0.0.1', port: 22 }, chunks: s.chunks });
    const cap = readCaptureFile(file);
    expect(cap.secrets).toEqual([]);
    expect(cap.frames.every((f) => checksumsOk(f.data))).toBe(true);
    const segs = cap.frames.map((f) => tcpSegmentOf(f)!);
    expect(segs[0]).toMatchObject({ syn: true, ackFlag: false, srcPort: 40000 });
    expect(segs[1]).toMatchObject({ syn: true, ackFlag: true, srcPort: 22, ack: (segs[0]!.seq + 1) >>> 0 });
    expect(segs[2]).toMatchObject({ syn: false, ackFlag: true, ack: (segs[1]!.seq + 1) >>> 0 });
    const fins = segs.filter((x) => x.fin);
    expect(fins.map((x) => x.srcPort)).toEqual([40000, 22]);
    // every data byte exactly once, in order; every ACK acknowledges only bytes that were sent
    const next = { 40000: (segs[0]!.seq + 1) >>> 0, 22: (segs[1]!.seq + 1) >>> 0 } as Record<number, number>;
    const sentBytes: Record<number, number[]> = { 40000: [], 22: [] };
    for (const x of segs.slice(2)) {
      const peer = x.srcPort === 22 ? 40000 : 22;
      expect(x.ack).toBe(next[peer]);
      expect(x.seq).toBe(next[x.srcPort]);
      next[x.srcPort] = (next[x.srcPort]! + x.payload.length + (x.fin ? 1 : 0)) >>> 0;
      sentBytes[x.srcPort]!.push(...x.payload);
    }
    const want = (dir: 'c2s' | 's2c') => s.chunks.filter((c) => c.dir === dir).flatMap((c) => [...c.bytes]);
    expect(sentBytes[40000]).toEqual(want('c2s'));
    expect(sentBytes[22]).toEqual(want('s2c'));
  });

  it('splits chunks into segments of at most 65 495 bytes and keeps the window', () => {
    const big = new Uint8Array(200_000).map((_, i) => i & 255);
    const t = 1_700_000_000_000;
    const chunks = [
      { dir: 'c2s' as const, bytes: new TextEncoder().encode('SSH-2.0-a\r\n'), timeMs: t },
      { dir: 's2c' as const, bytes: new TextEncoder().encode('SSH-2.0-b\r\n'), timeMs: t + 1 },
      { dir: 'c2s' as const, bytes: big, timeMs: t + 2 },
    ];
    const cap = readCaptureFile(writeSessionPcapng({ client: { ip: '10.0.0.1', port: 1 }, server: { ip: '10.0.0.2', port: 2 }, chunks }));
    const segs = cap.frames.map((f) => tcpSegmentOf(f)!);
    const data = segs.filter((x) => x.srcPort === 1 && x.payload.length > 11);
    expect(data.map((x) => x.payload.length)).toEqual([MAX_SEGMENT, MAX_SEGMENT, MAX_SEGMENT, 200_000 - 3 * MAX_SEGMENT]);
    // the server acknowledges between big segments, so at most 65 535 bytes are ever unacknowledged
    let acked = segs[0]!.seq + 1;
    let sent = acked;
    for (const x of segs) {
      if (x.srcPort === 1) sent = x.seq + x.payload.length;
      else if (x.ackFlag) acked = x.ack;
      expect(sent - acked).toBeLessThanOrEqual(65535);
    }
    expect(cap.frames.every((f) => checksumsOk(f.data))).toBe(true);
  });

  it('IPv6 and raw-IP link type', () => {
    const file = writeSessionPcapng({ client: { ip: '::1', port: 50000 }, server: { ip: 'fe80::1:2', port: 2222 }, chunks: s.chunks, keylog: s.keylog, link: 'raw' });
    const cap = readCaptureFile(file);
    expect(cap.frames[0]!.linkType).toBe(101);
    const a = analyzeCapture(file);
    expect(a.streams[0]!.client).toEqual({ ip: '::1', port: 50000 });
    expect(a.streams[0]!.server).toEqual({ ip: 'fe80::1:2', port: 2222 });
    expect(a.streams[0]!.packets.every((p) => p.error === undefined && p.msg !== null)).toBe(true);
  });

  it('parses addresses and refuses what is not one', () => {
    expect([...ipBytes('::ffff:127.0.0.1')]).toEqual([127, 0, 0, 1]);
    expect([...ipBytes('2001:db8::8:800:200c:417a')]).toEqual([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 8, 8, 0, 0x20, 0x0c, 0x41, 0x7a]);
    for (const bad of ['localhost', '1.2.3.256', '1::2::3', '']) expect(() => ipBytes(bad)).toThrow(RangeError);
    expect(() => writeSessionPcapng({ client: { ip: '::1', port: 1 }, server: { ip: '10.0.0.1', port: 2 }, chunks: [] })).toThrow(RangeError);
  });
});
