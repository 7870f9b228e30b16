import { describe, it, expect } from 'vitest';
import { checkPrimeSync, createDiffieHellman, getDiffieHellman, randomBytes } from 'node:crypto';
import { KEX } from './kex.ts';
import { KexError } from './types.ts';
import { MODP_GROUP_14, MODP_GROUP_16, MODP_GROUP_18, OAKLEY_GROUP_2 } from './modp-groups.ts';
import { dhExponentBits, dhEstimate } from './kex-dh.ts';

const big = (b: Uint8Array) => BigInt('0x' + (Buffer.from(b).toString('hex') || '0'));
const bytesOf = (v: bigint) => {
  let h = v.toString(16);
  if (h.length % 2) h = '0' + h;
  return new Uint8Array(Buffer.from(h, 'hex'));
};
const rnd = (n: number) => new Uint8Array(randomBytes(n));
/** Independent mpint (RFC 4251 §5). */
function mpintHex(v: bigint): string {
  let h = v.toString(16);
  if (h.length % 2) h = '0' + h;
  if (parseInt(h.slice(0, 2), 16) & 0x80) h = '00' + h;
  return (h.length / 2).toString(16).padStart(8, '0') + h;
}

const FIXED = [
  { name: 'diffie-hellman-group1-sha1', node: 'modp2', group: OAKLEY_GROUP_2, hash: 'sha1', bits: 1024 },
  { name: 'diffie-hellman-group14-sha1', node: 'modp14', group: MODP_GROUP_14, hash: 'sha1', bits: 2048 },
  { name: 'diffie-hellman-group14-sha256', node: 'modp14', group: MODP_GROUP_14, hash: 'sha256', bits: 2048 },
  { name: 'diffie-hellman-group16-sha512', node: 'modp16', group: MODP_GROUP_16, hash: 'sha512', bits: 4096 },
  { name: 'diffie-hellman-group18-sha512', node: 'modp18', group: MODP_GROUP_18, hash: 'sha512', bits: 8192 },
] as const;

describe('MODP groups (RFC 2409 §6.2, RFC 3526)', () => {
  it.each(FIXED)('$node: our constant equals node:crypto getDiffieHellman, generator 2, safe prime', ({ node, group, bits }) => {
    const dh = getDiffieHellman(node);
    expect(group.p).toBe(big(dh.getPrime()));
    expect(group.g).toBe(big(dh.getGenerator()));
    expect(group.p.toString(2).length).toBe(bits);
    expect(group.bits).toBe(bits);
    // the top and bottom 64 bits are ones (RFC 3526 §1)
    expect(group.p >> BigInt(bits - 64)).toBe((1n << 64n) - 1n);
    expect(group.p & ((1n << 64n) - 1n)).toBe((1n << 64n) - 1n);
    if (bits <= 2048) {
      expect(checkPrimeSync(group.p)).toBe(true);
      expect(checkPrimeSync((group.p - 1n) / 2n)).toBe(true);
    }
  });
});

describe.each(FIXED)('$name (RFC 4253 §8, RFC 8268)', ({ name, node, hash, bits }) => {
  const spec = KEX[name]!;

  it('is a dh-family method with the right hash', () => {
    expect([spec.name, spec.family, spec.hash, spec.kEncoding]).toEqual([name, 'dh', hash, 'mpint']);
  });

  it('agrees with node:crypto DiffieHellman on both sides; K is the mpint of g^xy mod p', () => {
    const peer = getDiffieHellman(node);
    peer.generateKeys();
    const peerPub = new Uint8Array(peer.getPublicKey());
    // our server, node's client
    const server = spec.respond(rnd, peerPub);
    const k1 = big(peer.computeSecret(Buffer.from(server.serverPublic)));
    expect(big(server.secret)).toBe(k1);
    expect(Buffer.from(server.encodedK).toString('hex')).toBe(mpintHex(k1));
    // our client, node's server
    const client = spec.startClient(rnd);
    const done = client.finish(peerPub);
    const k2 = big(peer.computeSecret(Buffer.from(client.clientPublic)));
    expect(big(done.secret)).toBe(k2);
    expect(Buffer.from(done.encodedK).toString('hex')).toBe(mpintHex(k2));
    // the private exponent node would need: our e = g^x
    const x = big(done.privateKey!);
    expect(x.toString(2).length).toBe(dhExponentBits(bits));
    const check = createDiffieHellman(peer.getPrime(), peer.getGenerator());
    check.setPrivateKey(Buffer.from(bytesOf(x)));
    // node derives the public key from a set private key only through generateKeys()
    check.generateKeys();
    expect(big(check.getPublicKey())).toBe(big(client.clientPublic));
  });

  it('the trace shows p, g, the private exponent (marked), e, f and K', () => {
    const c = spec.startClient(rnd);
    const s = spec.respond(rnd, c.clientPublic);
    const r = c.finish(s.serverPublic);
    expect(r.trace!.map((t) => t.name)).toEqual(['p', 'g', 'x', 'e', 'f', 'K']);
    expect(r.trace!.find((t) => t.name === 'x')!.label).toMatch(/PRIVATE/);
    expect(BigInt('0x' + r.trace!.find((t) => t.name === 'e')!.value)).toBe(big(c.clientPublic));
    expect(BigInt('0x' + r.trace!.find((t) => t.name === 'f')!.value)).toBe(big(s.serverPublic));
    expect(s.trace!.map((t) => t.name)).toEqual(['p', 'g', 'y', 'e', 'f', 'K']);
  });
});

describe('DH public value checks (RFC 4253 §8, OpenSSH dh_pub_is_valid)', () => {
  const spec = KEX['diffie-hellman-group14-sha256']!;
  const p = MODP_GROUP_14.p;
  it.each([
    ['0', 0n],
    ['1', 1n],
    ['p-1', p - 1n],
    ['p', p],
    ['p+1', p + 1n],
    ['2^100 (one bit set)', 1n << 100n],
  ])('refuses %s from either side with KexError', (_label, v) => {
    const bytes = v === 0n ? new Uint8Array(0) : bytesOf(v);
    expect(() => spec.respond(rnd, bytes)).toThrow(KexError);
    expect(() => spec.startClient(rnd).finish(bytes)).toThrow(KexError);
  });
  it('accepts 2^100 + 1 (two bits set)', () => {
    expect(() => spec.respond(rnd, bytesOf((1n << 100n) + 1n))).not.toThrow();
  });
});

describe('private exponent size (OpenSSH dh_gen_key)', () => {
  it('is twice the needed bits, at least 512, at most bits(p) - 1', () => {
    expect(dhExponentBits(2048)).toBe(512);
    expect(dhExponentBits(2048, 64)).toBe(512);
    expect(dhExponentBits(2048, 512)).toBe(1024);
    expect(dhExponentBits(1024, 1024)).toBe(1023);
  });
  it('dh_estimate maps security bits to group sizes', () => {
    expect([112, 113, 128, 129, 192, 193, 256].map(dhEstimate)).toEqual([2048, 3072, 3072, 7680, 7680, 8192, 8192]);
  });
});
