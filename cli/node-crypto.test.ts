// The node:crypto provider must be byte-for-byte interchangeable with the noble path: sealing with one
// and opening with the other gives the same bytes, for every cipher × MAC.
import { describe, it, expect } from 'vitest';
import { randomBytes } from 'node:crypto';
import { nodeCryptoProvider as P, chachaPolyTag } from './node-crypto.ts';
import { CIPHERS, createOpener, createSealer } from '../engine/algorithms/ciphers.ts';
import { MACS } from '../engine/algorithms/macs.ts';
import { hash, hmac } from '../engine/algorithms/hashes.ts';
import { deriveKeys } from '../engine/algorithms/kdf.ts';
import { IntegrityError, type DirectionKeys, type HashName, type PacketOpener } from '../engine/algorithms/types.ts';
import { chacha20orig } from '@noble/ciphers/chacha.js';
import { poly1305 } from '@noble/ciphers/_poly1305.js';
import { gcm, ctr } from '@noble/ciphers/aes.js';

const rnd = (n: number) => new Uint8Array(randomBytes(n));
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function packet(payload: Uint8Array, block: number, excl: boolean): Uint8Array {
  const covered = (excl ? 1 : 5) + payload.length;
  let pad = block - (covered % block);
  if (pad < 4) pad += block;
  const len = 1 + payload.length + pad;
  const p = new Uint8Array(4 + len);
  new DataView(p.buffer).setUint32(0, len);
  p[4] = pad;
  p.set(payload, 5);
  p.set(rnd(pad), 5 + payload.length);
  return p;
}

function open(o: PacketOpener, seq: number, wire: Uint8Array) {
  o.readLength(seq, wire.subarray(0, o.headLen));
  return o.open(seq, wire);
}

const COMBOS: [string, string | null][] = Object.keys(CIPHERS)
  .filter((c) => c !== 'none')
  .flatMap((c): [string, string | null][] => (CIPHERS[c]!.aead ? [[c, null]] : Object.keys(MACS).map((m) => [c, m] as [string, string])));

describe('nodeCryptoProvider primitives', () => {
  it('chacha20 with (key, nonce8, counter) equals noble chacha20orig', () => {
    const key = rnd(32);
    const nonce = rnd(8);
    for (const counter of [0, 1, 7, 1000]) {
      const data = rnd(200);
      expect(hex(P.chacha20!(key, nonce, counter, data))).toBe(hex(chacha20orig(key, nonce, data, undefined, counter)));
    }
  });

  it('aes-gcm encrypt/decrypt equal noble gcm, and a bad tag gives null', () => {
    for (const kl of [16, 32]) {
      const key = rnd(kl);
      const nonce = rnd(12);
      const aad = rnd(4);
      const pt = rnd(100);
      const ct = P.aesGcmEncrypt!(key, nonce, aad, pt);
      expect(hex(ct)).toBe(hex(gcm(key, nonce, aad).encrypt(pt)));
      expect(hex(P.aesGcmDecrypt!(key, nonce, aad, ct)!)).toBe(hex(pt));
      ct[5]! ^= 0x40;
      expect(P.aesGcmDecrypt!(key, nonce, aad, ct)).toBeNull();
    }
  });

  it('aes-ctr streams across calls like one noble ctr over the concatenation', () => {
    for (const kl of [16, 24, 32]) {
      const key = rnd(kl);
      const iv = rnd(16);
      const s = P.aesCtr!(key, iv);
      const parts = [rnd(16), rnd(48), rnd(4096)];
      const got = Buffer.concat(parts.map((p) => s.update(p)));
      expect(got.toString('hex')).toBe(hex(ctr(key, iv).encrypt(Buffer.concat(parts))));
    }
  });

  it('hash, hmac, poly1305 equal the noble path', () => {
    const d = rnd(333);
    const k = rnd(40);
    for (const h of ['sha1', 'sha256', 'sha384', 'sha512'] as HashName[]) {
      expect(hex(P.hash!(h, d))).toBe(hex(hash(h, d)));
      expect(hex(P.hmac!(h, k, d))).toBe(hex(hmac(h, k, d)));
    }
    const pk = rnd(32);
    expect(hex(P.poly1305!(pk, d))).toBe(hex(poly1305(d, pk)));
  });

  it('the KDF gives the same keys through the provider', () => {
    const need = { A: 16, B: 16, C: 64, D: 64, E: 64, F: 64 };
    const [K, H, sid] = [rnd(37), rnd(32), rnd(32)];
    expect(deriveKeys('sha256', K, H, sid, need, P).keys).toEqual(deriveKeys('sha256', K, H, sid, need).keys);
  });
});

/** Poly1305 (RFC 8439 §2.5) with bigint, straight from the definition. */
function poly1305Ref(key: Uint8Array, msg: Uint8Array): string {
  const le = (b: Uint8Array) => b.reduceRight((acc, x) => (acc << 8n) | BigInt(x), 0n);
  const p = (1n << 130n) - 5n;
  const r = le(key.subarray(0, 16)) & 0x0ffffffc0ffffffc0ffffffc0fffffffn;
  let acc = 0n;
  for (let i = 0; i < msg.length; i += 16) {
    const chunk = msg.subarray(i, i + 16);
    acc = ((acc + le(chunk) + (1n << BigInt(8 * chunk.length))) * r) % p;
  }
  acc = (acc + le(key.subarray(16, 32))) & ((1n << 128n) - 1n);
  return acc.toString(16).padStart(32, '0').match(/../g)!.reverse().join('');
}

