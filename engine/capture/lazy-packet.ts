// A lean captured packet for long sessions (AnalyzeOptions.lazyDecode): the field tree of a
// connection-protocol message (RFC 4254, ids 80–127) costs more than reading and decrypting it, and
// a listing of 200 000 packets never looks at most of them. So `message` and `tree` are getters
// that decode once and keep the result, and every other field lives in the columns of a
// PacketTable shared by the connection's packets (typed arrays: a few dozen bytes per packet, no
// object per field, nothing for the garbage collector to trace); a LazyPacket is the table and a
// row number. `wire` and `plain` are views made when read (offsets into the direction's stream and
// into shared blocks of small plaintexts). Same fields as CapturedPacket.
// (A structured clone keeps only own fields: use eager decoding for packets sent to a Worker's page.)

import { decodeMessage, type DecodeContext, type SshMessage } from '../wire/messages.ts';
import type { FieldNode } from '../events.ts';
import type { CapturedPacket, Dir } from './ssh-stream.ts';

/** Small plaintexts kept in shared 1 MiB blocks instead of one ArrayBuffer each. */
export class PlainArena {
  /** The block `reserve` last returned an offset into. */
  block = new Uint8Array(0);
  #used = 0;
  /** Room for `n` bytes: returns the offset in `this.block` (a new block when it is full). */
  reserve(n: number): number {
    if (this.#used + n > this.block.length) {
      this.block = new Uint8Array(Math.max(1 << 20, n));
      this.#used = 0;
    }
    const at = this.#used;
    this.#used += n;
    return at;
  }
  /** Gives back the last `n` bytes reserved (a packet that did not verify). */
  unreserve(n: number): void {
    this.#used -= n;
  }
  /** Keeps `bytes` (copied when small) and returns where: [buffer, offset]. */
  keep(bytes: Uint8Array): [Uint8Array, number] {
    if (bytes.length > 4096) return [bytes, 0];
    const at = this.reserve(bytes.length);
    this.block.set(bytes, at);
    return [this.block, at];
  }
}

/**
 * Whether a payload decodes, without keeping the result: a lean decode (no copies, no hex values)
 * whose error, if any, is what the packet's `error` says. `base`: 5 in a binary packet, 0 inflated.
 */
export function leanDecodeError(payload: Uint8Array, ctx: DecodeContext, base: number): string | undefined {
  try {
    decodeMessage(payload, ctx, base, 'payload', true);
    return undefined;
  } catch (e) {
    return `decode: ${(e as Error).message}`;
  }
}

const S2C = 1;
const DECRYPTED = 2;
const NO_SEQ = 4;
/** The kept plaintext starts at padding_length: packet_length is the wire's first 4 bytes (aes-gcm). */
const HEADLESS = 8;
const NO_MSG = -1;

/** The lazily decoded packets of one connection, as columns. */
export class PacketTable {
  #n = 0;
  #frame = new Uint32Array(16);
  #time = new Float64Array(16);
  #offset = new Float64Array(16);
  #length = new Uint32Array(16);
  #wireLen = new Uint32Array(16);
  #seq = new Uint32Array(16);
  #msg = new Int16Array(16);
  #flags = new Uint8Array(16);
  #name = new Uint16Array(16);
  #ctx = new Uint32Array(16);
  /** 1 + index into #bufs, 0 when the plaintext is not known. */
  #plainBuf = new Uint32Array(16);
  #plainAt = new Uint32Array(16);
  #plainLen = new Uint32Array(16);
  #names: (string | null)[] = [];
  #nameIds = new Map<string | null, number>();
  #ctxs: (DecodeContext | null)[] = [];
  #ctxIds = new Map<DecodeContext | null, number>();
  #bufs: Uint8Array[] = [];
  #bufIds = new Map<Uint8Array, number>();
  /** The two directions' reassembled streams (the wire bytes are views into them). */
  #data: [Uint8Array, Uint8Array] = [new Uint8Array(0), new Uint8Array(0)];
  /** Rare per-row values. */
  readonly errors = new Map<number, string>();
  readonly inflated = new Map<number, Uint8Array>();
  readonly decoded = new Map<number, { message: (SshMessage & { id: number }) | undefined; tree: FieldNode | undefined }>();

