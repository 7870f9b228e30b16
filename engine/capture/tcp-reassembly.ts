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

/** Growable columns of numbers (no object per row: long captures have one row per segment). */
class Column<T extends Float64Array | Uint32Array> {
  a: T;
  n = 0;
  constructor(make: (n: number) => T, capacity = 64) {
    this.a = make(Math.max(1, capacity));
  }
  push(v: number): void {
    if (this.n === this.a.length) {
      const b = new (this.a.constructor as new (n: number) => T)(this.n * 2);
      b.set(this.a);
      this.a = b;
    }
    this.a[this.n++] = v;
  }
  /** The filled part, copied to its exact size. */
  done(): T {
    return this.n === this.a.length ? this.a : (this.a.slice(0, this.n) as T);
  }
}

/** The StreamChunks of one direction, in stream order, as columns. */
export class StreamChunks {
  readonly count: number;
  constructor(
    /** Offset of each chunk in `data`. */
    readonly offset: Float64Array,
    readonly length: Uint32Array,
    readonly frame: Uint32Array,
    readonly time: Float64Array,
  ) {
    this.count = offset.length;
  }
  /** Chunk `i` as an object. */
  at(i: number): StreamChunk {
    return { offset: this.offset[i]!, length: this.length[i]!, frame: this.frame[i]!, time: this.time[i]! };
  }
  /** The index of the chunk holding stream byte `off` (the last chunk starting at or before it; 0 when none). */
  indexOf(off: number): number {
    const o = this.offset;
    let lo = 0;
    let hi = this.count - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (o[mid]! <= off) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}

class ChunkColumns {
  readonly offset: Column<Float64Array>;
  readonly length: Column<Uint32Array>;
  readonly frame: Column<Uint32Array>;
  readonly time: Column<Float64Array>;
  constructor(capacity: number) {
    this.offset = new Column((n) => new Float64Array(n), capacity);
    this.length = new Column((n) => new Uint32Array(n), capacity);
    this.frame = new Column((n) => new Uint32Array(n), capacity);
    this.time = new Column((n) => new Float64Array(n), capacity);
  }
  push(offset: number, length: number, frame: number, time: number): void {
    this.offset.push(offset);
    this.length.push(length);
    this.frame.push(frame);
    this.time.push(time);
  }
  done(): StreamChunks {
    return new StreamChunks(this.offset.done(), this.length.done(), this.frame.done(), this.time.done());
  }
}

const NO_CHUNKS = new StreamChunks(new Float64Array(0), new Uint32Array(0), new Uint32Array(0), new Float64Array(0));

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
  chunks: StreamChunks;
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
  seq: Column<Uint32Array>;
  frame: Column<Uint32Array>;
  time: Column<Float64Array>;
  /** Where each payload is: an offset into `buf` (the capture file's buffer, shared by all). */
  off: Column<Float64Array>;
  len: Column<Uint32Array>;
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

const u32 = (n: number) => new Uint32Array(n);
const f64 = (n: number) => new Float64Array(n);
const newDir = (from: Endpoint, to: Endpoint): DirBuild => ({ from, to, isn: null, seq: new Column(u32), frame: new Column(u32), time: new Column(f64), off: new Column(f64), len: new Column(u32), other: null });

/** Payload bytes of a direction (retransmissions included). */
function payloadBytes(b: DirBuild): number {
  let t = 0;
  for (let i = 0; i < b.len.n; i++) t += b.len.a[i]!;
  return t;
}

/**
 * Whether `b`'s payloads can be moved to the start of `whole` in place: all of them lie in it, in
 * the file in sequence-number order. Then each payload's destination (the bytes of the stream
 * before it) lies at or before its own position, so moving them in order overwrites only bytes
 * already read: the stream's headers and payloads behind it.
 */
function compactable(b: DirBuild, base: number): boolean {
  if (b.other) return false;
  const { seq, off, len } = b;
  for (let i = 1; i < seq.n; i++) {
    if (((seq.a[i]! - base) >>> 0) < ((seq.a[i - 1]! - base) >>> 0)) return false;
    if (off.a[i]! < off.a[i - 1]! + len.a[i - 1]!) return false;
  }
  return true;
}

/**
 * Reassembles one direction. `inPlace`: the stream is compacted inside `whole` (the file's buffer,
 * which the caller gave up) instead of copied into a new buffer; only when compactable().
 */
function assemble(b: DirBuild, whole: Uint8Array | null, inPlace = false): DirectionStream {
  const out: DirectionStream = { from: b.from, to: b.to, data: new Uint8Array(0), chunks: NO_CHUNKS, gaps: [], retransmissions: 0, overlaps: 0, synSeen: b.isn !== null };
  const n = b.seq.n;
  if (n === 0) return out;
  const d = { seq: b.seq.a, frame: b.frame.a, time: b.time.a, off: b.off.a, len: b.len.a, other: b.other };
  const chunks = new ChunkColumns(n);
  const base = baseSeq(b);
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
  const buf = inPlace ? whole! : new Uint8Array(total);
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
    const n = plen - from;
    if (inPlace) buf.copyWithin(len, d.off[i]! + from, d.off[i]! + plen);
    else if (other) buf.set(other.subarray(from), len);
    else if (n <= 64) {
      // small segments (interactive sessions): a loop costs less than a view and a set() call
      const src = d.off[i]! + from;
      for (let k = 0; k < n; k++) buf[len + k] = whole![src + k]!;
    } else buf.set(whole!.subarray(d.off[i]! + from, d.off[i]! + plen), len);
    chunks.push(len, plen - from, d.frame[i]!, d.time[i]!);
    len += plen - from;
    next = end;
  }
  out.data = buf.subarray(0, len);
  out.chunks = chunks.done();
  return out;
}

