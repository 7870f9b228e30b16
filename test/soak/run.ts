// `npm run soak -- [--consecutive 1000] [--concurrent 100] [--bulk-mib 1024] [--rekey-mib 64]
//  [--only consecutive|concurrent|bulk] [--out FILE]`: the long versions of
// test/interop/reliability-*.test.ts against real OpenSSH 9.2 (issue 8):
//   1. N consecutive connections of our client to a private sshd, and of the real ssh to
//      sshscope serve (in this process): 0 failures;
//   2. C concurrent real ssh clients each pushing 1 MiB through cat: sha256-equal, the server's
//      live heap back near its baseline;
//   3. B MiB each way through one channel, rekey every R MiB: our client ⇄ sshd (RekeyLimit on
//      both) and ssh ⇄ serve; sha256-equal both ways, peak memory reported.
// Prints one line per workload and, with --out, a JSON summary (docs/reliability.md figures).

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { removeDir, sshKeygen, startSshd, tempDir } from '../helpers/sshd.ts';
import { parseOpensshPrivateKey } from '../../engine/keys/openssh-private-key.ts';
import { generateEd25519 } from '../../engine/algorithms/signatures.ts';
import type { SshPrivateKey } from '../../engine/algorithms/types.ts';
import type { SshEvent } from '../../engine/events.ts';
import { startServer } from '../../cli/serve.ts';
import { MiB, handles, liveHeap, runOurClient, runRealSsh, sha256Of } from './workloads.ts';

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : def;
}

const consecutive = Number(arg('consecutive', '1000'));
const concurrent = Number(arg('concurrent', '100'));
const bulk = Number(arg('bulk-mib', '1024')) * MiB;
const rekey = Number(arg('rekey-mib', '64')) * MiB;
const only = arg('only', 'all');
const outFile = arg('out', '');
const results: Record<string, unknown> = { date: new Date().toISOString(), consecutive, concurrent, bulkMiB: bulk / MiB, rekeyMiB: rekey / MiB };
const mb = (n: number) => (n / MiB).toFixed(1);
const log = (s: string) => console.log(`soak: ${s}`);

const dir = tempDir('sshscope-soak-');
const pair = await sshKeygen(dir, 'id_ed25519', 'ed25519');
const key = parseOpensshPrivateKey(readFileSync(pair.path, 'utf8')) as SshPrivateKey;
const sshd = await startSshd({ authorizedKeys: [pair.pub], extraConfig: `RekeyLimit ${rekey / MiB}M\nMaxStartups 200:30:300` });
const serverKexes = new Map<number, number>();
const serve = await startServer({
  host: '127.0.0.1',
  port: 0,
  hostKeys: [generateEd25519((n) => crypto.getRandomValues(new Uint8Array(n)))],
  users: [{ name: 'alice', authorizedKeys: `${pair.pub}\n` }],
  rekeyBytes: rekey,
  onEvent: (e: SshEvent, id: number) => {
    if (e.type === 'keys') serverKexes.set(id, (serverKexes.get(id) ?? 0) + 1);
  },
});
let failed = false;

