import { describe, it, expect } from 'vitest';
import { generateKeyPairSync, sign as nodeSign, verify as nodeVerify, type KeyObject } from 'node:crypto';
import { SIGNATURES, publicKeyBlob } from './signatures.ts';
import type { RsaPrivateKey } from './types.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const str = (b: Uint8Array | string) => {
  const body = Buffer.from(b);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(body.length);
  return Buffer.concat([len, body]);
};
function mpint(v: bigint): Buffer {
  let h = v.toString(16);
  if (h.length % 2) h = '0' + h;
  let b = Buffer.from(h, 'hex');
  if (b[0]! & 0x80) b = Buffer.concat([Buffer.from([0]), b]);
  return str(b);
}
const big = (b64: string) => BigInt('0x' + Buffer.from(b64, 'base64url').toString('hex'));

function rsaKey(bits: number): { key: RsaPrivateKey; priv: KeyObject; pub: KeyObject } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  const j = privateKey.export({ format: 'jwk' });
  // JWK "qi" is the CRT coefficient q^-1 mod p (RFC 7518 §6.3.2.8) = OpenSSH's iqmp
  const key: RsaPrivateKey = { type: 'ssh-rsa', n: big(j.n!), e: big(j.e!), d: big(j.d!), p: big(j.p!), q: big(j.q!), iqmp: big(j.qi!) };
  return { key, priv: privateKey, pub: publicKey };
}

const ALGS = [
  { name: 'rsa-sha2-512', hash: 'sha512' },
  { name: 'rsa-sha2-256', hash: 'sha256' },
  { name: 'ssh-rsa', hash: 'sha1' },
] as const;

describe('RSA signatures (RFC 4253 §6.6, RFC 8332)', () => {
  const k2048 = rsaKey(2048);
  const k3072 = rsaKey(3072);

  it('public key blob: string "ssh-rsa" || mpint e || mpint n', () => {
    const { key, pub } = k2048;
    const j = pub.export({ format: 'jwk' });
    expect(hex(publicKeyBlob(key))).toBe(Buffer.concat([str('ssh-rsa'), mpint(big(j.e!)), mpint(big(j.n!))]).toString('hex'));
    for (const a of ALGS) expect(SIGNATURES[a.name]!.keyType).toBe('ssh-rsa');
  });

  it.each(ALGS)('$name: byte-identical to node:crypto PKCS#1 v1.5 with $hash, and verifies node signatures', ({ name, hash }) => {
    for (const { key, priv, pub } of [k2048, k3072]) {
      const spec = SIGNATURES[name]!;
      for (let i = 0; i < 3; i++) {
        const data = Buffer.from(`exchange hash ${i} ${name}`);
        const ours = spec.sign(key, data);
        const theirs = nodeSign(hash, data, priv);
        expect(hex(ours)).toBe(Buffer.concat([str(name), str(theirs)]).toString('hex'));
        expect(nodeVerify(hash, data, pub, Buffer.from(ours.subarray(ours.length - theirs.length)))).toBe(true);
        expect(spec.verify(publicKeyBlob(key), data, new Uint8Array(Buffer.concat([str(name), str(theirs)])))).toBe(true);
        expect(spec.verify(publicKeyBlob(key), Buffer.from('other'), ours)).toBe(false);
      }
    }
  });

  it('pads S to the modulus length; accepts a shorter S as OpenSSH does', () => {
    const { key, priv } = k2048;
    const spec = SIGNATURES['rsa-sha2-256']!;
    // find a message whose signature starts with 0x00 (1 in 256), using node:crypto to search
    let data: Buffer | null = null;
    let theirs: Buffer | null = null;
    for (let i = 0; i < 5000 && !data; i++) {
      const d = Buffer.from(`leading zero search ${i}`);
      const s = nodeSign('sha256', d, priv);
      if (s[0] === 0) [data, theirs] = [d, s];
    }
    expect(data).not.toBeNull();
    const ours = spec.sign(key, data!);
    expect(ours.length).toBe(4 + 12 + 4 + 256);
    expect(hex(ours.subarray(-256))).toBe(theirs!.toString('hex'));
    const short = Buffer.concat([str('rsa-sha2-256'), str(theirs!.subarray(1))]);
    expect(spec.verify(publicKeyBlob(key), data!, new Uint8Array(short))).toBe(true);
  });

  it('a signature names exactly one algorithm: rsa-sha2-512 blobs do not verify as rsa-sha2-256 or ssh-rsa', () => {
    const { key } = k2048;
    const data = Buffer.from('H');
    const sig512 = SIGNATURES['rsa-sha2-512']!.sign(key, data);
    expect(SIGNATURES['rsa-sha2-512']!.verify(publicKeyBlob(key), data, sig512)).toBe(true);
    expect(SIGNATURES['rsa-sha2-256']!.verify(publicKeyBlob(key), data, sig512)).toBe(false);
    expect(SIGNATURES['ssh-rsa']!.verify(publicKeyBlob(key), data, sig512)).toBe(false);
    // renamed but same bytes: wrong hash inside
    const renamed = Buffer.concat([str('rsa-sha2-256'), Buffer.from(sig512.subarray(4 + 12))]);
    expect(SIGNATURES['rsa-sha2-256']!.verify(publicKeyBlob(key), data, new Uint8Array(renamed))).toBe(false);
  });

  it('refuses keys under 1024 bits, S ≥ n, longer S and junk, without throwing', () => {
    const { key } = k2048;
    const spec = SIGNATURES['rsa-sha2-512']!;
    const data = Buffer.from('x');
    const sig = spec.sign(key, data);
    const blob = publicKeyBlob(key);
    const sBytes = sig.subarray(sig.length - 256);
    const longer = Buffer.concat([str('rsa-sha2-512'), str(Buffer.concat([Buffer.from([0]), sBytes]))]);
    expect(spec.verify(blob, data, new Uint8Array(longer))).toBe(false);
    const nBytes = Buffer.from(key.n.toString(16), 'hex');
    expect(spec.verify(blob, data, new Uint8Array(Buffer.concat([str('rsa-sha2-512'), str(nBytes)])))).toBe(false);
    const small = rsaKey(1024).key;
    expect(spec.verify(publicKeyBlob(small), data, spec.sign(small, data))).toBe(true);
    const tiny = Buffer.concat([str('ssh-rsa'), mpint(65537n), mpint(small.n >> 8n)]);
    expect(spec.verify(new Uint8Array(tiny), data, spec.sign(small, data))).toBe(false);
    for (const j of [new Uint8Array(0), sig.subarray(0, 30), new Uint8Array([...sig, 1])]) {
      expect(spec.verify(blob, data, j)).toBe(false);
      expect(spec.verify(j, data, sig)).toBe(false);
    }
  });

  it('the CRT self-check refuses an inconsistent key', () => {
    const { key } = k2048;
    const bad = { ...key, iqmp: key.iqmp + 1n };
    expect(() => SIGNATURES['rsa-sha2-256']!.sign(bad, Buffer.from('x'))).toThrow(/CRT/);
  });
});
