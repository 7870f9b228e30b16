// Randomness and time are injected (DESIGN.md "Sans-IO"). seededEnv makes a session
// byte-reproducible; defaultEnv uses the platform's CSPRNG.

import { chacha20 } from '@noble/ciphers/chacha.js';
import { sha256 } from '@noble/hashes/sha2.js';
import type { CryptoProvider } from './algorithms/types.ts';

export interface Env {
  randomBytes(n: number): Uint8Array;
  /** Milliseconds; only used to stamp events and measure rekey intervals. */
  now(): number;
  /** Optional faster synchronous primitives (node:crypto in Node); noble otherwise. */
  crypto?: CryptoProvider;
}

export function defaultEnv(crypto?: CryptoProvider): Env {
  // Padding asks for a few bytes per packet: serve small requests from a 64 KiB pool.
  const POOL = 65536;
  const pool = new Uint8Array(POOL);
  let poolPos = POOL;
  const fill = (out: Uint8Array) => {
    for (let i = 0; i < out.length; i += 65536) globalThis.crypto.getRandomValues(out.subarray(i, Math.min(out.length, i + 65536)) as Uint8Array<ArrayBuffer>);
  };
  const env: Env = {
    randomBytes(n) {
      const out = new Uint8Array(n);
      if (n > 256) {
        fill(out);
        return out;
      }
      if (poolPos + n > POOL) {
        fill(pool);
        poolPos = 0;
      }
      out.set(pool.subarray(poolPos, poolPos + n));
      pool.fill(0, poolPos, poolPos + n);
      poolPos += n;
      return out;
    },
    now: () => Date.now(),
  };
  if (crypto) env.crypto = crypto;
  return env;
}

/**
 * A deterministic Env: randomness is a ChaCha20 keystream keyed by SHA-256(seed), and the
 * clock advances one millisecond per call. Two Envs with the same seed yield the same bytes.
 */
export function seededEnv(seed: string | number, crypto?: CryptoProvider): Env {
  const key = sha256(new TextEncoder().encode(`sshscope-seed:${seed}`));
  const nonce = new Uint8Array(12);
  let counter = 0;
  let pool = new Uint8Array(0);
  let poolPos = 0;
  let clock = 0;
  const refill = () => {
    pool = chacha20(key, nonce, new Uint8Array(4096), undefined, counter);
    counter += 4096 / 64;
    poolPos = 0;
  };
  const env: Env = {
    randomBytes(n) {
      const out = new Uint8Array(n);
      let o = 0;
      while (o < n) {
        if (poolPos >= pool.length) refill();
        const take = Math.min(n - o, pool.length - poolPos);
        out.set(pool.subarray(poolPos, poolPos + take), o);
        poolPos += take;
        o += take;
      }
      return out;
    },
    now: () => clock++,
  };
  if (crypto) env.crypto = crypto;
  return env;
}
