// A streaming AES-CTR keystream (RFC 4344 §4: the 128-bit counter X is incremented as a big-endian
// integer modulo 2^128 after every block and is never reset between packets).
// noble's ctr() does not stream (stack.md), so we keep the counter here and start a new ctr() per
// chunk; SSH only ever hands us whole blocks (packets are block-aligned, RFC 4253 §6).

import { ctr } from '@noble/ciphers/aes.js';
import type { CryptoProvider } from './types.ts';

export interface KeyStream {
  /** XORs `data` with the next data.length bytes of keystream, writing into `out` (default: a new array). */
  update(data: Uint8Array, out?: Uint8Array): Uint8Array;
}

/** Adds `blocks` to the 16-byte big-endian counter in place (mod 2^128). */
export function addToCounter(counter: Uint8Array, blocks: number): void {
  let carry = blocks;
  for (let i = 15; i >= 0 && carry > 0; i--) {
    const v = counter[i]! + (carry % 256);
    counter[i] = v & 0xff;
    carry = Math.floor(carry / 256) + (v >> 8);
  }
}

export function aesCtrStream(key: Uint8Array, iv: Uint8Array, provider?: CryptoProvider): KeyStream {
  if (iv.length !== 16) throw new Error(`aes-ctr needs a 16-byte IV, got ${iv.length}`);
  if (provider?.aesCtr) {
    const s = provider.aesCtr(key, iv);
    return {
      update(data, out) {
        const r = s.update(data);
        if (out) {
          out.set(r);
          return out;
        }
        return r;
      },
    };
  }
  const counter = iv.slice();
  return {
    update(data, out) {
      if (data.length % 16 !== 0) throw new Error(`aes-ctr chunk of ${data.length} bytes is not block-aligned`);
      if (data.length === 0) return out ?? new Uint8Array(0);
      const aligned = out !== undefined && out.byteOffset % 4 === 0;
      const r = ctr(key, counter).encrypt(data, aligned ? out : undefined);
      addToCounter(counter, data.length / 16);
      if (out && !aligned) {
        out.set(r);
        return out;
      }
      return r;
    },
  };
}
