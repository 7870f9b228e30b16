// `npm run fuzz -- --minutes N [--seed S] [--start I] [--lane J/W] [--out FILE]`, or `--replay I`
// to rerun one input. Inputs come from targets.ts (deterministic per seed and index) and run in a
// worker thread; with --lane J/W it takes inputs start+J, start+J+W, … (run W processes, J = 0…W−1,
// to use W cores: one process each, so each input's CPU time is its own). This thread is the
// watchdog:
//   crash     anything but a parser's typed error escaped (the engine may throw nothing)
//   mismatch  the rechunking differential disagreed
//   hang      one input used more than 1 s of CPU time (measured in the worker: on a shared
//             machine at nice 19 wall time says more about the neighbours); an input still
//             running after 30 s of wall time is killed, counted, and the run goes on
//   memory    heap after a full GC grew more than 64 MiB from the baseline of the warm run
// Crashers, mismatches and hangs are written to test/fuzz/corpus/found/ as JSON inputs, which
// corpus-replay.test.ts replays in `npm test` once they are fixed and moved up into corpus/.
// Ctrl-C (SIGINT) or SIGTERM ends the run as the deadline would: the summary and --out file are
// written. The process may be paused (SIGSTOP, e.g. while a benchmark runs) and continued: the
// wall-clock watchdog does not count the pause.

import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';

/** An input may use at most this much CPU time (user + system, measured in the worker). */
const HANG_MS = 1000;
/** Wall time after which the watchdog kills a worker stuck on one input (the machine is shared: wall time is not CPU time). */
const KILL_MS = 30_000;
const HEAP_LIMIT_GROWTH = 64 * 1024 * 1024;
const FOUND = fileURLToPath(new URL('./corpus/found/', import.meta.url));

interface Finding {
  index: number;
  kind: 'crash' | 'mismatch' | 'hang';
  target: string;
  message: string;
  ms?: number;
  input?: unknown;
}

interface Progress {
  done: number;
  next: number;
  perTarget: Record<string, { n: number; ms: number; maxMs: number; typed: number }>;
  heap: number;
  heapBaseline: number;
}

type WorkerMessage = { type: 'progress'; p: Progress } | { type: 'finding'; f: Finding };

function targetName(input: { kind: string; parser?: string }): string {
  return input.kind === 'key' ? `key:${input.parser}` : input.kind;
}

async function workerMain(): Promise<void> {
  const { seed, start, step, shared } = workerData as { seed: string; start: number; step: number; shared: SharedArrayBuffer };
  const { generate, execute, getMaterials } = await import('./targets.ts');
  const cell = new Int32Array(shared);
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  getMaterials();
  const p: Progress = { done: 0, next: start, perTarget: {}, heap: 0, heapBaseline: 0 };
  let lastPost = Date.now();
  for (let i = start; ; i += step) {
    Atomics.store(cell, 0, i);
    Atomics.store(cell, 1, 1);
    const input = generate(seed, i);
    const c0 = process.cpuUsage();
    const out = execute(input);
    const cpu = process.cpuUsage(c0);
    const ms = (cpu.user + cpu.system) / 1000;
    Atomics.store(cell, 1, 0);
    const name = targetName(input as { kind: string; parser?: string });
    const s = (p.perTarget[name] ??= { n: 0, ms: 0, maxMs: 0, typed: 0 });
    s.n++;
    s.ms += ms;
    if (ms > s.maxMs) s.maxMs = ms;
    if (out.ok && out.note) s.typed++;
    if (!out.ok) parentPort!.postMessage({ type: 'finding', f: { index: i, kind: out.kind, target: name, message: out.message, input } } satisfies WorkerMessage);
    else if (ms > HANG_MS) parentPort!.postMessage({ type: 'finding', f: { index: i, kind: 'hang', target: name, message: `took ${ms.toFixed(0)} ms of CPU time`, ms, input } } satisfies WorkerMessage);
    p.done++;
    p.next = i + step;
    if (p.done % 2000 === 0) {
      gc();
      p.heap = process.memoryUsage().heapUsed;
      if (p.done === 2000) p.heapBaseline = p.heap;
    }
    if (Date.now() - lastPost > 1000) {
      lastPost = Date.now();
      parentPort!.postMessage({ type: 'progress', p } satisfies WorkerMessage);
    }
  }
}

function arg(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
}

