// Writes one SSH session (the bytes of both directions, with their times) as a pcapng file that
// Wireshark, tshark and our own reader open: a Section Header Block (pcapng §4.1), one Interface
// Description Block (§4.2: Ethernet, LINKTYPE 1, or raw IP, LINKTYPE 101; if_tsresol 6 = µs), a
// Decryption Secrets Block (§4.7) of type 0x5353484b carrying the SSH key log text (placed before
// the packets, as the specification asks), then one Enhanced Packet Block (§4.3) per TCP segment.
//
// The IP/TCP headers are synthetic but valid: a SYN / SYN-ACK / ACK handshake (RFC 9293 §3.5),
// data segments with PSH|ACK and correct sequence and acknowledgment numbers, a pure ACK from the
// receiver whenever more than a window (65 535 bytes, no window scaling) is in flight, and FIN|ACK
// from both sides at the end; IPv4 (RFC 791 §3.1) header checksums and TCP checksums over the
// pseudo-header (RFC 9293 §3.1; IPv6 pseudo-header RFC 8200 §8.1) are computed. A chunk longer than
// 65 495 bytes (65 535 − 20 IP − 20 TCP) is split into several segments.
//
// API (used by the app for "export the session as pcapng" and by `sshscope connect/serve --pcap`):
//   writeSessionPcapng({ client: {ip, port}, server: {ip, port},
//                        chunks: Array<{ dir: 'c2s' | 's2c', bytes: Uint8Array, timeMs: number }>,
//                        keylog?: string }): Uint8Array
// Optional extras (additions, the call above is unchanged): `link: 'ethernet' | 'raw'` (default
// 'ethernet') and `maxSegment` (default and upper limit 65 495). `ip` is dotted IPv4 or IPv6 text
// ("::ffff:a.b.c.d" is written as IPv4); anything else throws a RangeError. `timeMs` is
// milliseconds since the epoch (fractions kept to the microsecond).

export interface PcapngEndpointInput {
  ip: string;
  port: number;
}

export interface SessionChunk {
  dir: 'c2s' | 's2c';
  bytes: Uint8Array;
  /** Milliseconds since the epoch. */
  timeMs: number;
}

export interface SessionPcapngInput {
  client: PcapngEndpointInput;
  server: PcapngEndpointInput;
  chunks: SessionChunk[];
  /** Wireshark SSH key log text, stored in a Decryption Secrets Block. */
  keylog?: string;
  link?: 'ethernet' | 'raw';
  /** Largest TCP payload per segment (1 … 65 495). */
  maxSegment?: number;
}

export const MAX_SEGMENT = 65495;
const WINDOW = 65535;
const SSH_KEYLOG_SECRETS = 0x5353484b;

const TCP_FIN = 0x01;
const TCP_SYN = 0x02;
const TCP_PSH = 0x08;
const TCP_ACK = 0x10;

/** Parses dotted IPv4 or IPv6 text into 4 or 16 bytes. */
export function ipBytes(ip: string): Uint8Array {
  const v4 = /^(?:::ffff:)?(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/i.exec(ip);
  if (v4) {
    const b = v4.slice(1, 5).map(Number);
    if (b.every((x) => x <= 255)) return new Uint8Array(b);
  }
  if (ip.includes(':') && /^[0-9a-fA-F:]+$/.test(ip)) {
    const halves = ip.split('::');
    if (halves.length <= 2) {
      const parse = (s: string) => (s === '' ? [] : s.split(':'));
      const head = parse(halves[0]!);
      const tail = halves.length === 2 ? parse(halves[1]!) : [];
      const fill = 8 - head.length - tail.length;
      if ((halves.length === 2 ? fill >= 1 : fill === 0) && [...head, ...tail].every((g) => g.length >= 1 && g.length <= 4)) {
        const groups = [...head, ...Array<string>(fill).fill('0'), ...tail].map((g) => parseInt(g, 16));
        const out = new Uint8Array(16);
        groups.forEach((g, i) => {
          out[2 * i] = g >> 8;
          out[2 * i + 1] = g & 255;
        });
        return out;
      }
    }
  }
  throw new RangeError(`pcapng writer: ${JSON.stringify(ip)} is neither an IPv4 nor an IPv6 address`);
}

/** The 16-bit ones' complement sum (RFC 1071) of `b[from, to)`, added to `acc`, not folded. */
function sum16(b: Uint8Array, from: number, to: number, acc: number): number {
  let s = acc;
  let i = from;
  const even = to - ((to - from) & 1);
  for (; i < even; i += 2) s += (b[i]! << 8) | b[i + 1]!;
  if (i < to) s += b[i]! << 8;
  // fold now and then so the sum stays a small integer
  return s;
}

function fold(s: number): number {
  while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 65536);
  return s;
}

