// SSH wire primitives, RFC 4251 §5: byte, boolean, uint32, uint64, string, mpint, name-list.
// Reader and Writer record every primitive as a FieldNode with its byte range, so that a
// decoded (or encoded) message is a tree that explains every byte.

import type { FieldNode, FieldKind } from '../events.ts';

/** A decode failure: which field, at which offset (absolute, in the buffer given), and why. */
export class DecodeError extends Error {
  readonly field: string;
  readonly offset: number;
  readonly reason: string;
  constructor(field: string, offset: number, reason: string) {
    super(`${field} at offset ${offset}: ${reason}`);
    this.name = 'DecodeError';
    this.field = field;
    this.offset = offset;
    this.reason = reason;
  }
}

const utf8Decoder = new TextDecoder('utf-8', { fatal: true });
const utf8Encoder = new TextEncoder();

const HEX_DIGITS = new TextEncoder().encode('0123456789abcdef');
const asciiDecoder = new TextDecoder('latin1');

export function toHex(bytes: Uint8Array): string {
  // two table lookups per byte into an ASCII buffer, decoded once: ~5x faster than string concatenation
  const out = new Uint8Array(bytes.length * 2);
  for (let i = 0, j = 0; i < bytes.length; i++, j += 2) {
    const b = bytes[i]!;
    out[j] = HEX_DIGITS[b >> 4]!;
    out[j + 1] = HEX_DIGITS[b & 15]!;
  }
  return asciiDecoder.decode(out);
}

/**
 * Byte strings longer than this keep only their first HEX_VALUE_LIMIT bytes, followed by "…", in
 * FieldNode.value: bulk channel data would otherwise double the size of every event and dominate
 * decoding time. Keys, KEM shares and signatures are all shorter. The exact bytes are always in the
 * packet event itself (node ranges index into them).
 */
export const HEX_VALUE_LIMIT = 4096;

function hexValue(b: Uint8Array): string {
  return b.length > HEX_VALUE_LIMIT ? `${toHex(b.subarray(0, HEX_VALUE_LIMIT))}…` : toHex(b);
}

export function fromHex(hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || /[^0-9a-fA-F]/.test(hex)) throw new Error(`invalid hex string`);
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function utf8(s: string): Uint8Array {
  return utf8Encoder.encode(s);
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i]! ^ b[i]!;
  return d === 0;
}

/** Shorten long byte values in tree displays. */
function displayBytes(b: Uint8Array): string {
  const hex = toHex(b.length > 32 ? b.subarray(0, 32) : b);
  return b.length > 32 ? `${hex}… (${b.length} bytes)` : hex || '(empty)';
}

/** Options shared by every read/write call: a human label and an optional display override. */
export interface FieldOpts {
  label?: string;
  display?: string;
}

/** Options for the trees Reader and Writer record. */
export interface TreeOptions {
  /**
   * Give every length-prefixed field (string, text, name-list, mpint) a second child covering its
   * contents, so that the leaves of the tree cover every byte exactly once (the message table turns
   * this on). Without it such a field has only its `length` child. Empty contents get no node.
   */
  valueNodes?: boolean;
  /**
   * Reader only: for checking that a message decodes, when the result is thrown away. Byte strings
   * are returned as views of the buffer (not copies) and their nodes get no hex value or display.
   */
  lean?: boolean;
}

const LENGTH_DOC = 'Length in bytes of the contents that follow (uint32, RFC 4251 §5).';

function prefixedChildren(path: string, start: number, len: number, valueNodes: boolean): FieldNode[] {
  const out: FieldNode[] = [{ path: `${path}.length`, label: 'length', kind: 'uint32', start, end: start + 4, value: len, display: String(len), doc: LENGTH_DOC }];
  if (valueNodes && len > 0) out.push({ path: `${path}.contents`, label: 'contents', kind: 'bytes', start: start + 4, end: start + 4 + len, display: `${len} bytes`, doc: 'The bytes of the value itself.' });
  return out;
}

function checkUint(name: string, v: number, max: number, what: string): void {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) throw new RangeError(`${name}: ${String(v)} is not ${what} (an integer in 0..${max})`);
}

