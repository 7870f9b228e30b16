import { describe, it, expect } from 'vitest';
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign as nodeSign, verify as nodeVerify, type KeyObject } from 'node:crypto';
import { SIGNATURES, publicKeyBlob, ecdsaFromScalar, generateEcdsa } from './signatures.ts';
import type { EcdsaCurveName } from './types.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const str = (b: Uint8Array | string) => {
  const body = Buffer.from(b);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(body.length);
  return Buffer.concat([len, body]);
};
/** Independent mpint (RFC 4251 §5) of a non-negative bigint. */
function mpint(v: bigint): Buffer {
  if (v === 0n) return Buffer.alloc(4);
  let h = v.toString(16);
  if (h.length % 2) h = '0' + h;
  let b = Buffer.from(h, 'hex');
  if (b[0]! & 0x80) b = Buffer.concat([Buffer.from([0]), b]);
  return str(b);
}
/** Parse an SSH ECDSA signature blob the long way: name, then r and s from the inner string. */
function parseSig(blob: Uint8Array): { name: string; r: bigint; s: bigint } {
  const b = Buffer.from(blob);
  const n1 = b.readUInt32BE(0);
  const name = b.subarray(4, 4 + n1).toString();
  const inner = b.subarray(8 + n1, 8 + n1 + b.readUInt32BE(4 + n1));
  const rl = inner.readUInt32BE(0);
  const r = BigInt('0x' + inner.subarray(4, 4 + rl).toString('hex'));
  const sl = inner.readUInt32BE(4 + rl);
  const s = BigInt('0x' + inner.subarray(8 + rl, 8 + rl + sl).toString('hex'));
  expect(8 + rl + sl).toBe(inner.length);
  return { name, r, s };
}

// RFC 6979 A.2.5 (P-256, SHA-256), A.2.6 (P-384, SHA-384), A.2.7 (P-521, SHA-512); message "sample".
const RFC6979: { curve: EcdsaCurveName; x: string; r: string; s: string }[] = [
  {
    curve: 'nistp256',
    x: 'C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721',
    r: 'EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716',
    s: 'F7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8',
  },
  {
    curve: 'nistp384',
    x: '6B9D3DAD2E1B8C1C05B19875B6659F4DE23C3B667BF297BA9AA47740787137D896D5724E4C70A825F872C9EA60D2EDF5',
    r: '94EDBB92A5ECB8AAD4736E56C691916B3F88140666CE9FA73D64C4EA95AD133C81A648152E44ACF96E36DD1E80FABE46',
    s: '99EF4AEB15F178CEA1FE40DB2603138F130E740A19624526203B6351D0A3A94FA329C145786E679E7B82C71A38628AC8',
  },
  {
    curve: 'nistp521',
    x: '00FAD06DAA62BA3B25D2FB40133DA757205DE67F5BB0018FEE8C86E1B68C7E75CAA896EB32F1F47C70855836A6D16FCC1466F6D8FBEC67DB89EC0C08B0E996B83538',
    r: '00C328FAFCBD79DD77850370C46325D987CB525569FB63C5D3BC53950E6D4C5F174E25A1EE9017B5D450606ADD152B534931D7D4E8455CC91F9B15BF05EC36E377FA',
    s: '00617CCE7CF5064806C467F678D3B4080D6F1CC50AF26CA209417308281B68AF282623EAA63E5B5C0723D8B8C37FF0777B1A20F8CCB1DCCC43997F1EE0E44DA4A67A',
  },
];
const NODE_CURVE: Record<EcdsaCurveName, string> = { nistp256: 'P-256', nistp384: 'P-384', nistp521: 'P-521' };
const NODE_HASH: Record<EcdsaCurveName, string> = { nistp256: 'sha256', nistp384: 'sha384', nistp521: 'sha512' };
const ORDER: Record<EcdsaCurveName, bigint> = {
  nistp256: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
  nistp384: 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
  nistp521: 0x01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409n,
};

/** node:crypto key objects for our key, through JWK. */
function nodeKeys(curve: EcdsaCurveName, d: bigint, Q: Uint8Array): { priv: KeyObject; pub: KeyObject } {
  const fb = (Q.length - 1) / 2;
  const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64url');
  const dBytes = Buffer.from(d.toString(16).padStart(fb * 2, '0'), 'hex');
  const jwk = { kty: 'EC', crv: NODE_CURVE[curve], x: b64(Q.subarray(1, 1 + fb)), y: b64(Q.subarray(1 + fb)), d: b64(dBytes) };
  const priv = createPrivateKey({ key: jwk, format: 'jwk' });
  return { priv, pub: createPublicKey(priv) };
}