interface Segment {
  dir: 'c2s' | 's2c';
  flags: number;
  seq: number;
  ack: number;
  payload: Uint8Array;
  /** Microseconds since the epoch. */
  us: number;
}

/** Plans the TCP segments of the session: handshake, data, window ACKs, FINs. */
function planSegments(chunks: SessionChunk[], maxSeg: number): Segment[] {
  const isn = { c2s: 0x10000000, s2c: 0x50000000 };
  const next = { c2s: (isn.c2s + 1) >>> 0, s2c: (isn.s2c + 1) >>> 0 };
  const inFlight = { c2s: 0, s2c: 0 };
  const other = (d: 'c2s' | 's2c') => (d === 'c2s' ? 's2c' : 'c2s');
  const t0 = chunks.length ? Math.round(chunks[0]!.timeMs * 1000) : 0;
  const segs: Segment[] = [
    { dir: 'c2s', flags: TCP_SYN, seq: isn.c2s, ack: 0, payload: new Uint8Array(0), us: t0 },
    { dir: 's2c', flags: TCP_SYN | TCP_ACK, seq: isn.s2c, ack: next.c2s, payload: new Uint8Array(0), us: t0 },
    { dir: 'c2s', flags: TCP_ACK, seq: next.c2s, ack: next.s2c, payload: new Uint8Array(0), us: t0 },
  ];
  let last = t0;
  for (const c of chunks) {
    const us = Math.max(Math.round(c.timeMs * 1000), 0);
    last = us;
    const d = c.dir;
    const o = other(d);
    for (let off = 0; off < c.bytes.length; off += maxSeg) {
      const payload = c.bytes.subarray(off, off + maxSeg);
      if (inFlight[d] + payload.length > WINDOW) {
        // the receiver acknowledges what it has, so the sender never exceeds its window
        segs.push({ dir: o, flags: TCP_ACK, seq: next[o], ack: next[d], payload: new Uint8Array(0), us });
        inFlight[d] = 0;
      }
      segs.push({ dir: d, flags: TCP_PSH | TCP_ACK, seq: next[d], ack: next[o], payload, us });
      next[d] = (next[d] + payload.length) >>> 0;
      inFlight[d] += payload.length;
      inFlight[o] = 0; // this segment acknowledges everything the other side sent
    }
  }
  segs.push({ dir: 'c2s', flags: TCP_FIN | TCP_ACK, seq: next.c2s, ack: next.s2c, payload: new Uint8Array(0), us: last });
  next.c2s = (next.c2s + 1) >>> 0;
  segs.push({ dir: 's2c', flags: TCP_FIN | TCP_ACK, seq: next.s2c, ack: next.c2s, payload: new Uint8Array(0), us: last });
  next.s2c = (next.s2c + 1) >>> 0;
  segs.push({ dir: 'c2s', flags: TCP_ACK, seq: next.c2s, ack: next.s2c, payload: new Uint8Array(0), us: last });
  return segs;
}

const pad4 = (n: number) => (n + 3) & ~3;

