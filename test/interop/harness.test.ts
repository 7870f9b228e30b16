// Proves the real-peer harness itself: our private sshd accepts the real OpenSSH client, with a
// key made by ssh-keygen and with a password through askpass; tcpdump captures it and tshark decodes it.

import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { PEER_PATHS, requirePeers, requireRoot } from '../helpers/peers.ts';
import { runSsh, sshTarget, text } from '../helpers/ssh.ts';
import { removeDir, sshKeygen, startSshd, tempDir, type KeyPair, type Sshd } from '../helpers/sshd.ts';
import { readCapture, startCapture, toPcapng, tsharkFields } from '../helpers/capture.ts';

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

describe.skipIf(
  !(
    requirePeers([
      ['sshd', PEER_PATHS.sshd],
      ['ssh', PEER_PATHS.ssh],
      ['tcpdump', PEER_PATHS.tcpdump],
      ['tshark', PEER_PATHS.tshark],
      ['editcap', PEER_PATHS.editcap],
    ]) && requireRoot('capturing on lo')
  ),
)('capture harness (tcpdump + tshark)', () => {
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

  it('captures a whole session from the SYN on, and tshark decodes both KEXINITs', async () => {
    const cap = await startCapture(sshd.port);
    const r = await runSsh(['-i', key.path, '-o', 'KexAlgorithms=curve25519-sha256', ...sshTarget(sshd), 'true']);
    const pcap = await cap.stop();
    onTestFinished(() => removeDir(cap.dir));
    expect(r.code).toBe(0);
    const pcapng = await toPcapng(pcap);
    // the file starts with the pcapng Section Header Block magic
    expect(Array.from(readCapture(pcapng).subarray(0, 4))).toEqual([0x0a, 0x0d, 0x0d, 0x0a]);
    // one TCP stream only: the harness itself makes no connection (no readiness probe) to show up here
    const versions = await tsharkFields(pcapng, { port: sshd.port, filter: 'ssh.protocol' }, ['ssh.protocol', 'tcp.stream']);
    expect(new Set(versions.map((v) => v[1]))).toEqual(new Set(['0']));
    expect(versions.map((v) => v[0])).toEqual([expect.stringMatching(/^SSH-2\.0-OpenSSH_/), expect.stringMatching(/^SSH-2\.0-OpenSSH_/)]);
    const kexinit = await tsharkFields(pcapng, { port: sshd.port, filter: 'ssh.message_code==20' }, ['ssh.direction', 'ssh.cookie', 'ssh.kex_algorithms']);
    expect(kexinit).toHaveLength(2);
    for (const row of kexinit) {
      expect(row[1]).toMatch(/^[0-9a-f]{32}$/);
      expect(row[2]).toContain('curve25519-sha256');
    }
    // what tshark saw negotiated agrees with sshd's own log
    expect(sshd.logText()).toMatch(/kex: algorithm: curve25519-sha256/);
  });
});
