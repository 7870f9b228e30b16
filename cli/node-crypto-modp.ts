// Diffie-Hellman in the RFC 3526 MODP groups through OpenSSL (CryptoProvider.modpPow): SSH's
// diffie-hellman-group14/16/18 (RFC 8268 §3) use these primes with generator 2. OpenSSL recognises
// a named group's prime, so node:crypto skips the primality test it runs on an unknown one (tens of
// seconds for 8192 bits); any other prime gets null and the engine's bigint arithmetic.

import { createDiffieHellman, getDiffieHellman, type DiffieHellman } from 'node:crypto';

const NAMED = ['modp14', 'modp16', 'modp18'] as const;

let primes: Map<string, Buffer> | null = null;

/** Prime (hex, no leading zeros) → its bytes, for the groups OpenSSL knows by name. */
function knownPrimes(): Map<string, Buffer> {
  if (!primes) {
    primes = new Map();
    for (const name of NAMED) {
      const p = getDiffieHellman(name).getPrime();
      primes.set(BigInt(`0x${p.toString('hex')}`).toString(16), p);
    }
  }
  return primes;
}

function toBuffer(v: bigint): Buffer {
  const h = v.toString(16);
  return Buffer.from(h.length % 2 ? `0${h}` : h, 'hex');
}

function toBigint(b: Uint8Array): bigint {
  return b.length === 0 ? 0n : BigInt(`0x${Buffer.from(b).toString('hex')}`);
}

/** base^exponent mod p with base the generator 2 when omitted; null for a prime OpenSSL does not name. */
export function modpPow(p: bigint, exponent: bigint, base?: bigint): bigint | null {
  const prime = knownPrimes().get(p.toString(16));
  if (!prime || exponent <= 0n) return null;
  const dh: DiffieHellman = createDiffieHellman(prime, Buffer.from([2]));
  dh.setPrivateKey(toBuffer(exponent));
  if (base === undefined) return toBigint(dh.generateKeys());
  // computeSecret checks 1 < base < p - 1 (the engine checked it before, RFC 8268 / OpenSSH dh_pub_is_valid)
  return toBigint(dh.computeSecret(toBuffer(base)));
}
