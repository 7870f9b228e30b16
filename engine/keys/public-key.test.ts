import { describe, it, expect } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import {
  encodePublicKeyBlob,
  formatPublicKeyLine,
  keyBits,
  keyTypeLabel,
  parsePublicKeyBlob,
  parsePublicKeyLine,
  publicKeyBlobTree,
  publicKeyFromParts,
} from './public-key.ts';
import type { SshPublicKeyParts } from './public-key.ts';
import { KeyFileError } from './errors.ts';
import { base64Decode, base64Encode } from './base64.ts';
import { bytesToBigint } from '../wire/codec.ts';
import { ECDSA256_PUBLIC, ED25519_PUBLIC } from './fixtures.test-data.ts';

const b64u = (s: string) => new Uint8Array(Buffer.from(s, 'base64url'));

describe('base64', () => {
  it('agrees with Buffer both ways', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (b) => {
        const s = Buffer.from(b).toString('base64');
        expect(base64Encode(b)).toBe(s);
        expect(base64Decode(s)).toEqual(b);
        expect(base64Decode(s.replace(/=+$/, ''))).toEqual(b);
      }),
    );
    expect(base64Decode('AA=A')).toBeNull();
    expect(base64Decode('A')).toBeNull();
    expect(base64Decode('AA-_')).toBeNull();
  });
});

describe('public key blobs', () => {
  it('reads the ssh-keygen ed25519 and ecdsa lines', () => {
    const ed = parsePublicKeyLine(ED25519_PUBLIC);
    expect(ed.comment).toBe('fixture@sshscope');
    expect(ed.key.type).toBe('ssh-ed25519');
    expect(formatPublicKeyLine(ed.key, ed.comment) + '\n').toBe(ED25519_PUBLIC);
    const ec = parsePublicKeyLine(ECDSA256_PUBLIC);
    expect(ec.key).toMatchObject({ type: 'ecdsa-sha2-nistp256', curve: 'nistp256' });
    expect(keyBits(ec.key)).toBe(256);
    expect(keyTypeLabel(ec.key)).toBe('ECDSA');
  });

  it('encodes keys made by node:crypto and the ECDSA point validates', () => {
    for (const [curve, name, size] of [['P-256', 'nistp256', 32], ['P-384', 'nistp384', 48], ['P-521', 'nistp521', 66]] as const) {
      const jwk = generateKeyPairSync('ec', { namedCurve: curve }).publicKey.export({ format: 'jwk' });
      const pad = (s: string) => Buffer.from(s, 'base64url').toString('hex').padStart(size * 2, '0');
      const Q = new Uint8Array(Buffer.from('04' + pad(jwk.x!) + pad(jwk.y!), 'hex'));
      const k = publicKeyFromParts({ type: `ecdsa-sha2-${name}`, curve: name, Q });
      expect(parsePublicKeyBlob(k.blob)).toEqual(k);
      expect(keyBits(k)).toBe({ nistp256: 256, nistp384: 384, nistp521: 521 }[name]);
    }
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'jwk' });
    const k = publicKeyFromParts({ type: 'ssh-rsa', e: bytesToBigint(b64u(rsa.e!)), n: bytesToBigint(b64u(rsa.n!)) });
    expect(keyBits(k)).toBe(2048);
    // RFC 4253 §6.6: string "ssh-rsa", mpint e (65537 = 01 00 01), mpint n (leading zero byte)
    expect(Buffer.from(k.blob.subarray(0, 22)).toString('hex')).toBe('000000077373682d727361' + '00000003010001' + '00000101');
    expect(k.blob[22]).toBe(0);
    const ed = generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' });
    const ek = publicKeyFromParts({ type: 'ssh-ed25519', publicKey: b64u(ed.x!) });
    expect(ek.blob.length).toBe(4 + 11 + 4 + 32);
    expect(parsePublicKeyBlob(ek.blob)).toEqual(ek);
  });

  it('has a field tree covering every byte', () => {
    const { key } = parsePublicKeyLine(ECDSA256_PUBLIC);
    const t = publicKeyBlobTree(key.blob);
    expect(t.children!.map((c) => c.path)).toEqual(['type', 'curve', 'Q']);
    expect(t.end).toBe(key.blob.length);
  });

  it('reports malformed blobs with field and offset', () => {
    const { key } = parsePublicKeyLine(ECDSA256_PUBLIC);
    const b = key.blob.slice();
    b[b.length - 1]! ^= 0xff; // not on the curve any more
    expect(() => parsePublicKeyBlob(b)).toThrow(expect.objectContaining({ field: 'Q', offset: 4 + 19 + 4 + 8 }));
    expect(() => parsePublicKeyBlob(encodePublicKeyBlob({ type: 'ssh-ed25519', publicKey: new Uint8Array(31) }))).toThrow(expect.objectContaining({ field: 'key' }));
    const extra = new Uint8Array([...key.blob, 0]);
    expect(() => parsePublicKeyBlob(extra)).toThrow(/trailing/);
    const unk = encodePublicKeyBlob({ type: 'ssh-ed25519', publicKey: new Uint8Array(32) });
    unk[4 + 4] = 0x58; // "ssh-Xd25519"
    expect(() => parsePublicKeyBlob(unk)).toThrow(expect.objectContaining({ code: 'unsupported' }));
  });

  it('checks that the line type agrees with the blob', () => {
    const [, b64, c] = ED25519_PUBLIC.trim().split(' ');
    expect(() => parsePublicKeyLine(`ssh-rsa ${b64} ${c}`, { line: 4 })).toThrow(expect.objectContaining({ line: 4, field: 'type' }));
    expect(() => parsePublicKeyLine('ssh-ed25519')).toThrow(KeyFileError);
  });

  it('never throws anything but KeyFileError on mutated blobs and lines', () => {
    const blobs = [parsePublicKeyLine(ED25519_PUBLIC).key.blob, parsePublicKeyLine(ECDSA256_PUBLIC).key.blob];
    fc.assert(
      fc.property(fc.constantFrom(...blobs), fc.array(fc.tuple(fc.nat(200), fc.integer({ min: 0, max: 255 })), { maxLength: 3 }), fc.nat(200), (blob, muts, cut) => {
        const b = blob.slice(0, cut);
        for (const [i, v] of muts) if (i < b.length) b[i] = v;
        try {
          parsePublicKeyBlob(b);
        } catch (e) {
          expect(e).toBeInstanceOf(KeyFileError);
        }
        try {
          parsePublicKeyLine(`ssh-ed25519 ${base64Encode(b)} x`);
        } catch (e) {
          expect(e).toBeInstanceOf(KeyFileError);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('round-trips every part type', () => {
    const parts: SshPublicKeyParts[] = [
      { type: 'ssh-dss', p: 23n, q: 11n, g: 4n, y: 9n },
      { type: 'sk-ssh-ed25519@openssh.com', publicKey: new Uint8Array(32).fill(1), application: 'ssh:' },
    ];
    for (const p of parts) expect(parsePublicKeyBlob(encodePublicKeyBlob(p))).toEqual({ ...p, blob: encodePublicKeyBlob(p) });
  });
});
