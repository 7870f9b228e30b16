// Golden transcripts (Go x/crypto/ssh style): a seeded in-memory session per cipher/MAC pair is
// byte-identical across runs and versions. Refresh on purpose with SSHSCOPE_UPDATE_GOLDEN=1, never by hand.

import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { seededEnv } from '../env.ts';
import { generateEd25519, publicKeyBlob } from '../algorithms/signatures.ts';
import { formatPublicKeyLine } from '../keys/public-key.ts';
import { toHex } from '../wire/codec.ts';
import { runExec } from './session-harness.ts';

const here = dirname(fileURLToPath(import.meta.url));
const dir = join(here, 'testdata', 'golden');
const update = process.env.SSHSCOPE_UPDATE_GOLDEN === '1';

const MATRIX: [string, string | null][] = [
  ['chacha20-poly1305@openssh.com', null],
  ['aes128-gcm@openssh.com', null],
  ['aes256-gcm@openssh.com', null],
  ...['aes128-ctr', 'aes256-ctr'].flatMap((c) => ['hmac-sha2-256', 'hmac-sha2-512', 'hmac-sha2-256-etm@openssh.com', 'hmac-sha2-512-etm@openssh.com'].map((m) => [c, m] as [string, string])),
];

function transcript(cipher: string, mac: string | null, method: 'password' | 'publickey'): string {
  const seed = `golden/${cipher}/${mac ?? 'aead'}/${method}`;
  const hk = seededEnv(`${seed}/host`);
  const uk = seededEnv(`${seed}/user`);
  const hostKey = generateEd25519((n) => hk.randomBytes(n));
  const userKey = generateEd25519((n) => uk.randomBytes(n), 'alice@laptop');
  // Every list pinned, so that changing a default preference list does not change a transcript.
  const algorithms = { kex: ['curve25519-sha256'], hostKey: ['ssh-ed25519'], cipher: [cipher], mac: mac ? [mac] : ['hmac-sha2-256-etm@openssh.com'], compression: ['none'] };
  const r = runExec(
    {
      env: seededEnv(`${seed}/client`),
      username: 'alice',
      ...(method === 'password' ? { password: 'wonderland', authMethods: ['password'] as const } : { keys: [userKey], authMethods: ['publickey'] as const }),
      hostKeyCheck: () => 'unknown',
      acceptUnknownHostKey: true,
      algorithms,
    } as never,
    {
      env: seededEnv(`${seed}/server`),
      hostKeys: [hostKey],
      users: [{ name: 'alice', password: 'wonderland', authorizedKeys: formatPublicKeyLine(publicKeyBlob(userKey), 'alice@laptop') }],
      algorithms,
    },
    'echo golden',
  );
  const lines: string[] = [];
  for (const e of r.events) {
    if (e.side !== 'client') continue; // the client's view holds both directions
    if (e.type === 'version') lines.push(`${e.dir} version ${e.line}`);
    if (e.type === 'packet') lines.push(`${e.dir} ${e.n} ${e.msg} ${toHex(e.wire)}`);
  }
  return lines.join('\n') + '\n';
}

describe('golden transcripts', () => {
  for (const [cipher, mac] of MATRIX) {
    for (const method of ['password', 'publickey'] as const) {
      const name = `${cipher}_${mac ?? 'aead'}_${method}.txt`.replace(/@/g, '_at_');
      it(`${cipher} ${mac ?? ''} ${method}`, () => {
        const got = transcript(cipher, mac, method);
        const file = join(dir, name);
        if (update || !existsSync(file)) {
          if (!update && process.env.CI === 'true') throw new Error(`golden transcript ${name} is missing; run with SSHSCOPE_UPDATE_GOLDEN=1 and commit it`);
          mkdirSync(dir, { recursive: true });
          writeFileSync(file, got);
        }
        expect(got).toBe(readFileSync(file, 'utf8'));
      });
    }
  }
});