describe('ECDSA signatures (RFC 5656 §3.1.2)', () => {
  it.each(RFC6979)('$curve: RFC 6979 "sample" vector through SSH blobs', (v) => {
    const key = ecdsaFromScalar(v.curve, BigInt('0x' + v.x));
    const spec = SIGNATURES[`ecdsa-sha2-${v.curve}`]!;
    const sig = spec.sign(key, new TextEncoder().encode('sample'));
    const r = BigInt('0x' + v.r);
    const s = BigInt('0x' + v.s);
    expect(hex(sig)).toBe(Buffer.concat([str(`ecdsa-sha2-${v.curve}`), str(Buffer.concat([mpint(r), mpint(s)]))]).toString('hex'));
    expect(spec.verify(publicKeyBlob(key), new TextEncoder().encode('sample'), sig)).toBe(true);
    expect(spec.verify(publicKeyBlob(key), new TextEncoder().encode('samplf'), sig)).toBe(false);
  });

  it.each(['nistp256', 'nistp384', 'nistp521'] as const)('%s: key blob and signatures agree with node:crypto both ways', (curve) => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: NODE_CURVE[curve] });
    const jwk = privateKey.export({ format: 'jwk' });
    const d = BigInt('0x' + Buffer.from(jwk.d!, 'base64url').toString('hex'));
    const key = ecdsaFromScalar(curve, d);
    const Q = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url')]);
    expect(hex(key.Q)).toBe(Q.toString('hex'));
    expect(hex(publicKeyBlob(key))).toBe(Buffer.concat([str(`ecdsa-sha2-${curve}`), str(curve), str(Q)]).toString('hex'));
    const spec = SIGNATURES[`ecdsa-sha2-${curve}`]!;
    const { pub } = nodeKeys(curve, d, key.Q);
    for (let i = 0; i < 8; i++) {
      const data = Buffer.from(`message ${i} for ${curve}`);
      // ours → node
      const { r, s } = parseSig(spec.sign(key, data));
      const fb = (key.Q.length - 1) / 2;
      const p1363 = Buffer.from(r.toString(16).padStart(fb * 2, '0') + s.toString(16).padStart(fb * 2, '0'), 'hex');
      expect(nodeVerify(NODE_HASH[curve], data, { key: pub, dsaEncoding: 'ieee-p1363' }, p1363)).toBe(true);
      // node → ours (OpenSSL's s is not normalized: about half are "high s")
      const ns = nodeSign(NODE_HASH[curve], data, { key: privateKey, dsaEncoding: 'ieee-p1363' });
      const nr = BigInt('0x' + ns.subarray(0, fb).toString('hex'));
      const nss = BigInt('0x' + ns.subarray(fb).toString('hex'));
      const blob = Buffer.concat([str(`ecdsa-sha2-${curve}`), str(Buffer.concat([mpint(nr), mpint(nss)]))]);
      expect(spec.verify(publicKeyBlob(key), data, new Uint8Array(blob))).toBe(true);
      // the other s of the pair (n - s) is just as valid (ECDSA malleability)
      const flipped = Buffer.concat([str(`ecdsa-sha2-${curve}`), str(Buffer.concat([mpint(nr), mpint(ORDER[curve] - nss)]))]);
      expect(spec.verify(publicKeyBlob(key), data, new Uint8Array(flipped))).toBe(true);
    }
  });

  it('rejects r or s outside [1, n-1], a wrong curve or name, and junk — without throwing', () => {
    const v = RFC6979[0]!;
    const key = ecdsaFromScalar('nistp256', BigInt('0x' + v.x));
    const spec = SIGNATURES['ecdsa-sha2-nistp256']!;
    const data = new TextEncoder().encode('sample');
    const blob = publicKeyBlob(key);
    const n = ORDER.nistp256;
    const r = BigInt('0x' + v.r);
    const s = BigInt('0x' + v.s);
    const sigOf = (rr: bigint, ss: bigint, name = 'ecdsa-sha2-nistp256') => new Uint8Array(Buffer.concat([str(name), str(Buffer.concat([mpint(rr), mpint(ss)]))]));
    expect(spec.verify(blob, data, sigOf(r, s))).toBe(true);
    for (const [rr, ss] of [[0n, s], [r, 0n], [r + n, s], [r, s + n], [n, s]] as const) expect(spec.verify(blob, data, sigOf(rr, ss))).toBe(false);
    expect(spec.verify(blob, data, sigOf(r, s, 'ecdsa-sha2-nistp384'))).toBe(false);
    // negative mpint (high bit without the 0x00) is refused
    const neg = Buffer.concat([str('ecdsa-sha2-nistp256'), str(Buffer.concat([str(Buffer.from(v.r, 'hex')), mpint(s)]))]);
    expect(spec.verify(blob, data, new Uint8Array(neg))).toBe(false);
    // a P-256 key blob that claims nistp384
    const wrongCurve = Buffer.concat([str('ecdsa-sha2-nistp256'), str('nistp384'), str(key.Q)]);
    expect(spec.verify(new Uint8Array(wrongCurve), data, sigOf(r, s))).toBe(false);
    // off-curve Q
    const offQ = Buffer.from(key.Q);
    offQ[offQ.length - 1]! ^= 1;
    expect(spec.verify(new Uint8Array(Buffer.concat([str('ecdsa-sha2-nistp256'), str('nistp256'), str(offQ)])), data, sigOf(r, s))).toBe(false);
    const good = sigOf(r, s);
    for (const j of [new Uint8Array(0), good.subarray(0, 20), new Uint8Array([...good, 0])]) {
      expect(spec.verify(blob, data, j)).toBe(false);
      expect(spec.verify(j, data, good)).toBe(false);
    }
    expect(() => spec.sign({ type: 'ssh-ed25519', publicKey: new Uint8Array(32), seed: new Uint8Array(32) }, data)).toThrow();
  });

  it('generateEcdsa draws from the random function and gives consistent keys', () => {
    for (const curve of ['nistp256', 'nistp384', 'nistp521'] as const) {
      let calls = 0;
      const k1 = generateEcdsa(curve, (n) => (calls++, new Uint8Array(n).fill(7)));
      const k2 = generateEcdsa(curve, (n) => new Uint8Array(n).fill(7));
      expect(calls).toBe(1);
      expect(hex(k1.Q)).toBe(hex(k2.Q));
      const { pub } = nodeKeys(curve, k1.d, k1.Q);
      expect(Buffer.from(pub.export({ format: 'jwk' }).x!, 'base64url').toString('hex')).toBe(hex(k1.Q.subarray(1, 1 + (k1.Q.length - 1) / 2)));
    }
  });
});
