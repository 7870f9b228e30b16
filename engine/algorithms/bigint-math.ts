// bigint helpers for the classic public-key algorithms (Diffie-Hellman, RSA): conversions between
// unsigned big-endian bytes and bigint (RFC 8017 §4.1 I2OSP / §4.2 OS2IP) and modular exponentiation.

/** OS2IP (RFC 8017 §4.2): unsigned big-endian bytes → integer. */
export function os2ip(b: Uint8Array): bigint {
  let h = '';
  for (let i = 0; i < b.length; i++) h += (b[i]! < 16 ? '0' : '') + b[i]!.toString(16);
  return h === '' ? 0n : BigInt('0x' + h);
}

/** I2OSP (RFC 8017 §4.1): integer → exactly `len` unsigned big-endian bytes; throws when it does not fit. */
export function i2osp(v: bigint, len: number): Uint8Array {
  if (v < 0n) throw new RangeError('I2OSP of a negative integer');
  let h = v.toString(16);
  if (h.length % 2) h = '0' + h;
  if (h.length / 2 > len) throw new RangeError(`integer too large for ${len} bytes`);
  const out = new Uint8Array(len);
  const off = len - h.length / 2;
  for (let i = 0; i < h.length / 2; i++) out[off + i] = parseInt(h.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** The shortest unsigned big-endian bytes of a non-negative integer (zero is one 0x00 byte). */
export function minimalBytes(v: bigint): Uint8Array {
  return i2osp(v, Math.max(1, Math.ceil(bitLength(v) / 8)));
}

export function bitLength(v: bigint): number {
  return v === 0n ? 0 : v.toString(2).length;
}

/**
 * base^exp mod mod, left-to-right with a 5-bit sliding window (HAC 14.85): about one squaring per
 * exponent bit plus one multiplication per window.
 */
export function modPow(base: bigint, exp: bigint, mod: bigint): bigint {
  if (mod <= 0n) throw new RangeError('modulus must be positive');
  if (exp < 0n) throw new RangeError('negative exponent');
  if (mod === 1n) return 0n;
  let b = base % mod;
  if (b < 0n) b += mod;
  if (exp === 0n) return 1n;
  const W = 5;
  const odd: bigint[] = [b];
  const b2 = (b * b) % mod;
  for (let i = 1; i < 1 << (W - 1); i++) odd.push((odd[i - 1]! * b2) % mod);
  const bits = exp.toString(2);
  let r = 1n;
  let i = 0;
  while (i < bits.length) {
    if (bits[i] === '0') {
      r = (r * r) % mod;
      i++;
      continue;
    }
    let j = Math.min(i + W, bits.length);
    while (bits[j - 1] === '0') j--;
    const win = parseInt(bits.slice(i, j), 2);
    for (let k = i; k < j; k++) r = (r * r) % mod;
    r = (r * odd[(win - 1) >> 1]!) % mod;
    i = j;
  }
  return r;
}

/** a mod m in [0, m). */
export function mod(a: bigint, m: bigint): bigint {
  const r = a % m;
  return r < 0n ? r + m : r;
}
