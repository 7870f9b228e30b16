// `npm run bench` (scripts/bootstrap.mjs runs `tsx bench/run.ts [args]`): measures the three
// performance targets against peers in the same run and prints one table with PASS/FAIL.
//   1. in-memory pair handshake + auth + exec, median ms ≤ 15 (context: ssh2 ⇄ ssh2 on loopback)
//   2. our client → real sshd, connect → exec `true` → close, ≤ 1.0× the ssh2 npm client (context: ssh)
//   3. 256 MiB into `cat > /dev/null` on the real sshd, MB/s ≥ 1.0× ssh2, per cipher and per build of
//      ssh2 present (node:crypto; its optional C++ addon where a compiler built it; ssh2-flavours.ts)
// Timings live here only, never in unit tests.

import { randomFillSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { spawnSync } from 'node:child_process';
import { nodeCryptoProvider } from '../cli/node-crypto.ts';
import { sshKeygen, tempDir } from '../test/helpers/sshd.ts';
import { PEER_PATHS } from '../test/helpers/peers.ts';
import { parseArgs, USAGE, type BenchOptions } from './args.ts';
import { BULK_CIPHERS, EXEC_CIPHER, randomPayload, sameAlgorithms, withTimeout, type BulkSample, type Negotiated } from './common.ts';
import { inMemoryRunner, type InMemoryVariant } from './in-memory.ts';
import { ourBulk, ourExec } from './our-client.ts';
import { ssh2Bulk, ssh2Exec } from './ssh2-client.ts';
import { ssh2AddonBuilt, type Ssh2Flavour } from './ssh2-flavours.ts';
import { startSsh2Pair } from './ssh2-pair.ts';
import { opensshExec } from './openssh-client.ts';
import { negotiatedInLog, startPeer, type Peer } from './peer.ts';
import { renderTable, verdict, type Row } from './report.ts';
import { appBenchRequested, runAppBenchCli } from './app-stepping.ts';
import { megabytesPerSecond, summarize } from './stats.ts';
import { captureBench } from './capture.ts';
import { benchKex } from './kex.ts';

const MIN_RUNS_FOR_VERDICT = 20;
const EXEC_TIMEOUT = 60_000;
/** A bulk verdict needs a few transfers long enough to dwarf the handshake and TCP slow start. */
const MIN_BULK_RUNS_FOR_VERDICT = 3;
const MIN_BULK_MIB_FOR_VERDICT = 32;

/** CPU time (user + system, ms) this process spent since `since`: the client's own cost, load-independent. */
function cpuMs(since: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1000;
}

function loadAverage(): string {
  return loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
}

function say(s: string): void {
  process.stderr.write(`${s}\n`);
}

function environment(): string {
  const ssh = spawnSync(PEER_PATHS.ssh, ['-V'], { encoding: 'utf8' });
  const ssh2Version = (JSON.parse(readFileSync(new URL('../node_modules/ssh2/package.json', import.meta.url), 'utf8')) as { version: string }).version;
  const cpu = cpus();
  return [
    `node ${process.version} on ${process.platform}/${process.arch}, ${cpu.length} CPU(s): ${cpu[0]?.model ?? '?'}`,
    `peer: ${(ssh.stderr || ssh.stdout).trim()} (sshd on 127.0.0.1), ssh2 npm ${ssh2Version}`,
    ssh2AddonBuilt
      ? 'ssh2\'s optional C++ addon was built here (a compiler is present): bulk rows compare with ssh2 on node:crypto (its build without a compiler) and with the addon'
      : 'ssh2\'s optional C++ addon is not built here (no compiler): ssh2 runs on node:crypto',
    `date: ${new Date().toISOString()}, load average ${loadAverage()} (figures are wall time unless marked CPU)`,
  ].join('\n');
}

function checkNegotiated(who: string, n: Negotiated | null, cipher: string): void {
  if (!sameAlgorithms(n, cipher)) throw new Error(`${who} negotiated ${JSON.stringify(n)}, expected curve25519-sha256 / ssh-ed25519 / ${cipher}`);
}

// ---- target 1 ----------------------------------------------------------------------------------

async function benchMemory(o: BenchOptions, rows: Row[]): Promise<void> {
  // Two judged rows: the in-memory pair as Node runs it (node:crypto behind the CryptoProvider)
  // and as the browser runs it (noble only; note that Chromium's V8 runs noble's curve arithmetic
  // ~3x faster than Node 20, shared/stack.md). Both with trace on: the pair exists for the trace.
  const variants: (InMemoryVariant & { target: boolean })[] = [
    { label: '1. in-memory pair, Node: node:crypto provider, trace on', trace: true, crypto: nodeCryptoProvider, auth: 'publickey', target: true },
    { label: '1. in-memory pair, browser path: noble only, trace on', trace: true, auth: 'publickey', target: true },
    { label: '1. (context) node:crypto provider, trace off', trace: false, crypto: nodeCryptoProvider, auth: 'publickey', target: false },
    { label: '1. (context) noble only, trace on, password auth', trace: true, auth: 'password', target: false },
  ];
  const wall = new Map<string, number[]>(variants.map((v) => [v.label, []]));
  const cpu = new Map<string, number[]>(variants.map((v) => [v.label, []]));
  const runners = variants.map((v) => ({ v, run: inMemoryRunner(v) }));
  for (const { run } of runners) for (let i = 0; i < Math.max(o.warmup, 5); i++) run();
  // interleaved, so that a slow phase of the machine hits every variant alike
  for (let i = 0; i < o.memoryRuns; i++) {
    for (const { v, run } of runners) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      run();
      wall.get(v.label)!.push(performance.now() - t0);
      cpu.get(v.label)!.push(cpuMs(c0));
    }
  }
  // context: ssh2 client ⇄ ssh2 server over loopback TCP (no in-memory pair exists for it)
  const dir = tempDir('sshscope-bench-ssh2-');
  const hk = await sshKeygen(dir, 'host_ed25519', 'ed25519', { comment: '' });
  const uk = await sshKeygen(dir, 'user_ed25519', 'ed25519', { comment: 'alice@bench' });
  const pair = await startSsh2Pair(readFileSync(hk.path, 'utf8'), readFileSync(uk.path, 'utf8'), uk.pub, 'alice');
  const ssh2Samples: number[] = [];
  try {
    for (let i = 0; i < Math.max(o.warmup, 3); i++) await pair.run();
    for (let i = 0; i < o.memoryRuns; i++) {
      const t0 = performance.now();
      await pair.run();
      ssh2Samples.push(performance.now() - t0);
    }
  } finally {
    await pair.stop();
  }
  rows.push({
    what: '1. (context) ssh2 client ⇄ ssh2 server, loopback TCP, publickey, exec',
    unit: 'ms',
    ours: null,
    peerName: 'ssh2 npm',
    peer: summarize(ssh2Samples),
    note: 'no in-memory peer exists; this pair pays TCP and the event loop, so it is context, not a yardstick',
  });
  for (const v of variants) {
    rows.push({
      what: v.label,
      unit: 'ms',
      ours: summarize(wall.get(v.label)!),
      ...(v.target && o.memoryRuns >= MIN_RUNS_FOR_VERDICT ? { target: { kind: 'abs-max' as const, value: 15 } } : {}),
    });
    if (v.target) rows.push({ what: '   (diagnostic) same, CPU time of the run', unit: 'ms', ours: summarize(cpu.get(v.label)!) });
  }
}

