import { describe, it, expect } from 'vitest';
import { createPrivateKey, createSign, createVerify, generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { parsePrivateKeyFile, readPem, writePem, writePemPrivateKey } from './pem.ts';
import { KeyFileError } from './errors.ts';
import { bytesToBigint } from '../wire/codec.ts';
import { ED25519_PRIVATE } from './fixtures.test-data.ts';

const b64u = (s: string) => new Uint8Array(Buffer.from(s, 'base64url'));
const big = (s: string) => bytesToBigint(b64u(s));

describe('PEM private keys made by node:crypto (OpenSSL)', () => {
  it('reads PKCS#1 and PKCS#8 RSA', () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const j = privateKey.export({ format: 'jwk' });
    const want = { type: 'ssh-rsa', n: big(j.n!), e: big(j.e!), d: big(j.d!), p: big(j.p!), q: big(j.q!), iqmp: big(j.qi!) };
    expect(parsePrivateKeyFile(privateKey.export({ format: 'pem', type: 'pkcs1' }) as string)).toEqual(want);
    expect(parsePrivateKeyFile(privateKey.export({ format: 'pem', type: 'pkcs8' }) as string)).toEqual(want);
  });

  it('reads SEC1 and PKCS#8 EC on all three curves', () => {
    for (const [c, name, size] of [['P-256', 'nistp256', 32], ['P-384', 'nistp384', 48], ['P-521', 'nistp521', 66]] as const) {
      const { privateKey } = generateKeyPairSync('ec', { namedCurve: c });
      const j = privateKey.export({ format: 'jwk' });
      const pad = (s: string) => Buffer.from(s, 'base64url').toString('hex').padStart(size * 2, '0');
      const Q = new Uint8Array(Buffer.from('04' + pad(j.x!) + pad(j.y!), 'hex'));
      const want = { type: `ecdsa-sha2-${name}`, curve: name, Q, d: big(j.d!) };
      expect(parsePrivateKeyFile(privateKey.export({ format: 'pem', type: 'sec1' }) as string)).toEqual(want);
      expect(parsePrivateKeyFile(privateKey.export({ format: 'pem', type: 'pkcs8' }) as string)).toEqual(want);
    }
  });

  it('a SEC1 or PKCS#8 EC key whose scalar is 0 or ≥ n is a KeyFileError naming the field (found by the fuzzer)', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const der = new Uint8Array(privateKey.export({ format: 'der', type: 'sec1' }) as Buffer);
    // SEC1: 30 77 02 01 01 04 20 <d: 32 bytes> …
    expect([...der.subarray(2, 7)]).toEqual([0x02, 0x01, 0x01, 0x04, 0x20]);
    const n = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
    for (const d of [0n, n, (1n << 256n) - 1n]) {
      const bad = der.slice();
      bad.set(Buffer.from(d.toString(16).padStart(64, '0'), 'hex'), 7);
      for (const text of [writePem('EC PRIVATE KEY', bad)]) {
        const e = (() => {
          try {
            parsePrivateKeyFile(text);
          } catch (err) {
            return err;
          }
        })();
        expect(e).toBeInstanceOf(KeyFileError);
        expect((e as KeyFileError).field).toBe('ECPrivateKey.privateKey');
        expect((e as KeyFileError).offset).toBe(7);
      }
    }
  });

  it('reads PKCS#8 Ed25519', () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const j = privateKey.export({ format: 'jwk' });
    expect(parsePrivateKeyFile(privateKey.export({ format: 'pem', type: 'pkcs8' }) as string)).toEqual({ type: 'ssh-ed25519', seed: b64u(j.d!), publicKey: b64u(j.x!) });
  });

  it('writes PEM that OpenSSL accepts and signs with', () => {
    const ours = parsePrivateKeyFile(generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'pem', type: 'pkcs1' }) as string);
    for (const fmt of ['pkcs1', 'pkcs8'] as const) {
      const k = createPrivateKey(writePemPrivateKey(ours, fmt));
      const sig = createSign('sha256').update('x').sign(k);
      expect(createVerify('sha256').update('x').verify(k, sig)).toBe(true);
      expect(parsePrivateKeyFile(writePemPrivateKey(ours, fmt))).toEqual(ours);
    }
    const ec = parsePrivateKeyFile(generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey.export({ format: 'pem', type: 'sec1' }) as string);
    for (const fmt of ['sec1', 'pkcs8'] as const) {
      const jwk = createPrivateKey(writePemPrivateKey(ec, fmt)).export({ format: 'jwk' });
      expect(ec.type !== 'ssh-ed25519' && ec.type !== 'ssh-rsa' && big(jwk.d!)).toBe(ec.type !== 'ssh-ed25519' && ec.type !== 'ssh-rsa' && ec.d);
    }
    const ed = parsePrivateKeyFile(ED25519_PRIVATE);
    const jwk = createPrivateKey(writePemPrivateKey(ed, 'pkcs8')).export({ format: 'jwk' });
    expect(ed.type === 'ssh-ed25519' && b64u(jwk.x!)).toEqual(ed.type === 'ssh-ed25519' && ed.publicKey);
  });
});

describe('PEM errors', () => {
  it('says that encrypted PEM is not supported', () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const enc = privateKey.export({ format: 'pem', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: 'x' }) as string;
    expect(() => parsePrivateKeyFile(enc)).toThrow(expect.objectContaining({ code: 'unsupported' }));
    const legacy = privateKey.export({ format: 'pem', type: 'pkcs1', cipher: 'aes-256-cbc', passphrase: 'x' }) as string;
    expect(() => parsePrivateKeyFile(legacy)).toThrow(/encrypted/);
  });

  it('never throws anything but KeyFileError on mutated DER', () => {
    const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
    const der = readPem(pem).der;
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(der.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 3 }), fc.nat(der.length), (muts, cut) => {
        const b = der.slice(0, cut);
        for (const [i, v] of muts) if (i < b.length) b[i] = v;
        try {
          parsePrivateKeyFile(`-----BEGIN PRIVATE KEY-----\n${Buffer.from(b).toString('base64')}\n-----END PRIVATE KEY-----\n`);
        } catch (e) {
          expect(e).toBeInstanceOf(KeyFileError);
        }
      }),
      { numRuns: 400 },
    );
  });
});