/** The sequence number of a direction's first byte: after the SYN's, or the lowest seen. */
function baseSeq(b: DirBuild): number {
  let base = b.isn ?? b.seq.a[0]!;
  if (b.isn === null) {
    // no SYN: start at the lowest sequence number seen (within half the sequence space)
    let min = 0;
    for (let i = 0; i < b.seq.n; i++) min = Math.min(min, (b.seq.a[i]! - base) | 0);
    base = (base + min) >>> 0;
  }
  return base;
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
      const hasData = c.dirs[0].seq.n > 0 || c.dirs[1].seq.n > 0;
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
    const i = d.seq.n;
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

  /**
   * The connections; the reassembler then holds nothing (its columns and the file's buffer can be
   * collected). `reuse`: a buffer the caller gave up (the file's, which the segments' payloads are
   * views of): the largest direction, when it fills at least half of the file and arrived
   * in order, is compacted inside it instead of copied into a new buffer of its size: one
   * file-sized allocation (and its page faults) less. The others are copied out first.
   */
  finish(opts: { reuse?: ArrayBufferLike } = {}): TcpConnection[] {
    const all = this.all.splice(0);
    this.open.clear();
    this.last = undefined;
    const whole = this.whole;
    this.whole = null;
    let inPlace: DirBuild | null = null;
    if (whole && opts.reuse === whole.buffer) {
      let most = 0;
      for (const c of all)
        for (const d of c.dirs) {
          const n = payloadBytes(d);
          if (n > most) [inPlace, most] = [d, n];
        }
      // below half the file, holding the whole buffer for the stream would cost more than it saves
      if (inPlace && (most * 2 < whole.length || !compactable(inPlace, baseSeq(inPlace)))) inPlace = null;
    }
    // each direction's columns are let go once it is assembled; the one compacted in place goes last
    const streams = all.map((c) => c.dirs.map((d, k) => {
      if (d === inPlace) return null;
      c.dirs[k] = newDir(d.from, d.to);
      return assemble(d, whole);
    }));
    return all.map((c, i) => {
      const [aToB, bToA] = streams[i]!.map((s) => s ?? assemble(inPlace!, whole, true));
      return { a: c.a, b: c.b, initiatorKnown: c.initiatorKnown, aToB: aToB!, bToA: bToA!, firstFrame: c.firstFrame };
    });
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
