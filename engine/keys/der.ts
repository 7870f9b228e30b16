// A small DER reader and writer (ITU-T X.690 §8, §10) for the PEM key formats: PKCS#1
// (RFC 8017 App. A.1.2), SEC1 (RFC 5915 §3), PKCS#8 (RFC 5208 §5, RFC 5958 §2) and
// SubjectPublicKeyInfo (RFC 5280 §4.1.2.7). Only definite lengths; no BER.

import { KeyFileError } from './errors.ts';

export const TAG = {
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  SEQUENCE: 0x30,
  /** [n] EXPLICIT, constructed context-specific. */
  context: (n: number) => 0xa0 | n,
} as const;

export interface DerNode {
  tag: number;
  /** Offset of the tag byte. */
  start: number;
  /** Offset of the first content byte. */
  contentStart: number;
  end: number;
  content: Uint8Array;
}

/** Reads one TLV at `pos` of `buf` (which must hold it entirely). */
export function readTlv(buf: Uint8Array, pos: number, what = 'DER'): DerNode {
  const fail = (reason: string, at: number): never => {
    throw new KeyFileError(reason, { field: what, offset: at });
  };
  if (pos + 2 > buf.length) fail('truncated TLV header', pos);
  const tag = buf[pos]!;
  if ((tag & 0x1f) === 0x1f) fail('multi-byte tags are not supported', pos);
  let len = buf[pos + 1]!;
  let p = pos + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0) fail('indefinite length is not DER', pos + 1);
    if (n > 4) fail('length too large', pos + 1);
    if (p + n > buf.length) fail('truncated length', pos + 1);
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[p++]!;
    if (len < 0x80 || (n > 1 && buf[pos + 2] === 0)) fail('length is not minimally encoded', pos + 1);
  }
  if (p + len > buf.length) fail(`length ${len} exceeds the ${buf.length - p} bytes left`, pos);
  return { tag, start: pos, contentStart: p, end: p + len, content: buf.subarray(p, p + len) };
}

/** The children of a constructed node (SEQUENCE, [n]). */
export function children(buf: Uint8Array, node: DerNode, what = 'DER'): DerNode[] {
  const out: DerNode[] = [];
  let p = node.contentStart;
  while (p < node.end) {
    const c = readTlv(buf.subarray(0, node.end), p, what);
    out.push(c);
    p = c.end;
  }
  return out;
}

export function expectTag(node: DerNode | undefined, tag: number, what: string): DerNode {
  if (!node) throw new KeyFileError(`missing ${what}`, { field: what });
  if (node.tag !== tag) throw new KeyFileError(`expected tag 0x${tag.toString(16)}, got 0x${node.tag.toString(16)}`, { field: what, offset: node.start });
  return node;
}

/** A non-negative INTEGER. */
export function derUint(node: DerNode | undefined, what: string): bigint {
  const n = expectTag(node, TAG.INTEGER, what);
  const c = n.content;
  if (c.length === 0) throw new KeyFileError('empty INTEGER', { field: what, offset: n.start });
  if (c[0]! & 0x80) throw new KeyFileError('negative INTEGER', { field: what, offset: n.start });
  let v = 0n;
  for (const b of c) v = (v << 8n) | BigInt(b);
  return v;
}

/** OBJECT IDENTIFIER as dotted decimal (X.690 §8.19). */
export function derOid(node: DerNode | undefined, what: string): string {
  const n = expectTag(node, TAG.OID, what);
  const parts: number[] = [];
  let v = 0;
  for (const b of n.content) {
    v = v * 128 + (b & 0x7f);
    if (!(b & 0x80)) {
      parts.push(v);
      v = 0;
    }
  }
  if (parts.length === 0) throw new KeyFileError('empty OBJECT IDENTIFIER', { field: what, offset: n.start });
  const first = parts[0]!;
  const head = first < 80 ? [Math.floor(first / 40), first % 40] : [2, first - 80];
  return [...head, ...parts.slice(1)].join('.');
}

// --- writing ------------------------------------------------------------------------------

function lengthBytes(n: number): number[] {
  if (n < 0x80) return [n];
  const out: number[] = [];
  while (n > 0) {
    out.unshift(n & 0xff);
    n = Math.floor(n / 256);
  }
  return [0x80 | out.length, ...out];
}

export function tlv(tag: number, content: Uint8Array): Uint8Array {
  const l = lengthBytes(content.length);
  const out = new Uint8Array(1 + l.length + content.length);
  out[0] = tag;
  out.set(l, 1);
  out.set(content, 1 + l.length);
  return out;
}

export function seq(...items: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const i of items) n += i.length;
  const c = new Uint8Array(n);
  let o = 0;
  for (const i of items) {
    c.set(i, o);
    o += i.length;
  }
  return tlv(TAG.SEQUENCE, c);
}

export function uintDer(v: bigint): Uint8Array {
  let hex = v.toString(16);
  if (hex.length % 2) hex = '0' + hex;
  if (parseInt(hex.slice(0, 2), 16) & 0x80) hex = '00' + hex;
  const c = new Uint8Array(hex.length / 2);
  for (let i = 0; i < c.length; i++) c[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return tlv(TAG.INTEGER, c);
}

export function oidDer(oid: string): Uint8Array {
  const p = oid.split('.').map(Number);
  const vals = [p[0]! * 40 + p[1]!, ...p.slice(2)];
  const bytes: number[] = [];
  for (const v of vals) {
    const chunk: number[] = [v & 0x7f];
    let x = Math.floor(v / 128);
    while (x > 0) {
      chunk.unshift(0x80 | (x & 0x7f));
      x = Math.floor(x / 128);
    }
    bytes.push(...chunk);
  }
  return tlv(TAG.OID, new Uint8Array(bytes));
}
