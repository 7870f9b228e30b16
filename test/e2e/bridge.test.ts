// "Connect to a real server" in chromium: the page served by `sshscope start`'s server
// (startAppServer: the built app + the bridge on one loopback port) logs in to a real OpenSSH
// sshd started by this test — with a password, then with an encrypted key file chosen with
// setInputFiles — runs a command, and the views show the session through phase 5. A target not on
// the allow list shows the bridge's reason in the form; a foreign Origin is refused (from Node).

import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawn, type ChildProcess } from 'node:child_process';
import { WebSocket } from 'ws';
import type { Page } from 'playwright-core';
import { startAppServer, type AppServer } from '../../cli/start.ts';
import { BRIDGE_CLOSE } from '../../cli/bridge.ts';
import { PEER_PATHS, requirePeers, requireRoot } from '../helpers/peers.ts';
import { removeDir, runCommand, sshKeygen, startSshd, tempDir, type KeyPair, type Sshd } from '../helpers/sshd.ts';
import { openBrowser, screenshot, type OpenBrowser } from './browser.ts';

const ready =
  requirePeers([
    ['chromium', PEER_PATHS.chromium],
    ['sshd', PEER_PATHS.sshd],
    ['ssh-keygen', PEER_PATHS.sshKeygen],
  ]) && requireRoot();

const root = fileURLToPath(new URL('../..', import.meta.url));

/** The build the global setup made, when it shares it; else a build of our own. */
async function appDir(): Promise<{ dir: string; own: boolean }> {
  const shared = (inject as (k: string) => unknown)('appDir');
  if (typeof shared === 'string' && shared) return { dir: shared, own: false };
  const vite = await import('vite');
  const dir = mkdtempSync(join(tmpdir(), 'sshscope-e2e-bridge-dist-'));
  await vite.build({ configFile: join(root, 'vite.config.ts'), logLevel: 'warn', build: { outDir: dir, emptyOutDir: true, sourcemap: false } });
  return { dir, own: true };
}

/** Spawns `sshscope start ARGS` and waits for its URL. */
function startCli(args: string[]): Promise<{ url: string; child: ChildProcess; stderr: () => string }> {
  const child = spawn(process.execPath, [join(root, 'bin/sshscope.js'), 'start', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`sshscope start printed no URL; stderr:\n${err}`)), 30_000);
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const m = /sshscope is running at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1]!, child, stderr: () => err });
      }
    });
    child.once('exit', (code) => reject(new Error(`sshscope start exited (${code}); stderr:\n${err}`)));
  });
}

