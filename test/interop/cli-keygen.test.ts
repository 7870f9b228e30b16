// `sshscope keygen` and `sshscope fingerprint` next to the real ssh-keygen: keys we make are read by
// ssh-keygen (with and without a passphrase), and our fingerprint lines and randomart are
// byte-identical to `ssh-keygen -l [-v] [-E md5] -f`, for keys made by either program.

import { describe, expect, it, afterAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PEER_PATHS, requirePeer } from '../helpers/peers.ts';
import { removeDir, runCommand, tempDir } from '../helpers/sshd.ts';

const ready = requirePeer('ssh-keygen', PEER_PATHS.sshKeygen);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const sshscope = (args: string[], env?: Record<string, string>) => runCommand(process.execPath, ['bin/sshscope.js', ...args], undefined, { cwd: ROOT, ...(env ? { env } : {}) });
const keygen = (args: string[]) => runCommand(PEER_PATHS.sshKeygen, args);

const KINDS: { type: string; bits?: number }[] = [{ type: 'ed25519' }, { type: 'ecdsa', bits: 256 }, { type: 'ecdsa', bits: 384 }, { type: 'ecdsa', bits: 521 }, { type: 'rsa', bits: 2048 }];

describe.skipIf(!ready)('sshscope keygen / fingerprint against ssh-keygen', () => {
  const dir = tempDir('sshscope-keygen-');
  afterAll(() => removeDir(dir));

  for (const k of KINDS) {
    const label = `${k.type}${k.bits ? `-${k.bits}` : ''}`;
    it(`keygen ${label}: ssh-keygen reads the key; fingerprints and randomart match`, async () => {
      const file = `${dir}/ours_${label}`;
      const made = await sshscope(['keygen', '-t', k.type, ...(k.bits ? ['-b', String(k.bits)] : []), '-C', `made-by-sshscope ${label}`, '-N', '', '-f', file]);
      expect(made.code, made.stderr).toBe(0);
      // ssh-keygen derives the same public key from our private key file
      const derived = await keygen(['-y', '-f', file]);
      expect(derived.code, derived.stderr).toBe(0);
      expect(derived.stdout.trim().split(' ').slice(0, 2)).toEqual(readFileSync(`${file}.pub`, 'utf8').trim().split(' ').slice(0, 2));
      for (const f of [file, `${file}.pub`]) {
        for (const extra of [[], ['-E', 'md5']]) {
          const theirs = await keygen(['-l', '-v', ...extra, '-f', f]);
          const ours = await sshscope(['fingerprint', '-v', ...extra, f]);
          expect(ours.code, ours.stderr).toBe(0);
          expect(ours.stdout).toBe(theirs.stdout);
        }
      }
      // the report keygen printed names the same fingerprint as ssh-keygen -l
      const l = (await keygen(['-l', '-f', `${file}.pub`])).stdout.split(' ')[1];
      expect(made.stdout).toContain(`The key fingerprint is:\n${l} made-by-sshscope ${label}\n`);
    });
  }

  it('a passphrase-protected key from keygen opens in ssh-keygen only with the passphrase', async () => {
    const file = `${dir}/ours_protected`;
    const made = await sshscope(['keygen', '-t', 'ed25519', '--passphrase-env', 'KEY_PW', '-f', file], { KEY_PW: 'open sesame' });
    expect(made.code, made.stderr).toBe(0);
    expect((await keygen(['-y', '-P', 'open sesame', '-f', file])).code).toBe(0);
    expect((await keygen(['-y', '-P', 'wrong', '-f', file])).code).not.toBe(0);
  });

  it('fingerprint reads keys ssh-keygen made, and an authorized_keys list, like ssh-keygen -l', async () => {
    for (const [type, bits] of [['ed25519', ''], ['ecdsa', '384'], ['rsa', '3072']] as const) {
      const file = `${dir}/theirs_${type}`;
      expect((await keygen(['-q', '-t', type, ...(bits ? ['-b', bits] : []), '-N', '', '-C', `theirs ${type}`, '-f', file])).code).toBe(0);
      const theirs = await keygen(['-l', '-v', '-f', file]);
      const ours = await sshscope(['fingerprint', '-v', file]);
      expect(ours.stdout).toBe(theirs.stdout);
    }
    const list = `${dir}/authorized_keys`;
    const lines = ['theirs_ed25519', 'theirs_ecdsa', 'theirs_rsa'].map((f) => readFileSync(`${dir}/${f}.pub`, 'utf8').trim());
    const { writeFileSync } = await import('node:fs');
    writeFileSync(list, `# our team\nno-pty ${lines[0]}\n${lines[1]}\ncommand="uptime" ${lines[2]}\n`);
    const ours = await sshscope(['fingerprint', list]);
    expect(ours.stdout).toBe((await keygen(['-l', '-f', list])).stdout);
  });

  it('says clearly what is wrong with a file that holds no key', async () => {
    const { writeFileSync } = await import('node:fs');
    writeFileSync(`${dir}/junk`, 'hello\n');
    const r = await sshscope(['fingerprint', `${dir}/junk`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/is not a key file: .*line 1/);
  });
});
