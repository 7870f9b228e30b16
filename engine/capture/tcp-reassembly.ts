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
  /** The segments with payload, as columns (no object kept per segment). */
  seq: number[];
  frame: number[];
  time: number[];
  /** Where each payload is: an offset into `buf` (the capture file's buffer, shared by all). */
  off: number[];
  len: number[];
  /** Payloads that do not lie in `buf` (another buffer): kept as views, by segment index. */
  other: Map<number, Uint8Array> | null;
}

interface ConnBuild {
  a: Endpoint;
  b: Endpoint;
  initiatorKnown: boolean;
  dirs: [DirBuild, DirBuild];
  firstFrame: number;
}

const key = (ip: string, port: number) => `${ip}|${port}`;

const newDir = (from: Endpoint, to: Endpoint): DirBuild => ({ from, to, isn: null, seq: [], frame: [], time: [], off: [], len: [], other: null });

function assemble(d: DirBuild, whole: Uint8Array | null): DirectionStream {
  const out: DirectionStream = { from: d.from, to: d.to, data: new Uint8Array(0), chunks: [], gaps: [], retransmissions: 0, overlaps: 0, synSeen: d.isn !== null };
  const n = d.seq.length;
  if (n === 0) return out;
  let base = d.isn ?? d.seq[0]!;
  if (d.isn === null) {
    // no SYN: start at the lowest sequence number seen (within half the sequence space)
    let min = 0;
    for (let i = 0; i < n; i++) min = Math.min(min, (d.seq[i]! - base) | 0);
    base = (base + min) >>> 0;
  }
  const rel = new Float64Array(n);
  let inOrder = true;
  for (let i = 0; i < n; i++) {
    rel[i] = (d.seq[i]! - base) >>> 0;
    if (i > 0 && rel[i]! < rel[i - 1]!) inOrder = false;
  }
  // segments were added in frame order: when their sequence numbers already ascend, no sort is needed
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  if (!inOrder) order.sort((x, y) => rel[x]! - rel[y]! || d.frame[x]! - d.frame[y]!);
  let total = 0;
  for (let i = 0; i < n; i++) total += d.len[i]!;
  const buf = new Uint8Array(total);
  let next = 0; // relative sequence number of the next byte wanted
  let len = 0;
  for (const i of order) {
    const start = rel[i]!;
    const plen = d.len[i]!;
    const end = start + plen;
    if (end <= next) {
      out.retransmissions++;
      continue;
    }
    let from = 0;
    if (start < next) {
      from = next - start;
      out.overlaps++;
    } else if (start > next) {
      out.gaps.push({ offset: len, lost: start - next, frame: d.frame[i]! });
    }
    const other = d.other?.get(i);
    buf.set(other ? other.subarray(from) : whole!.subarray(d.off[i]! + from, d.off[i]! + plen), len);
    out.chunks.push({ offset: len, length: plen - from, frame: d.frame[i]!, time: d.time[i]! });
    len += plen - from;
    next = end;
  }
  out.data = buf.subarray(0, len);
  return out;
}

/**
 * Groups segments into connections (by address/port pairs; a new SYN after data starts a new one)
 * and reassembles both directions. Segments can be added one at a time as frames are read: only
 * a few numbers per segment are kept, not the segment.
 */
export class Reassembler {
  private readonly open = new Map<string, ConnBuild>();
  private readonly all: ConnBuild[] = [];
  private last: ConnBuild | undefined;
  private whole: Uint8Array | null = null;

  add(s: TcpSegment): void {
    // most segments belong to the connection of the one before: skip building its key
    let c: ConnBuild | undefined;
    let ck = '';
    const last = this.last;
    if (last && ((last.a.port === s.srcPort && last.b.port === s.dstPort && last.a.ip === s.src && last.b.ip === s.dst) || (last.b.port === s.srcPort && last.a.port === s.dstPort && last.b.ip === s.src && last.a.ip === s.dst))) c = last;
    else {
      ck = connKey(s);
      c = this.open.get(ck);
    }
    const freshSyn = s.syn && !s.ackFlag;
    if (c && freshSyn) {
      const d = c.dirs[c.a.ip === s.src && c.a.port === s.srcPort ? 0 : 1];
      const hasData = c.dirs[0].seq.length > 0 || c.dirs[1].seq.length > 0;
      if (hasData || (d.isn !== null && d.isn !== ((s.seq + 1) >>> 0))) c = undefined; // port reuse: a new connection
    }
    if (!c) {
      const src = { ip: s.src, port: s.srcPort };
      const dst = { ip: s.dst, port: s.dstPort };
      // the SYN-ACK's sender is the server; without any SYN, the first sender is provisional
      const [a, b] = s.syn && s.ackFlag ? [dst, src] : [src, dst];
      c = { a, b, initiatorKnown: s.syn, dirs: [newDir(a, b), newDir(b, a)], firstFrame: s.frame };
      this.open.set(ck || connKey(s), c);
      this.all.push(c);
    }
    const d = c.dirs[c.a.ip === s.src && c.a.port === s.srcPort ? 0 : 1];
    if (s.syn) d.isn = (s.seq + 1) >>> 0;
    this.last = c;
    const p = s.payload;
    if (p.length === 0) return; // pure ACKs carry nothing to reassemble
    const i = d.seq.length;
    d.seq.push(s.seq);
    d.frame.push(s.frame);
    d.time.push(s.time);
    d.len.push(p.length);
    this.whole ??= new Uint8Array(p.buffer);
    if (p.buffer === this.whole.buffer) d.off.push(p.byteOffset);
    else {
      d.off.push(0);
      (d.other ??= new Map()).set(i, p);
    }
  }

  finish(): TcpConnection[] {
    return this.all.map((c) => ({ a: c.a, b: c.b, initiatorKnown: c.initiatorKnown, aToB: assemble(c.dirs[0], this.whole), bToA: assemble(c.dirs[1], this.whole), firstFrame: c.firstFrame }));
  }
}

function connKey(s: TcpSegment): string {
  const ka = key(s.src, s.srcPort);
  const kb = key(s.dst, s.dstPort);
  return ka < kb ? `${ka}>${kb}` : `${kb}>${ka}`;
}

/** Groups segments into connections (by address/port pairs; a new SYN after data starts a new one) and reassembles both directions. */
export function reassemble(segments: Iterable<TcpSegment>): TcpConnection[] {
  const r = new Reassembler();
  for (const s of segments) r.add(s);
  return r.finish();
}
