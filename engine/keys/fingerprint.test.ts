import { describe, it, expect } from 'vitest';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { fingerprintLine, fingerprintMd5, fingerprintSha256, keyRandomart } from './fingerprint.ts';
import { bishopWalk, randomart } from './randomart.ts';
import { parsePublicKeyLine } from './public-key.ts';
import { ECDSA256_LV, ECDSA256_PUBLIC, ED25519_LV, ED25519_MD5_LINE, ED25519_PUBLIC } from './fixtures.test-data.ts';

describe('fingerprints', () => {
  it('SHA256 is unpadded base64 of SHA-256(blob), as node:crypto computes it', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (blob) => {
        const want = createHash('sha256').update(blob).digest('base64').replace(/=+$/, '');
        expect(fingerprintSha256(blob)).toBe(`SHA256:${want}`);
      }),
    );
  });

  it('MD5 is colon-separated hex of MD5(blob)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (blob) => {
        const want = createHash('md5').update(blob).digest('hex').match(/../g)!.join(':');
        expect(fingerprintMd5(blob)).toBe(`MD5:${want}`);
      }),
    );
  });

  it('matches ssh-keygen -l -v for an ed25519 key (line and randomart)', () => {
    const { key, comment } = parsePublicKeyLine(ED25519_PUBLIC);
    expect(`${fingerprintLine(key, comment)}\n${keyRandomart(key)}`).toBe(ED25519_LV);
    expect(fingerprintLine(key, comment, 'md5')).toBe(ED25519_MD5_LINE);
  });

  it('matches ssh-keygen -l -v for an ecdsa-256 key', () => {
    const { key, comment } = parsePublicKeyLine(ECDSA256_PUBLIC);
    expect(`${fingerprintLine(key, comment)}\n${keyRandomart(key)}`).toBe(ECDSA256_LV);
  });

  it('prints "no comment" when the comment is empty', () => {
    const { key } = parsePublicKeyLine(ED25519_PUBLIC);
    expect(fingerprintLine(key, '')).toMatch(/ no comment \(ED25519\)$/);
  });
});

describe('randomart', () => {
  it('is always 11 lines of 19 columns with one S and at most one E', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), (d) => {
        const art = randomart(d, { keyType: 'RSA 3072', hashLabel: 'SHA256' });
        const lines = art.split('\n');
        expect(lines).toHaveLength(11);
        for (const l of lines) expect(l).toHaveLength(19);
        const body = lines.slice(1, 10).join('');
        expect((body.match(/E/g) ?? []).length).toBe(1);
        expect((body.match(/S/g) ?? []).length).toBeLessThanOrEqual(1);
      }),
    );
  });

  it('walks four moves per byte, low bits first, clamped to the board', () => {
    // byte 0b11_11_11_11: four moves down-right from (8,4) → (12,8)
    const { path } = bishopWalk(new Uint8Array([0xff]));
    expect(path.map((p) => `${p.x},${p.y}`)).toEqual(['8,4', '9,5', '10,6', '11,7', '12,8']);
    const up = bishopWalk(new Uint8Array([0x00, 0x00, 0x00]));
    expect(up.path.at(-1)).toEqual({ x: 0, y: 0 });
  });

  it('falls back to "[type]" when "[type size]" does not fit', () => {
    const art = randomart(new Uint8Array(32), { keyType: 'ED25519-CERT 256', hashLabel: 'SHA256', typeOnly: 'ED25519-CERT' });
    expect(art.split('\n')[0]).toBe('+-[ED25519-CERT]--+');
  });
});
