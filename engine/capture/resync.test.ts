// The resync search's cost bound: candidates refused by their decrypted packet_length cost a 32nd
// of an attempt (no opener, no MAC). AES-CTR without -etm once paid a fresh opener per candidate,
// which the fuzzer found taking over a second on one damaged capture
// (test/fuzz/corpus/regressions/ctr-resync-budget-*.json).

import { describe, expect, it } from 'vitest';
import { findKeyedBoundary, type KeyedDirection } from './resync.ts';
import { seededEnv } from '../env.ts';

describe('findKeyedBoundary on bytes that hold no packet', () => {
  const env = seededEnv('resync-noise');
  const data = env.randomBytes(4096);
  const search = { data, from: 0, gapAt: 0, lost: 4096, limit: data.length, segmentStarts: [0, 1460, 2920], seqLo: 7, seqHi: 7, index: 7, keystream: 7 * 64 };
  for (const [cipher, mac] of [['aes128-ctr', 'hmac-sha2-256'], ['aes256-ctr', 'hmac-sha2-512']] as const) {
    it(`${cipher} + ${mac}: finds nothing, and almost every candidate is refused by its length`, () => {
      const keys = { key: env.randomBytes(cipher.startsWith('aes128') ? 16 : 32), iv: env.randomBytes(16), macKey: env.randomBytes(64) };
      const k: KeyedDirection = { cipher, mac, keys };
      const r = findKeyedBoundary(k, search);
      expect(r.hit).toBeNull();
      expect(r.exhausted).toBe(false);
      // every candidate (offset, lost packets) was looked at for far less than one opener each
      expect(r.used).toBeLessThan(5000);
    });
  }
});
