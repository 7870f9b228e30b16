// How a failed connection ends, between real OpenSSH peers and between OpenSSH and our engines.
// A loopback proxy this test controls sits in the middle: it flips one bit 1 MiB into an upload or a
// download (RFC 4253 §6.4: the MAC covers the sequence number and the packet; an AEAD tag does the
// same), and it keeps the cleartext start of each direction to see who sent a DISCONNECT when the
// two sides have no cipher in common (RFC 4253 §7.1). What the teaching says (scenarios `tampering`
// and `no-common-algorithm`, docs/phases/2-kex.md, docs/misconceptions.md) is checked here:
// OpenSSH ends both failures without a DISCONNECT (it logs "message authentication code incorrect"
// or "Unable to negotiate" and closes the TCP connection); our engines send DISCONNECT with reason 5,
// MAC_ERROR, or 3, KEY_EXCHANGE_FAILED (RFC 4253 §11.1), which OpenSSH shows as "Received
// disconnect … :5: …".

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PEER_PATHS, requirePeers, requireRoot } from '../helpers/peers.ts';
import { removeDir, sshKeygen, startSshd, tempDir, type KeyPair, type Sshd } from '../helpers/sshd.ts';
import { parseOpensshPrivateKey } from '../../engine/keys/openssh-private-key.ts';
import { generateEd25519 } from '../../engine/algorithms/signatures.ts';
import type { SshPrivateKey } from '../../engine/algorithms/types.ts';
import type { SshEvent } from '../../engine/events.ts';
import { startServer, type RunningServer } from '../../cli/serve.ts';
import { MiB, runOurClient, runRealSsh, startProxy, until } from '../soak/workloads.ts';

const ready =
  requirePeers([
    ['sshd', PEER_PATHS.sshd],
    ['ssh', PEER_PATHS.ssh],
    ['ssh-keygen', PEER_PATHS.sshKeygen],
  ]) && requireRoot();

/** How often `pattern` occurs in `text`. */
const count = (text: string, pattern: RegExp): number => (text.match(new RegExp(pattern.source, 'g')) ?? []).length;

/**
 * The cleartext packets at the start of one direction of a connection (RFC 4253 §4.2, §6): after
 * the identification line, each packet's message number, and a DISCONNECT's reason code. Stops
 * at NEWKEYS (encrypted from there) or at a packet the stream does not hold whole.
 */
function clearMessages(stream: Uint8Array): { id: number; reason?: number }[] {
  let o = 0;
  for (;;) {
    const nl = stream.indexOf(10, o);
    if (nl < 0) return [];
    const isVersion = new TextDecoder().decode(stream.subarray(o, o + 4)) === 'SSH-';
    o = nl + 1;
    if (isVersion) break;
  }
  const view = new DataView(stream.buffer, stream.byteOffset, stream.byteLength);
  const out: { id: number; reason?: number }[] = [];
  while (o + 10 <= stream.length) {
    const length = view.getUint32(o);
    if (length < 5 || o + 4 + length > stream.length) break;
    const id = stream[o + 5]!;
    out.push(id === 1 ? { id, reason: view.getUint32(o + 6) } : { id });
    if (id === 21) break;
    o += 4 + length;
  }
  return out;
}

const SUITES = [
  { name: 'aes128-ctr + hmac-sha2-256', ssh: ['-o', 'Ciphers=aes128-ctr', '-o', 'MACs=hmac-sha2-256'], cipher: 'aes128-ctr', mac: 'hmac-sha2-256' },
  { name: 'chacha20-poly1305@openssh.com', ssh: ['-o', 'Ciphers=chacha20-poly1305@openssh.com'], cipher: 'chacha20-poly1305@openssh.com', mac: undefined },
] as const;