describe.skipIf(!ready)('Real server tab: the browser client through the bridge to a real sshd', () => {
  let sshd: Sshd;
  let app: AppServer;
  /** The real `sshscope start` process, allowed to dial only 127.0.0.1:1 (not the sshd). */
  let narrow: { url: string; child: ChildProcess; stderr: () => string };
  let b: OpenBrowser;
  let dir: string;
  let build: { dir: string; own: boolean };
  let encKey: KeyPair;
  const bridgeLog: string[] = [];

  beforeAll(async () => {
    dir = tempDir('sshscope-e2e-bridge-');
    encKey = await sshKeygen(dir, 'id_ed25519_enc', 'ed25519', { passphrase: 'pass phrase 7' });
    sshd = await startSshd({ authorizedKeys: [encKey.pub] });
    build = await appDir();
    app = await startAppServer({ root: build.dir, log: (l) => bridgeLog.push(l) });
    // the real launcher, serving the same build, whose bridge allows only one port that is NOT the sshd's
    narrow = await startCli(['--dist', build.dir, '--port', '0', '--allow', '127.0.0.1:1']);
    b = await openBrowser({ width: 1600, height: 900 });
  }, 180_000);

  afterAll(async () => {
    await b?.close();
    await app?.close();
    if (narrow && narrow.child.exitCode === null) {
      const exited = new Promise((r) => narrow.child.once('exit', r));
      narrow.child.kill('SIGTERM');
      await exited;
    }
    await sshd?.stop();
    if (build?.own) rmSync(build.dir, { recursive: true, force: true });
    if (dir) removeDir(dir);
  });

  async function openTab(page: Page, url: string): Promise<void> {
    if (new URL(page.url()).origin !== new URL(url).origin) {
      await page.goto(url);
      await page.waitForSelector('body[data-ready="true"]');
    }
    await page.locator('body').focus();
    await page.keyboard.press('o');
    await page.click('[data-testid="source-tab-real-server"]');
    await page.waitForSelector('[data-testid="real-form"]');
  }

  async function fill(page: Page, f: { port: number; user?: string; password?: string; command: string }): Promise<void> {
    await page.fill('[data-testid="real-host"]', '127.0.0.1');
    await page.fill('[data-testid="real-port"]', String(f.port));
    await page.fill('[data-testid="real-user"]', f.user ?? sshd.user);
    await page.fill('[data-testid="real-password"]', f.password ?? '');
    await page.fill('[data-testid="real-command"]', f.command);
  }

  /** After login the dialog closes: the views show the live log; wait for the remote output in the Hosts view. */
  async function waitForOutput(page: Page, text: string): Promise<void> {
    await page.waitForSelector('[data-testid="source-dialog"]', { state: 'detached', timeout: 30_000 });
    await page.locator('body').focus();
    await page.keyboard.press('5'); // Hosts & files: shows the remote output at the last step
    await page.waitForFunction((t) => document.querySelector('[data-testid="remote-output"]')?.textContent?.includes(t), text, { timeout: 30_000 });
  }

  async function phases(page: Page): Promise<number[]> {
    return page.$$eval('nav [data-phase]', (els) => els.map((e) => Number(e.getAttribute('data-phase'))));
  }

  it('password login: unknown host key asked with the fingerprint ssh-keygen prints; accept and save; the command output and phase 5 appear', async () => {
    const { page } = b;
    await openTab(page, app.url);
    await screenshot(page, 'bridge-01-form');
    await fill(page, { port: sshd.port, password: sshd.password, command: 'echo "via-bridge $((6*7))"; uname -s' });
    await page.click('[data-testid="real-connect"]');
    await page.waitForSelector('[data-testid="hostkey-unknown"]', { timeout: 30_000 });
    const fp = (await page.textContent('[data-testid="hostkey-fingerprint"]'))!.trim();
    // independent truth: the real ssh-keygen's fingerprint of one of the sshd's host keys
    const lines = await Promise.all(Object.values(sshd.hostKeyPaths).map((p) => runCommand(PEER_PATHS.sshKeygen, ['-l', '-f', `${p}.pub`])));
    expect(lines.map((l) => l.stdout.split(' ')[1])).toContain(fp);
    const art = await page.textContent('[data-testid="hostkey-randomart"]');
    const lv = await runCommand(PEER_PATHS.sshKeygen, ['-lv', '-f', `${sshd.hostKeyPaths.ed25519}.pub`]);
    expect(lv.stdout).toContain(art!.trim());
    await screenshot(page, 'bridge-02-hostkey-unknown');
    await page.click('[data-testid="hostkey-save"]');
    await waitForOutput(page, 'via-bridge 42\nLinux');
    expect(await page.textContent('[data-testid="source-banner"]')).toContain(`127.0.0.1:${sshd.port}`);
    // the views: all five phases, the cursor at phase 5, the server's packets in the timeline
    expect(await phases(page)).toEqual([1, 2, 3, 4, 5]);
    expect(await page.getAttribute('nav [aria-current="step"]', 'data-phase')).toBe('5');
    await screenshot(page, 'bridge-03-hosts-output');
    await page.keyboard.press('1');
    const timeline = (await page.textContent('[data-testid="timeline"]')) ?? '';
    for (const m of ['CHANNEL_DATA', 'CHANNEL_CLOSE', 'DISCONNECT']) expect(timeline).toContain(m);
    // the timeline draws the rows near the cursor: the start of the session is at Home
    await page.keyboard.press('Home');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    const start = (await page.textContent('[data-testid="timeline"]')) ?? '';
    expect(start).toContain('KEXINIT');
    expect(start).toMatch(/SSH-2\.0-OpenSSH_9/);
    await screenshot(page, 'bridge-04-packets-start');
    expect(sshd.logText()).toMatch(/Accepted password for sshscope-test/);
    expect(b.errors).toEqual([]);
  });

  it('back to the simulation and "Show in the views" again; the saved known_hosts downloads as the line ssh writes for this sshd', async () => {
    const { page } = b;
    await page.click('[data-testid="source-back"]');
    expect(await page.$('[data-testid="source-banner"]')).toBeNull();
    // the same page (no reload): the connection's log is still there
    await page.locator('body').focus();
    await page.keyboard.press('o');
    await page.click('[data-testid="source-tab-real-server"]');
    await page.click('[data-testid="real-show"]');
    expect(await page.textContent('[data-testid="source-banner"]')).toContain(`127.0.0.1:${sshd.port}`);
    expect(await page.getAttribute('nav [aria-current="step"]', 'data-phase')).toBe('5');
    await openTab(page, app.url);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="real-kh-export"]')]);
    const path = await download.path();
    const { readFileSync } = await import('node:fs');
    const text = readFileSync(path!, 'utf8');
    const [, type, b64] = sshd.knownHostsLine('ed25519').split(' ');
    expect(text).toBe(`[127.0.0.1]:${sshd.port} ${type} ${b64}\n`);
    await page.keyboard.press('Escape');
  });

  it('key login: an encrypted key file (ssh-keygen -N) chosen with setInputFiles asks for its passphrase; the known host is not asked again', async () => {
    const { page } = b;
    await openTab(page, app.url);
    await fill(page, { port: sshd.port, command: 'echo keyed-login-ok' });
    await page.setInputFiles('[data-testid="real-keyfile"]', encKey.path);
    await page.waitForSelector('[data-testid="real-passphrase-box"]');
    await page.fill('[data-testid="real-passphrase"]', 'wrong one');
    await page.click('[data-testid="real-unlock"]');
    await page.waitForFunction(() => /wrong|错误/i.test(document.querySelector('[data-testid="real-passphrase-box"]')?.textContent ?? ''), null, { timeout: 20_000 });
    await page.fill('[data-testid="real-passphrase"]', 'pass phrase 7');
    await page.click('[data-testid="real-unlock"]');
    await page.waitForSelector('[data-testid="real-key-loaded"]', { timeout: 20_000 });
    const fpReal = (await runCommand(PEER_PATHS.sshKeygen, ['-l', '-f', `${encKey.path}.pub`])).stdout.split(' ')[1]!;
    expect(await page.textContent('[data-testid="real-key-loaded"]')).toContain(fpReal);
    await screenshot(page, 'bridge-05-key-loaded');
    await page.click('[data-testid="real-connect"]');
    await waitForOutput(page, 'keyed-login-ok');
    expect(await page.$('[data-testid="hostkey-unknown"]')).toBeNull();
    expect(sshd.logText()).toMatch(/Accepted publickey for sshscope-test .*ED25519/);
    expect(await phases(page)).toContain(5);
    await page.keyboard.press('4'); // Authentication view
    await screenshot(page, 'bridge-06-auth-view');
    expect(b.errors).toEqual([]);
  });

  it('no command: a shell in a terminal (xterm) inside the tab; typed keys reach the remote shell and its output comes back', async () => {
    const { page } = b;
    await openTab(page, app.url);
    const forget = page.locator('[data-testid="real-key-forget"]');
    if (await forget.count()) await forget.click();
    await fill(page, { port: sshd.port, password: sshd.password, command: '' });
    await page.click('[data-testid="real-connect"]');
    await page.waitForSelector('[data-testid="real-terminal"] .xterm', { timeout: 30_000 }).catch(async (e) => {
      await screenshot(page, 'bridge-debug-shell');
      throw e;
    });
    // the shell is ready once it printed a prompt
    await page.waitForFunction(() => (document.querySelector('[data-testid="real-terminal"] .xterm-rows')?.textContent ?? '').trim().length > 0, null, { timeout: 30_000 });
    await page.click('[data-testid="real-terminal"]');
    await page.keyboard.type('echo "shell-$((3*4))"');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => (document.querySelector('[data-testid="real-terminal"] .xterm-rows')?.textContent ?? '').includes('shell-12'), null, { timeout: 30_000 });
    await screenshot(page, 'bridge-06b-shell-terminal');
    await page.keyboard.type('exit');
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid="real-status"][data-state="closed"]', { timeout: 30_000 }).catch(async (e) => {
      await screenshot(page, 'bridge-debug-exit');
      console.error('terminal:', await page.textContent('[data-testid="real-terminal"] .xterm-rows'), await page.getAttribute('[data-testid="real-status"]', 'data-state'));
      throw e;
    });
    // Escape inside the terminal belongs to the terminal, not to the dialog
    await page.click('[data-testid="real-terminal"]');
    await page.keyboard.press('Escape');
    expect(await page.$('[data-testid="source-dialog"]')).not.toBeNull();
    await page.locator('body').focus();
    await page.keyboard.press('Escape');
    await page.locator('body').focus();
    await page.keyboard.press('End');
    expect(await page.getAttribute('nav [aria-current="step"]', 'data-phase')).toBe('5');
    expect(b.errors).toEqual([]);
  });

  it('projector mode, dark theme and 简体中文: the host-key question of a CHANGED key is the big warning, and nothing is sent', async () => {
    const { page } = b;
    await page.goto(app.url);
    await page.waitForSelector('body[data-ready="true"]');
    // replace the saved line with another key for the same host
    const other = encKey.pub.split(' ').slice(0, 2).join(' ');
    await page.evaluate((line) => localStorage.setItem('sshscope.known_hosts', line + '\n'), `[127.0.0.1]:${sshd.port} ${other}`);
    await page.locator('body').focus();
    await page.keyboard.press('p');
    await page.keyboard.press('t');
    await page.keyboard.press('l');
    await openTab(page, app.url);
    await fill(page, { port: sshd.port, password: sshd.password, command: 'echo must-not-run' });
    await page.click('[data-testid="real-connect"]');
    await page.waitForSelector('[data-testid="hostkey-changed"]', { timeout: 30_000 });
    expect(await page.textContent('[data-testid="hostkey-changed"]')).toContain('警告');
    await screenshot(page, 'bridge-07-hostkey-changed-dark-projector-zh');
    // the form itself must fit a projector (its Connect button visible without scrolling the page)
    expect(await page.locator('[data-testid="real-connect"]').count()).toBe(0); // the question replaces the form
    await page.click('[data-testid="hostkey-close"]');
    await page.waitForSelector('[data-testid="real-failed"]', { timeout: 30_000 });
    await screenshot(page, 'bridge-08-refused-changed');
    expect(await page.$('[data-testid="real-output"]')).toBeNull();
    await page.evaluate(() => localStorage.removeItem('sshscope.known_hosts'));
    await page.keyboard.press('Escape');
    await page.locator('body').focus();
    await page.keyboard.press('p');
    await page.keyboard.press('t');
    await page.keyboard.press('l');
    expect(b.errors).toEqual([]);
  });

  it('`sshscope start --dist DIR --allow 127.0.0.1:1`: a target not on the allow list shows the bridge reason (4403) in the form, and start logs the refusal', async () => {
    const { page } = b;
    await openTab(page, narrow.url);
    await fill(page, { port: sshd.port, password: sshd.password, command: 'true' });
    await page.click('[data-testid="real-connect"]');
    await page.waitForSelector('[data-testid="real-refused"]', { timeout: 30_000 });
    const text = (await page.textContent('[data-testid="real-refused"]')) ?? '';
    expect(text).toContain(`target not allowed: 127.0.0.1:${sshd.port}`);
    expect(text).toContain('--allow');
    await screenshot(page, 'bridge-09-target-refused');
    // the real launcher announced its allow list and logged the refusal on stderr
    expect(narrow.stderr()).toContain('dialing 127.0.0.1:1');
    expect(narrow.stderr()).toMatch(new RegExp(`sshscope: bridge: refused \\(4403\\) target not allowed: 127\\.0\\.0\\.1:${sshd.port}`));
    expect(b.errors).toEqual([]);
  });

  it('a foreign Origin is refused (4401) and logged', async () => {
    const code = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${app.server.port}/bridge?target=127.0.0.1:${sshd.port}`, { origin: 'http://evil.example' });
      ws.on('close', (c) => resolve(c));
      ws.on('error', () => {});
    });
    expect(code).toBe(BRIDGE_CLOSE.badOrigin);
    expect(bridgeLog.some((l) => l.includes('refused (4401)') && l.includes('evil.example'))).toBe(true);
  });
});
