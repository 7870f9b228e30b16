// Captures of real sessions on loopback (tcpdump), read by engine/capture: everything before NEWKEYS
// compared field by field with tshark (an independent decoder); sessions of our own client with its
// key log decrypted by us (the remote command's output must appear in the decrypted CHANNEL_DATA,
// and every MAC/tag must verify), including chacha20-poly1305 under strict KEX, which tshark 4.0
// cannot decrypt.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PEER_PATHS, requirePeers, requireRoot } from '../helpers/peers.ts';
import { removeDir, sshKeygen, startSshd, tempDir, type KeyPair, type Sshd } from '../helpers/sshd.ts';
import { runSsh } from '../helpers/ssh.ts';
import { readCapture, startCapture, toPcapng, tsharkFields } from '../helpers/capture.ts';
import { analyzeCapture } from '../../engine/capture/analyze.ts';
import type { SshStream } from '../../engine/capture/ssh-stream.ts';

const ready =
  requirePeers([
    ['sshd', PEER_PATHS.sshd],
    ['ssh', PEER_PATHS.ssh],
    ['ssh-keygen', PEER_PATHS.sshKeygen],
    ['tcpdump', PEER_PATHS.tcpdump],
    ['tshark', PEER_PATHS.tshark],
  ]) && requireRoot('capturing on loopback');

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function runConnect(args: string[]): Promise<{ code: number | null; stdout: Buffer; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/sshscope.js', 'connect', ...args], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out), stderr: err });
    });
    child.stdin.end('');
  });
}

const KEXINIT_FIELDS = [
  'ssh.cookie',
  'ssh.kex_algorithms',
  'ssh.server_host_key_algorithms',
  'ssh.encryption_algorithms_client_to_server',
  'ssh.encryption_algorithms_server_to_client',
  'ssh.mac_algorithms_client_to_server',
  'ssh.mac_algorithms_server_to_client',
  'ssh.compression_algorithms_client_to_server',
  'ssh.compression_algorithms_server_to_client',
  'tcp.srcport',
] as const;

function only(streams: SshStream[]): SshStream {
  expect(streams.length).toBe(1);
  return streams[0]!;
}

