// Base64 (RFC 4648 §4) without Buffer or atob, so that it runs the same in Node and the browser.
// OpenSSH writes padded base64 in key lines and files; SHA256 fingerprints drop the padding.

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const LOOKUP = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) LOOKUP[ALPHABET.charCodeAt(i)] = i;

export function base64Encode(bytes: Uint8Array, pad = true): string {
  let s = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const v = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    s += ALPHABET[v >>> 18]! + ALPHABET[(v >>> 12) & 63]! + ALPHABET[(v >>> 6) & 63]! + ALPHABET[v & 63]!;
  }
  const left = bytes.length - i;
  if (left === 1) {
    const v = bytes[i]! << 16;
    s += ALPHABET[v >>> 18]! + ALPHABET[(v >>> 12) & 63]! + (pad ? '==' : '');
  } else if (left === 2) {
    const v = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    s += ALPHABET[v >>> 18]! + ALPHABET[(v >>> 12) & 63]! + ALPHABET[(v >>> 6) & 63]! + (pad ? '=' : '');
  }
  return s;
}

/**
 * Strict decoding: only the standard alphabet, padding optional but only at the end, no stray
 * characters. Returns null (never throws) on invalid input; the caller reports where.
 */
export function base64Decode(s: string): Uint8Array | null {
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 61 /* = */ && s.length - end < 2) end--;
  const padded = s.length - end;
  if (padded > 0 && s.length % 4 !== 0) return null;
  if (end % 4 === 1) return null;
  const out = new Uint8Array(Math.floor((end * 6) / 8));
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < end; i++) {
    const c = s.charCodeAt(i);
    const v = c < 128 ? LOOKUP[c]! : -1;
    if (v < 0) return null;
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >>> bits) & 0xff;
    }
  }
  return out;
}
