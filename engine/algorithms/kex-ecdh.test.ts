import { describe, it, expect } from 'vitest';
import { createECDH, randomBytes } from 'node:crypto';
import { KEX } from './kex.ts';
import { KexError } from './types.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const rnd = (n: number) => new Uint8Array(randomBytes(n));
function mpintHex(mag: Uint8Array): string {
  const v = BigInt('0x' + (hex(mag) || '0'));
  if (v === 0n) return '00000000';
  let h = v.toString(16);
  if (h.length % 2) h = '0' + h;
  if (parseInt(h.slice(0, 2), 16) & 0x80) h = '00' + h;
  return (h.length / 2).toString(16).padStart(8, '0') + h;
}

const CURVES = [
  { name: 'ecdh-sha2-nistp256', node: 'prime256v1', hash: 'sha256', fb: 32 },
  { name: 'ecdh-sha2-nistp384', node: 'secp384r1', hash: 'sha384', fb: 48 },
  { name: 'ecdh-sha2-nistp521', node: 'secp521r1', hash: 'sha512', fb: 66 },
] as const;

describe.each(CURVES)('$name (RFC 5656 §4)', ({ name, node, hash, fb }) => {
  const spec = KEX[name]!;

  it('is an ecdh-family, mpint-K method with the curve-sized hash (RFC 5656 §6.2.1)', () => {
    expect([spec.name, spec.family, spec.hash, spec.kEncoding]).toEqual([name, 'ecdh', hash, 'mpint']);
  });

  it('agrees with node:crypto ECDH both ways; K = x coordinate as mpint', () => {
    for (let i = 0; i < 4; i++) {
      const peer = createECDH(node);
      peer.generateKeys();
      const peerPub = new Uint8Array(peer.getPublicKey()); // uncompressed
      const client = spec.startClient(rnd);
      expect(client.clientPublic.length).toBe(1 + 2 * fb);
      expect(client.clientPublic[0]).toBe(4);
      const done = client.finish(peerPub);
      const x1 = peer.computeSecret(Buffer.from(client.clientPublic));
      expect(hex(done.secret)).toBe(x1.toString('hex'));
      expect(hex(done.encodedK)).toBe(mpintHex(new Uint8Array(x1)));
      const server = spec.respond(rnd, peerPub);
      const x2 = peer.computeSecret(Buffer.from(server.serverPublic));
      expect(hex(server.secret)).toBe(x2.toString('hex'));
      expect(hex(server.encodedK)).toBe(mpintHex(new Uint8Array(x2)));
    }
  });

  it('the same random bytes give the same key pair (seeded sessions)', () => {
    const seed = (n: number) => new Uint8Array(n).fill(0x42);
    expect(hex(spec.startClient(seed).clientPublic)).toBe(hex(spec.startClient(seed).clientPublic));
  });

  it('rejects off-curve, compressed, infinity and wrong-length points with KexError', () => {
    const peer = createECDH(node);
    peer.generateKeys();
    const good = new Uint8Array(peer.getPublicKey());
    const off = good.slice();
    off[off.length - 1]! ^= 1;
    const compressed = new Uint8Array(peer.getPublicKey(null, 'compressed'));
    const bad = [off, compressed, new Uint8Array([0]), new Uint8Array(1 + 2 * fb), good.subarray(0, good.length - 1), new Uint8Array([...good, 0])];
    const client = spec.startClient(rnd);
    for (const b of bad) {
      expect(() => client.finish(b)).toThrow(KexError);
      expect(() => spec.respond(rnd, b)).toThrow(KexError);
    }
    // x = 0 with a y that is not on the curve either
    const zeroes = new Uint8Array(1 + 2 * fb);
    zeroes[0] = 4;
    expect(() => client.finish(zeroes)).toThrow(KexError);
  });
});
