// `npm run bench -- --only capture [--full] [--runs N] [--strict] [--verbose]`: the capture reader
// (engine/capture) side by side with `tshark -V` in the same run (issue 6):
//  (a) a 64 MiB bulk-transfer capture made here (sshscope connect --pcap into `cat > /dev/null` on
//      the real sshd, curve25519 + aes128-gcm so tshark 4.0 can decrypt it from the file's DSB),
//      parsed and decrypted: ours ≤ 1.0× tshark's time;
//  (b) an interactive-like capture of ≥ 200 000 small packets (in-memory session, pcapng writer):
//      ≥ 200 000 packets/s (a time target: packets / 200 000 s) and peak memory ≤ 4× the file size;
//  (c) read time for 1, 16, 64 (and 256 with --full) MiB captures, to show it is linear.
// (a) times `node bin/sshscope.js inspect --json FILE > /dev/null` as a whole process, as a user
// runs it, next to tshark's whole process. The in-process figures come from a fresh child process
// per sample (bench/capture-child.ts: no JIT warm-up shared with the other samples, and its own
// peak RSS).
// bench/run.ts calls captureBench(argv) first; it returns null unless `--only capture` was given.

import { spawn } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { createWriteStream, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PEER_PATHS } from '../test/helpers/peers.ts';
import { removeDir, tempDir } from '../test/helpers/sshd.ts';
import { bulkCapture, interactiveCapture } from './capture-make.ts';
import { startPeer } from './peer.ts';
import { renderTable, verdict, type Row } from './report.ts';
import { summarize } from './stats.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MiB = 1024 * 1024;

interface CaptureOptions {
  full: boolean;
  runs: number;
  strict: boolean;
  verbose: boolean;
  /** Client messages of the interactive capture (each echoed: 2 packets per message). */
  messages: number;
}

/** `--only capture` (alone) selects this benchmark; null otherwise. */
export function captureOptions(argv: readonly string[]): CaptureOptions | null {
  let only: string | undefined;
  const o: CaptureOptions = { full: false, runs: 3, strict: false, verbose: false, messages: 100_000 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--only') only = argv[++i];
    else if (a.startsWith('--only=')) only = a.slice(7);
    else if (a === '--full') o.full = true;
    else if (a === '--strict') o.strict = true;
    else if (a === '--verbose' || a === '-v') o.verbose = true;
    else if (a === '--runs' || a.startsWith('--runs=')) {
      const v = Number(a.includes('=') ? a.slice(7) : argv[++i]);
      if (!Number.isInteger(v) || v <= 0) throw new Error('--runs needs a positive integer');
      o.runs = v;
    } else if (a === '--messages') o.messages = Number(argv[++i]);
  }
  return only === 'capture' ? o : null;
}

function say(s: string): void {
  process.stderr.write(`${s}\n`);
}

interface ChildResult {
  ms: number;
  /** CPU time (user + system) of the same span. */
  cpuMs: number;
  packets: number;
  decrypted: number;
  problems: number;
  rssBefore: number;
  maxRss: number;
  fileBytes: number;
  /** Wall time of the whole process. */
  wallMs: number;
}

function runChild(file: string, noKeys = false, noJson = false): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/capture-child.ts', file, ...(noKeys ? ['--no-keys'] : []), ...(noJson ? ['--no-json'] : [])], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = performance.now() - t0;
      if (code !== 0) return reject(new Error(`capture-child exited ${code}: ${err}`));
      resolve({ ...(JSON.parse(out.trim().split('\n').at(-1)!) as Omit<ChildResult, 'wallMs'>), wallMs });
    });
  });
}

/** `sshscope inspect --json FILE > /dev/null` as a user runs it (bin/sshscope.js), timed as a whole process. */
function runCli(file: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, ['bin/sshscope.js', 'inspect', '--json', file], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(performance.now() - t0) : reject(new Error(`sshscope inspect exited ${code}: ${err}`))));
  });
}

/** `tshark -r FILE -d tcp.port==PORT,ssh -V > /dev/null`, timed as a whole process. */
function runTshark(file: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(PEER_PATHS.tshark, ['-r', file, '-d', `tcp.port==${port},ssh`, '-V'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(performance.now() - t0) : reject(new Error(`tshark exited ${code}: ${err}`))));
  });
}

