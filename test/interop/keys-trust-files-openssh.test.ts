// known_hosts and authorized_keys decisions of engine/keys against the real OpenSSH 9.2: the real
// ssh client decides about host keys from known_hosts files we write, and the real sshd decides
// about authorized_keys lines with options. Our lookupHost / findAuthorizedKey must agree.
// Needs root (private sshd, test user); locally skipped with a reason, under CI=true a failure.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync, readFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { PEER_PATHS, requirePeers, requireRoot } from '../helpers/peers.ts';
import { runCommand, sshKeygen, startSshd, tempDir, type Sshd, type KeyPair } from '../helpers/sshd.ts';
import { formatKnownHostsLine, lookupHost, parseKnownHosts } from '../../engine/keys/known-hosts.ts';
import type { HostLookupResult } from '../../engine/keys/known-hosts.ts';
import { findAuthorizedKey, parseAuthorizedKeys } from '../../engine/keys/authorized-keys.ts';
import { parsePublicKeyLine } from '../../engine/keys/public-key.ts';
import { generateKey } from '../../engine/keys/generate-key.ts';
import { publicKeyOf } from '../../engine/keys/private-key-types.ts';
import { seededEnv } from '../../engine/env.ts';

const ready =
  requirePeers([
    ['sshd', PEER_PATHS.sshd],
    ['ssh', PEER_PATHS.ssh],
    ['ssh-keygen', PEER_PATHS.sshKeygen],
  ]) && requireRoot();

