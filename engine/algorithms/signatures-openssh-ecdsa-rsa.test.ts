// ECDSA and RSA signature blobs against the real OpenSSH tools through SSHSIG (OpenSSH
// PROTOCOL.sshsig), whose inner signature is the same "string algorithm || string signature" blob
// as RFC 5656 §3.1.2 / RFC 8332 §3: ssh-keygen signs → we verify; we sign → ssh-keygen verifies.
// Keys come from ssh-keygen and are read with engine/keys.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SIGNATURES, publicKeyBlob } from './signatures.ts';
import type { SshPrivateKey } from './types.ts';
import { parseOpensshPrivateKey } from '../keys/openssh-private-key.ts';

const KEYGEN = '/usr/bin/ssh-keygen';
const str = (b: Uint8Array | string) => {
  const body = Buffer.from(b);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(body.length);
  return Buffer.concat([len, body]);
};
function readStrings(b: Buffer, at: number, n: number): Buffer[] {
  const parts: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    const len = b.readUInt32BE(at);
    parts.push(b.subarray(at + 4, at + 4 + len));
    at += 4 + len;
  }
  return parts;
}
function signedData(namespace: string, message: Buffer): Buffer {
  return Buffer.concat([Buffer.from('SSHSIG'), str(namespace), str(''), str('sha512'), str(createHash('sha512').update(message).digest())]);
}

const KEYS = [
  { name: 'ecdsa-256', args: ['-t', 'ecdsa', '-b', '256'], sigAlgs: ['ecdsa-sha2-nistp256'], label: 'ECDSA' },
  { name: 'ecdsa-384', args: ['-t', 'ecdsa', '-b', '384'], sigAlgs: ['ecdsa-sha2-nistp384'], label: 'ECDSA' },
  { name: 'ecdsa-521', args: ['-t', 'ecdsa', '-b', '521'], sigAlgs: ['ecdsa-sha2-nistp521'], label: 'ECDSA' },
  { name: 'rsa-2048', args: ['-t', 'rsa', '-b', '2048'], sigAlgs: ['rsa-sha2-512', 'rsa-sha2-256'], label: 'RSA' },
];

describe.skipIf(!existsSync(KEYGEN))('ECDSA and RSA blobs against ssh-keygen (SSHSIG)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sshscope-sig2-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(KEYS)('$name: public key blob equals ssh-keygen .pub; ssh-keygen signature verifies with us', ({ name, args, sigAlgs }) => {
    const path = join(dir, name);
    expect(spawnSync(KEYGEN, ['-q', ...args, '-N', '', '-C', 't', '-f', path]).status).toBe(0);
    const key = parseOpensshPrivateKey(readFileSync(path, 'utf8')) as SshPrivateKey;
    expect(Buffer.from(publicKeyBlob(key)).toString('base64')).toBe(readFileSync(`${path}.pub`, 'utf8').split(' ')[1]);
    const msg = Buffer.from(randomBytes(200));
    writeFileSync(join(dir, `${name}.msg`), msg);
    expect(spawnSync(KEYGEN, ['-Y', 'sign', '-f', path, '-n', 'file', join(dir, `${name}.msg`)]).status).toBe(0);
    const raw = Buffer.from(readFileSync(join(dir, `${name}.msg.sig`), 'utf8').replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, ''), 'base64');
    const [pub, , , , sig] = readStrings(raw, 10, 5) as [Buffer, Buffer, Buffer, Buffer, Buffer];
    const alg = readStrings(sig, 0, 1)[0]!.toString();
    expect(alg).toBe(sigAlgs[0]); // ssh-keygen signs RSA with rsa-sha2-512
    const spec = SIGNATURES[alg]!;
    expect(spec.verify(new Uint8Array(pub), new Uint8Array(signedData('file', msg)), new Uint8Array(sig))).toBe(true);
    expect(spec.verify(new Uint8Array(pub), new Uint8Array(signedData('file', Buffer.from('other'))), new Uint8Array(sig))).toBe(false);
  });

  it.each(KEYS)('$name: ssh-keygen accepts our signatures', ({ name, sigAlgs, label }) => {
    const key = parseOpensshPrivateKey(readFileSync(join(dir, name), 'utf8')) as SshPrivateKey;
    for (const alg of sigAlgs) {
      const msg = Buffer.from(randomBytes(123));
      const sig = SIGNATURES[alg]!.sign(key, new Uint8Array(signedData('file', msg)));
      const blob = Buffer.concat([Buffer.from('SSHSIG'), Buffer.from([0, 0, 0, 1]), str(publicKeyBlob(key)), str('file'), str(''), str('sha512'), str(sig)]);
      const armored = `-----BEGIN SSH SIGNATURE-----\n${blob.toString('base64').replace(/(.{70})/g, '$1\n')}\n-----END SSH SIGNATURE-----\n`;
      writeFileSync(join(dir, 'ours.sig'), armored);
      const ok = spawnSync(KEYGEN, ['-Y', 'check-novalidate', '-n', 'file', '-s', join(dir, 'ours.sig')], { input: msg });
      expect(ok.status, `${alg}: ${ok.stderr.toString()}`).toBe(0);
      expect(ok.stdout.toString()).toContain(`Good "file" signature with ${label} key`);
      const bad = spawnSync(KEYGEN, ['-Y', 'check-novalidate', '-n', 'file', '-s', join(dir, 'ours.sig')], { input: Buffer.concat([msg, Buffer.from('x')]) });
      expect(bad.status).not.toBe(0);
    }
  });
});
