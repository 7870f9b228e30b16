// Issue 8, faults and load: many consecutive connections, 0 failures allowed.
//  - our client (engine over TCP) → a private real sshd, publickey login + `echo`, N times;
//  - the real ssh client → `sshscope serve` (startServer in this process), N times.
// N is 30 here (part of `npm test`); `npm run soak` does 1000 of each (test/soak/run.ts).
// After the runs, no socket or timer of ours is left (process.getActiveResourcesInfo()).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PEER_PATHS, requirePeers, requireRoot } from '../helpers/peers.ts';
import { removeDir, sshKeygen, startSshd, tempDir, type KeyPair, type Sshd } from '../helpers/sshd.ts';
import { parseOpensshPrivateKey } from '../../engine/keys/openssh-private-key.ts';
import { generateEd25519 } from '../../engine/algorithms/signatures.ts';
import type { SshPrivateKey } from '../../engine/algorithms/types.ts';
import { startServer, type RunningServer } from '../../cli/serve.ts';
import { handles, runOurClient, runRealSsh } from '../soak/workloads.ts';

const ready =
  requirePeers([
    ['sshd', PEER_PATHS.sshd],
    ['ssh', PEER_PATHS.ssh],
    ['ssh-keygen', PEER_PATHS.sshKeygen],
  ]) && requireRoot();

const N = 30;

describe.skipIf(!ready)('consecutive connections against real OpenSSH (0 failures)', () => {
  let sshd: Sshd;
  let dir: string;
  let pair: KeyPair;
  let key: SshPrivateKey;
  let serve: RunningServer;

  beforeAll(async () => {
    dir = tempDir('sshscope-rel-');
    pair = await sshKeygen(dir, 'id_ed25519', 'ed25519');
    key = parseOpensshPrivateKey(readFileSync(pair.path, 'utf8')) as SshPrivateKey;
    sshd = await startSshd({ authorizedKeys: [pair.pub] });
    serve = await startServer({
      host: '127.0.0.1',
      port: 0,
      hostKeys: [generateEd25519((n) => crypto.getRandomValues(new Uint8Array(n)))],
      users: [{ name: 'alice', authorizedKeys: `${pair.pub}\n` }],
    });
  });

  afterAll(async () => {
    await serve?.close();
    await sshd?.stop();
    if (dir) removeDir(dir);
  });

  it(`our client → sshd: ${N} connections in a row, each logs in and runs echo`, async () => {
    const before = handles();
    const failures: string[] = [];
    for (let i = 0; i < N; i++) {
      const r = await runOurClient({ port: sshd.port, username: sshd.user, key, command: `echo run-${i}`, deadlineMs: 30_000 });
      if (!r.ok || r.stdoutBytes !== `run-${i}\n`.length) failures.push(`#${i}: ${r.error ?? r.closed} exit ${r.exitStatus}`);
    }
    expect(failures).toEqual([]);
    const after = handles();
    expect(after.TCPSocketWrap ?? 0).toBeLessThanOrEqual(before.TCPSocketWrap ?? 0);
    expect(after.Timeout ?? 0).toBeLessThanOrEqual(before.Timeout ?? 0);
  });

  it(`real ssh → sshscope serve: ${N} connections in a row, each logs in and runs echo`, async () => {
    const knownHosts = join(dir, 'known_hosts');
    const failures: string[] = [];
    for (let i = 0; i < N; i++) {
      // every fifth with ssh's default key exchange (sntrup761x25519, pure JS on our side, the
      // slow one), the others with curve25519-sha256 to keep this file short
      const extra = i % 5 === 0 ? [] : ['-o', 'KexAlgorithms=curve25519-sha256'];
      const r = await runRealSsh({ port: serve.port, keyPath: pair.path, user: 'alice', command: `echo run-${i}`, knownHosts, extra, timeoutMs: 60_000 });
      if (r.code !== 0 || r.stdoutBytes !== `run-${i}\n`.length) failures.push(`#${i}: exit ${r.code} ${r.stderr.trim()}`);
    }
    expect(failures).toEqual([]);
    // every server-side socket is gone once the clients have exited
    const deadline = Date.now() + 5000;
    while ((handles().TCPSocketWrap ?? 0) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(handles().TCPSocketWrap ?? 0).toBe(0); // listeners are TCPServerWrap
  });
});
