// RFC 4253 §7.2 key derivation against NIST CAVS 14.1 SSH KDF vectors (as published in OpenSSL's
// test/recipes/30-test_evp_data/evpkdf_ssh.txt, "SSHKDF tests (from NIST CAVS 14.1 test vectors)"),
// plus a straightforward node:crypto implementation for long keys.
import { describe, it, expect } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { deriveKeys, KEY_LETTERS, type KeyLetter } from './kdf.ts';
import type { HashName } from './types.ts';

const fromHex = (h: string) => new Uint8Array(Buffer.from(h, 'hex'));
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

interface Vector {
  hash: HashName;
  K: string;
  H: string;
  sessionId: string;
  out: Record<KeyLetter, string>;
}

const CAVS: Vector[] = [
  {
    hash: 'sha1',
    K: '0000008055bae931c07fd824bf10add1902b6fbc7c665347383498a686929ff5a25f8e40cb6645ea814fb1a5e0a11f852f86255641e5ed986e83a78bc8269480eac0b0dfd770cab92e7a28dd87ff452466d6ae867cead63b366b1c286e6c4811a9f14c27aea14c5171d49b78c06e3735d36e6a3be321dd5fc82308f34ee1cb17fba94a59',
    H: 'a4ebd45934f56792b5112dcd75a1075fdc889245',
    sessionId: 'a4ebd45934f56792b5112dcd75a1075fdc889245',
    out: {
      A: 'e2f627c0b43f1ac1',
      B: '58471445f342b181',
      C: '1ca9d310f86d51f6cb8e7007cb2b220d55c5281ce680b533',
      D: '2c60df8603d34cc1dbb03c11f725a44b44008851c73d6844',
      E: '472eb8a26166ae6aa8e06868e45c3b26e6eeed06',
      F: 'e3e2fdb9d7bc21165a3dbe47e1eceb7764390bab',
    },
  },
  {
    hash: 'sha1',
    K: '0000008100ec6f2c5f0517fd92f730567bd783138302917c277552b1b3fdf2b67d6edb6fa81bd17f7ebbe339b54b171341e6522b91611f8274cc88652a458f8041261040818a268497e949e12f57271318b2b3194c29760cbb767c0fc8833b272994e18682da807e6c9f235d88ef89c203c6f756d25cc2bea199b02c955b8b40cbc04f9208',
    H: 'ee40eef61bea3da8c2b1cec40fc4cdac892a2626',
    sessionId: 'ca9aad244e24797fd348d1250387c8aa45a0110a',
    out: {
      A: '55a1015757de84cb',
      B: '7e57f61d5735f4fb',
      C: 'dd1c24bde1af845e82207541e3e173aec822fb904a94ae3c',
      D: 'cbbfdc9442af6db7f8c4dcaa4b0b5d0163e0e204476aa2a0',
      E: 'e153e04886c0dc446dde9a9b3b13efb77151764d',
      F: 'c8e4f61bd6b5abb2c6e06eca7b302349435e4842',
    },
  },
  {
    hash: 'sha256',
    K: '0000008100b3462ee942f026de0922ab88b6ebf5ee2c968a4e12cbf374593f3542c6eb619ea1ec29b958c65a83305c37008de3b691ec020cc989e6c5393dae36bbb3bf0d1a29ed0bab6d23f60e63e277119b7a4c0a5fa96d9c043a5ace58034052ffb71b8bf0eaea8a6bc9a9834c512d7470122c71908a44ef7f3227b512f6971c82436e96',
    H: '3d5d7f742b08976755e2eb8457f1d9401d918bbf7e201fe0742f00ae799082df',
    sessionId: '50bcad2970e07c3ad3f14db05d451d77304fe70927ba26815fcaf1f3a723af91',
    out: {
      A: '1f9e7ad5592ac73d',
      B: '15b254fe3510dd77',
      C: '88eadd5802e1a748284684438eb1b1bdc9b20ea30c59950d',
      D: '277c2c4ad3d4a3bec4bdc5329bb5f9d4e39aa06b1e115e77',
      E: '090d2f273a690ed1d67dd9919c34385b18a661f8657b84bef6832f2396771979',
      F: '1f3082fa5ac8ec565595c4c5b8a7ddbba88ed4936fca913bba6a8715dc856f30',
    },
  },
  {
    hash: 'sha256',
    K: '000001006ac382eaaca093e125e25c24bebc84640c11987507344b5c739ceb84a9e0b222b9a8b51c839e5ebe49cfadbfb39599764ed522099dc912751950dc7dc97fbdc06328b68f22781fd315af568009a5509e5b87a11bf527c056daffd82ab6cbc25cca37143459e7bc63bcde52757adeb7df01cf12173f1fef8102ec5ab142c213dd9d30696278a8d8bc32dde9592d28c078c6d92b947d825acaab6494846a49de24b9623f4889e8adc38e8c669effef176040ad945e90a7d3eec15efeee78ae71043c96511103a16ba7caf0acd0642efdbe809934faa1a5f1bd11043649b25ccd1fee2e38815d4d5f5fc6b4102969f21c22ae1b0e7d3603a556a13262ff628de222',
    H: '7b7001185e256d4493445f39a55fb905e6321f4b5dd8bbf3100d51ba0bda3d2d',
    sessionId: '7b7001185e256d4493445f39a55fb905e6321f4b5dd8bbf3100d51ba0bda3d2d',
    out: {
      A: '81f0330ef6f05361b3823bfded6e1de9',
      B: '3f6fd2065eeb2b0b1d93195a1fed48a5',
      C: 'c35471034e6fd6547613178e23435f21',
      D: '7e9d79032090d99f98b015634dd9f462',
      E: '24ee559ad7ce712b685d0b2271e443c17ab1d1dceb5a360569d25d5dc243002f',
      F: 'c3419c2b966235869d714ba5ac48ddb7d9e35c8c19aac73422337a373453607e',
    },
  },
];

