import { describe, it, expect } from 'vitest';
import { createPrivateKey, createPublicKey, sign as nodeSign } from 'node:crypto';
import { SIGNATURES, publicKeyBlob, generateEd25519, ed25519FromSeed, blobAlgorithm } from './signatures.ts';

const fromHex = (h: string) => new Uint8Array(Buffer.from(h, 'hex'));
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const str = (b: Uint8Array | string) => {
  const body = typeof b === 'string' ? Buffer.from(b) : Buffer.from(b);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(body.length);
  return Buffer.concat([len, body]);
};

// RFC 8032 §7.1 TEST 1-3: secret key, public key, message, signature.
const VECTORS = [
  {
    name: 'TEST 1',
    sk: '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
    pk: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
    msg: '',
    sig: 'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
  },
  {
    name: 'TEST 2',
    sk: '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb',
    pk: '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c',
    msg: '72',
    sig: '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00',
  },
  {
    name: 'TEST 3',
    sk: 'c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7',
    pk: 'fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025',
    msg: 'af82',
    sig: '6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a',
  },
];

describe('ssh-ed25519 (RFC 8709)', () => {
  const spec = SIGNATURES['ssh-ed25519']!;

  it.each(VECTORS)('$name: key blob and signature blob carry the RFC 8032 values', (v) => {
    const key = ed25519FromSeed(fromHex(v.sk));
    expect(hex(key.publicKey)).toBe(v.pk);
    const blob = publicKeyBlob(key);
    expect(hex(blob)).toBe(Buffer.concat([str('ssh-ed25519'), str(fromHex(v.pk))]).toString('hex'));
    const sigBlob = spec.sign(key, fromHex(v.msg));
    expect(hex(sigBlob)).toBe(Buffer.concat([str('ssh-ed25519'), str(fromHex(v.sig))]).toString('hex'));
    expect(spec.verify(blob, fromHex(v.msg), sigBlob)).toBe(true);
    expect(blobAlgorithm(sigBlob)).toBe('ssh-ed25519');
  });

  it('every vector agrees with node:crypto Ed25519', () => {
    for (const v of VECTORS) {
      const pkcs8 = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), Buffer.from(v.sk, 'hex')]);
      const priv = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
      const rawPub = createPublicKey(priv).export({ format: 'der', type: 'spki' }).subarray(-32);
      const key = ed25519FromSeed(fromHex(v.sk));
      expect(hex(key.publicKey)).toBe(rawPub.toString('hex'));
      expect(hex(key.publicKey)).toBe(v.pk);
      const nodeSig = nodeSign(null, Buffer.from(v.msg, 'hex'), priv);
      const sigBlob = spec.sign(key, fromHex(v.msg));
      expect(hex(sigBlob.subarray(-64))).toBe(nodeSig.toString('hex'));
      expect(nodeSig.toString('hex')).toBe(v.sig);
      expect(spec.verify(publicKeyBlob(key), fromHex(v.msg), sigBlob)).toBe(true);
    }
  });

  it('verify returns false (never throws) on bad or malformed input', () => {
    const key = ed25519FromSeed(fromHex(VECTORS[1]!.sk));
    const blob = publicKeyBlob(key);
    const data = fromHex('72');
    const sig = spec.sign(key, data);
    const flipped = sig.slice();
    flipped[flipped.length - 5]! ^= 1;
    expect(spec.verify(blob, data, flipped)).toBe(false);
    expect(spec.verify(blob, fromHex('73'), sig)).toBe(false);
    const junk = [new Uint8Array(0), new Uint8Array([0, 0, 0]), new Uint8Array([0xff, 0xff, 0xff, 0xff, 1]), sig.subarray(0, 50), new Uint8Array([...sig, 0])];
    for (const j of junk) {
      expect(spec.verify(blob, data, j)).toBe(false);
      expect(spec.verify(j, data, sig)).toBe(false);
    }
    const rsaNamed = Buffer.concat([str('ssh-rsa'), str(sig.subarray(-64))]);
    expect(spec.verify(blob, data, new Uint8Array(rsaNamed))).toBe(false);
  });

  it('generateEd25519 takes its seed from the random function', () => {
    const seed = fromHex(VECTORS[0]!.sk);
    const key = generateEd25519((n) => (expect(n).toBe(32), seed), 'me@host');
    expect(hex(key.publicKey)).toBe(VECTORS[0]!.pk);
    expect(key.comment).toBe('me@host');
    expect(key.type).toBe('ssh-ed25519');
  });
});