/** Builds the tree while reading or writing: a stack of open struct nodes. */
class TreeRecorder {
  readonly root: FieldNode;
  /** The node added most recently (a leaf or an opened struct). */
  last: FieldNode | undefined;
  private readonly stack: FieldNode[];
  constructor(rootPath: string, rootLabel: string, start: number) {
    this.root = { path: rootPath, label: rootLabel, kind: 'struct', start, end: start, children: [] };
    this.stack = [this.root];
  }
  get top(): FieldNode {
    return this.stack[this.stack.length - 1]!;
  }
  pathOf(name: string): string {
    const p = this.top.path;
    return p ? `${p}.${name}` : name;
  }
  add(node: FieldNode): FieldNode {
    (this.top.children ??= []).push(node);
    this.last = node;
    for (const open of this.stack) if (node.end > open.end) open.end = node.end;
    return node;
  }
  enter(name: string, label: string, start: number, kind: FieldKind): FieldNode {
    const node: FieldNode = { path: this.pathOf(name), label, kind, start, end: start, children: [] };
    this.add(node);
    this.stack.push(node);
    return node;
  }
  exit(end: number): FieldNode {
    if (this.stack.length <= 1) throw new Error('TreeRecorder.exit without enter');
    const node = this.stack.pop()!;
    node.end = Math.max(node.end, end);
    for (const open of this.stack) if (node.end > open.end) open.end = node.end;
    return node;
  }
}

/**
 * Reads SSH primitives from `buf`. Node ranges are absolute: `base` is added to every offset,
 * so a payload read at offset 5 of a binary packet produces ranges into the packet's bytes.
 */
export class Reader {
  readonly buf: Uint8Array;
  readonly base: number;
  pos = 0;
  private readonly rec: TreeRecorder;

  /** See `TreeOptions.valueNodes`. */
  readonly valueNodes: boolean;
  /** See `TreeOptions.lean`. */
  readonly lean: boolean;

  constructor(buf: Uint8Array, opts: { base?: number; rootPath?: string; rootLabel?: string } & TreeOptions = {}) {
    this.buf = buf;
    this.base = opts.base ?? 0;
    this.valueNodes = opts.valueNodes ?? false;
    this.lean = opts.lean ?? false;
    this.rec = new TreeRecorder(opts.rootPath ?? '', opts.rootLabel ?? 'message', this.base);
  }

  get tree(): FieldNode {
    return this.rec.root;
  }
  /** The node recorded most recently (the field just read, or the struct just entered). */
  get lastNode(): FieldNode | undefined {
    return this.rec.last;
  }
  get remaining(): number {
    return this.buf.length - this.pos;
  }
  get offset(): number {
    return this.base + this.pos;
  }

  fail(name: string, reason: string, at = this.pos): never {
    throw new DecodeError(this.rec.pathOf(name), this.base + at, reason);
  }

  private need(name: string, n: number, what: string): void {
    if (this.remaining < n) this.fail(name, `needs ${n} bytes for ${what}, only ${this.remaining} left`);
  }

  private leaf(name: string, kind: FieldKind, start: number, value: FieldNode['value'], display: string, o: FieldOpts, children?: FieldNode[]): void {
    const node: FieldNode = {
      path: this.rec.pathOf(name),
      label: o.label ?? name,
      kind,
      start: this.base + start,
      end: this.base + this.pos,
      value,
      display: o.display ?? display,
    };
    if (children) node.children = children;
    this.rec.add(node);
  }

  /** Opens a sub-structure; fields read until `exit()` become its children. */
  enter(name: string, label = name, kind: FieldKind = 'struct'): FieldNode {
    return this.rec.enter(name, label, this.offset, kind);
  }
  exit(display?: string): FieldNode {
    const n = this.rec.exit(this.offset);
    if (display !== undefined) n.display = display;
    return n;
  }

  byte(name: string, o: FieldOpts = {}): number {
    this.need(name, 1, 'a byte');
    const start = this.pos;
    const v = this.buf[this.pos++]!;
    this.leaf(name, 'byte', start, v, String(v), o);
    return v;
  }

  boolean(name: string, o: FieldOpts = {}): boolean {
    this.need(name, 1, 'a boolean');
    const start = this.pos;
    const v = this.buf[this.pos++]! !== 0;
    this.leaf(name, 'boolean', start, v, String(v), o);
    return v;
  }