/** The KDF written out plainly with node:crypto. */
function kdfRef(hash: HashName, K: Uint8Array, H: Uint8Array, letter: string, sid: Uint8Array, len: number): string {
  let out = createHash(hash).update(K).update(H).update(letter).update(sid).digest();
  while (out.length < len) out = Buffer.concat([out, createHash(hash).update(K).update(H).update(out).digest()]);
  return out.subarray(0, len).toString('hex');
}

describe('deriveKeys (RFC 4253 §7.2)', () => {
  it.each(CAVS.map((v, i) => [i, v] as const))('NIST CAVS 14.1 vector %i', (_i, v) => {
    const need = Object.fromEntries(KEY_LETTERS.map((l) => [l, v.out[l].length / 2])) as Record<KeyLetter, number>;
    const { keys, steps } = deriveKeys(v.hash, fromHex(v.K), fromHex(v.H), fromHex(v.sessionId), need);
    for (const l of KEY_LETTERS) expect(hex(keys[l])).toBe(v.out[l]);
    // the trace ends each letter with its key
    for (const l of KEY_LETTERS) expect(steps.find((s) => s.name === l)?.value).toBe(v.out[l]);
  });

  it('extends keys with K2 = HASH(K || H || K1), K3 = HASH(K || H || K1 || K2) and traces every round', () => {
    const K = new Uint8Array(randomBytes(37));
    const H = new Uint8Array(randomBytes(32));
    const sid = new Uint8Array(randomBytes(32));
    const need = { A: 12, B: 16, C: 64, D: 100, E: 0, F: 33 };
    for (const hash of ['sha1', 'sha256', 'sha512'] as HashName[]) {
      const { keys, steps } = deriveKeys(hash, K, H, sid, need);
      for (const l of KEY_LETTERS) {
        expect(hex(keys[l])).toBe(need[l] ? kdfRef(hash, K, H, l, sid, need[l]) : '');
        const hl = createHash(hash).digest().length;
        const rounds = steps.filter((s) => s.name.startsWith(`${l}.`));
        expect(rounds.length).toBe(Math.ceil(need[l] / hl));
        // every round's value is the next slice of the reference stream
        const long = kdfRef(hash, K, H, l, sid, Math.max(1, rounds.length) * hl);
        rounds.forEach((r, i) => expect(r.value).toBe(long.slice(i * hl * 2, (i + 1) * hl * 2)));
      }
      expect(steps.slice(0, 3).map((s) => [s.name, s.value])).toEqual([
        ['K', hex(K)],
        ['H', hex(H)],
        ['session_id', hex(sid)],
      ]);
      expect(steps.find((s) => s.name === 'C.1')?.formula).toBe('HASH(K || H || "C" || session_id)');
      // D needs 100 bytes: 5 rounds of SHA-1, 4 of SHA-256, 2 of SHA-512
      expect(steps.find((s) => s.name === 'D.2')?.formula).toBe('HASH(K || H || D.1)');
      if (hash !== 'sha512') expect(steps.find((s) => s.name === 'D.3')?.formula).toBe('HASH(K || H || D.1 || D.2)');
    }
  });
});
