// ssh-ed25519 blobs against the real OpenSSH tools, through SSHSIG (OpenSSH PROTOCOL.sshsig), whose
// inner signature is the same "string algorithm || string signature" blob as RFC 8709 §6:
// ssh-keygen signs → we verify; we sign → `ssh-keygen -Y check-novalidate` verifies.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SIGNATURES, publicKeyBlob, generateEd25519 } from './signatures.ts';

const KEYGEN = '/usr/bin/ssh-keygen';
const str = (b: Uint8Array | string) => {
  const body = Buffer.from(b);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(body.length);
  return Buffer.concat([len, body]);
};
function readStrings(b: Buffer, at: number, n: number): { parts: Buffer[]; end: number } {
  const parts: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    const len = b.readUInt32BE(at);
    parts.push(b.subarray(at + 4, at + 4 + len));
    at += 4 + len;
  }
  return { parts, end: at };
}
/** PROTOCOL.sshsig §"Signed Data": what the inner signature covers. */
function signedData(namespace: string, message: Buffer): Buffer {
  return Buffer.concat([Buffer.from('SSHSIG'), str(namespace), str(''), str('sha512'), str(createHash('sha512').update(message).digest())]);
}

describe.skipIf(!existsSync(KEYGEN))('ssh-ed25519 against ssh-keygen (SSHSIG)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sshscope-sig-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('verifies a signature made by ssh-keygen, and rejects it for another message', () => {
    const key = join(dir, 'k');
    expect(spawnSync(KEYGEN, ['-q', '-t', 'ed25519', '-N', '', '-C', 't', '-f', key]).status).toBe(0);
    const msg = Buffer.from(randomBytes(300));
    writeFileSync(join(dir, 'msg'), msg);
    expect(spawnSync(KEYGEN, ['-Y', 'sign', '-f', key, '-n', 'file', join(dir, 'msg')]).status).toBe(0);
    const armored = readFileSync(join(dir, 'msg.sig'), 'utf8');
    const raw = Buffer.from(armored.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, ''), 'base64');
    expect(raw.subarray(0, 6).toString()).toBe('SSHSIG');
    const { parts } = readStrings(raw, 10, 5); // publickey, namespace, reserved, hash_algorithm, signature
    const [pub, ns, , hashAlg, sig] = parts as [Buffer, Buffer, Buffer, Buffer, Buffer];
    expect([ns.toString(), hashAlg.toString()]).toEqual(['file', 'sha512']);
    // the public key blob equals the one in the .pub file
    const pubFile = readFileSync(`${key}.pub`, 'utf8').split(' ');
    expect(pub.toString('base64')).toBe(pubFile[1]);
    const spec = SIGNATURES['ssh-ed25519']!;
    expect(spec.verify(new Uint8Array(pub), new Uint8Array(signedData('file', msg)), new Uint8Array(sig))).toBe(true);
    expect(spec.verify(new Uint8Array(pub), new Uint8Array(signedData('file', Buffer.from('other'))), new Uint8Array(sig))).toBe(false);
  });

  it('makes signatures and key blobs that ssh-keygen accepts', () => {
    const k = generateEd25519((n) => new Uint8Array(randomBytes(n)));
    const msg = Buffer.from(randomBytes(123));
    const sig = SIGNATURES['ssh-ed25519']!.sign(k, new Uint8Array(signedData('file', msg)));
    const blob = Buffer.concat([Buffer.from('SSHSIG'), Buffer.from([0, 0, 0, 1]), str(publicKeyBlob(k)), str('file'), str(''), str('sha512'), str(sig)]);
    const armored = `-----BEGIN SSH SIGNATURE-----\n${blob.toString('base64').replace(/(.{70})/g, '$1\n')}\n-----END SSH SIGNATURE-----\n`;
    writeFileSync(join(dir, 'ours.sig'), armored);
    const ok = spawnSync(KEYGEN, ['-Y', 'check-novalidate', '-n', 'file', '-s', join(dir, 'ours.sig')], { input: msg });
    expect(ok.status, ok.stderr.toString()).toBe(0);
    expect(ok.stdout.toString()).toMatch(/Good "file" signature with ED25519 key/);
    const bad = spawnSync(KEYGEN, ['-Y', 'check-novalidate', '-n', 'file', '-s', join(dir, 'ours.sig')], { input: Buffer.concat([msg, Buffer.from('x')]) });
    expect(bad.status).not.toBe(0);
  });
});