// ---- target 2 ----------------------------------------------------------------------------------

async function benchExec(o: BenchOptions, peer: Peer, rows: Row[]): Promise<void> {
  const cipher = EXEC_CIPHER;
  const ours: number[] = [];
  const theirs: number[] = [];
  const ssh: number[] = [];
  const oursCpu: number[] = [];
  const theirsCpu: number[] = [];
  const one = async (record: boolean) => {
    const ca = process.cpuUsage();
    const a = await withTimeout(ourExec(peer, cipher), EXEC_TIMEOUT, 'our client exec');
    const aCpu = cpuMs(ca);
    checkNegotiated('our client', a.negotiated, cipher);
    if (a.exitStatus !== 0) throw new Error(`our client: exit status ${a.exitStatus}`);
    const cb = process.cpuUsage();
    const b = await withTimeout(ssh2Exec(peer, cipher), EXEC_TIMEOUT, 'ssh2 exec');
    const bCpu = cpuMs(cb);
    checkNegotiated('ssh2', b.negotiated, cipher);
    if (b.exitStatus !== 0) throw new Error(`ssh2: exit status ${b.exitStatus}`);
    const c = await withTimeout(opensshExec(peer, cipher), EXEC_TIMEOUT, 'ssh exec');
    if (record) {
      ours.push(a.ms);
      theirs.push(b.ms);
      ssh.push(c);
      oursCpu.push(aCpu);
      theirsCpu.push(bCpu);
      if (o.verbose) say(`  exec: ours ${a.ms.toFixed(1)} ms (CPU ${aCpu.toFixed(1)}), ssh2 ${b.ms.toFixed(1)} ms (CPU ${bCpu.toFixed(1)}), ssh ${c.toFixed(1)} ms`);
    }
  };
  for (let i = 0; i < o.warmup; i++) await one(false);
  for (let i = 0; i < o.execRuns; i++) await one(true);
  rows.push({
    what: `2. connect → exec true → close (${cipher})`,
    unit: 'ms',
    ours: summarize(ours),
    peerName: 'ssh2 npm client',
    peer: summarize(theirs),
    ...(o.execRuns >= MIN_RUNS_FOR_VERDICT ? { target: { kind: 'ratio-max' as const, value: 1.0 } } : {}),
  });
  rows.push({ what: '2. (diagnostic) client CPU time per run', unit: 'ms', ours: summarize(oursCpu), peerName: 'ssh2 npm client', peer: summarize(theirsCpu) });
  rows.push({ what: '2. (context) OpenSSH ssh, whole process', unit: 'ms', ours: null, peerName: 'ssh 9.2', peer: summarize(ssh) });
}