describe.skipIf(!ready)('trust files against real ssh and sshd', () => {
  let sshd: Sshd;
  let dir: string;
  let user: KeyPair;
  const env = seededEnv('trust-files');
  const rnd = (n: number) => env.randomBytes(n);

  beforeAll(async () => {
    sshd = await startSshd();
    dir = tempDir('sshscope-trust-');
    user = await sshKeygen(dir, 'id_user', 'ed25519', { comment: 'user@trust' });
    writeFileSync(sshd.authorizedKeysPath, `${user.pub}\n`);
  });
  afterAll(async () => {
    await sshd?.stop();
  });

  /** Runs the real ssh with a known_hosts file and strict checking; classifies its verdict. */
  async function sshVerdict(knownHosts: string, hostKeyAlg: string): Promise<{ verdict: HostLookupResult; stderr: string }> {
    const kh = join(dir, 'known_hosts');
    writeFileSync(kh, knownHosts);
    const r = await runCommand(PEER_PATHS.ssh, [
      '-p', String(sshd.port),
      '-o', `UserKnownHostsFile=${kh}`,
      '-o', 'GlobalKnownHostsFile=/dev/null',
      '-o', 'StrictHostKeyChecking=yes',
      '-o', 'BatchMode=yes',
      '-o', 'CheckHostIP=no',
      '-o', `HostKeyAlgorithms=${hostKeyAlg}`,
      '-o', 'IdentitiesOnly=yes',
      '-o', 'PreferredAuthentications=publickey',
      '-i', user.path,
      `${sshd.user}@127.0.0.1`,
      'true',
    ]);
    let verdict: HostLookupResult;
    if (/REVOKED HOST KEY/.test(r.stderr)) verdict = 'revoked';
    else if (/REMOTE HOST IDENTIFICATION HAS CHANGED/.test(r.stderr)) verdict = 'changed';
    else if (/Host key verification failed/.test(r.stderr)) verdict = 'unknown';
    else if (r.code === 0) verdict = 'known';
    else throw new Error(`ssh exited ${r.code}: ${r.stderr}`);
    return { verdict, stderr: r.stderr };
  }

  it('known_hosts: our lookupHost gives the same verdict as ssh', async () => {
    const ed = parsePublicKeyLine(sshd.hostKeys.ed25519).key;
    const ec = parsePublicKeyLine(sshd.hostKeys.ecdsa).key;
    const other = publicKeyOf(generateKey({ type: 'ed25519', random: rnd }));
    const otherEc = publicKeyOf(generateKey({ type: 'ecdsa', random: rnd }));
    const p = sshd.port;
    const cases: [string, string, string][] = [
      ['plain line', formatKnownHostsLine('127.0.0.1', p, ed), 'ssh-ed25519'],
      ['hashed line', formatKnownHostsLine('127.0.0.1', p, ed, { hash: true, salt: rnd(20) }), 'ssh-ed25519'],
      ['wildcard', `[127.0.0.?]:${p},other ${sshd.hostKeys.ed25519}`, 'ssh-ed25519'],
      ['negated', `!*:${p},* ${sshd.hostKeys.ed25519}`, 'ssh-ed25519'],
      ['no entry', formatKnownHostsLine('localhost', p, ed), 'ssh-ed25519'],
      ['bare name fallback', formatKnownHostsLine('127.0.0.1', 22, ed), 'ssh-ed25519'],
      ['bare name, other key', formatKnownHostsLine('127.0.0.1', 22, other), 'ssh-ed25519'],
      ['same type, other key', formatKnownHostsLine('127.0.0.1', p, other), 'ssh-ed25519'],
      ['other type only', formatKnownHostsLine('127.0.0.1', p, otherEc), 'ssh-ed25519'],
      ['other type only (ecdsa host key)', formatKnownHostsLine('127.0.0.1', p, ed), 'ecdsa-sha2-nistp256'],
      ['both types', [formatKnownHostsLine('127.0.0.1', p, ed), formatKnownHostsLine('127.0.0.1', p, ec)].join('\n'), 'ecdsa-sha2-nistp256'],
      ['revoked', [`@revoked * ${sshd.hostKeys.ed25519}`, formatKnownHostsLine('127.0.0.1', p, ed)].join('\n'), 'ssh-ed25519'],
      ['cert-authority only', `@cert-authority * ${sshd.hostKeys.ed25519}`, 'ssh-ed25519'],
      ['uppercase pattern', `[127.0.0.1]:${p} ${sshd.hostKeys.ed25519}`.toUpperCase().replace(/SSH-ED25519 .*/i, sshd.hostKeys.ed25519), 'ssh-ed25519'],
    ];
    const got: Record<string, [HostLookupResult, HostLookupResult]> = {};
    for (const [name, text, alg] of cases) {
      const { verdict } = await sshVerdict(text + '\n', alg);
      const key = alg === 'ssh-ed25519' ? ed : ec;
      got[name] = [lookupHost(parseKnownHosts(text), '127.0.0.1', p, key.blob).result, verdict];
    }
    for (const [name, [ours, theirs]] of Object.entries(got)) expect({ name, ours }).toEqual({ name, ours: theirs });
    // sanity: the suite covers every verdict
    expect(new Set(Object.values(got).map((v) => v[1]))).toEqual(new Set(['known', 'unknown', 'changed', 'revoked']));
  });

  it('authorized_keys: our findAuthorizedKey lets in exactly whom sshd lets in', async () => {
    const [type, b64] = user.pub.split(' ');
    const k = `${type} ${b64}`;
    const cases: [string, string][] = [
      ['plain', `${k} c`],
      ['from matches CIDR', `from="127.0.0.0/8" ${k}`],
      ['from elsewhere', `from="10.0.0.0/8" ${k}`],
      ['from negated', `from="!127.0.0.1,*" ${k}`],
      ['from wildcard', `from="127.0.0.*" ${k}`],
      ['from negated other', `from="127.0.0.0/8,!127.0.0.2" ${k}`],
      ['cert-authority', `cert-authority ${k}`],
      ['expired', `expiry-time="20200101" ${k}`],
      ['not yet expired', `expiry-time="29990101" ${k}`],
      ['refused line then good line', `from="10.0.0.1" ${k}\nrestrict,command="true" ${k}`],
      ['bad option line then good line', `no-such-option ${k}\n${k}`],
      ['bad from list', `from="127.0.0.1/8" ${k}`],
    ];
    const blob = parsePublicKeyLine(user.pub).key.blob;
    for (const [name, text] of cases) {
      writeFileSync(sshd.authorizedKeysPath, text + '\n');
      chmodSync(sshd.authorizedKeysPath, 0o644);
      const r = await runCommand(PEER_PATHS.ssh, [
        '-p', String(sshd.port),
        '-o', 'UserKnownHostsFile=/dev/null',
        '-o', 'StrictHostKeyChecking=no',
        '-o', 'BatchMode=yes',
        '-o', 'IdentitiesOnly=yes',
        '-o', 'PreferredAuthentications=publickey',
        '-i', user.path,
        `${sshd.user}@127.0.0.1`,
        'true',
      ]);
      const theirs = r.code === 0;
      const { entries } = parseAuthorizedKeys(readFileSync(sshd.authorizedKeysPath, 'utf8'));
      const ours = findAuthorizedKey(entries, blob, { clientAddress: '127.0.0.1', now: Date.now() }).entry !== null;
      expect({ name, ours }).toEqual({ name, ours: theirs });
    }
  });
});