describe.skipIf(!ready)('captures of real OpenSSH sessions', () => {
  let sshd: Sshd;
  let dir: string;
  let key: KeyPair;
  let knownHosts: string;

  beforeAll(async () => {
    dir = tempDir('sshscope-capture-');
    key = await sshKeygen(dir, 'id_ed25519', 'ed25519');
    sshd = await startSshd({ authorizedKeys: [key.pub] });
    knownHosts = `${dir}/known_hosts`;
    writeFileSync(knownHosts, sshd.knownHostsLine('ed25519') + '\n');
  });

  afterAll(async () => {
    await sshd?.stop();
    if (dir) removeDir(dir);
  });

  for (const kex of ['curve25519-sha256', 'ecdh-sha2-nistp256', 'diffie-hellman-group14-sha256', 'diffie-hellman-group-exchange-sha256', 'sntrup761x25519-sha512@openssh.com']) {
    it(`real ssh → sshd with ${kex}: versions, cookies and KEXINIT lists match tshark; KEX messages decode`, async () => {
      const cap = await startCapture(sshd.port, { dir, name: `ssh-${kex.replace(/[^a-z0-9]/g, '_')}.pcap` });
      const r = await runSsh(['-p', String(sshd.port), '-i', key.path, '-o', 'IdentitiesOnly=yes', '-o', `KexAlgorithms=${kex}`, `${sshd.user}@127.0.0.1`, 'true']);
      const pcap = await cap.stop();
      expect(r.code, r.stderr).toBe(0);
      const pcapng = await toPcapng(pcap);
      for (const file of [pcap, pcapng]) {
        const a = analyzeCapture(readCapture(file));
        expect(a.problems).toEqual([]);
        const s = only(a.streams);
        expect(s.clientBy).toBe('syn');
        expect(s.server.port).toBe(sshd.port);
        expect(s.rounds[0]!.negotiated!.kex).toBe(kex);
        expect(s.strictKex).toBe(true);
        const tv = await tsharkFields(file, { port: sshd.port, filter: 'ssh.protocol' }, ['tcp.srcport', 'ssh.protocol']);
        const versions = new Map(tv.map(([port, v]) => [Number(port), v]));
        expect(s.clientVersion).toBe(versions.get(s.client.port));
        expect(s.serverVersion).toBe(versions.get(s.server.port));
        const rows = await tsharkFields(file, { port: sshd.port, filter: 'ssh.message_code==20' }, [...KEXINIT_FIELDS]);
        expect(rows.length).toBe(2);
        for (const row of rows) {
          const side = Number(row[9]) === s.client.port ? s.rounds[0]!.client! : s.rounds[0]!.server!;
          const l = side.lists;
          expect([side.cookie, l.kexAlgorithms, l.serverHostKeyAlgorithms, l.encryptionC2S, l.encryptionS2C, l.macC2S, l.macS2C, l.compressionC2S, l.compressionS2C].map((x) => (Array.isArray(x) ? x.join(',') : x))).toEqual(row.slice(0, 9));
        }
        // everything before NEWKEYS decodes without error, in the order and with the names tshark gives
        const pre = s.packets.filter((p) => p.msg !== null && p.msg <= 34);
        expect(pre.every((p) => p.error === undefined)).toBe(true);
        const codes = await tsharkFields(file, { port: sshd.port, filter: 'ssh.message_code' }, ['tcp.srcport', 'ssh.message_code']);
        const theirs = codes.flatMap(([port, c]) => c!.split(',').map((x) => `${Number(port) === s.client.port ? 'c2s' : 's2c'}:${x}`)).filter((x) => Number(x.split(':')[1]) <= 21);
        const ours = s.packets.filter((p) => p.msg !== null && p.msg <= 21 && p.seq !== null && !p.decrypted).map((p) => `${p.dir}:${p.msg}`);
        expect(ours.sort()).toEqual(theirs.sort());
        // after NEWKEYS, without keys: encrypted, no message number
        const after = s.packets.filter((p) => p.msg === null);
        expect(after.length).toBeGreaterThan(0);
        expect(after.every((p) => !p.decrypted)).toBe(true);
      }
    });
  }

  for (const [cipher, mac] of [
    ['chacha20-poly1305@openssh.com', null],
    ['aes128-gcm@openssh.com', null],
    ['aes256-ctr', 'hmac-sha2-256'],
    ['aes128-ctr', 'hmac-sha2-512-etm@openssh.com'],
  ] as const) {
    it(`sshscope connect --keylog with ${cipher}${mac ? ` + ${mac}` : ''}: we decrypt every packet, the command's output is in CHANNEL_DATA`, async () => {
      const keylog = `${dir}/keys-${cipher}.log`;
      const cap = await startCapture(sshd.port, { dir, name: `ours-${cipher.replace(/[^a-z0-9]/g, '_')}.pcap` });
      const marker = `capture-${randomBytes(8).toString('hex')}`;
      const r = await runConnect(['-p', String(sshd.port), '--known-hosts', knownHosts, '--keylog', keylog, '--ciphers', cipher, ...(mac ? ['--macs', mac] : []), '-i', key.path, `${sshd.user}@127.0.0.1`, 'echo', marker]);
      const pcap = await cap.stop();
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout.toString()).toBe(`${marker}\n`);
      const a = analyzeCapture(readCapture(pcap), { keylog: readFileSync(keylog, 'utf8') });
      const s = only(a.streams);
      expect(s.errors).toEqual([]);
      expect(s.strictKex).toBe(true);
      expect(s.rounds[0]!.keys?.signatureVerified).toBe(true);
      const encrypted = s.packets.filter((p) => p.decrypted || p.msg === null);
      expect(encrypted.length).toBeGreaterThan(5);
      expect(encrypted.every((p) => p.decrypted && p.error === undefined && p.msg !== null)).toBe(true);
      // strict KEX: the first packet after NEWKEYS in each direction is number 0
      for (const dir of ['c2s', 's2c'] as const) expect(s.packets.find((p) => p.dir === dir && p.decrypted)!.seq).toBe(0);
      const data = s.packets.filter((p) => p.name === 'SSH_MSG_CHANNEL_DATA' && p.dir === 's2c').map((p) => Buffer.from(p.message!.data as Uint8Array).toString());
      expect(data.join('')).toContain(`${marker}\n`);
      // a wrong secret: MACs fail and are shown as failures
      const wrong = readFileSync(keylog, 'utf8').replace(/SHARED_SECRET [0-9a-f]+/, `SHARED_SECRET ${randomBytes(32).toString('hex')}`).replace(/PRIVATE_KEY [0-9a-f]+/, `PRIVATE_KEY ${randomBytes(32).toString('hex')}`);
      const b = only(analyzeCapture(readCapture(pcap), { keylog: wrong }).streams);
      expect(b.rounds[0]!.keys?.signatureVerified).toBe(false);
      expect(b.packets.some((p) => p.decrypted && p.name === 'SSH_MSG_CHANNEL_DATA')).toBe(false);
      expect(b.packets.some((p) => /MAC\/tag verification failed/.test(p.error ?? '')) || b.errors.some((e) => /packet_length/.test(e))).toBe(true);
    });
  }

  // tshark 4.0 reads only the old two-field key log (curve25519's private key). With aes-gcm it
  // decrypts the same messages we do. With chacha20-poly1305 under strict KEX it recovers only a few
  // server packets and none of the client's after NEWKEYS (measured with tshark 4.0.17 here: it does
  // not restart sequence numbers), while we decrypt and verify every one.
  for (const [cipher, tsharkDecrypts] of [
    ['aes128-gcm@openssh.com', true],
    ['chacha20-poly1305@openssh.com', false],
  ] as const) {
    it(`${cipher} with curve25519: tshark ${tsharkDecrypts ? 'agrees with our decryption' : 'fails where we succeed'}`, async () => {
      const keylog = `${dir}/keys-ts-${cipher}.log`;
      const cap = await startCapture(sshd.port, { dir, name: `ts-${cipher.replace(/[^a-z0-9]/g, '_')}.pcap` });
      const marker = `tshark-${randomBytes(8).toString('hex')}`;
      const r = await runConnect(['-p', String(sshd.port), '--known-hosts', knownHosts, '--keylog', keylog, '--kex', 'curve25519-sha256', '--ciphers', cipher, '-i', key.path, `${sshd.user}@127.0.0.1`, 'echo', marker]);
      const pcap = await cap.stop();
      expect(r.code, r.stderr).toBe(0);
      const lines = readFileSync(keylog, 'utf8');
      const legacy = `${dir}/legacy-${cipher}.log`;
      writeFileSync(legacy, lines.split('\n').filter((l) => l.includes(' PRIVATE_KEY ')).map((l) => l.replace(' PRIVATE_KEY ', ' ')).join('\n') + '\n');
      // we decrypt with the same two-field line tshark gets
      const s = only(analyzeCapture(readCapture(pcap), { keylog: readFileSync(legacy, 'utf8') }).streams);
      expect(s.errors).toEqual([]);
      const data = s.packets.filter((p) => p.name === 'SSH_MSG_CHANNEL_DATA' && p.dir === 's2c').map((p) => Buffer.from(p.message!.data as Uint8Array).toString());
      expect(data.join('')).toContain(`${marker}\n`);
      const tv = spawnSync(PEER_PATHS.tshark, ['-r', pcap, '-d', `tcp.port==${sshd.port},ssh`, '-o', `ssh.keylog_file:${legacy}`, '-V'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }).stdout;
      expect(s.packets.every((p) => p.msg !== null && p.error === undefined)).toBe(true);
      const rows = await tsharkFields(pcap, { port: sshd.port, filter: 'ssh.message_code', keylog: legacy }, ['tcp.srcport', 'ssh.message_code']);
      const theirs = rows.flatMap(([port, c]) => c!.split(',').map((x) => `${Number(port) === s.client.port ? 'c2s' : 's2c'}:${x}`)).sort();
      const ours = s.packets.map((p) => `${p.dir}:${p.msg}`).sort();
      if (tsharkDecrypts) {
        expect(tv).toContain(Buffer.from(`${marker}\n`).toString('hex'));
        // the message codes tshark decrypted, per direction, are ours
        expect(ours).toEqual(theirs);
      } else {
        // what tshark gets is a part of what we get; it misses the client's SERVICE_REQUEST and USERAUTH_REQUESTs
        const left = [...ours];
        for (const t of theirs) {
          const i = left.indexOf(t);
          expect(i, `tshark's ${t} is one of ours`).toBeGreaterThanOrEqual(0);
          left.splice(i, 1);
        }
        expect(theirs.length).toBeLessThan(ours.length);
        expect(theirs).not.toContain('c2s:5');
        expect(theirs).not.toContain('c2s:50');
      }
    });
  }
});
