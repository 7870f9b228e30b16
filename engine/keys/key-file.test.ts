import { describe, it, expect } from 'vitest';
import { fingerprintKeyFile, readKeyFile } from './key-file.ts';
import { fingerprintSha256 } from './fingerprint.ts';
import { ED25519_ENCRYPTED, ED25519_ENCRYPTED_PASSPHRASE, ED25519_LV, ED25519_PRIVATE, ED25519_PUBLIC, ECDSA256_LV, ECDSA256_PUBLIC } from './fixtures.test-data.ts';

const edLine = ED25519_LV.split('\n')[0]!; // ssh-keygen -l output for the fixture
const ecLine = ECDSA256_LV.split('\n')[0]!;
const fp = (l: string) => l.split(' ')[1];

describe('readKeyFile / fingerprintKeyFile', () => {
  it('lists public key files like ssh-keygen -l', () => {
    expect(fingerprintKeyFile(ED25519_PUBLIC + ECDSA256_PUBLIC)).toEqual([edLine, ecLine]);
  });

  it('reads private keys, encrypted ones from their clear public part', () => {
    expect(fingerprintKeyFile(ED25519_PRIVATE)).toEqual([edLine]);
    const enc = readKeyFile(ED25519_ENCRYPTED);
    expect(enc).toMatchObject({ kind: 'openssh-private', encrypted: true, cipher: 'aes256-ctr' });
    expect(fingerprintKeyFile(ED25519_ENCRYPTED)[0]).toMatch(/ no comment \(ED25519\)$/);
    expect(readKeyFile(ED25519_ENCRYPTED, { passphrase: ED25519_ENCRYPTED_PASSPHRASE }).keys[0]!.comment).toBe('enc@fixture');
  });

  it('labels known_hosts keys by host field and authorized_keys keys by comment', () => {
    const [t, b] = ED25519_PUBLIC.split(' ');
    const text = [`# x`, `[h]:2222,g ${t} ${b}`, `@revoked * ${t} ${b}`, `no-pty,command="a b" ${ED25519_PUBLIC.trim()}`, `bad line`].join('\n');
    const s = readKeyFile(text);
    expect(s.keys.map((k) => [k.line, k.comment])).toEqual([
      [2, '[h]:2222,g'],
      [4, 'fixture@sshscope'],
    ]);
    expect(s.errors.map((e) => e.line)).toEqual([5]);
    expect(s.keys.map((k) => fingerprintSha256(k.key.blob))).toEqual([fp(edLine), fp(edLine)]);
  });
});