  uint32(name: string, o: FieldOpts = {}): number {
    this.need(name, 4, 'a uint32');
    const start = this.pos;
    const b = this.buf;
    const p = this.pos;
    const v = ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;
    this.pos += 4;
    this.leaf(name, 'uint32', start, v, String(v), o);
    return v;
  }

  uint64(name: string, o: FieldOpts = {}): bigint {
    this.need(name, 8, 'a uint64');
    const start = this.pos;
    let v = 0n;
    for (let i = 0; i < 8; i++) v = (v << 8n) | BigInt(this.buf[this.pos++]!);
    this.leaf(name, 'uint64', start, v.toString(), v.toString(), o);
    return v;
  }

  /** Exactly n raw bytes (a cookie, a MAC). */
  bytes(name: string, n: number, o: FieldOpts = {}): Uint8Array {
    this.need(name, n, `${n} raw bytes`);
    const start = this.pos;
    const v = this.lean ? this.buf.subarray(this.pos, this.pos + n) : this.buf.slice(this.pos, this.pos + n);
    this.pos += n;
    this.leaf(name, 'bytes', start, this.lean ? '' : hexValue(v), this.lean ? '' : displayBytes(v), o);
    return v;
  }

  /** Everything left in the buffer. */
  rest(name: string, o: FieldOpts = {}): Uint8Array {
    return this.bytes(name, this.remaining, o);
  }

  private lengthPrefix(name: string): { start: number; len: number } {
    this.need(name, 4, 'a length prefix');
    const start = this.pos;
    const b = this.buf;
    const p = this.pos;
    const len = ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;
    this.pos += 4;
    if (len > this.remaining) {
      this.pos = start;
      this.fail(name, `length ${len} exceeds the ${this.remaining - 4 < 0 ? 0 : this.remaining - 4} bytes left`);
    }
    return { start, len };
  }

  /** The children of a length-prefixed field: its length, then (with valueNodes) its contents. */
  private lengthNode(name: string, start: number, len: number): FieldNode[] {
    return prefixedChildren(this.rec.pathOf(name), this.base + start, len, this.valueNodes);
  }

  /** A string of arbitrary bytes (RFC 4251 §5 "string"). */
  string(name: string, o: FieldOpts = {}): Uint8Array {
    const { start, len } = this.lengthPrefix(name);
    const v = this.lean ? this.buf.subarray(this.pos, this.pos + len) : this.buf.slice(this.pos, this.pos + len);
    this.pos += len;
    this.leaf(name, 'string', start, this.lean ? '' : hexValue(v), this.lean ? '' : displayBytes(v), o, this.lengthNode(name, start, len));
    return v;
  }

  /** A string that must hold UTF-8 text (or US-ASCII, a subset). */
  text(name: string, o: FieldOpts = {}): string {
    const { start, len } = this.lengthPrefix(name);
    let v: string;
    try {
      v = utf8Decoder.decode(this.buf.subarray(this.pos, this.pos + len));
    } catch {
      this.pos = start;
      this.fail(name, 'is not valid UTF-8');
    }
    this.pos += len;
    this.leaf(name, 'text', start, v, JSON.stringify(v), o, this.lengthNode(name, start, len));
    return v;
  }

  /** A comma-separated list of names (RFC 4251 §5 "name-list"); names are non-empty US-ASCII. */
  nameList(name: string, o: FieldOpts = {}): string[] {
    const { start, len } = this.lengthPrefix(name);
    const raw = this.buf.subarray(this.pos, this.pos + len);
    for (let i = 0; i < raw.length; i++) {
      const c = raw[i]!;
      if (c < 0x21 || c > 0x7e) {
        this.pos = start;
        this.fail(name, `byte ${i} of the list is 0x${c.toString(16).padStart(2, '0')}, not printable US-ASCII`);
      }
    }
    // validated printable US-ASCII above, so UTF-8 decoding is exact (and has no argument-count limit)
    const s = utf8Decoder.decode(raw);
    const v = s === '' ? [] : s.split(',');
    if (v.some((n) => n === '')) {
      this.pos = start;
      this.fail(name, 'contains an empty name');
    }
    this.pos += len;
    this.leaf(name, 'name-list', start, v, v.join(',') || '(empty)', o, this.lengthNode(name, start, len));
    return v;
  }