describe.skipIf(!ready)('how a failed connection ends, with real OpenSSH on one or both ends', () => {
  let tmp: string;
  let pair: KeyPair;
  let key: SshPrivateKey;
  let sshd: Sshd;
  let serve: RunningServer;
  /** sshd and our server offering only aes256-ctr, for the clients that offer only aes128-ctr. */
  let sshdAes256: Sshd;
  let serveAes256: RunningServer;
  const served: SshEvent[] = [];

  beforeAll(async () => {
    tmp = tempDir('sshscope-endings-');
    pair = await sshKeygen(tmp, 'id_ed25519', 'ed25519');
    key = parseOpensshPrivateKey(readFileSync(pair.path, 'utf8')) as SshPrivateKey;
    sshd = await startSshd({ authorizedKeys: [pair.pub] });
    sshdAes256 = await startSshd({ authorizedKeys: [pair.pub], extraConfig: 'Ciphers aes256-ctr\n' });
    serve = await startServer({
      host: '127.0.0.1',
      port: 0,
      hostKeys: [generateEd25519((n) => crypto.getRandomValues(new Uint8Array(n)))],
      users: [{ name: 'alice', authorizedKeys: `${pair.pub}\n` }],
      onEvent: (e: SshEvent) => {
        if (e.type === 'error' || e.type === 'closed') served.push(e);
      },
    });
    serveAes256 = await startServer({
      host: '127.0.0.1',
      port: 0,
      hostKeys: [generateEd25519((n) => crypto.getRandomValues(new Uint8Array(n)))],
      users: [{ name: 'alice', authorizedKeys: `${pair.pub}\n` }],
      algorithms: { cipher: ['aes256-ctr'] },
    });
  });

  afterAll(async () => {
    await serveAes256?.close();
    await sshdAes256?.stop();
    await serve?.close();
    await sshd?.stop();
    if (tmp) removeDir(tmp);
  });

  for (const suite of SUITES) {
    for (const direction of ['up', 'down'] as const) {
      const victim = direction === 'up' ? 'sshd' : 'ssh';
      it(`ssh ⇄ sshd, ${suite.name}, a bit flipped ${direction === 'up' ? 'client→server' : 'server→client'}: ${victim} reports a MAC failure and drops the connection without a DISCONNECT`, async () => {
        const proxy = await startProxy(sshd.port);
        proxy.flip(direction, MiB);
        const before = sshd.logText();
        const r = await runRealSsh({
          port: proxy.port,
          keyPath: pair.path,
          user: sshd.user,
          // `up`: 4 MiB into the server; `down`: 4 MiB echoed back, so the server→client stream carries data too
          command: direction === 'up' ? 'cat > /dev/null' : 'cat',
          upload: 4 * MiB,
          knownHosts: join(tmp, `known_hosts_${suite.cipher}_${direction}`),
          extra: [...suite.ssh, '-o', 'KexAlgorithms=curve25519-sha256', '-o', 'LogLevel=INFO'],
          timeoutMs: 60_000,
        });
        await proxy.close();
        expect(proxy.flipped()).toBe(true);
        expect(r.code, r.stderr).toBe(255);
        expect(r.stderr).not.toMatch(/Received disconnect/);
        if (direction === 'up') {
          // sshd: the failed check in its log, and the client only sees the TCP connection end
          await until(() => count(sshd.logText(), /message authentication code incorrect/) > count(before, /message authentication code incorrect/), 10_000, 'sshd to log the MAC failure');
          // ssh learns only that the connection ended, reading ("closed by remote host") or writing
          expect(r.stderr).toMatch(/closed by remote host|Connection reset|Broken pipe/);
          expect(r.stderr).not.toMatch(/message authentication code/);
          expect(sshd.logText().slice(before.length)).not.toMatch(/Received disconnect/);
        } else {
          // at ssh's default LogLevel, INFO
          expect(r.stderr).toMatch(/message authentication code incorrect/);
          // the client sent nothing: sshd saw the connection end, not a DISCONNECT
          await until(() => /Connection (closed|reset) by|Close session|Disconnected from/.test(sshd.logText().slice(before.length)), 10_000, 'sshd to see the end');
          expect(sshd.logText().slice(before.length)).not.toMatch(/Received disconnect/);
        }
      });
    }

    it(`ssh → sshscope serve, ${suite.name}, a bit flipped client→server: our server sends DISCONNECT 5 (MAC_ERROR) and ssh prints it`, async () => {
      const proxy = await startProxy(serve.port);
      proxy.flip('up', MiB);
      const seen = served.length;
      const r = await runRealSsh({
        port: proxy.port,
        keyPath: pair.path,
        user: 'alice',
        command: 'cat',
        upload: 4 * MiB,
        knownHosts: join(tmp, `known_hosts_serve_${suite.cipher}`),
        extra: [...suite.ssh, '-o', 'KexAlgorithms=curve25519-sha256', '-o', 'LogLevel=INFO'],
        timeoutMs: 60_000,
      });
      await proxy.close();
      expect(proxy.flipped()).toBe(true);
      expect(r.code, r.stderr).toBe(255);
      expect(r.stderr).toMatch(/Received disconnect from 127\.0\.0\.1 port \d+:5: corrupted packet/);
      await until(() => served.slice(seen).some((e) => e.type === 'closed'), 10_000, 'our server to close');
      const error = served.slice(seen).find((e) => e.type === 'error');
      expect(error).toMatchObject({ type: 'error', local: true, reason: 5, field: 'mac' });
    });

    it(`our client → sshd, ${suite.name}, a bit flipped server→client: our client sends DISCONNECT 5 and sshd logs it`, async () => {
      const proxy = await startProxy(sshd.port);
      proxy.flip('down', MiB);
      const before = sshd.logText();
      const errors: SshEvent[] = [];
      const r = await runOurClient({
        port: sshd.port,
        via: proxy.port,
        username: sshd.user,
        key,
        command: 'cat',
        upload: 4 * MiB,
        cipher: suite.cipher,
        ...(suite.mac ? { mac: suite.mac } : {}),
        deadlineMs: 60_000,
        onEvent: (e) => {
          if (e.type === 'error') errors.push(e);
        },
      });
      expect(proxy.flipped()).toBe(true);
      expect(r.closedReason).toBe(5);
      expect(errors[0]).toMatchObject({ local: true, reason: 5, field: 'mac' });
      await until(() => /Received disconnect from 127\.0\.0\.1 port \d+:5: corrupted packet/.test(sshd.logText().slice(before.length)), 10_000, 'sshd to log our DISCONNECT');
      await proxy.close();
    });
  }
  describe('no cipher in common (the client offers only aes128-ctr, the server only aes256-ctr)', () => {
    const sshArgs = ['-o', 'Ciphers=aes128-ctr', '-o', 'KexAlgorithms=curve25519-sha256', '-o', 'LogLevel=INFO'];

    it('ssh ⇄ sshd: both give up on their own, and neither sends a DISCONNECT', async () => {
      const proxy = await startProxy(sshdAes256.port);
      const before = sshdAes256.logText();
      const r = await runRealSsh({ port: proxy.port, keyPath: pair.path, user: sshdAes256.user, command: 'true', knownHosts: join(tmp, 'known_hosts_nocommon_sshd'), extra: sshArgs, timeoutMs: 30_000 });
      expect(r.code).toBe(255);
      expect(r.stderr).toMatch(/Unable to negotiate with 127\.0\.0\.1 port \d+: no matching cipher found\. Their offer: aes256-ctr/);
      await until(() => /Unable to negotiate with 127\.0\.0\.1 port \d+: no matching cipher found\. Their offer: aes128-ctr/.test(sshdAes256.logText().slice(before.length)), 10_000, 'sshd to log the failure');
      await proxy.close();
      // each side sent its KEXINIT (20) and nothing after it
      expect(clearMessages(proxy.head('up'))).toEqual([{ id: 20 }]);
      expect(clearMessages(proxy.head('down'))).toEqual([{ id: 20 }]);
    });

    it('ssh → sshscope serve: our server sends DISCONNECT 3 (KEY_EXCHANGE_FAILED) after its KEXINIT', async () => {
      const proxy = await startProxy(serveAes256.port);
      const r = await runRealSsh({ port: proxy.port, keyPath: pair.path, user: 'alice', command: 'true', knownHosts: join(tmp, 'known_hosts_nocommon_serve'), extra: sshArgs, timeoutMs: 30_000 });
      expect(r.code).toBe(255);
      expect(r.stderr).toMatch(/no matching cipher found/);
      await until(() => clearMessages(proxy.head('down')).length >= 2, 10_000, 'our DISCONNECT to pass the proxy');
      await proxy.close();
      expect(clearMessages(proxy.head('down'))).toEqual([{ id: 20 }, { id: 1, reason: 3 }]);
      expect(clearMessages(proxy.head('up'))).toEqual([{ id: 20 }]);
    });

    it('our client → sshd: our client sends DISCONNECT 3, sshd only its KEXINIT', async () => {
      const proxy = await startProxy(sshdAes256.port);
      const errors: SshEvent[] = [];
      const r = await runOurClient({
        port: sshdAes256.port,
        via: proxy.port,
        username: sshdAes256.user,
        key,
        command: 'true',
        cipher: 'aes128-ctr',
        deadlineMs: 30_000,
        onEvent: (e) => {
          if (e.type === 'error') errors.push(e);
        },
      });
      expect(r.closedReason).toBe(3);
      expect(errors[0]).toMatchObject({ local: true, reason: 3 });
      await until(() => clearMessages(proxy.head('up')).length >= 2, 10_000, 'our DISCONNECT to pass the proxy');
      await proxy.close();
      expect(clearMessages(proxy.head('up'))).toEqual([{ id: 20 }, { id: 1, reason: 3 }]);
      expect(clearMessages(proxy.head('down'))).toEqual([{ id: 20 }]);
    });
  });
});
