// bigint arithmetic for RSA key generation (RFC 8017 §3, FIPS 186-5 App. B.3): modular
// exponentiation and inverse, and probable primes by trial division plus Miller-Rabin
// (FIPS 186-5 App. B.3.1). Deterministic given the `random` source.

import { bytesToBigint } from '../wire/codec.ts';

// Modular exponentiation is shared with the signature and key-exchange code.
export { modPow } from '../algorithms/bigint-math.ts';
import { modPow } from '../algorithms/bigint-math.ts';

export function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a < 0n ? -a : a;
}

/** a⁻¹ mod m (extended Euclid); throws when not invertible. */
export function modInverse(a: bigint, m: bigint): bigint {
  let [oldR, r] = [((a % m) + m) % m, m];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  if (oldR !== 1n) throw new RangeError('not invertible');
  return ((oldS % m) + m) % m;
}

const SMALL_PRIMES: number[] = (() => {
  const out: number[] = [];
  const sieve = new Uint8Array(1 << 16);
  for (let i = 2; i < sieve.length; i++) {
    if (sieve[i]) continue;
    out.push(i);
    for (let j = i * i; j < sieve.length; j += i) sieve[j] = 1;
  }
  return out;
})();

/** A uniformly random integer in [min, max] from `random` (rejection sampling). */
export function randomBelow(random: (n: number) => Uint8Array, min: bigint, max: bigint): bigint {
  const range = max - min + 1n;
  const bits = range.toString(2).length;
  const bytes = Math.ceil(bits / 8);
  const mask = (1n << BigInt(bits)) - 1n;
  for (;;) {
    const v = bytesToBigint(random(bytes)) & mask;
    if (v < range) return min + v;
  }
}

/**
 * Miller-Rabin with `rounds` random bases (FIPS 186-5 B.3.1). 1536-bit primes: 4 rounds reach
 * error < 2^-100 for random candidates (Table B.1); we default to more.
 */
export function isProbablePrime(n: bigint, random: (n: number) => Uint8Array, rounds = 16): boolean {
  if (n < 2n) return false;
  for (const p of SMALL_PRIMES) {
    const bp = BigInt(p);
    if (n === bp) return true;
    if (n % bp === 0n) return false;
  }
  let d = n - 1n;
  let s = 0;
  while ((d & 1n) === 0n) {
    d >>= 1n;
    s++;
  }
  witness: for (let i = 0; i < rounds; i++) {
    const a = randomBelow(random, 2n, n - 2n);
    let x = modPow(a, d, n);
    if (x === 1n || x === n - 1n) continue;
    for (let r = 1; r < s; r++) {
      x = (x * x) % n;
      if (x === n - 1n) continue witness;
      if (x === 1n) return false;
    }
    return false;
  }
  return true;
}

/**
 * A random prime of exactly `bits` bits with the two top bits set (so that p·q has 2·bits bits),
 * and gcd(p − 1, e) = 1. Candidates c, c+2, c+4 … are sieved by the primes below 2^16 (one
 * bigint remainder per small prime per window), survivors go to Miller-Rabin.
 */
export function randomPrime(bits: number, e: bigint, random: (n: number) => Uint8Array): bigint {
  const bytes = Math.ceil(bits / 8);
  const excess = BigInt(bytes * 8 - bits);
  const top2 = 3n << BigInt(bits - 2);
  const WINDOW = 4096; // candidates c + 2k, k < WINDOW
  for (;;) {
    let c = bytesToBigint(random(bytes)) >> excess;
    c |= top2 | 1n;
    const composite = new Uint8Array(WINDOW);
    for (const p of SMALL_PRIMES) {
      if (p === 2) continue;
      const r = Number(c % BigInt(p));
      // c + 2k ≡ 0 (mod p)  ⇔  k ≡ -r · 2⁻¹ (mod p)
      const inv2 = (p + 1) / 2;
      let k = ((p - r) * inv2) % p;
      if (c + 2n * BigInt(k) === BigInt(p)) k += p; // the candidate is p itself: too small to matter
      for (; k < WINDOW; k += p) composite[k] = 1;
    }
    for (let k = 0; k < WINDOW; k++) {
      if (composite[k]) continue;
      const n = c + 2n * BigInt(k);
      if (n >> BigInt(bits) !== 0n) break;
      if (gcd(n - 1n, e) !== 1n) continue;
      if (isProbablePrime(n, random, 8)) return n;
    }
  }
}
