// Proves the real-peer harness itself: our private sshd accepts the real OpenSSH client, with a
// key made by ssh-keygen and with a password through askpass.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PEER_PATHS, requirePeers, requireRoot } from '../helpers/peers.ts';
import { runSsh, sshTarget, text } from '../helpers/ssh.ts';
import { removeDir, sshKeygen, startSshd, tempDir, type KeyPair, type Sshd } from '../helpers/sshd.ts';

const ready =
  requirePeers([
    ['sshd', PEER_PATHS.sshd],
    ['ssh', PEER_PATHS.ssh],
    ['ssh-keygen', PEER_PATHS.sshKeygen],
  ]) && requireRoot();

describe.skipIf(!ready)('real sshd harness', () => {
  let sshd: Sshd;
  let keyDir: string;
  let key: KeyPair;

  beforeAll(async () => {
    keyDir = tempDir('sshscope-userkey-');
    key = await sshKeygen(keyDir, 'id_ed25519', 'ed25519');
    sshd = await startSshd({ authorizedKeys: [key.pub] });
  });

  afterAll(async () => {
    await sshd?.stop();
    if (keyDir) removeDir(keyDir);
  });

  it('logs in with an ssh-keygen key and runs a command', async () => {
    const r = await runSsh(['-i', key.path, ...sshTarget(sshd), 'echo', 'hi']);
    expect(r.stderr.includes('Permission denied') ? r.stderr : '').toBe('');
    expect(r.code).toBe(0);
    expect(text(r.stdout)).toBe('hi\n');
    expect(sshd.logText()).toMatch(/Accepted publickey for sshscope-test from 127\.0\.0\.1/);
  });

  it('logs in with a password through SSH_ASKPASS', async () => {
    const r = await runSsh([...sshTarget(sshd), 'echo', 'hi'], { password: sshd.password });
    expect(r.code).toBe(0);
    expect(text(r.stdout)).toBe('hi\n');
    expect(sshd.logText()).toMatch(/Accepted password for sshscope-test from 127\.0\.0\.1/);
  });

  it('refuses a wrong password (the harness does not let everyone in)', async () => {
    const r = await runSsh([...sshTarget(sshd), 'true'], { password: 'wrong-password' });
    expect(r.code).toBe(255);
    expect(r.stderr).toMatch(/Permission denied/);
  });

  it('pins the host key: a known_hosts with our line is accepted under StrictHostKeyChecking=yes', async () => {
    const dir = tempDir('sshscope-kh-');
    try {
      const kh = `${dir}/known_hosts`;
      const { writeFileSync } = await import('node:fs');
      writeFileSync(kh, `${sshd.knownHostsLine('ed25519')}\n`);
      const r = await runSsh(
        ['-i', key.path, '-o', 'StrictHostKeyChecking=yes', '-o', 'HostKeyAlgorithms=ssh-ed25519', ...sshTarget(sshd), 'true'],
        { knownHostsFile: kh },
      );
      expect(r.stderr).not.toMatch(/verification failed|IDENTIFICATION HAS CHANGED/);
      expect(r.code).toBe(0);
    } finally {
      removeDir(dir);
    }
  });

  it('passes stdin through and returns binary stdout unchanged', async () => {
    const input = new Uint8Array(4096);
    for (let i = 0; i < input.length; i++) input[i] = (i * 7 + 3) & 0xff;
    const r = await runSsh(['-i', key.path, ...sshTarget(sshd), 'cat'], { input });
    expect(r.code).toBe(0);
    expect(r.stdout).toEqual(input);
  });
});
