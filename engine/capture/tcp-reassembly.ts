// TCP reassembly (RFC 9293 §3.4, §3.10.7.4): per connection and direction, segments are put in
// sequence-number order; bytes already delivered (retransmissions, overlaps) are dropped; a hole in
// the sequence space is reported as a gap, never closed by joining the bytes on either side silently.

import type { TcpSegment } from './tcp-segment.ts';

export interface Endpoint {
  ip: string;
  port: number;
}

export function endpointText(e: Endpoint): string {
  return e.ip.includes(':') ? `[${e.ip}]:${e.port}` : `${e.ip}:${e.port}`;
}

/** A run of stream bytes that came in one frame. */
export interface StreamChunk {
  /** Offset in `data`. */
  offset: number;
  length: number;
  frame: number;
  time: number;
}

/** Bytes the capture does not have: `lost` bytes are missing before `offset` of `data`. */
export interface StreamGap {
  offset: number;
  lost: number;
  /** The frame whose segment came after the hole. */
  frame: number;
}

export interface DirectionStream {
  from: Endpoint;
  to: Endpoint;
  /** The reassembled bytes (without the missing ones: see gaps). */
  data: Uint8Array;
  chunks: StreamChunk[];
  gaps: StreamGap[];
  /** Segments whose bytes had all been delivered already. */
  retransmissions: number;
  /** Segments that were partly new (the old part was dropped). */
  overlaps: number;
  /** Whether this direction's SYN was captured (so its first byte is known). */
  synSeen: boolean;
}

export interface TcpConnection {
  /** The endpoint that sent the first SYN without ACK (the one that connected), or the first seen. */
  a: Endpoint;
  b: Endpoint;
  /** True when the SYN was seen, so `a` is certainly the side that connected. */
  initiatorKnown: boolean;
  aToB: DirectionStream;
  bToA: DirectionStream;
  firstFrame: number;
}

interface DirBuild {
  from: Endpoint;
  to: Endpoint;
  isn: number | null;
  segs: TcpSegment[];
}

interface ConnBuild {
  a: Endpoint;
  b: Endpoint;
  initiatorKnown: boolean;
  dirs: [DirBuild, DirBuild];
  firstFrame: number;
}

const key = (ip: string, port: number) => `${ip}|${port}`;

function assemble(d: DirBuild): DirectionStream {
  const out: DirectionStream = { from: d.from, to: d.to, data: new Uint8Array(0), chunks: [], gaps: [], retransmissions: 0, overlaps: 0, synSeen: d.isn !== null };
  const segs = d.segs.filter((s) => s.payload.length > 0);
  if (segs.length === 0) return out;
  let base = d.isn ?? segs[0]!.seq;
  if (d.isn === null) {
    // no SYN: start at the lowest sequence number seen (within half the sequence space)
    let min = 0;
    for (const s of segs) min = Math.min(min, (s.seq - base) | 0);
    base = (base + min) >>> 0;
  }
  const rel = segs.map((s, i) => ({ s, i, start: (s.seq - base) >>> 0 }));
  rel.sort((x, y) => x.start - y.start || x.s.frame - y.s.frame);
  let total = 0;
  for (const r of rel) total += r.s.payload.length;
  const buf = new Uint8Array(total);
  let next = 0; // relative sequence number of the next byte wanted
  let len = 0;
  for (const r of rel) {
    const p = r.s.payload;
    const end = r.start + p.length;
    if (end <= next) {
      out.retransmissions++;
      continue;
    }
    let from = 0;
    if (r.start < next) {
      from = next - r.start;
      out.overlaps++;
    } else if (r.start > next) {
      out.gaps.push({ offset: len, lost: r.start - next, frame: r.s.frame });
    }
    const piece = p.subarray(from);
    buf.set(piece, len);
    out.chunks.push({ offset: len, length: piece.length, frame: r.s.frame, time: r.s.time });
    len += piece.length;
    next = end;
  }
  out.data = buf.subarray(0, len);
  return out;
}

/** Groups segments into connections (by address/port pairs; a new SYN after data starts a new one) and reassembles both directions. */
export function reassemble(segments: Iterable<TcpSegment>): TcpConnection[] {
  const open = new Map<string, ConnBuild>();
  const all: ConnBuild[] = [];
  let last: ConnBuild | undefined;
  for (const s of segments) {
    // most segments belong to the connection of the one before: skip building its key
    let c: ConnBuild | undefined;
    let ck = '';
    if (last && ((last.a.port === s.srcPort && last.b.port === s.dstPort && last.a.ip === s.src && last.b.ip === s.dst) || (last.b.port === s.srcPort && last.a.port === s.dstPort && last.b.ip === s.src && last.a.ip === s.dst))) c = last;
    else {
      const ka = key(s.src, s.srcPort);
      const kb = key(s.dst, s.dstPort);
      ck = ka < kb ? `${ka}>${kb}` : `${kb}>${ka}`;
      c = open.get(ck);
    }
    const freshSyn = s.syn && !s.ackFlag;
    if (c && freshSyn) {
      const d = c.dirs[c.a.ip === s.src && c.a.port === s.srcPort ? 0 : 1];
      const hasData = c.dirs[0].segs.length > 0 || c.dirs[1].segs.length > 0;
      if (hasData || (d.isn !== null && d.isn !== ((s.seq + 1) >>> 0))) c = undefined; // port reuse: a new connection
    }
    if (!c) {
      if (!ck) {
        const ka = key(s.src, s.srcPort);
        const kb = key(s.dst, s.dstPort);
        ck = ka < kb ? `${ka}>${kb}` : `${kb}>${ka}`;
      }
      const src = { ip: s.src, port: s.srcPort };
      const dst = { ip: s.dst, port: s.dstPort };
      // the SYN-ACK's sender is the server; without any SYN, the first sender is provisional
      const [a, b] = s.syn && s.ackFlag ? [dst, src] : [src, dst];
      c = { a, b, initiatorKnown: s.syn, dirs: [{ from: a, to: b, isn: null, segs: [] }, { from: b, to: a, isn: null, segs: [] }], firstFrame: s.frame };
      open.set(ck, c);
      all.push(c);
    }
    const d = c.dirs[c.a.ip === s.src && c.a.port === s.srcPort ? 0 : 1];
    if (s.syn) d.isn = (s.seq + 1) >>> 0;
    if (s.payload.length > 0) d.segs.push(s); // pure ACKs carry nothing to reassemble
    last = c;
  }
  return all.map((c) => ({ a: c.a, b: c.b, initiatorKnown: c.initiatorKnown, aToB: assemble(c.dirs[0]), bToA: assemble(c.dirs[1]), firstFrame: c.firstFrame }));
}