// ---- target 3 ----------------------------------------------------------------------------------

/** Who takes part in a bulk round: our client and each build of ssh2 present here (ssh2-flavours.ts). */
type BulkClient = 'ours' | Ssh2Flavour;

async function bulkOnce(who: BulkClient, peer: Peer, cipher: string, data: Uint8Array): Promise<BulkSample> {
  return who === 'ours' ? ourBulk(peer, cipher, data) : ssh2Bulk(peer, cipher, data, who);
}

async function benchBulk(o: BenchOptions, peer: Peer, rows: Row[]): Promise<void> {
  const bytes = o.bulkMiB * 1024 * 1024;
  say(`generating ${o.bulkMiB} MiB of random data …`);
  const data = randomPayload(bytes, (b) => randomFillSync(b));
  // 64 MiB: the first tens of MiB a client moves in a process fault in its buffers' pages (about
  // 34 MiB of minor faults, a third more CPU for that run); after a smaller warm-up the first client
  // of the first round paid for that alone
  const warm = data.subarray(0, Math.min(bytes, 64 * 1024 * 1024));
  // generous: 1 MB/s would be a broken client, not a slow one
  const bulkTimeout = 60_000 + bytes / 1000;
  // ssh2 on node:crypto is what `npm install` gives on the machine the quick start is written for
  // (no compiler); where a compiler built ssh2's C++ addon, that build runs in the same rounds.
  const clients: BulkClient[] = ssh2AddonBuilt ? ['ours', 'pure', 'installed'] : ['ours', 'pure'];
  for (const cipher of o.ciphers ?? BULK_CIPHERS) {
    const wall = new Map<BulkClient, number[]>(clients.map((c) => [c, []]));
    const cpu = new Map<BulkClient, number[]>(clients.map((c) => [c, []]));
    for (let i = 0; i < Math.min(o.warmup, 2); i++) {
      for (const who of clients) await withTimeout(bulkOnce(who, peer, cipher, warm), EXEC_TIMEOUT, `${who} bulk warm-up`);
    }
    for (let i = 0; i < o.bulkRuns; i++) {
      // rotate who goes first, so that no client always runs on a machine warmed by another
      const order = clients.map((_, k) => clients[(i + k) % clients.length]!);
      for (const who of order) {
        const c0 = process.cpuUsage();
        const s = await withTimeout(bulkOnce(who, peer, cipher, data), bulkTimeout, `${who} bulk ${cipher}`);
        // whole session's CPU (handshake included, a few ms): bytes per CPU-second is what the
        // client could reach with a core of its own, whatever else the machine is doing
        const cpuMbs = megabytesPerSecond(s.bytes, cpuMs(c0));
        cpu.get(who)!.push(cpuMbs);
        checkNegotiated(who === 'ours' ? 'our client' : `ssh2 (${who})`, s.negotiated, cipher);
        if (s.exitStatus !== 0) throw new Error(`${who}: cat exited with ${s.exitStatus}`);
        const mbs = megabytesPerSecond(s.bytes, s.ms);
        wall.get(who)!.push(mbs);
        if (o.verbose) say(`  bulk ${cipher}: ${who === 'ours' ? 'ours' : `ssh2 ${who}`} ${mbs.toFixed(0)} MB/s (${s.ms.toFixed(0)} ms; ${cpuMbs.toFixed(0)} MB per CPU-second)`);
      }
    }
    const judged = o.bulkRuns >= MIN_BULK_RUNS_FOR_VERDICT && o.bulkMiB >= MIN_BULK_MIB_FOR_VERDICT;
    // Each build of ssh2 present here is judged on its own row: which one issue 2 means is the
    // project's call (docs/performance.md, "Which ssh2 is the yardstick for target 3").
    for (const flavour of clients.filter((c): c is Ssh2Flavour => c !== 'ours')) {
      const peerName = SSH2_PEER_NAME[flavour];
      rows.push({ what: `3. ${o.bulkMiB} MiB → cat > /dev/null, ${cipher}`, unit: 'MB/s', ours: summarize(wall.get('ours')!), peerName, peer: summarize(wall.get(flavour)!), ...(judged ? { target: { kind: 'ratio-min' as const, value: 1.0 } } : {}) });
      rows.push({ what: `3. (diagnostic) MB per client CPU-second, ${cipher}`, unit: 'MB/s', ours: summarize(cpu.get('ours')!), peerName, peer: summarize(cpu.get(flavour)!) });
    }
  }
}

