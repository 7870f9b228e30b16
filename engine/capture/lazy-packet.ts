// A captured packet whose message is decoded only when it is read (AnalyzeOptions.lazyDecode): the
// field tree of a connection-protocol message (RFC 4254, ids 80–127) costs more than reading and
// decrypting it, and a listing of 200 000 packets never looks at most of them. Same fields as
// CapturedPacket; `message` and `tree` are getters that decode once and keep the result.
// (A structured clone keeps only own fields: use eager decoding for packets sent to a Worker's page.)

import { decodeMessage, type DecodeContext, type SshMessage } from '../wire/messages.ts';
import type { FieldNode } from '../events.ts';
import type { CapturedPacket, Dir } from './ssh-stream.ts';

export class LazyPacket implements CapturedPacket {
  frame: number;
  time: number;
  dir: Dir;
  seq: number | null;
  offset: number;
  wire: Uint8Array;
  length: number;
  msg: number | null;
  name: string | null;
  decrypted: boolean;
  plain?: Uint8Array;
  inflated?: Uint8Array;
  error?: string;
  #payload: Uint8Array;
  #ctx: DecodeContext;
  #base: number;
  #message: (SshMessage & { id: number }) | undefined;
  #tree: FieldNode | undefined;
  #done = false;

  constructor(p: CapturedPacket, payload: Uint8Array, ctx: DecodeContext, base: number) {
    this.frame = p.frame;
    this.time = p.time;
    this.dir = p.dir;
    this.seq = p.seq;
    this.offset = p.offset;
    this.wire = p.wire;
    this.length = p.length;
    this.msg = p.msg;
    this.name = p.name;
    this.decrypted = p.decrypted;
    if (p.plain) this.plain = p.plain;
    if (p.inflated) this.inflated = p.inflated;
    this.#payload = payload;
    this.#ctx = ctx;
    this.#base = base;
  }

  #decode(): void {
    if (this.#done) return;
    this.#done = true;
    try {
      const dm = decodeMessage(this.#payload, this.#ctx, this.#base);
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
    if (this.#done) return this.error;
    try {
      decodeMessage(this.#payload, this.#ctx, this.#base);
      return undefined;
    } catch (e) {
      return `decode: ${(e as Error).message}`;
    }
  }
}
