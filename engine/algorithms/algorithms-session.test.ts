// Every key exchange method and host key algorithm through the real connection engine, in memory:
// our client against our server, one short exec each. (The same against OpenSSH is in
// test/interop/algorithms-sshd.test.ts.)
import { describe, it, expect } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import { seededEnv } from '../env.ts';
import { runExec } from '../core/session-harness.ts';
import { generateEd25519, generateEcdsa, publicKeyBlob } from './signatures.ts';
import { formatPublicKeyLine } from '../keys/public-key.ts';
import type { RsaPrivateKey, SshPrivateKey } from './types.ts';

const big = (b64: string) => BigInt('0x' + Buffer.from(b64, 'base64url').toString('hex'));
function rsaKey(): RsaPrivateKey {
  const j = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  return { type: 'ssh-rsa', n: big(j.n!), e: big(j.e!), d: big(j.d!), p: big(j.p!), q: big(j.q!), iqmp: big(j.qi!) };
}

const env = seededEnv('algorithms-session');
const rnd = (n: number) => env.randomBytes(n);
const HOST_KEYS: SshPrivateKey[] = [generateEd25519(rnd), generateEcdsa('nistp256', rnd), generateEcdsa('nistp384', rnd), generateEcdsa('nistp521', rnd), rsaKey()];

function run(kex: string, hostKey: string, userKey?: SshPrivateKey) {
  const algorithms = { kex: [kex], hostKey: [hostKey], cipher: ['aes128-ctr'], mac: ['hmac-sha2-256'] };
  const user = userKey ?? generateEd25519(rnd);
  return runExec(
    { env: seededEnv(`c/${kex}/${hostKey}`), username: 'alice', keys: [user], authMethods: ['publickey'], hostKeyCheck: () => 'unknown', acceptUnknownHostKey: true, algorithms } as never,
    { env: seededEnv(`s/${kex}/${hostKey}`), hostKeys: HOST_KEYS, users: [{ name: 'alice', authorizedKeys: formatPublicKeyLine(publicKeyBlob(user)) }], algorithms },
    'echo ok',
  );
}

const KEXES = [
  'ecdh-sha2-nistp256',
  'ecdh-sha2-nistp384',
  'ecdh-sha2-nistp521',
  'diffie-hellman-group14-sha256',
  'diffie-hellman-group16-sha512',
  'diffie-hellman-group18-sha512',
  'diffie-hellman-group14-sha1',
  'diffie-hellman-group1-sha1',
  'diffie-hellman-group-exchange-sha256',
  'diffie-hellman-group-exchange-sha1',
];

describe('in-memory sessions', () => {
  it.each(KEXES)('kex %s', (kex) => {
    const r = run(kex, 'ssh-ed25519');
    const neg = r.events.find((e) => e.type === 'negotiated' && e.side === 'client') as { rows: { category: string; chosen: string | null }[] };
    expect(neg.rows[0]!.chosen).toBe(kex);
    expect(new TextDecoder().decode(r.stdout)).toBe('ok\n');
    expect(r.exitStatus).toBe(0);
  });

  it.each(['ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-256', 'rsa-sha2-512', 'ssh-rsa'])('host key %s', (hk) => {
    const r = run('curve25519-sha256', hk);
    const neg = r.events.find((e) => e.type === 'negotiated' && e.side === 'client') as { rows: { category: string; chosen: string | null }[] };
    expect(neg.rows[1]!.chosen).toBe(hk);
    expect(new TextDecoder().decode(r.stdout)).toBe('ok\n');
  });

  it.each(['nistp256', 'nistp384', 'nistp521'] as const)('ecdsa-sha2-%s user key', (curve) => {
    const r = run('curve25519-sha256', 'ssh-ed25519', generateEcdsa(curve, rnd));
    expect(new TextDecoder().decode(r.stdout)).toBe('ok\n');
  });
});