  #grow(): void {
    const cap = this.#frame.length * 2;
    const g = <T extends Uint32Array | Float64Array | Int16Array | Uint8Array | Uint16Array>(a: T): T => {
      const b = new (a.constructor as new (n: number) => T)(cap);
      b.set(a);
      return b;
    };
    this.#frame = g(this.#frame);
    this.#time = g(this.#time);
    this.#offset = g(this.#offset);
    this.#length = g(this.#length);
    this.#wireLen = g(this.#wireLen);
    this.#seq = g(this.#seq);
    this.#msg = g(this.#msg);
    this.#flags = g(this.#flags);
    this.#name = g(this.#name);
    this.#ctx = g(this.#ctx);
    this.#plainBuf = g(this.#plainBuf);
    this.#plainAt = g(this.#plainAt);
    this.#plainLen = g(this.#plainLen);
  }

  /**
   * A row for `p` (its `wire` is `wireLen` bytes at `p.offset` of `data`, the direction's
   * stream); its plaintext packet, when known, is `plainLen` bytes at `plainAt` of `plainBuf`
   * (`headless`: without packet_length, which the wire then has in clear). With `ctx`, the message
   * is decoded on demand.
   */
  add(p: CapturedPacket, data: Uint8Array, wireLen: number, plainBuf: Uint8Array | null, plainAt: number, plainLen: number, inflated: Uint8Array | null, ctx: DecodeContext | null, headless = false): LazyPacket {
    const i = this.#n;
    if (i === this.#frame.length) this.#grow();
    this.#n++;
    const d = p.dir === 's2c' ? 1 : 0;
    this.#data[d] = data;
    this.#frame[i] = p.frame;
    this.#time[i] = p.time;
    this.#offset[i] = p.offset;
    this.#length[i] = p.length;
    this.#wireLen[i] = wireLen;
    this.#seq[i] = p.seq ?? 0;
    this.#msg[i] = p.msg ?? NO_MSG;
    this.#flags[i] = (d * S2C) | (p.decrypted ? DECRYPTED : 0) | (p.seq === null ? NO_SEQ : 0) | (headless ? HEADLESS : 0);
    let name = this.#nameIds.get(p.name);
    if (name === undefined) {
      name = this.#names.push(p.name) - 1;
      this.#nameIds.set(p.name, name);
    }
    this.#name[i] = name;
    let c = this.#ctxIds.get(ctx);
    if (c === undefined) {
      c = this.#ctxs.push(ctx) - 1;
      this.#ctxIds.set(ctx, c);
    }
    this.#ctx[i] = c;
    if (plainBuf) {
      let b = this.#bufIds.get(plainBuf);
      if (b === undefined) {
        b = this.#bufs.push(plainBuf);
        this.#bufIds.set(plainBuf, b);
      }
      this.#plainBuf[i] = b;
      this.#plainAt[i] = plainAt;
      this.#plainLen[i] = plainLen;
    }
    if (inflated) this.inflated.set(i, inflated);
    if (p.error !== undefined) this.errors.set(i, p.error);
    return new LazyPacket(this, i);
  }

  frame(i: number): number {
    return this.#frame[i]!;
  }
  time(i: number): number {
    return this.#time[i]!;
  }
  dir(i: number): Dir {
    return this.#flags[i]! & S2C ? 's2c' : 'c2s';
  }
  seq(i: number): number | null {
    return this.#flags[i]! & NO_SEQ ? null : this.#seq[i]!;
  }
  offset(i: number): number {
    return this.#offset[i]!;
  }
  length(i: number): number {
    return this.#length[i]!;
  }
  msg(i: number): number | null {
    const m = this.#msg[i]!;
    return m === NO_MSG ? null : m;
  }
  name(i: number): string | null {
    return this.#names[this.#name[i]!]!;
  }
  decrypted(i: number): boolean {
    return (this.#flags[i]! & DECRYPTED) !== 0;
  }
  ctx(i: number): DecodeContext | null {
    return this.#ctxs[this.#ctx[i]!]!;
  }
  wire(i: number): Uint8Array {
    const o = this.#offset[i]!;
    return this.#data[this.#flags[i]! & S2C]!.subarray(o, o + this.#wireLen[i]!);
  }
  /** What was kept of the plaintext (see `add`). */
  #kept(i: number): Uint8Array | undefined {
    const b = this.#plainBuf[i]!;
    if (b === 0) return undefined;
    const at = this.#plainAt[i]!;
    return this.#bufs[b - 1]!.subarray(at, at + this.#plainLen[i]!);
  }
  plain(i: number): Uint8Array | undefined {
    const kept = this.#kept(i);
    if (!kept || !(this.#flags[i]! & HEADLESS)) return kept;
    const out = new Uint8Array(4 + kept.length);
    out.set(this.wire(i).subarray(0, 4));
    out.set(kept, 4);
    return out;
  }
  /** The payload (RFC 4253 §6: after padding_length, before the padding), a view. */
  payload(i: number): Uint8Array | null {
    const inflated = this.inflated.get(i);
    if (inflated) return inflated;
    const kept = this.#kept(i);
    if (!kept) return null;
    const length = this.#length[i]!;
    const head = this.#flags[i]! & HEADLESS ? 0 : 4;
    return kept.subarray(head + 1, head + length - kept[head]!);
  }
}

export class LazyPacket implements CapturedPacket {
  readonly #t: PacketTable;
  readonly #i: number;

  constructor(table: PacketTable, row: number) {
    this.#t = table;
    this.#i = row;
  }

  get frame(): number {
    return this.#t.frame(this.#i);
  }
  get time(): number {
    return this.#t.time(this.#i);
  }
  get dir(): Dir {
    return this.#t.dir(this.#i);
  }
  get seq(): number | null {
    return this.#t.seq(this.#i);
  }
  get offset(): number {
    return this.#t.offset(this.#i);
  }
  get length(): number {
    return this.#t.length(this.#i);
  }
  get msg(): number | null {
    return this.#t.msg(this.#i);
  }
  get name(): string | null {
    return this.#t.name(this.#i);
  }
  get decrypted(): boolean {
    return this.#t.decrypted(this.#i);
  }
  get error(): string | undefined {
    return this.#t.errors.get(this.#i);
  }
  set error(e: string | undefined) {
    if (e === undefined) this.#t.errors.delete(this.#i);
    else this.#t.errors.set(this.#i, e);
  }
  get wire(): Uint8Array {
    return this.#t.wire(this.#i);
  }
  get plain(): Uint8Array | undefined {
    return this.#t.plain(this.#i);
  }
  get inflated(): Uint8Array | undefined {
    return this.#t.inflated.get(this.#i);
  }

  #payload(): Uint8Array | null {
    return this.#t.payload(this.#i);
  }

  #decode(): { message: (SshMessage & { id: number }) | undefined; tree: FieldNode | undefined } {
    const known = this.#t.decoded.get(this.#i);
    if (known) return known;
    const r: { message: (SshMessage & { id: number }) | undefined; tree: FieldNode | undefined } = { message: undefined, tree: undefined };
    this.#t.decoded.set(this.#i, r);
    const payload = this.#payload();
    const ctx = this.#t.ctx(this.#i);
    if (!payload || !ctx || this.msg === null) return r;
    try {
      const dm = decodeMessage(payload, ctx, this.inflated ? 0 : 5);
      r.message = dm.msg;
      r.tree = dm.tree;
    } catch (e) {
      this.error ??= `decode: ${(e as Error).message}`;
    }
    return r;
  }

  get message(): (SshMessage & { id: number }) | undefined {
    return this.#decode().message;
  }

  get tree(): FieldNode | undefined {
    return this.#decode().tree;
  }

  /** Whether the payload decodes, without keeping the result (for listings that only need the error). */
  decodeError(): string | undefined {
    const ctx = this.#t.ctx(this.#i);
    if (this.#t.decoded.has(this.#i) || !ctx || this.msg === null) return this.error;
    const payload = this.#payload();
    if (!payload) return this.error;
    return leanDecodeError(payload, ctx, this.inflated ? 0 : 5);
  }
}
