import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeSessionPcapng } from '../engine/capture/pcapng-writer.ts';
import { testSession } from '../engine/capture/test-session.ts';

// bin/sshscope.js runs a bundle of cli/ (bin/cli-bundle.mjs): it must never run stale code. These
// tests run the launcher in a copy of the sources (sharing node_modules) and edit them between runs.

const ROOT = fileURLToPath(new URL('..', import.meta.url));
let dir = '';

function sshscope(args: string[], env: Record<string, string> = {}): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [join(dir, 'bin/sshscope.js'), ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function edit(path: string, from: string, to: string): void {
  const p = join(dir, path);
  const text = readFileSync(p, 'utf8');
  expect(text).toContain(from);
  writeFileSync(p, text.replace(from, to));
}

describe('bin/sshscope.js and its CLI bundle', () => {
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sshscope-launcher-'));
    for (const d of ['bin', 'cli', 'engine', 'scenarios', 'app']) {
      cpSync(join(ROOT, d), join(dir, d), { recursive: true, filter: (src) => !/[/\\](node_modules|dist)$/.test(src) });
    }
    for (const f of ['package.json', 'tsconfig.json']) cpSync(join(ROOT, f), join(dir, f));
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('builds the bundle on the first start and runs it', () => {
    const r = sshscope(['--help']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('usage: sshscope <command>');
    expect(r.err).toBe('');
    const manifest = JSON.parse(readFileSync(join(dir, '.sshscope-cli/manifest.json'), 'utf8')) as { entry: string; inputs: Record<string, string> };
    expect(existsSync(join(dir, '.sshscope-cli', manifest.entry))).toBe(true);
    expect(Object.keys(manifest.inputs)).toEqual(expect.arrayContaining(['cli/main.ts', 'cli/inspect.ts', 'engine/capture/analyze.ts']));
  });

  it('runs a source edited after the build, in cli/ and in engine/', () => {
    edit('cli/main.ts', 'print the version', 'print the version (edited)');
    expect(sshscope(['--help']).out).toContain('print the version (edited)');
    // a module only `inspect` loads, in engine/
    const file = join(dir, 'session.pcapng');
    const session = testSession('launcher', undefined, 'echo hi');
    writeFileSync(file, writeSessionPcapng({ client: { ip: '10.0.0.1', port: 50000 }, server: { ip: '10.0.0.2', port: 22 }, chunks: session.chunks, keylog: session.keylog }));
    expect(sshscope(['inspect', file]).out).toContain('connection 1: client 10.0.0.1:50000');
    edit('engine/capture/report.ts', 'connection ${i + 1}: client', 'edited connection ${i + 1}: client');
    const r = sshscope(['inspect', file]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('edited connection 1: client 10.0.0.1:50000');
  });

  it("keeps each command's compiled code in a V8 code cache; a damaged cache is rejected and rewritten", () => {
    const file = join(dir, 'cache.pcapng');
    const session = testSession('launcher-cache', undefined, 'echo cached');
    writeFileSync(file, writeSessionPcapng({ client: { ip: '10.0.0.1', port: 50001 }, server: { ip: '10.0.0.2', port: 22 }, chunks: session.chunks, keylog: session.keylog }));
    const first = sshscope(['inspect', '--json', file]);
    expect(first.code).toBe(0);
    const manifest = JSON.parse(readFileSync(join(dir, '.sshscope-cli/manifest.json'), 'utf8')) as { entry: string };
    const cache = join(dir, '.sshscope-cli', `${manifest.entry}.inspect.cache`);
    expect(existsSync(cache)).toBe(true);
    // Node 20 cannot run import() in code compiled from a code cache: the bundle has none
    expect(readFileSync(join(dir, '.sshscope-cli', manifest.entry), 'utf8')).not.toMatch(/\bimport\(/);
    const second = sshscope(['inspect', '--json', file]);
    expect([second.code, second.out, second.err]).toEqual([0, first.out, '']);
    writeFileSync(cache, 'not a code cache');
    const third = sshscope(['inspect', '--json', file]);
    expect([third.code, third.out, third.err]).toEqual([0, first.out, '']);
    expect(readFileSync(cache, 'utf8')).not.toBe('not a code cache');
    // a usage error leaves no cache for its command
    expect(sshscope(['fingerprint', '--no-such-flag']).code).toBe(2);
    expect(existsSync(join(dir, '.sshscope-cli', `${manifest.entry}.fingerprint.cache`))).toBe(false);
  });

  it('falls back to tsx when a source does not build, with the same result as before', () => {
    edit('cli/keygen.ts', 'export ', 'const broken: = ;\nexport ');
    // --version does not load keygen.ts: tsx runs it; keygen reports the syntax error
    const v = sshscope(['--version']);
    expect(v.code).toBe(0);
    expect(v.out).toMatch(/^sshscope \d/);
    const k = sshscope(['keygen', '--help']);
    expect(k.code).toBe(1);
    expect(k.err).toContain('keygen.ts');
  });

  it('SSHSCOPE_TSX=1 loads the sources with tsx', () => {
    const r = sshscope(['--help'], { SSHSCOPE_TSX: '1' });
    expect(r.code).toBe(0);
    expect(r.out).toContain('print the version (edited)');
  });
});
