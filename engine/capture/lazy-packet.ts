// A lean captured packet for long sessions (AnalyzeOptions.lazyDecode): the field tree of a
// connection-protocol message (RFC 4254, ids 80–127) costs more than reading and decrypting it, and
// a listing of 200 000 packets never looks at most of them. So `message` and `tree` are getters
// that decode once and keep the result; `wire` and `plain` are views made when read (the packet
// keeps offsets into the direction's stream and into a shared buffer of small plaintexts), so a
// packet costs one small object. Same fields as CapturedPacket.
// (A structured clone keeps only own fields: use eager decoding for packets sent to a Worker's page.)

import { decodeMessage, type DecodeContext, type SshMessage } from '../wire/messages.ts';
import type { FieldNode } from '../events.ts';
import type { CapturedPacket, Dir } from './ssh-stream.ts';

/** Small plaintexts copied into shared 1 MiB blocks instead of one ArrayBuffer each. */
export class PlainArena {
  #block = new Uint8Array(0);
  #used = 0;
  /** Keeps `bytes` (copied when small) and returns where: [buffer, offset]. */
  keep(bytes: Uint8Array): [Uint8Array, number] {
    if (bytes.length > 4096) return [bytes, 0];
    if (this.#used + bytes.length > this.#block.length) {
      this.#block = new Uint8Array(1 << 20);
      this.#used = 0;
    }
    const at = this.#used;
    this.#block.set(bytes, at);
    this.#used += bytes.length;
    return [this.#block, at];
  }
}

export class LazyPacket implements CapturedPacket {
  frame: number;
  time: number;
  dir: Dir;
  seq: number | null;
  offset: number;
  length: number;
  msg: number | null;
  name: string | null;
  decrypted: boolean;
  error?: string;
  #data: Uint8Array;
  #wireLen: number;
  #plainBuf: Uint8Array | null = null;
  #plainAt = 0;
  #plainLen = 0;
  #inflated: Uint8Array | null = null;
  #ctx: DecodeContext | null = null;
  #base = 5;
  #message: (SshMessage & { id: number }) | undefined;
  #tree: FieldNode | undefined;
  #done = false;

  /** `data` is the direction's reassembled stream; the packet is `wireLen` bytes at `p.offset`. */
  constructor(p: CapturedPacket, data: Uint8Array, wireLen: number) {
    this.frame = p.frame;
    this.time = p.time;
    this.dir = p.dir;
    this.seq = p.seq;
    this.offset = p.offset;
    this.length = p.length;
    this.msg = p.msg;
    this.name = p.name;
    this.decrypted = p.decrypted;
    if (p.error !== undefined) this.error = p.error;
    this.#data = data;
    this.#wireLen = wireLen;
  }

  /** The plaintext packet, where `arena` keeps it; with `ctx`, the message is decoded on demand. */
  setPlain(plain: Uint8Array, arena: PlainArena | null, inflated: Uint8Array | null, ctx: DecodeContext | null): void {
    const [buf, at] = arena ? arena.keep(plain) : [plain, 0];
    this.#plainBuf = buf;
    this.#plainAt = at;
    this.#plainLen = plain.length;
    this.#inflated = inflated;
    this.#ctx = ctx;
    this.#base = inflated ? 0 : 5;
  }

  get wire(): Uint8Array {
    return this.#data.subarray(this.offset, this.offset + this.#wireLen);
  }

  get plain(): Uint8Array | undefined {
    return this.#plainBuf ? this.#plainBuf.subarray(this.#plainAt, this.#plainAt + this.#plainLen) : undefined;
  }

  get inflated(): Uint8Array | undefined {
    return this.#inflated ?? undefined;
  }

  #payload(): Uint8Array | null {
    if (this.#inflated) return this.#inflated;
    const plain = this.plain;
    if (!plain) return null;
    return plain.subarray(5, 4 + this.length - plain[4]!);
  }

  #decode(): void {
    if (this.#done) return;
    this.#done = true;
    const payload = this.#payload();
    if (!payload || !this.#ctx || this.msg === null) return;
    try {
      const dm = decodeMessage(payload, this.#ctx, this.#base);
      this.#message = dm.msg;
      this.#tree = dm.tree;
    } catch (e) {
      this.error ??= `decode: ${(e as Error).message}`;
    }
  }

  get message(): (SshMessage & { id: number }) | undefined {
    this.#decode();
    return this.#message;
  }

  get tree(): FieldNode | undefined {
    this.#decode();
    return this.#tree;
  }

  /** Whether the payload decodes, without keeping the result (for listings that only need the error). */
  decodeError(): string | undefined {
    if (this.#done || !this.#ctx || this.msg === null) return this.error;
    const payload = this.#payload();
    if (!payload) return this.error;
    try {
      decodeMessage(payload, this.#ctx, this.#base);
      return undefined;
    } catch (e) {
      return `decode: ${(e as Error).message}`;
    }
  }
}