function save(f: Finding): string {
  mkdirSync(FOUND, { recursive: true });
  const body = JSON.stringify({ found: f.kind, message: f.message.split('\n')[0], input: f.input }, null, 1);
  const name = `${f.kind}-${f.target.replace(':', '-')}-${createHash('sha256').update(body).digest('hex').slice(0, 10)}.json`;
  writeFileSync(FOUND + name, body + '\n');
  return name;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const seed = arg(argv, 'seed') ?? String(Date.now());
  const replay = arg(argv, 'replay');
  if (replay !== undefined) {
    const { generate, execute } = await import('./targets.ts');
    const input = generate(seed, Number(replay));
    const t0 = performance.now();
    const out = execute(input);
    console.log(JSON.stringify(input).slice(0, 2000));
    console.log(`${(performance.now() - t0).toFixed(1)} ms`, out);
    return;
  }
  if (argv.includes('--make-corpus')) {
    await makeCorpus(seed);
    return;
  }
  const minutes = Number(arg(argv, 'minutes') ?? '1');
  const [laneIndex, workers] = (arg(argv, 'lane') ?? '0/1').split('/').map(Number) as [number, number];
  if (!(workers >= 1 && laneIndex >= 0 && laneIndex < workers)) throw new Error('fuzz: --lane J/W needs 0 ≤ J < W');
  const outFile = arg(argv, 'out');
  const first = Number(arg(argv, 'start') ?? '0');
  let deadline = Date.now() + minutes * 60_000;
  const findings: Finding[] = [];
  const totals: Progress['perTarget'] = {};
  let doneBefore = 0;
  const lastOf: (Progress | null)[] = [null];
  let heapBaseline = 0;
  let heapMax = 0;
  let heapLast = 0;
  let killed = 0;
  const t0 = Date.now();
  console.log(`fuzz: seed ${seed}, from input ${first}, lane ${laneIndex}/${workers}, ${minutes} min; reproduce one input with --seed ${seed} --replay I`);
  const endEarly = () => {
    console.log('fuzz: stopping (signal); the summary follows');
    deadline = 0;
  };
  process.on('SIGINT', endEarly);
  process.on('SIGTERM', endEarly);

  const merge = (lane: number, p: Progress) => {
    const last = lastOf[lane];
    for (const [k, v] of Object.entries(p.perTarget)) {
      const t = (totals[k] ??= { n: 0, ms: 0, maxMs: 0, typed: 0 });
      const prev = last?.perTarget[k] ?? { n: 0, ms: 0, maxMs: 0, typed: 0 };
      t.n += v.n - prev.n;
      t.ms += v.ms - prev.ms;
      t.typed += v.typed - prev.typed;
      t.maxMs = Math.max(t.maxMs, v.maxMs);
    }
    if (p.heap) {
      heapLast = p.heap;
      heapMax = Math.max(heapMax, p.heap);
      if (!heapBaseline && p.heapBaseline) heapBaseline = p.heapBaseline;
    }
    lastOf[lane] = p;
  };
  const total = () => doneBefore + lastOf.reduce((n, p) => n + (p?.done ?? 0), 0);
  const line = () => {
    const secs = (Date.now() - t0) / 1000;
    const crashes = findings.filter((f) => f.kind === 'crash').length;
    const hangs = findings.filter((f) => f.kind === 'hang').length;
    const mism = findings.filter((f) => f.kind === 'mismatch').length;
    const mb = (n: number) => (n / 1048576).toFixed(1);
    return `fuzz: ${total()} inputs in ${secs.toFixed(0)} s (${(total() / secs).toFixed(0)}/s), crashes ${crashes}, hangs ${hangs}, mismatches ${mism}, heap ${mb(heapLast)} MiB (baseline ${mb(heapBaseline)}, max ${mb(heapMax)})`;
  };
  const status = setInterval(() => console.log(line()), 10_000);

  /** This lane's inputs start+J, start+J+W, …: its worker is restarted after a hang or a death, until the deadline. */
  const lane = async (j: number): Promise<void> => {
    let start = first + laneIndex;
    while (Date.now() < deadline) {
      const shared = new SharedArrayBuffer(8);
      const cell = new Int32Array(shared);
      const worker = new Worker(new URL('./worker-boot.mjs', import.meta.url), { workerData: { seed, start, step: workers, shared }, resourceLimits: { maxOldGenerationSizeMb: 1024, maxYoungGenerationSizeMb: 192 } });
      lastOf[j] = null;
      const ended = new Promise<string>((resolve) => {
        worker.on('message', (m: WorkerMessage) => {
          if (m.type === 'progress') merge(j, m.p);
          else {
            findings.push(m.f);
            console.log(`fuzz: ${m.f.kind} at input ${m.f.index} (${m.f.target}): ${m.f.message.split('\n')[0]} -> corpus/found/${save(m.f)}`);
          }
        });
        worker.on('error', (e) => resolve(`worker error: ${e.message}`));
        worker.on('exit', (code) => resolve(`worker exit ${code}`));
      });
      let watchedIndex = -1;
      let watchedSince = Date.now();
      let lastTick = Date.now();
      let stop: string | null = null;
      const timer = setInterval(() => {
        const now = Date.now();
        // a tick long overdue: the process was paused (SIGSTOP) — the pause is not the input's time
        if (now - lastTick > 2000) watchedSince = now;
        lastTick = now;
        const idx = Atomics.load(cell, 0);
        const busy = Atomics.load(cell, 1);
        if (idx !== watchedIndex || !busy) {
          watchedIndex = idx;
          watchedSince = now;
        } else if (now - watchedSince > KILL_MS) {
          stop = `input ${idx} still running after ${KILL_MS} ms`;
          void worker.terminate();
        }
        if (now >= deadline && !stop) {
          stop = 'time';
          void worker.terminate();
        }
      }, 100);
      const why = await ended;
      clearInterval(timer);
      const last = lastOf[j] as Progress | null;
      doneBefore += last ? last.done : 0;
      const nextIndex = last ? last.next : start;
      lastOf[j] = null;
      if (stop === 'time') break;
      const idx = Atomics.load(cell, 0);
      if (stop) {
        killed++;
        const { generate } = await import('./targets.ts');
        const input = generate(seed, idx);
        const f: Finding = { index: idx, kind: 'hang', target: targetName(input as { kind: string; parser?: string }), message: stop, input };
        findings.push(f);
        console.log(`fuzz: hang at input ${idx}: ${stop} -> corpus/found/${save(f)}`);
        start = idx + workers;
        doneBefore += 1;
      } else if (!last) {
        console.log(`fuzz: the worker did not start: ${why}`);
        process.exitCode = 2;
        deadline = 0;
        return;
      } else {
        // crashed out of memory or otherwise: note it and go on after the input it was on
        const { generate } = await import('./targets.ts');
        const input = generate(seed, idx);
        const f: Finding = { index: idx, kind: 'crash', target: targetName(input as { kind: string; parser?: string }), message: why, input };
        findings.push(f);
        console.log(`fuzz: worker died at input ${idx}: ${why} -> corpus/found/${save(f)}`);
        start = Math.max(nextIndex, idx + workers);
      }
    }
  };
  await lane(0);
  clearInterval(status);
  if (process.exitCode === 2) return;
  console.log(line());
  const secs = (Date.now() - t0) / 1000;
  for (const [k, v] of Object.entries(totals).sort()) {
    console.log(`  ${k.padEnd(20)} ${String(v.n).padStart(9)} inputs  ${(v.n / secs).toFixed(0).padStart(6)}/s  mean ${(v.ms / Math.max(1, v.n)).toFixed(2)} ms CPU  max ${v.maxMs.toFixed(0)} ms  typed errors ${v.typed}`);
  }
  const growth = heapBaseline ? heapLast - heapBaseline : 0;
  const memoryOk = growth < HEAP_LIMIT_GROWTH;
  console.log(`fuzz: heap growth after GC ${(growth / 1048576).toFixed(1)} MiB (limit ${HEAP_LIMIT_GROWTH / 1048576}) ${memoryOk ? 'ok' : 'TOO MUCH'}; killed workers ${killed}`);
  if (outFile) writeFileSync(outFile, JSON.stringify({ seed, lane: `${laneIndex}/${workers}`, first, inputs: total(), seconds: secs, findings: findings.map((f) => ({ ...f, input: undefined })), totals, heapBaseline, heapLast, heapMax }, null, 1));
  process.exitCode = findings.length || !memoryOk ? 1 : 0;
}

