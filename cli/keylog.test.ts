import { describe, it, expect } from 'vitest';
import { randomBytes, generateKeyPairSync, diffieHellman, createPublicKey } from 'node:crypto';
import { keylogLines, keylogOf, legacyKeylogLines } from './keylog.ts';

describe('keylog', () => {
  it('client: PRIVATE_KEY under the client cookie, SHARED_SECRET under the server cookie', () => {
    const c = randomBytes(16).toString('hex');
    const s = randomBytes(16).toString('hex');
    // a real X25519 exchange from node:crypto as the source of K and the private key
    const a = generateKeyPairSync('x25519');
    const b = generateKeyPairSync('x25519');
    const k = diffieHellman({ privateKey: a.privateKey, publicKey: b.publicKey }).toString('hex');
    const priv = a.privateKey.export({ format: 'jwk' }).d!;
    const privHex = Buffer.from(priv, 'base64url').toString('hex');
    expect(createPublicKey(a.privateKey).asymmetricKeyType).toBe('x25519');
    const lines = keylogLines({ cookie: c, serverCookie: s, sharedSecret: k, privateKey: privHex }, 'client');
    const kMag = k.replace(/^(00)+(?=..)/, '');
    expect(lines).toEqual([`${c} PRIVATE_KEY ${privHex}`, `${s} SHARED_SECRET ${kMag}`]);
    for (const l of lines) expect(l).toMatch(/^[0-9a-f]{32} (PRIVATE_KEY|SHARED_SECRET) [0-9a-f]+$/);
  });
  it('server: PRIVATE_KEY under the server cookie; mpint K loses leading zero bytes', () => {
    const lines = keylogLines({ cookie: 'aa'.repeat(16), serverCookie: 'bb'.repeat(16), sharedSecret: '0000ff01', privateKey: '0102' }, 'server');
    expect(lines).toEqual([`${'bb'.repeat(16)} PRIVATE_KEY 0102`, `${'aa'.repeat(16)} SHARED_SECRET ff01`]);
    const str = keylogLines({ cookie: 'aa'.repeat(16), serverCookie: 'bb'.repeat(16), sharedSecret: '0000ff01' }, 'client', 'string');
    expect(str).toEqual([`${'bb'.repeat(16)} SHARED_SECRET 0000ff01`]);
  });
  it('keylogOf reads the engine keys event member', () => {
    expect(keylogOf({ type: 'keys' })).toBeNull();
    expect(keylogOf({ keylog: { cookie: 'aa', serverCookie: 'bb', sharedSecret: 'cc', privateKey: 'dd' } })).toEqual({ cookie: 'aa', serverCookie: 'bb', sharedSecret: 'cc', privateKey: 'dd' });
  });
  it('legacy two-field lines: our cookie and our private key, nothing without a key', () => {
    const info = { cookie: 'AA'.repeat(16), serverCookie: 'bb'.repeat(16), sharedSecret: '01', privateKey: 'CD'.repeat(32) };
    expect(legacyKeylogLines(info, 'client')).toEqual([`${'aa'.repeat(16)} ${'cd'.repeat(32)}`]);
    expect(legacyKeylogLines(info, 'server')).toEqual([`${'bb'.repeat(16)} ${'cd'.repeat(32)}`]);
    expect(legacyKeylogLines({ cookie: 'aa', serverCookie: 'bb', sharedSecret: '01' }, 'client')).toEqual([]);
  });
});
