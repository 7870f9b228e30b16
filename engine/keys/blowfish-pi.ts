// Blowfish's initial P-array and S-boxes are the hexadecimal digits of π's fractional part
// (Schneier, "Description of a New Variable-Length Key, 64-Bit Block Cipher (Blowfish)", 1993):
// P[0] = 0x243F6A88 because π = 3.243F6A88 85A308D3…₁₆. Instead of a 1042-word table we compute
// those 33 344 bits once with Machin's formula π = 16·atan(1/5) − 4·atan(1/239) in bigint.

const WORDS = 18 + 4 * 256;
const GUARD = 64n;

/** atan(1/x) scaled by `one`, by the alternating Taylor series. */
function atanInv(x: bigint, one: bigint): bigint {
  const x2 = x * x;
  let power = one / x;
  let sum = 0n;
  for (let k = 0n; power !== 0n; k++) {
    const term = power / (2n * k + 1n);
    sum += k % 2n === 0n ? term : -term;
    power /= x2;
  }
  return sum;
}

let cached: Uint32Array | null = null;

/** The first 1042 32-bit words of π's fractional part (P[0..17] then S0..S3), computed once. */
export function piWords(): Uint32Array {
  if (cached) return cached;
  const bits = BigInt(WORDS * 32);
  const one = 1n << (bits + GUARD);
  const pi = 16n * atanInv(5n, one) - 4n * atanInv(239n, one);
  let frac = (pi - 3n * one) >> GUARD; // 0.243F6A88… scaled by 2^bits
  const out = new Uint32Array(WORDS);
  for (let i = WORDS - 1; i >= 0; i--) {
    out[i] = Number(frac & 0xffffffffn);
    frac >>= 32n;
  }
  cached = out;
  return out;
}
