// Small byte helpers shared by the algorithm modules.

/** Compares two byte arrays without an early exit (MAC and tag checks). */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i]! ^ b[i]!;
  return d === 0;
}

/** uint64 big-endian of a non-negative safe integer (the chacha20-poly1305 nonce, the gcm counter). */
export function uint64be(v: number, out = new Uint8Array(8), off = 0): Uint8Array {
  const hi = Math.floor(v / 0x100000000);
  const lo = v >>> 0;
  out[off] = hi >>> 24;
  out[off + 1] = (hi >>> 16) & 0xff;
  out[off + 2] = (hi >>> 8) & 0xff;
  out[off + 3] = hi & 0xff;
  out[off + 4] = lo >>> 24;
  out[off + 5] = (lo >>> 16) & 0xff;
  out[off + 6] = (lo >>> 8) & 0xff;
  out[off + 7] = lo & 0xff;
  return out;
}

/** RFC 4251 §5 "string": uint32 length || bytes. */
export function sshString(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + data.length);
  const n = data.length;
  out[0] = n >>> 24;
  out[1] = (n >>> 16) & 0xff;
  out[2] = (n >>> 8) & 0xff;
  out[3] = n & 0xff;
  out.set(data, 4);
  return out;
}

/**
 * RFC 4251 §5 "mpint" (with its uint32 length) of the unsigned big-endian integer in `magnitude`:
 * leading zero bytes dropped, a 0x00 prepended when the high bit is set, zero is the empty string.
 */
export function sshMpintFromUnsigned(magnitude: Uint8Array): Uint8Array {
  let i = 0;
  while (i < magnitude.length && magnitude[i] === 0) i++;
  const body = magnitude.subarray(i);
  const pad = body.length > 0 && body[0]! & 0x80 ? 1 : 0;
  const inner = new Uint8Array(pad + body.length);
  inner.set(body, pad);
  return sshString(inner);
}

/**
 * Splits `data` into consecutive RFC 4251 strings; returns null unless it is exactly
 * `count` strings with nothing left over.
 */
export function parseSshStrings(data: Uint8Array, count: number): Uint8Array[] | null {
  const out: Uint8Array[] = [];
  let pos = 0;
  for (let k = 0; k < count; k++) {
    if (data.length - pos < 4) return null;
    const n = ((data[pos]! << 24) | (data[pos + 1]! << 16) | (data[pos + 2]! << 8) | data[pos + 3]!) >>> 0;
    pos += 4;
    if (data.length - pos < n) return null;
    out.push(data.subarray(pos, pos + n));
    pos += n;
  }
  return pos === data.length ? out : null;
}


const enc = new TextEncoder();
const dec = new TextDecoder('utf-8', { fatal: false });
export const ascii = (s: string): Uint8Array => enc.encode(s);
export const text = (b: Uint8Array): string => dec.decode(b);

export function hex(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += (b[i]! < 16 ? '0' : '') + b[i]!.toString(16);
  return s;
}

export { concatBytes as concat } from '../wire/codec.ts';