  /** A multiple-precision integer in two's complement (RFC 4251 §5 "mpint"). */
  mpint(name: string, o: FieldOpts = {}): bigint {
    const { start, len } = this.lengthPrefix(name);
    const raw = this.buf.subarray(this.pos, this.pos + len);
    if (len > 0 && raw[0] === 0 && (len === 1 || (raw[1]! & 0x80) === 0)) {
      this.pos = start;
      this.fail(name, 'has an unnecessary leading zero byte');
    }
    if (len > 1 && raw[0] === 0xff && (raw[1]! & 0x80) !== 0) {
      this.pos = start;
      this.fail(name, 'has an unnecessary leading 0xff byte');
    }
    let v = 0n;
    for (let i = 0; i < raw.length; i++) v = (v << 8n) | BigInt(raw[i]!);
    if (len > 0 && raw[0]! & 0x80) v -= 1n << BigInt(8 * len);
    this.pos += len;
    this.leaf(name, 'mpint', start, v.toString(16), v.toString(16).length > 64 ? `0x${v.toString(16).slice(0, 64)}… (${len} bytes)` : `0x${v.toString(16)}`, o, this.lengthNode(name, start, len));
    return v;
  }

  /** Fails unless every byte was consumed. */
  end(name = 'message'): void {
    if (this.remaining !== 0) this.fail(name, `${this.remaining} unexpected trailing bytes`);
  }
}

/** Encodes an mpint's magnitude bytes (two's complement, minimal). */
export function mpintBytes(v: bigint): Uint8Array {
  if (v === 0n) return new Uint8Array(0);
  if (v < 0n) {
    // two's complement, minimal length
    let len = 1;
    while (-v > 1n << BigInt(8 * len - 1)) len++;
    const m = (1n << BigInt(8 * len)) + v;
    const out = bigintToBytes(m, len);
    if ((out[0]! & 0x80) === 0) return concatBytes(new Uint8Array([0xff]), out);
    return out;
  }
  let hex = v.toString(16);
  if (hex.length % 2) hex = '0' + hex;
  const out = fromHex(hex);
  return out[0]! & 0x80 ? concatBytes(new Uint8Array([0]), out) : out;
}

