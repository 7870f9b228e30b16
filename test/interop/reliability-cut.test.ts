// Issue 8, faults: a TCP connection cut in the middle of a transfer, on either side, through a
// small loopback proxy this test controls (test/soak/workloads.ts startProxy). The side that
// survives must end with a clear 'closed' event (reason 10, CONNECTION_LOST, RFC 4253 §11.1, and a
// message naming the TCP failure), must not hang, and must leave no socket or timer behind
// (process.getActiveResourcesInfo()).

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
import { MiB, handles, runOurClient, runRealSsh, startProxy, until } from '../soak/workloads.ts';

const ready =
  requirePeers([
    ['sshd', PEER_PATHS.sshd],
    ['ssh', PEER_PATHS.ssh],
    ['ssh-keygen', PEER_PATHS.sshKeygen],
  ]) && requireRoot();

const leftovers = (before: Record<string, number>) => {
  const now = handles();
  return { sockets: (now.TCPSocketWrap ?? 0) - (before.TCPSocketWrap ?? 0), timers: (now.Timeout ?? 0) - (before.Timeout ?? 0) };
};

describe.skipIf(!ready)('a TCP connection cut mid-transfer', () => {
  let dir: string;
  let pair: KeyPair;
  let key: SshPrivateKey;
  let sshd: Sshd;
  let serve: RunningServer;
  const serverClosed: Extract<SshEvent, { type: 'closed' }>[] = [];

  beforeAll(async () => {
    dir = tempDir('sshscope-cut-');
    pair = await sshKeygen(dir, 'id_ed25519', 'ed25519');
    key = parseOpensshPrivateKey(readFileSync(pair.path, 'utf8')) as SshPrivateKey;
    sshd = await startSshd({ authorizedKeys: [pair.pub] });
    serve = await startServer({
      host: '127.0.0.1',
      port: 0,
      hostKeys: [generateEd25519((n) => crypto.getRandomValues(new Uint8Array(n)))],
      users: [{ name: 'alice', authorizedKeys: `${pair.pub}\n` }],
      onEvent: (e: SshEvent) => {
        if (e.type === 'closed') serverClosed.push(e);
      },
    });
  });

  afterAll(async () => {
    await serve?.close();
    await sshd?.stop();
    if (dir) removeDir(dir);
  });

  for (const [side, reset] of [
    ['client', true],
    ['server', false],
  ] as const) {
    it(`our client → proxy → sshd, cut on the ${side} side (${reset ? 'reset' : 'destroyed'}) after 2 MiB: the client ends with a closed event, nothing left`, async () => {
      const proxy = await startProxy(sshd.port);
      const before = handles();
      let cut = false;
      const r = await runOurClient({
        port: sshd.port,
        via: proxy.port,
        username: sshd.user,
        key,
        command: 'cat',
        upload: 256 * MiB,
        deadlineMs: 60_000,
        onProgress: () => {
          if (!cut && proxy.relayed().up > 2 * MiB) {
            cut = true;
            proxy.cut(side, reset);
          }
        },
      });
      expect(cut).toBe(true);
      expect(r.ok).toBe(false);
      expect(r.error ?? '').not.toMatch(/a hang/);
      expect(r.closedReason).toBe(10); // CONNECTION_LOST
      // a plain destroy() with unread bytes in its receive buffer also makes the kernel send RST;
      // a reset usually surfaces as ECONNRESET (or EPIPE on a write), but when it lands while
      // nothing is being read or written Node reports the end of the stream instead
      expect(r.closed).toMatch(reset ? /TCP connection failed: .*(ECONNRESET|EPIPE)|the peer closed the TCP connection/ : /the peer closed the TCP connection|TCP connection (closed|failed)/);
      await proxy.close();
      await until(() => leftovers(before).sockets <= 0, 5000, 'the sockets to close');
      expect(leftovers(before).timers).toBeLessThanOrEqual(0);
    });
  }

  for (const [side, reset] of [
    ['server', true],
    ['client', false],
  ] as const) {
    it(`real ssh → proxy → sshscope serve, cut on the ${side} side (${reset ? 'reset' : 'destroyed'}) mid-transfer: the server ends with a closed event, nothing left`, async () => {
      const proxy = await startProxy(serve.port);
      const before = handles();
      serverClosed.length = 0;
      const ssh = runRealSsh({ port: proxy.port, keyPath: pair.path, user: 'alice', command: 'cat', upload: 256 * MiB, seed: 'cut', knownHosts: join(dir, 'known_hosts'), extra: ['-o', 'KexAlgorithms=curve25519-sha256'], timeoutMs: 60_000 });
      await until(() => proxy.relayed().up > 2 * MiB, 60_000, 'the transfer to start');
      proxy.cut(side, reset);
      const r = await ssh;
      expect(r.code).toBe(255); // ssh's own error: the connection is gone
      await until(() => serverClosed.length > 0, 10_000, 'the server to notice');
      expect(serverClosed).toHaveLength(1);
      expect(serverClosed[0]!.reason).toBe(10);
      expect(serverClosed[0]!.message).toMatch(reset ? /TCP connection failed: .*ECONNRESET/ : /the peer closed the TCP connection|TCP connection (closed|failed)/);
      await proxy.close();
      await until(() => leftovers(before).sockets <= 0, 5000, 'the sockets to close');
      expect(leftovers(before).timers).toBeLessThanOrEqual(0);
    });
  }
});
