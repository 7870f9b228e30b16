// Command-line options of `npm run bench -- [options]`.

export interface BenchOptions {
  quick: boolean;
  /** Which parts to run (default all): memory, exec, bulk. */
  parts: Set<'memory' | 'exec' | 'bulk' | 'kex'>;
  memoryRuns: number;
  execRuns: number;
  /** Runs per client and KEX method (the per-KEX handshake figures, issue 8). */
  kexRuns: number;
  bulkRuns: number;
  bulkMiB: number;
  warmup: number;
  /** Bulk ciphers (default both of target 3). */
  ciphers: string[] | null;
  /** Exit with status 1 when a target fails. */
  strict: boolean;
  /** Print each sample as it is measured. */
  verbose: boolean;
  help: boolean;
}

export const USAGE = `usage: npm run bench -- [--quick] [--only memory,exec,kex,bulk] [--runs N] [--kex-runs N] [--bulk-runs N]
                        [--mib N] [--cipher NAME]... [--warmup N] [--strict] [--verbose]
       npm run bench -- --only capture …   (issue 6: bench/capture.ts, --help there)
       npm run bench -- --only app …       (issue 4: stepping in Chromium, bench/app-stepping.ts)
  --quick        32 MiB bulk transfers instead of 256 MiB (still 20 handshake runs, 5 bulk runs)
  --only LIST    run only these parts (memory: target 1, exec: target 2, kex: handshake per KEX method, bulk: target 3)
  --runs N       handshake runs per client (targets 1 and 2; at least 20 are needed for a verdict)
  --kex-runs N   runs per client and KEX method (default 10)
  --bulk-runs N  bulk transfers per client and cipher (at least 3 for a verdict)
  --mib N        bulk size in MiB (at least 32 for a verdict)
  --cipher NAME  bulk cipher (repeatable; default chacha20-poly1305@openssh.com and aes128-gcm@openssh.com)
  --strict       exit with status 1 when a target fails`;

function positiveInt(name: string, v: string | undefined): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} needs a positive integer, got ${v ?? 'nothing'}`);
  return n;
}

export function parseArgs(argv: readonly string[]): BenchOptions {
  const o: BenchOptions = {
    quick: false,
    parts: new Set(['memory', 'exec', 'bulk', 'kex']),
    memoryRuns: 50,
    execRuns: 30,
    kexRuns: 10,
    bulkRuns: 5,
    bulkMiB: 256,
    warmup: 3,
    ciphers: null,
    strict: false,
    verbose: false,
    help: false,
  };
  let runs: number | null = null;
  let bulkRuns: number | null = null;
  let mib: number | null = null;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = () => inline ?? argv[++i];
    switch (flag) {
      case '--quick':
        o.quick = true;
        break;
      case '--only': {
        const parts = (value() ?? '').split(',').filter(Boolean);
        for (const p of parts) if (!['memory', 'exec', 'bulk', 'kex'].includes(p)) throw new Error(`--only: unknown part ${p}`);
        o.parts = new Set(parts as ('memory' | 'exec' | 'bulk' | 'kex')[]);
        break;
      }
      case '--runs':
        runs = positiveInt('--runs', value());
        break;
      case '--kex-runs':
        o.kexRuns = positiveInt('--kex-runs', value());
        break;
      case '--bulk-runs':
        bulkRuns = positiveInt('--bulk-runs', value());
        break;
      case '--mib':
        mib = positiveInt('--mib', value());
        break;
      case '--warmup':
        o.warmup = Number(value());
        if (!Number.isInteger(o.warmup) || o.warmup < 0) throw new Error('--warmup needs an integer ≥ 0');
        break;
      case '--cipher':
        (o.ciphers ??= []).push(value() ?? '');
        break;
      case '--strict':
        o.strict = true;
        break;
      case '--verbose':
      case '-v':
        o.verbose = true;
        break;
      case '--help':
      case '-h':
        o.help = true;
        break;
      default:
        throw new Error(`unknown option ${a}\n${USAGE}`);
    }
  }
  if (o.quick) {
    o.memoryRuns = 20;
    o.execRuns = 20;
    o.bulkMiB = 32;
    o.bulkRuns = 5;
  }
  if (runs !== null) o.memoryRuns = o.execRuns = runs;
  if (bulkRuns !== null) o.bulkRuns = bulkRuns;
  if (mib !== null) o.bulkMiB = mib;
  return o;
}