/** Unsigned big-endian, left-padded to `len` bytes. */
export function bigintToBytes(v: bigint, len: number): Uint8Array {
  const out = new Uint8Array(len);
  for (let i = len - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

export function bytesToBigint(b: Uint8Array): bigint {
  let v = 0n;
  for (let i = 0; i < b.length; i++) v = (v << 8n) | BigInt(b[i]!);
  return v;
}

/**
 * Writes SSH primitives into a growable buffer, recording the same FieldNode tree a Reader
 * would produce for the bytes written (used for the exchange-hash input tree and for tests).
 */
export class Writer {
  private buf: Uint8Array;
  pos = 0;
  private readonly rec: TreeRecorder;

  /** See `TreeOptions.valueNodes`. */
  readonly valueNodes: boolean;

  constructor(opts: { rootPath?: string; rootLabel?: string; capacity?: number } & TreeOptions = {}) {
    this.buf = new Uint8Array(Math.max(16, opts.capacity ?? 256));
    this.valueNodes = opts.valueNodes ?? false;
    this.rec = new TreeRecorder(opts.rootPath ?? '', opts.rootLabel ?? 'message', 0);
  }

  get tree(): FieldNode {
    return this.rec.root;
  }
  /** The node recorded most recently (the field just written, or the struct just entered). */
  get lastNode(): FieldNode | undefined {
    return this.rec.last;
  }

  private grow(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.pos + n) cap *= 2;
    const nb = new Uint8Array(cap);
    nb.set(this.buf.subarray(0, this.pos));
    this.buf = nb;
  }

  private leaf(name: string, kind: FieldKind, start: number, value: FieldNode['value'], display: string, o: FieldOpts, children?: FieldNode[]): this {
    const node: FieldNode = { path: this.rec.pathOf(name), label: o.label ?? name, kind, start, end: this.pos, value, display: o.display ?? display };
    if (children) node.children = children;
    this.rec.add(node);
    return this;
  }

  enter(name: string, label = name, kind: FieldKind = 'struct'): this {
    this.rec.enter(name, label, this.pos, kind);
    return this;
  }
  exit(display?: string): this {
    const n = this.rec.exit(this.pos);
    if (display !== undefined) n.display = display;
    return this;
  }

  private put32(v: number): void {
    this.grow(4);
    const b = this.buf;
    const p = this.pos;
    b[p] = v >>> 24;
    b[p + 1] = (v >>> 16) & 0xff;
    b[p + 2] = (v >>> 8) & 0xff;
    b[p + 3] = v & 0xff;
    this.pos += 4;
  }

  private putRaw(v: Uint8Array): void {
    this.grow(v.length);
    this.buf.set(v, this.pos);
    this.pos += v.length;
  }

  byte(name: string, v: number, o: FieldOpts = {}): this {
    checkUint(name, v, 0xff, 'a byte');
    const start = this.pos;
    this.grow(1);
    this.buf[this.pos++] = v & 0xff;
    return this.leaf(name, 'byte', start, v, String(v), o);
  }

  boolean(name: string, v: boolean, o: FieldOpts = {}): this {
    const start = this.pos;
    this.grow(1);
    this.buf[this.pos++] = v ? 1 : 0;
    return this.leaf(name, 'boolean', start, v, String(v), o);
  }

  uint32(name: string, v: number, o: FieldOpts = {}): this {
    checkUint(name, v, 0xffffffff, 'a uint32');
    const start = this.pos;
    this.put32(v >>> 0);
    return this.leaf(name, 'uint32', start, v >>> 0, String(v >>> 0), o);
  }

  uint64(name: string, v: bigint, o: FieldOpts = {}): this {
    if (typeof v !== 'bigint' || v < 0n || v > 0xffffffffffffffffn) throw new RangeError(`${name}: ${String(v)} is not a uint64 (a bigint in 0..2^64-1)`);
    const start = this.pos;
    this.putRaw(bigintToBytes(BigInt.asUintN(64, v), 8));
    return this.leaf(name, 'uint64', start, v.toString(), v.toString(), o);
  }

  bytes(name: string, v: Uint8Array, o: FieldOpts = {}): this {
    const start = this.pos;
    this.putRaw(v);
    return this.leaf(name, 'bytes', start, hexValue(v), displayBytes(v), o);
  }

  private lengthNode(name: string, start: number, len: number): FieldNode[] {
    return prefixedChildren(this.rec.pathOf(name), start, len, this.valueNodes);
  }

  string(name: string, v: Uint8Array, o: FieldOpts = {}): this {
    const start = this.pos;
    this.put32(v.length);
    this.putRaw(v);
    return this.leaf(name, 'string', start, hexValue(v), displayBytes(v), o, this.lengthNode(name, start, v.length));
  }

  text(name: string, v: string, o: FieldOpts = {}): this {
    const start = this.pos;
    const b = utf8(v);
    this.put32(b.length);
    this.putRaw(b);
    return this.leaf(name, 'text', start, v, JSON.stringify(v), o, this.lengthNode(name, start, b.length));
  }

  nameList(name: string, v: readonly string[], o: FieldOpts = {}): this {
    for (const n of v) {
      // RFC 4251 §5: names are non-empty, US-ASCII, and MUST NOT contain a comma.
      if (typeof n !== 'string' || !/^[\x21-\x2b\x2d-\x7e]+$/.test(n)) throw new RangeError(`${name}: ${JSON.stringify(n)} is not a valid name (non-empty printable US-ASCII without commas)`);
    }
    const start = this.pos;
    const b = utf8(v.join(','));
    this.put32(b.length);
    this.putRaw(b);
    return this.leaf(name, 'name-list', start, [...v], v.join(',') || '(empty)', o, this.lengthNode(name, start, b.length));
  }

  mpint(name: string, v: bigint, o: FieldOpts = {}): this {
    const start = this.pos;
    const b = mpintBytes(v);
    this.put32(b.length);
    this.putRaw(b);
    const hex = v.toString(16);
    return this.leaf(name, 'mpint', start, hex, hex.length > 64 ? `0x${hex.slice(0, 64)}… (${b.length} bytes)` : `0x${hex}`, o, this.lengthNode(name, start, b.length));
  }

  /** The bytes written so far (a copy). */
  toBytes(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}

/** Plain helpers for one-off encodings where no tree is wanted. */
export function sshString(v: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + v.length);
  new DataView(out.buffer).setUint32(0, v.length);
  out.set(v, 4);
  return out;
}

export function uint32Bytes(v: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, v >>> 0);
  return out;
}