/** Builds the pcapng file. */
export function writeSessionPcapng(input: SessionPcapngInput): Uint8Array {
  const link = input.link ?? 'ethernet';
  const maxSeg = Math.min(MAX_SEGMENT, Math.max(1, Math.floor(input.maxSegment ?? MAX_SEGMENT)));
  const cIp = ipBytes(input.client.ip);
  const sIp = ipBytes(input.server.ip);
  if (cIp.length !== sIp.length) throw new RangeError('pcapng writer: client and server must both be IPv4 or both IPv6');
  for (const [what, p] of [['client', input.client.port], ['server', input.server.port]] as const) {
    if (!Number.isInteger(p) || p < 0 || p > 65535) throw new RangeError(`pcapng writer: ${what} port ${p} is not 0 … 65535`);
  }
  const v6 = cIp.length === 16;
  const ipLen = v6 ? 40 : 20;
  const linkLen = link === 'ethernet' ? 14 : 0;
  const segs = planSegments(input.chunks, maxSeg);

  const appl = new TextEncoder().encode('sshscope');
  const shbLen = 28 + 4 + pad4(appl.length) + 4; // header + shb_userappl + opt_endofopt
  const idbLen = 16 + 8 + 4 + 4; // header and fields, if_tsresol (4 + 1, padded), opt_endofopt, trailer
  const secrets = input.keylog !== undefined && input.keylog.length > 0 ? new TextEncoder().encode(input.keylog) : null;
  const dsbLen = secrets ? 20 + pad4(secrets.length) : 0;
  let total = shbLen + idbLen + dsbLen;
  for (const s of segs) total += 32 + pad4(linkLen + ipLen + 20 + s.payload.length);

  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  let o = 0;
  const u32 = (v: number) => {
    dv.setUint32(o, v, true);
    o += 4;
  };
  const u16 = (v: number) => {
    dv.setUint16(o, v, true);
    o += 2;
  };
  // Section Header Block (§4.1), little-endian, section length unknown (-1)
  u32(0x0a0d0d0a);
  u32(shbLen);
  u32(0x1a2b3c4d);
  u16(1);
  u16(0);
  u32(0xffffffff);
  u32(0xffffffff);
  u16(4); // shb_userappl (§4.1 option code 4)
  u16(appl.length);
  out.set(appl, o);
  o += pad4(appl.length);
  u32(0); // opt_endofopt
  u32(shbLen);
  // Interface Description Block (§4.2)
  u32(0x00000001);
  u32(idbLen);
  u16(link === 'ethernet' ? 1 : 101);
  u16(0);
  u32(0); // snaplen: no limit
  u16(9); // if_tsresol
  u16(1);
  out[o] = 6; // 10^-6 s
  o += 4;
  u32(0);
  u32(idbLen);
  // Decryption Secrets Block (§4.7)
  if (secrets) {
    u32(0x0000000a);
    u32(dsbLen);
    u32(SSH_KEYLOG_SECRETS);
    u32(secrets.length);
    out.set(secrets, o);
    o += pad4(secrets.length);
    u32(dsbLen);
  }
  const ports = { c2s: [input.client.port, input.server.port], s2c: [input.server.port, input.client.port] } as const;
  const addrs = { c2s: [cIp, sIp], s2c: [sIp, cIp] } as const;
  let ipId = 1;
  for (const s of segs) {
    const frameLen = linkLen + ipLen + 20 + s.payload.length;
    const blockLen = 32 + pad4(frameLen);
    u32(0x00000006);
    u32(blockLen);
    u32(0); // interface 0
    u32(Math.floor(s.us / 4294967296));
    u32(s.us >>> 0);
    u32(frameLen);
    u32(frameLen);
    const f = o;
    const [src, dst] = addrs[s.dir];
    if (link === 'ethernet') {
      // locally administered MACs, client 02:00:00:00:00:01, server 02:00:00:00:00:02
      const cMac = [2, 0, 0, 0, 0, 1];
      const sMac = [2, 0, 0, 0, 0, 2];
      out.set(s.dir === 'c2s' ? sMac : cMac, f);
      out.set(s.dir === 'c2s' ? cMac : sMac, f + 6);
      dv.setUint16(f + 12, v6 ? 0x86dd : 0x0800, false);
    }
    const ip = f + linkLen;
    const tcpLen = 20 + s.payload.length;
    if (v6) {
      dv.setUint32(ip, 0x60000000, false); // version 6, traffic class 0, flow label 0
      dv.setUint16(ip + 4, tcpLen, false);
      out[ip + 6] = 6; // next header: TCP
      out[ip + 7] = 64;
      out.set(src, ip + 8);
      out.set(dst, ip + 24);
    } else {
      out[ip] = 0x45;
      dv.setUint16(ip + 2, 20 + tcpLen, false);
      dv.setUint16(ip + 4, ipId++ & 0xffff, false);
      dv.setUint16(ip + 6, 0x4000, false); // don't fragment
      out[ip + 8] = 64;
      out[ip + 9] = 6;
      out.set(src, ip + 12);
      out.set(dst, ip + 16);
      dv.setUint16(ip + 10, ~fold(sum16(out, ip, ip + 20, 0)) & 0xffff, false);
    }
    const t = ip + ipLen;
    const [sp, dp] = ports[s.dir];
    dv.setUint16(t, sp, false);
    dv.setUint16(t + 2, dp, false);
    dv.setUint32(t + 4, s.seq, false);
    dv.setUint32(t + 8, s.flags & TCP_ACK ? s.ack : 0, false);
    out[t + 12] = 0x50; // data offset 5 words
    out[t + 13] = s.flags;
    dv.setUint16(t + 14, WINDOW, false);
    out.set(s.payload, t + 20);
    // pseudo-header: addresses, protocol, TCP length
    let sum = sum16(src, 0, src.length, 0);
    sum = sum16(dst, 0, dst.length, sum);
    sum += 6 + (tcpLen >>> 16) + (tcpLen & 0xffff);
    sum = sum16(out, t, t + tcpLen, sum);
    dv.setUint16(t + 16, ~fold(sum) & 0xffff, false);
    o = f + pad4(frameLen);
    u32(blockLen);
  }
  return out;
}