describe('chachaPolyTag (Poly1305 recovered from the native AEAD)', () => {
  it('equals Poly1305 keyed by ChaCha20 block 0, for every length 0..100 and large inputs', () => {
    const lengths = [...Array.from({ length: 101 }, (_, i) => i), 255, 256, 257, 4096, 32768 + 20, 65536];
    for (const n of lengths) {
      const key = rnd(32);
      const nonce = rnd(8);
      const data = rnd(n);
      const polyKey = chacha20orig(key, nonce, new Uint8Array(32));
      const got = hex(chachaPolyTag(key, nonce, data));
      expect(got).toBe(hex(poly1305(data, polyKey)));
      expect(got).toBe(poly1305Ref(polyKey, data));
    }
  });

  it('handles values that exercise the mod-p wrap (all-0xff data)', () => {
    for (let i = 0; i < 50; i++) {
      const key = rnd(32);
      const nonce = rnd(8);
      const data = new Uint8Array(17 + i * 13).fill(0xff);
      expect(hex(chachaPolyTag(key, nonce, data))).toBe(poly1305Ref(chacha20orig(key, nonce, new Uint8Array(32)), data));
    }
  });

  it('a provider without chachaPolyTag (poly1305 only) seals the same bytes', () => {
    const { chachaPolyTag: _omit, ...rest } = P;
    const k: DirectionKeys = { iv: new Uint8Array(0), key: rnd(64), macKey: new Uint8Array(0) };
    const a = createSealer('chacha20-poly1305@openssh.com', null, k, P);
    const b = createSealer('chacha20-poly1305@openssh.com', null, k, rest);
    const p = packet(rnd(1000), 8, true);
    expect(hex(a.seal(9, p))).toBe(hex(b.seal(9, p)));
  });
});

describe.each(COMBOS)('%s + %s: noble and node:crypto interoperate', (cipher, mac) => {
  const c = CIPHERS[cipher]!;
  const keys = (): DirectionKeys => ({ iv: rnd(Math.max(1, c.ivLen)), key: rnd(c.keyLen), macKey: rnd(mac ? MACS[mac]!.keyLen : 0) });

  it('seal with one, open with the other, identical wire bytes', () => {
    const k = keys();
    const sN = createSealer(cipher, mac, k);
    const sP = createSealer(cipher, mac, k, P);
    const oN = createOpener(cipher, mac, k);
    const oP = createOpener(cipher, mac, k, P);
    for (let seq = 0; seq < 12; seq++) {
      const p = packet(rnd(seq * 61), sN.blockLen, sN.lengthExcludedFromPadding);
      const wN = sN.seal(seq, p);
      const wP = sP.seal(seq, p);
      expect(hex(wP)).toBe(hex(wN));
      // alternate who opens what
      expect(hex(open(seq % 2 ? oN : oP, seq, seq % 2 ? wP : wN))).toBe(hex(p));
      expect(hex(open(seq % 2 ? oP : oN, seq, seq % 2 ? wN : wP))).toBe(hex(p));
    }
  });

  it('the provider path throws IntegrityError on a flipped bit', () => {
    const k = keys();
    const s = createSealer(cipher, mac, k);
    const o = createOpener(cipher, mac, k, P);
    const w = s.seal(1, packet(rnd(80), s.blockLen, s.lengthExcludedFromPadding));
    w[w.length - 20]! ^= 0x08;
    o.readLength(1, w.subarray(0, o.headLen));
    expect(() => o.open(1, w)).toThrow(IntegrityError);
  });
});

describe('nodeCryptoProvider X25519 and Ed25519 agree with noble', () => {
  it('X25519 public keys and shared secrets (RFC 7748 §6.1 vector and random keys)', async () => {
    const { x25519 } = await import('@noble/curves/ed25519.js');
    const a = Buffer.from('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a', 'hex');
    const bPub = Buffer.from('de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f', 'hex');
    expect(Buffer.from(P.x25519PublicKey!(a)).toString('hex')).toBe('8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a');
    expect(Buffer.from(P.x25519!(a, bPub)).toString('hex')).toBe('4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742');
    for (let i = 0; i < 20; i++) {
      const p = crypto.getRandomValues(new Uint8Array(32));
      const q = x25519.getPublicKey(crypto.getRandomValues(new Uint8Array(32)));
      expect(P.x25519PublicKey!(p)).toEqual(x25519.getPublicKey(p));
      expect(P.x25519!(p, q)).toEqual(x25519.getSharedSecret(p, q));
    }
  });

  it('Ed25519 signatures are identical and verify both ways', async () => {
    const { ed25519 } = await import('@noble/curves/ed25519.js');
    for (let i = 0; i < 20; i++) {
      const seed = crypto.getRandomValues(new Uint8Array(32));
      const pub = ed25519.getPublicKey(seed);
      const msg = crypto.getRandomValues(new Uint8Array(i * 7));
      const sig = P.ed25519Sign!(seed, pub, msg);
      expect(sig).toEqual(ed25519.sign(msg, seed));
      expect(P.ed25519Verify!(pub, msg, sig)).toBe(true);
      const bad = sig.slice();
      bad[5]! ^= 1;
      expect(P.ed25519Verify!(pub, msg, bad)).toBe(false);
    }
  });
});
