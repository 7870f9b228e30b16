// docs/engine.md stays true: its examples are extracted and run as written — the in-memory pair
// as is, the TCP one against a private real sshd (only its host, port and password are filled in).

import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PEER_PATHS, requirePeers, requireRoot } from '../helpers/peers.ts';
import { runCommand, startSshd, type Sshd } from '../helpers/sshd.ts';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const doc = readFileSync(join(repoRoot, 'docs/engine.md'), 'utf8');
const tsxCli = join(repoRoot, 'node_modules/tsx/dist/cli.mjs');

/** The ```ts blocks of the doc that contain `marker`. */
function example(marker: string): string {
  const blocks = [...doc.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
  const found = blocks.filter((b) => b.includes(marker));
  if (found.length !== 1) throw new Error(`expected one example containing ${marker}, found ${found.length}`);
  return found[0]!;
}

/**
 * Runs an example as a module inside the repository, so `sshscope/engine` resolves through the
 * package's own exports (self-reference) exactly as it would for a user.
 */
async function runExample(name: string, source: string, env: Record<string, string> = {}) {
  const dir = join(repoRoot, 'test-artifacts', `docs-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.ts`);
  writeFileSync(file, source.replaceAll("'./engine/", `'${repoRoot}engine/`));
  try {
    return await runCommand(process.execPath, [tsxCli, file], undefined, { env, cwd: repoRoot });
  } finally {
    rmSync(file, { force: true });
  }
}

describe('docs/engine.md examples', () => {
  it('docs/engine.zh.md carries the same examples, in the same order', () => {
    const blocks = (text: string) => [...text.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
    const zh = readFileSync(join(repoRoot, 'docs/engine.zh.md'), 'utf8');
    expect(blocks(zh)).toEqual(blocks(doc));
    expect(blocks(doc).length).toBeGreaterThan(0);
  });

  it('the in-memory pair runs a whole session', async () => {
    const r = await runExample('memory-pair', example('pumpPair(client, server'));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/identification "SSH-2\.0-/);
    expect(r.stdout).toMatch(/SSH_MSG_KEXINIT/);
    expect(r.stdout).toMatch(/auth password for alice: success/);
    expect(r.stdout).toMatch(/channel \d+ exit-status status 0/);
    expect(r.stdout).toMatch(/connection closed/);
  });

  it('the capture example decodes and decrypts a pcapng written by writeSessionPcapng', async () => {
    const { testSession } = await import('../../engine/capture/test-session.ts');
    const { writeSessionPcapng } = await import('../../engine/index.ts');
    const session = testSession('docs-capture', { cipher: ['aes128-gcm@openssh.com'] }, 'echo hi');
    const dir = join(repoRoot, 'test-artifacts', `docs-capture-${process.pid}`);
    mkdirSync(dir, { recursive: true });
    try {
      const capture = join(dir, 'session.pcapng');
      const keylog = join(dir, 'keys.log');
      writeFileSync(capture, writeSessionPcapng({ client: { ip: '127.0.0.1', port: 50000 }, server: { ip: '127.0.0.1', port: 22 }, chunks: session.chunks }));
      writeFileSync(keylog, session.keylog);
      const src = example('analyzeCapture(capture');
      const plain = await runExample('capture-nokeys', src, { CAPTURE: capture });
      expect(plain.stderr).toBe('');
      expect(plain.stdout).toMatch(/^SSH-2\.0-\S+ -> SSH-2\.0-/);
      expect(plain.stdout).toMatch(/ c2s 0 SSH_MSG_KEXINIT/);
      expect(plain.stdout).toContain('(encrypted, no key)');
      const r = await runExample('capture', src, { CAPTURE: capture, KEYLOG: keylog });
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(/ c2s \d+ SSH_MSG_USERAUTH_REQUEST decrypted/);
      expect(r.stdout).toMatch(/ s2c \d+ SSH_MSG_CHANNEL_DATA decrypted/);
      expect(r.stdout).not.toContain('(encrypted, no key)');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  const ready =
    requirePeers([
      ['sshd', PEER_PATHS.sshd],
      ['ssh-keygen', PEER_PATHS.sshKeygen],
    ]) && requireRoot();

  describe.skipIf(!ready)('over TCP against a real sshd', () => {
    let sshd: Sshd;
    beforeAll(async () => {
      sshd = await startSshd();
    });
    afterAll(async () => {
      await sshd?.stop();
    });

    it('logs in with a password and runs `uname -a`', async () => {
      const src = example('attachSocket(client')
        .replace("connectTcp('127.0.0.1', 22)", `connectTcp('127.0.0.1', ${sshd.port})`)
        .replace("username: 'sshscope-test'", `username: '${sshd.user}'`);
      expect(src).toContain(String(sshd.port));
      const r = await runExample('tcp', src, { SSH_PASSWORD: sshd.password });
      const uname = (await runCommand('uname', ['-a'])).stdout.trim();
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/identification "SSH-2\.0-OpenSSH_/);
      expect(r.stdout).toMatch(/auth password for sshscope-test: success/);
      // the real remote command's output, as the same machine prints it
      expect(r.stdout).toContain(JSON.stringify(`${uname}\n`).slice(1, 20));
      expect(r.stdout).toMatch(/connection closed/);
      expect(sshd.logText()).toMatch(/Accepted password for sshscope-test from 127\.0\.0\.1/);
    });
  });
});
