#!/usr/bin/env node
// Entry point of `npm start`, `npm test` and `npm bench`. It runs BEFORE node_modules exist, so it
// uses Node builtins only: install dependencies when needed, then hand over to the real command.
//
//   node scripts/bootstrap.mjs start [args…]   → node bin/sshscope.js start [args…]
//   node scripts/bootstrap.mjs test  [args…]   → setup-system.sh, vitest (every project), totals line
//   node scripts/bootstrap.mjs bench [args…]   → tsx bench/run.ts [args…]

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const nodeModules = join(root, 'node_modules');
const stampFile = join(nodeModules, '.sshscope-install-stamp');

function log(msg) {
  process.stderr.write(`[sshscope] ${msg}\n`);
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
  if (r.error) throw r.error;
  return r.status ?? (r.signal ? 128 : 1);
}

/** What the installed tree must match: the declared dependencies and the lock file. */
function installFingerprint() {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const h = createHash('sha256');
  for (const field of ['dependencies', 'devDependencies', 'optionalDependencies', 'overrides']) {
    h.update(`${field}:${JSON.stringify(pkg[field] ?? {})}\n`);
  }
  const lock = join(root, 'package-lock.json');
  if (existsSync(lock)) h.update(readFileSync(lock));
  return h.digest('hex');
}

/**
 * True when node_modules already holds exactly what package-lock.json pins. npm keeps its own
 * record of the installed tree in node_modules/.package-lock.json; compare versions with it, so
 * that an unrelated edit of package.json (a script) does not trigger a reinstall.
 */
function treeMatchesLock() {
  const lockPath = join(root, 'package-lock.json');
  const hiddenPath = join(nodeModules, '.package-lock.json');
  if (!existsSync(lockPath) || !existsSync(hiddenPath)) return false;
  try {
    const lock = JSON.parse(readFileSync(lockPath, 'utf8'));
    const hidden = JSON.parse(readFileSync(hiddenPath, 'utf8'));
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    const rootEntry = lock.packages?.[''] ?? {};
    for (const field of ['dependencies', 'devDependencies', 'optionalDependencies']) {
      for (const [name, range] of Object.entries(pkg[field] ?? {})) {
        if ((rootEntry[field] ?? {})[name] !== range) return false; // lock out of date
      }
    }
    for (const [path, entry] of Object.entries(lock.packages ?? {})) {
      if (path === '' || entry.link) continue;
      const have = hidden.packages?.[path];
      if (!have) {
        // optional platform packages (esbuild, rolldown binaries) are absent on other platforms
        if (entry.optional) continue;
        return false;
      }
      if (have.version !== entry.version) return false;
    }
    return true;
  } catch {
    return false;
  }
}

function ensureInstalled() {
  const want = installFingerprint();
  if (existsSync(nodeModules)) {
    if (existsSync(stampFile) && readFileSync(stampFile, 'utf8').trim() === want) return;
    if (treeMatchesLock()) {
      writeFileSync(stampFile, `${want}\n`);
      return;
    }
    log('dependencies changed since the last install: installing');
  } else {
    log('first run: installing dependencies (npm 11 blocks install scripts by default; none are needed)');
  }
  const hasLock = existsSync(join(root, 'package-lock.json'));
  let status = run('npm', hasLock ? ['ci', '--no-audit', '--no-fund'] : ['install', '--no-audit', '--no-fund']);
  if (status !== 0 && hasLock) {
    log('`npm ci` failed (is package-lock.json out of date?): trying `npm install`');
    status = run('npm', ['install', '--no-audit', '--no-fund']);
  }
  if (status !== 0) {
    log('installing dependencies failed');
    process.exit(status);
  }
  writeFileSync(stampFile, `${installFingerprint()}\n`);
}

/** Sums vitest's JSON report. A test file that failed to load counts as one failure. */
function totals(report) {
  let passed = report.numPassedTests ?? 0;
  let failed = report.numFailedTests ?? 0;
  let skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  for (const file of report.testResults ?? []) {
    const assertions = file.assertionResults ?? [];
    if (file.status === 'failed' && !assertions.some((a) => a.status === 'failed')) failed += 1;
  }
  return { passed, failed, skipped };
}

function test(args) {
  const setup = run('bash', [join(root, 'scripts/setup-system.sh')]);
  if (setup !== 0) log(`scripts/setup-system.sh exited with ${setup}; continuing (the suites decide what they need)`);
  const outDir = join(root, 'test-artifacts');
  mkdirSync(outDir, { recursive: true });
  const out = join(outDir, `vitest-${process.pid}.json`);
  rmSync(out, { force: true });
  const vitest = join(nodeModules, 'vitest/vitest.mjs');
  const status = run(process.execPath, [
    vitest,
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${out}`,
    ...args,
  ]);
  let t = { passed: 0, failed: 0, skipped: 0 };
  if (existsSync(out)) {
    try {
      t = totals(JSON.parse(readFileSync(out, 'utf8')));
    } catch (e) {
      log(`could not read vitest's JSON report: ${e.message}`);
    }
    rmSync(out, { force: true });
  } else {
    log('vitest wrote no JSON report');
  }
  // vitest failed without a failing test (config error, unhandled error): still a failure.
  if (status !== 0 && t.failed === 0) t.failed = 1;
  // A full run also type-checks every TypeScript project; each counts as one test.
  if (args.length === 0) {
    const tsc = join(nodeModules, 'typescript/bin/tsc');
    for (const project of ['.', 'app', 'bench']) {
      if (!existsSync(join(root, project, 'tsconfig.json'))) continue;
      log(`type-checking ${project === '.' ? 'the root project' : project}/`);
      if (run(process.execPath, [tsc, '--noEmit', '-p', project]) === 0) t.passed += 1;
      else {
        log(`type errors in ${project}`);
        t.failed += 1;
      }
    }
  }
  const line = `${t.passed} passed, ${t.failed} failed${t.skipped ? `, ${t.skipped} skipped` : ''}`;
  process.stdout.write(`\n${line}\n`);
  if (t.failed > 0 || status !== 0) return status || 1;
  if (t.passed === 0) {
    log('no test ran');
    return 1;
  }
  return 0;
}

function bench(args) {
  const entry = join(root, 'bench/run.ts');
  if (!existsSync(entry)) {
    log('no bench/run.ts yet: nothing to benchmark');
    return 0;
  }
  return run(process.execPath, [join(nodeModules, 'tsx/dist/cli.mjs'), entry, ...args]);
}

const [command, ...rest] = process.argv.slice(2);
if (!['start', 'test', 'bench'].includes(command ?? '')) {
  log('usage: node scripts/bootstrap.mjs start|test|bench [args…]');
  process.exit(2);
}
ensureInstalled();
let code;
if (command === 'start') code = run(process.execPath, [join(root, 'bin/sshscope.js'), 'start', ...rest]);
else if (command === 'test') code = test(rest);
else code = bench(rest);
process.exit(code);