/** Short names for the table's peer column; environment() says what they are. */
const SSH2_PEER_NAME: Record<Ssh2Flavour, string> = { pure: 'ssh2 (node:crypto)', installed: 'ssh2 (C++ addon)' };

// ---- main --------------------------------------------------------------------------------------

async function main(): Promise<number> {
  if (appBenchRequested(process.argv)) return runAppBenchCli(process.argv.slice(2)); // issue 4: stepping in Chromium
  { const c = await captureBench(process.argv.slice(2)); if (c !== null) return c; } // issue 6: --only capture (bench/capture.ts)
  let o: BenchOptions;
  try {
    o = parseArgs(process.argv.slice(2));
  } catch (e) {
    say((e as Error).message);
    return 2;
  }
  if (o.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  say(environment());
  const rows: Row[] = [];
  if (o.parts.has('memory')) {
    say(`target 1: in-memory pair, ${o.memoryRuns} runs per variant …`);
    await benchMemory(o, rows);
  }
  if (o.parts.has('exec') || o.parts.has('bulk') || o.parts.has('kex')) {
    const peer = await startPeer();
    try {
      say(`real sshd on 127.0.0.1:${peer.port}`);
      if (o.parts.has('exec')) {
        say(`target 2: connect → exec true → close, ${o.execRuns} runs per client …`);
        await benchExec(o, peer, rows);
      }
      if (o.parts.has('kex')) {
        say(`handshake per KEX method: connect → exec true → close, ${o.kexRuns} runs per client and method …`);
        await benchKex(peer, o.kexRuns, Math.min(o.warmup, 1), rows, say, o.verbose);
      }
      if (o.parts.has('bulk')) {
        say(`target 3: ${o.bulkMiB} MiB bulk, ${o.bulkRuns} runs per client and cipher …`);
        await benchBulk(o, peer, rows);
      }
      const seen = [...new Set(negotiatedInLog(peer.sshd))];
      say(`sshd logged these negotiations:\n  ${seen.join('\n  ')}`);
    } finally {
      await peer.stop();
    }
  }
  process.stdout.write(`\n${environment()}\n\n${renderTable(rows)}\n\n`);
  const judged = rows.filter((r) => r.target);
  const failed = judged.filter((r) => verdict(r) === 'FAIL');
  for (const r of judged) process.stdout.write(`${verdict(r)}  ${r.what}${r.peerName ? ` (vs ${r.peerName})` : ''}\n`);
  process.stdout.write(`\n${judged.length - failed.length} of ${judged.length} targets pass\n`);
  return o.strict && failed.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    say(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    process.exit(1);
  },
);