/** Keeps the first input of each state / parser (and the typed-error ones) as corpus/seed/*.json. */
async function makeCorpus(seed: string): Promise<void> {
  const { generate, execute } = await import('./targets.ts');
  const dir = fileURLToPath(new URL('./corpus/seed/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  const seen = new Set<string>();
  let kept = 0;
  for (let i = 0; i < 20_000 && kept < 400; i++) {
    const input = generate(seed, i) as unknown as Record<string, unknown>;
    const where =
      input.kind === 'wire' ? `${input.recipe}-${input.target}-chunk${input.chunk}`
      : input.kind === 'deep' ? `${input.recipe}-${input.from}-packet${input.packet}`
      : input.kind === 'capture' ? String(input.base)
      : input.kind === 'key' ? String(input.seed)
      : `${input.recipe}-${input.target}`;
    const key = `${input.kind}-${where}`.replace(/[^A-Za-z0-9.-]+/g, '_');
    const body = JSON.stringify(input);
    if (seen.has(key) || body.length > 12_000) continue;
    const out = execute(input as never);
    if (!out.ok) continue; // findings go to found/, not to the seed corpus
    seen.add(key);
    writeFileSync(`${dir}${key}.json`, body + '\n');
    kept++;
  }
  console.log(`fuzz: ${kept} corpus inputs written to ${dir}`);
}

if (isMainThread) {
  await main();
} else {
  await workerMain();
}