try {
  if (only === 'all' || only === 'consecutive') {
    let t0 = performance.now();
    let fails = 0;
    for (let i = 0; i < consecutive; i++) {
      const r = await runOurClient({ port: sshd.port, username: sshd.user, key, command: `echo run-${i}`, deadlineMs: 60_000 });
      if (!r.ok || r.stdoutBytes !== `run-${i}\n`.length) {
        fails++;
        log(`our client → sshd #${i} failed: ${r.error ?? r.closed}`);
      }
    }
    let secs = (performance.now() - t0) / 1000;
    log(`our client → sshd: ${consecutive} consecutive connections, ${fails} failures, ${secs.toFixed(1)} s (${((secs * 1000) / consecutive).toFixed(0)} ms each)`);
    results.ourClientToSshd = { n: consecutive, failures: fails, seconds: secs };
    failed ||= fails > 0;

    t0 = performance.now();
    fails = 0;
    const knownHosts = join(dir, 'known_hosts');
    for (let i = 0; i < consecutive; i++) {
      // every fifth with ssh's default key exchange (sntrup761x25519), the others curve25519-sha256
      const extra = i % 5 === 0 ? [] : ['-o', 'KexAlgorithms=curve25519-sha256'];
      const r = await runRealSsh({ port: serve.port, keyPath: pair.path, user: 'alice', command: `echo run-${i}`, knownHosts, extra, timeoutMs: 60_000 });
      if (r.code !== 0 || r.stdoutBytes !== `run-${i}\n`.length) {
        fails++;
        log(`ssh → serve #${i} failed: exit ${r.code} ${r.stderr.trim()}`);
      }
    }
    secs = (performance.now() - t0) / 1000;
    log(`real ssh → serve: ${consecutive} consecutive connections, ${fails} failures, ${secs.toFixed(1)} s (${((secs * 1000) / consecutive).toFixed(0)} ms each)`);
    results.sshToServe = { n: consecutive, failures: fails, seconds: secs };
    failed ||= fails > 0;
  }

  if (only === 'all' || only === 'concurrent') {
    const knownHosts = join(dir, 'known_hosts_c');
    const baseline = liveHeap();
    const rss0 = process.memoryUsage().rss;
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers)), 50);
    const t0 = performance.now();
    const runs = await Promise.all(
      Array.from({ length: concurrent }, (_, i) =>
        runRealSsh({ port: serve.port, keyPath: pair.path, user: 'alice', command: 'cat', upload: MiB, seed: `c${i}`, knownHosts, extra: ['-o', 'KexAlgorithms=curve25519-sha256'], timeoutMs: 300_000 }),
      ),
    );
    clearInterval(sampler);
    const secs = (performance.now() - t0) / 1000;
    const bad = runs.filter((r, i) => r.code !== 0 || r.stdoutBytes !== MiB || r.stdoutSha !== sha256Of(MiB, `c${i}`));
    for (const r of bad.slice(0, 5)) log(`concurrent failure: exit ${r.code} ${r.stdoutBytes} bytes ${r.stderr.trim()}`);
    await new Promise((r) => setTimeout(r, 500));
    const after = liveHeap();
    log(`${concurrent} concurrent ssh × 1 MiB through cat: ${concurrent - bad.length} sha256-equal, ${bad.length} failed, ${secs.toFixed(1)} s; live heap ${mb(baseline)} → ${mb(after)} MiB after (peak heap+buffers ${mb(peak)} MiB, rss ${mb(rss0)} → ${mb(process.memoryUsage().rss)} MiB); sockets left ${handles().TCPSocketWrap ?? 0}`);
    results.concurrent = { n: concurrent, failures: bad.length, seconds: secs, heapBaseline: baseline, heapAfter: after, peak };
    failed ||= bad.length > 0;
  }

  if (only === 'all' || only === 'bulk') {
    let peak = 0;
    let sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers)), 20);
    let t0 = performance.now();
    const a = await runOurClient({ port: sshd.port, username: sshd.user, key, command: 'cat', upload: bulk, seed: 'soak-sshd', rekeyBytes: rekey, cipher: 'aes128-gcm@openssh.com', deadlineMs: 3_600_000 });
    clearInterval(sampler);
    let secs = (performance.now() - t0) / 1000;
    const okA = a.ok && a.stdoutBytes === bulk && a.stdoutSha === sha256Of(bulk, 'soak-sshd');
    log(`our client ⇄ sshd: ${mb(bulk)} MiB each way, ${a.kexes} key exchanges, sha256 ${okA ? 'equal' : 'DIFFERENT'}, ${secs.toFixed(1)} s (${((2 * bulk) / MiB / secs).toFixed(1)} MiB/s both ways), peak heap+buffers ${mb(peak)} MiB ${a.error ?? ''}`);
    results.bulkOurClient = { ok: okA, kexes: a.kexes, seconds: secs, peak };
    failed ||= !okA;

    peak = 0;
    serverKexes.clear();
    sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers)), 20);
    t0 = performance.now();
    const b = await runRealSsh({ port: serve.port, keyPath: pair.path, user: 'alice', command: 'cat', upload: bulk, seed: 'soak-serve', knownHosts: join(dir, 'known_hosts_b'), extra: ['-o', `RekeyLimit=${rekey / MiB}M`, '-o', 'Ciphers=aes128-gcm@openssh.com'], timeoutMs: 3_600_000 });
    clearInterval(sampler);
    secs = (performance.now() - t0) / 1000;
    const okB = b.code === 0 && b.stdoutBytes === bulk && b.stdoutSha === sha256Of(bulk, 'soak-serve');
    log(`real ssh ⇄ serve: ${mb(bulk)} MiB each way, ${[...serverKexes.values()][0] ?? 0} key exchanges, sha256 ${okB ? 'equal' : 'DIFFERENT'}, ${secs.toFixed(1)} s (${((2 * bulk) / MiB / secs).toFixed(1)} MiB/s both ways), server peak heap+buffers ${mb(peak)} MiB ${b.stderr.trim()}`);
    results.bulkSsh = { ok: okB, kexes: [...serverKexes.values()][0] ?? 0, seconds: secs, peak };
    failed ||= !okB;
  }
} finally {
  await serve.close();
  await sshd.stop();
  removeDir(dir);
}
if (outFile) writeFileSync(outFile, JSON.stringify(results, null, 1));
log(failed ? 'FAILED' : 'all passed');
process.exit(failed ? 1 : 0);