/** How many SSH messages tshark decrypted (CHANNEL_DATA, 94) — proof that its timing includes decryption. */
function tsharkDecryptedCount(file: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(PEER_PATHS.tshark, ['-r', file, '-d', `tcp.port==${port},ssh`, '-Y', 'ssh.message_code==94', '-T', 'fields', '-e', 'frame.number'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let lines = 0;
    child.stdout.setEncoding('utf8').on('data', (d: string) => (lines += d.split('\n').length - 1));
    child.on('error', reject);
    child.on('close', () => resolve(lines));
  });
}

function writeRandom(path: string, bytes: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const w = createWriteStream(path);
    const block = Buffer.alloc(MiB);
    let left = bytes;
    const more = () => {
      while (left > 0) {
        randomFillSync(block);
        const n = Math.min(left, MiB);
        left -= n;
        if (!w.write(n === MiB ? block : block.subarray(0, n))) return void w.once('drain', more);
      }
      w.end(() => resolve());
    };
    w.on('error', reject);
    more();
  });
}

const fmtMiB = (b: number) => `${(b / MiB).toFixed(1)} MiB`;

export async function captureBench(argv: readonly string[]): Promise<number | null> {
  const o = captureOptions(argv);
  if (!o) return null;
  const rows: Row[] = [];
  const dir = tempDir('sshscope-bench-capture-');
  const peer = await startPeer();
  try {
    // ---- the captures ----
    const sizes = o.full ? [1, 16, 64, 256] : [1, 16, 64];
    const bulk = new Map<number, string>();
    for (const mib of sizes) {
      const input = join(dir, `input-${mib}.bin`);
      await writeRandom(input, mib * MiB);
      const file = join(dir, `bulk-${mib}.pcapng`);
      say(`capture bench: ${mib} MiB through the real sshd with sshscope connect --pcap …`);
      await bulkCapture(peer, input, file);
      bulk.set(mib, file);
    }
    say(`capture bench: interactive session, ${o.messages} small messages each way (in memory) …`);
    const interactive = join(dir, 'interactive.pcapng');
    writeFileSync(interactive, interactiveCapture(o.messages));
    const interactiveSmall = join(dir, 'interactive-small.pcapng');
    writeFileSync(interactiveSmall, interactiveCapture(10));

    // ---- (a) 64 MiB, ours vs tshark -V ----
    const f64 = bulk.get(64)!;
    const tsharkSees = await tsharkDecryptedCount(f64, peer.port);
    const oursWall: number[] = [];
    const oursIn: number[] = [];
    const oursCpu: number[] = [];
    const theirs: number[] = [];
    let last: ChildResult | null = null;
    await runCli(interactiveSmall); // the first start after a source change builds the CLI bundle (bin/cli-bundle.mjs)
    for (let i = 0; i < o.runs; i++) {
      const order = i % 2 === 0 ? (['ours', 'tshark'] as const) : (['tshark', 'ours'] as const);
      for (const who of order) {
        if (who === 'ours') {
          const wall = await runCli(f64);
          const r = await runChild(f64);
          last = r;
          oursWall.push(wall);
          oursIn.push(r.ms);
          oursCpu.push(r.cpuMs);
          if (o.verbose) say(`  (a) ours: ${wall.toFixed(0)} ms sshscope inspect --json process, ${r.ms.toFixed(0)} ms reading in process; ${r.packets} packets, ${r.decrypted} decrypted`);
        } else {
          const ms = await runTshark(f64, peer.port);
          theirs.push(ms);
          if (o.verbose) say(`  (a) tshark -V: ${ms.toFixed(0)} ms`);
        }
      }
    }
    const size64 = statSync(f64).size;
    rows.push({
      what: `(a) ${fmtMiB(size64)} bulk capture (aes128-gcm), parse + decrypt, whole process`,
      unit: 'ms',
      ours: summarize(oursWall),
      peerName: 'tshark 4.0 -V',
      peer: summarize(theirs),
      target: { kind: 'ratio-max', value: 1.0 },
      note: `ours: \`node bin/sshscope.js inspect --json FILE > /dev/null\` (start-up from the prebuilt CLI bundle, read, decrypt and verify all ${last?.decrypted ?? '?'} encrypted packets, print the --json document); tshark decrypted ${tsharkSees} CHANNEL_DATA messages from the file's Decryption Secrets Block and printed every frame with -V to /dev/null`,
    });
    rows.push({ what: '(a) (diagnostic) ours in process, without start-up (bench/capture-child.ts: read, decrypt, serialise --json)', unit: 'ms', ours: summarize(oursIn), peerName: 'tshark 4.0 -V', peer: summarize(theirs), note: `CPU time in process: median ${summarize(oursCpu).median.toFixed(0)} ms` });

    // ---- (b) ≥ 200 000 small packets ----
    const inter = { keys: [] as ChildResult[], none: [] as ChildResult[] };
    for (let i = 0; i < o.runs; i++) {
      // reading only (the --json document of 200 000 packets is itself almost as large as the file)
      inter.keys.push(await runChild(interactive, false, true));
      inter.none.push(await runChild(interactive, true, true));
      if (o.verbose) say(`  (b) ${inter.keys.at(-1)!.packets} packets: ${inter.keys.at(-1)!.ms.toFixed(0)} ms (CPU ${inter.keys.at(-1)!.cpuMs.toFixed(0)}) decrypted, ${inter.none.at(-1)!.ms.toFixed(0)} ms (CPU ${inter.none.at(-1)!.cpuMs.toFixed(0)}) without keys`);
    }
    const fileBytes = inter.keys[0]!.fileBytes;
    const packets = inter.keys[0]!.packets;
    const tsharkInter: number[] = [];
    for (let i = 0; i < o.runs; i++) tsharkInter.push(await runTshark(interactive, 22));
    for (const [label, rs] of [
      ['decrypted (key log in the file)', inter.keys],
      ['without keys (framed by the clear aes-gcm length)', inter.none],
    ] as const) {
      const ms = summarize(rs.map((r) => r.ms));
      rows.push({
        what: `(b) ${packets} small packets, ${label}: read, reassemble, frame, decrypt`,
        unit: 'ms',
        ours: ms,
        ...(label.startsWith('decrypted') ? { peerName: 'tshark 4.0 -V', peer: summarize(tsharkInter) } : {}),
        target: { kind: 'abs-max', value: Math.round((packets / 200_000) * 1000) },
        note: `${Math.round(packets / (ms.median / 1000))} packets/s (target ≥ 200 000 packets/s, i.e. ≤ ${Math.round((packets / 200_000) * 1000)} ms); CPU time median ${summarize(rs.map((r) => r.cpuMs)).median.toFixed(0)} ms`,
      });
      const peak = summarize(rs.map((r) => (r.maxRss - r.rssBefore) / 1e6));
      rows.push({
        what: `(b) peak memory above start-up, ${label}`,
        unit: 'MB',
        ours: peak,
        target: { kind: 'abs-max', value: Math.round((4 * fileBytes) / 1e6) },
        note: `file ${(fileBytes / 1e6).toFixed(1)} MB, target ≤ 4× = ${Math.round((4 * fileBytes) / 1e6)} MB; whole process peak RSS ${(summarize(rs.map((r) => r.maxRss / 1e6)).median).toFixed(0)} MB (start-up ${(summarize(rs.map((r) => r.rssBefore / 1e6)).median).toFixed(0)} MB)`,
      });
    }

    // ---- (c) linear in the size ----
    const perMiB: string[] = [];
    for (const mib of sizes) {
      const f = bulk.get(mib)!;
      const ours: number[] = [];
      const ts: number[] = [];
      for (let i = 0; i < o.runs; i++) {
        ours.push((await runChild(f)).ms);
        ts.push(await runTshark(f, peer.port));
      }
      const s = summarize(ours);
      perMiB.push(`${mib} MiB: ${(s.median / mib).toFixed(1)} ms/MiB`);
      rows.push({ what: `(c) read + decrypt ${mib} MiB capture (${fmtMiB(statSync(f).size)} file), without start-up`, unit: 'ms', ours: s, peerName: 'tshark 4.0 -V (process)', peer: summarize(ts) });
    }
    rows.at(-1)!.note = `linearity: ${perMiB.join(', ')}`;
  } finally {
    await peer.stop();
    removeDir(dir);
  }
  process.stdout.write(`\ncapture reader vs tshark (load average at the end: see uptime)\n\n${renderTable(rows)}\n\n`);
  const judged = rows.filter((r) => r.target);
  const failed = judged.filter((r) => verdict(r) === 'FAIL');
  for (const r of judged) process.stdout.write(`${verdict(r)}  ${r.what}\n`);
  process.stdout.write(`\n${judged.length - failed.length} of ${judged.length} targets pass\n`);
  return o.strict && failed.length > 0 ? 1 : 0;
}
