import { describe, it, expect } from 'vitest';
import { createPrivateKey, createPublicKey, diffieHellman } from 'node:crypto';
import { KEX } from './kex.ts';
import { KexError } from './types.ts';

const fromHex = (h: string) => new Uint8Array(Buffer.from(h, 'hex'));
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const fixed = (...chunks: Uint8Array[]) => {
  let i = 0;
  return (n: number) => {
    const c = chunks[i++]!;
    expect(c.length).toBe(n);
    return c;
  };
};

// RFC 7748 §6.1
const ALICE_PRIV = fromHex('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a');
const ALICE_PUB = '8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a';
const BOB_PRIV = fromHex('5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb');
const BOB_PUB = 'de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f';
const SHARED = '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742';

/** Independent mpint encoding of an unsigned big-endian magnitude, via bigint (RFC 4251 §5). */
function mpintRef(mag: Uint8Array): string {
  const v = BigInt('0x' + (hex(mag) || '0'));
  if (v === 0n) return '00000000';
  let h = v.toString(16);
  if (h.length % 2) h = '0' + h;
  if (parseInt(h.slice(0, 2), 16) & 0x80) h = '00' + h;
  return (h.length / 2).toString(16).padStart(8, '0') + h;
}

/** node:crypto X25519 from raw keys. */
function nodeX25519(priv: Uint8Array, pub: Uint8Array): Uint8Array {
  const privateKey = createPrivateKey({ key: Buffer.concat([Buffer.from('302e020100300506032b656e04220420', 'hex'), priv]), format: 'der', type: 'pkcs8' });
  const publicKey = createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b656e032100', 'hex'), pub]), format: 'der', type: 'spki' });
  return new Uint8Array(diffieHellman({ privateKey, publicKey }));
}

describe.each(['curve25519-sha256', 'curve25519-sha256@libssh.org'])('%s', (name) => {
  const spec = KEX[name]!;

  it('is an ecdh-family, sha256, mpint-K method (RFC 8731 §3)', () => {
    expect([spec.name, spec.family, spec.hash, spec.kEncoding]).toEqual([name, 'ecdh', 'sha256', 'mpint']);
  });

  it('reproduces the RFC 7748 §6.1 vector on both sides', () => {
    const client = spec.startClient(fixed(ALICE_PRIV));
    expect(hex(client.clientPublic)).toBe(ALICE_PUB);
    const server = spec.respond(fixed(BOB_PRIV), client.clientPublic);
    expect(hex(server.serverPublic)).toBe(BOB_PUB);
    expect(hex(server.secret)).toBe(SHARED);
    const done = client.finish(server.serverPublic);
    expect(hex(done.secret)).toBe(SHARED);
    expect(hex(done.encodedK)).toBe(mpintRef(fromHex(SHARED)));
    expect(hex(done.encodedK)).toBe(hex(server.encodedK));
    expect(hex(done.privateKey!)).toBe(hex(ALICE_PRIV));
  });

  it('encodes K as an mpint: leading zeros dropped, 0x00 added before a high bit (RFC 8731 §3.1)', () => {
    // find key pairs whose shared secret starts with 0x00 / with a byte >= 0x80, searching with
    // node:crypto (fast), then run those through the engine
    const b = new Uint8Array(32).fill(7);
    const serverPub = spec.respond(fixed(b), new Uint8Array(32).fill(9)).serverPublic;
    let seen0 = false;
    let seenHigh = false;
    let plain = 0;
    for (let i = 1; i < 5000 && !(seen0 && seenHigh && plain > 2); i++) {
      const a = new Uint8Array(32).fill(i & 0xff);
      a[1] = i >> 8;
      const secret = nodeX25519(a, serverPub);
      const zero = secret[0] === 0;
      const high = secret[0]! >= 0x80;
      if ((zero && seen0) || (high && seenHigh) || (!zero && !high && plain > 2)) continue;
      const client = spec.startClient(fixed(a));
      const server = spec.respond(fixed(b), client.clientPublic);
      expect(hex(server.serverPublic)).toBe(hex(serverPub));
      expect(hex(server.secret)).toBe(hex(secret));
      const k = client.finish(server.serverPublic).encodedK;
      expect(hex(k)).toBe(mpintRef(secret));
      expect(hex(server.encodedK)).toBe(hex(k));
      if (zero) {
        seen0 = true;
        expect(k.length).toBeLessThan(36);
      } else if (high) {
        seenHigh = true;
        expect(k.length).toBe(37);
        expect(k[4]).toBe(0);
      } else {
        plain++;
        expect(k.length).toBe(36);
      }
    }
    expect(seen0 && seenHigh).toBe(true);
  });

  it('rejects low-order public keys (all-zero secret) and wrong lengths with KexError', () => {
    const client = spec.startClient(fixed(ALICE_PRIV));
    expect(() => client.finish(new Uint8Array(32))).toThrow(KexError);
    const one = new Uint8Array(32);
    one[0] = 1;
    expect(() => client.finish(one)).toThrow(KexError);
    expect(() => client.finish(new Uint8Array(31).fill(9))).toThrow(KexError);
    expect(() => spec.respond(fixed(BOB_PRIV), new Uint8Array(32))).toThrow(KexError);
  });
});
