// The visualizer in a real browser: load it, step through a whole session with the keyboard,
// link the field tree to the hex bytes, show the KDF, log in with a password and with a public
// key, switch to 简体中文 — with no console errors. Screenshots of each main view go to
// test-artifacts/ (gitignored) for a person to look at.

import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Page } from 'playwright-core';
import { PEER_PATHS, requirePeer } from '../helpers/peers.ts';
import { openBrowser, screenshot, type OpenBrowser } from './browser.ts';

const hasChromium = requirePeer('chromium', PEER_PATHS.chromium);

async function load(page: Page, query = ''): Promise<void> {
  await page.goto(inject('appUrl') + query);
  await page.waitForSelector('body[data-ready="true"]');
  await page.waitForSelector('[data-testid="counter"]');
}

async function counter(page: Page): Promise<{ n: number; total: number }> {
  const text = (await page.textContent('[data-testid="counter"]')) ?? '';
  const m = /(\d+)\D+(\d+)/.exec(text);
  if (!m) throw new Error(`no step counter in ${JSON.stringify(text)}`);
  return { n: Number(m[1]), total: Number(m[2]) };
}

async function currentPhase(page: Page): Promise<number> {
  return Number(await page.getAttribute('nav [aria-current="step"]', 'data-phase'));
}

describe.skipIf(!hasChromium)('the visualizer in chromium', () => {
  let b: OpenBrowser;

  beforeAll(async () => {
    b = await openBrowser({ width: 1600, height: 900 });
  });

  afterAll(async () => {
    await b?.close();
  });

  it('steps through a whole session with the keyboard, through all five phases', async () => {
    const { page } = b;
    await load(page);
    expect(await counter(page)).toMatchObject({ n: 1 });
    expect(await currentPhase(page)).toBe(1);
    const phases = new Set<number>([await currentPhase(page)]);
    const { total } = await counter(page);
    expect(total).toBeGreaterThan(30);
    await page.locator('body').focus();
    for (let i = 1; i < total; i++) {
      await page.keyboard.press('ArrowRight');
      phases.add(await currentPhase(page));
      if (i === 3) await screenshot(page, '01-version-and-kexinit');
    }
    expect(await counter(page)).toEqual({ n: total, total });
    expect([...phases].sort()).toEqual([1, 2, 3, 4, 5]);
    // ← goes back one step; Shift+← goes back to the start of the phase, then the one before
    await page.keyboard.press('ArrowLeft');
    expect((await counter(page)).n).toBe(total - 1);
    await page.keyboard.press('Shift+ArrowLeft');
    expect(await currentPhase(page)).toBe(5);
    await page.keyboard.press('Shift+ArrowLeft');
    expect(await currentPhase(page)).toBe(4);
    await page.keyboard.press('Home');
    await page.keyboard.press('Shift+ArrowRight');
    expect(await currentPhase(page)).toBe(2);
    // the URL holds the cursor: a reload reopens the same step
    const at = (await counter(page)).n;
    await page.waitForFunction((n) => new URLSearchParams(location.search).get('step') === String(n), at - 1);
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    expect((await counter(page)).n).toBe(at);
    expect(b.errors).toEqual([]);
  });

  it('highlights exactly the 16 cookie bytes of KEXINIT, and a clicked byte selects its field', async () => {
    const { page } = b;
    await load(page, '?step=1&view=packets');
    expect(await page.textContent('[data-testid="packet-title"]')).toBe('SSH_MSG_KEXINIT');
    await page.click('[data-path="payload.cookie"]');
    const selected = page.locator('[data-testid="hex-bytes"] .b.sel');
    expect(await selected.count()).toBe(16);
    const hexText = (await selected.allTextContents()).join('');
    // the cookie node's own value is the same 16 bytes
    const nodeText = (await page.textContent('[data-path="payload.cookie"] .value'))!.trim();
    expect(hexText).toBe(nodeText);
    expect(await page.textContent('[data-testid="selection"]')).toMatch(/cookie.*16/);
    await screenshot(page, '02-packet-kexinit-cookie');
    // click the first byte of the packet: packet_length is selected (4 bytes)
    await page.click('[data-testid="hex-bytes"] [data-o="0"]');
    expect(await page.locator('[data-testid="hex-bytes"] .b.sel').count()).toBe(4);
    expect(await page.getAttribute('[data-path="packet_length"]', 'class')).toMatch(/\bsel\b/);
    // the explanation's "Look at" shortcut selects the same field
    await page.click('[data-testid="look-payload.cookie"]');
    expect(await page.locator('[data-testid="hex-bytes"] .b.sel').count()).toBe(16);
    // N jumps to the next packet (skipping computed steps), B back
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.keyboard.press('n');
    expect(await page.textContent('[data-testid="packet-title"]')).toBe('SSH_MSG_KEXINIT'); // the server's
    await page.keyboard.press('n');
    expect(await page.textContent('[data-testid="packet-title"]')).toBe('SSH_MSG_KEX_ECDH_INIT');
    await page.keyboard.press('b');
    await page.keyboard.press('b');
    expect((await counter(page)).n).toBe(2);
    expect(b.errors).toEqual([]);
  });

  it('shows an encrypted packet with its key and what it decrypts to', async () => {
    const { page } = b;
    await load(page);
    const total = (await counter(page)).total;
    await page.locator(`[data-testid="packet-list"] [data-msg="SSH_MSG_SERVICE_REQUEST"]`).click();
    expect(await page.textContent('[data-testid="packet-title"]')).toBe('SSH_MSG_SERVICE_REQUEST');
    expect(await page.textContent('[data-testid="enc-note"]')).toMatch(/aes128-ctr.*key C/s);
    await page.click('[data-testid="show-decrypted"]');
    await page.click('[data-path="payload"]');
    const shown = (await page.locator('[data-testid="hex-bytes"] .b.sel').allTextContents()).join('');
    // the decrypted payload: msg 5 (SERVICE_REQUEST), string "ssh-userauth"
    expect(shown).toBe('05' + '0000000c' + Buffer.from('ssh-userauth').toString('hex'));
    await screenshot(page, '03-packet-encrypted');
    expect(total).toBeGreaterThan(0);
    expect(b.errors).toEqual([]);
  });

  it('shows the negotiation of the ten KEXINIT categories', async () => {
    const { page } = b;
    await load(page, '?step=5&view=negotiation');
    const rows = page.locator('[data-testid="negotiation"] tbody tr');
    expect(await rows.count()).toBe(10);
    expect(await page.textContent('[data-testid="negotiation"]')).toContain('curve25519-sha256');
    await screenshot(page, '04-negotiation');
  });

  it('the key-derivation view shows the six keys A–F with their values', async () => {
    const { page } = b;
    await load(page, '?step=999&view=keys');
    const keys = page.locator('[data-testid="kdf-key"]');
    expect(await keys.count()).toBe(6);
    expect(await keys.evaluateAll((els) => els.map((e) => e.getAttribute('data-letter')))).toEqual(['A', 'B', 'C', 'D', 'E', 'F']);
    // aes128-ctr + hmac-sha2-256-etm: C and D are 16-byte keys, E and F 32-byte MAC keys
    const rows = await page.locator('[data-testid="kdf-keys"] tr.keyrow').allTextContents();
    expect(rows).toHaveLength(6);
    const hexOf = (s: string) => /[0-9a-f]{16,}/.exec(s)?.[0] ?? '';
    expect(rows.map((r) => hexOf(r).length / 2)).toEqual([16, 16, 16, 16, 32, 32]);
    await screenshot(page, '05-key-derivation');
    // the diagram exports as a standalone SVG with its colours inlined
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('.svgbtn')]);
    const { readFileSync } = await import('node:fs');
    const svgText = readFileSync((await download.path())!, 'utf8');
    expect(svgText).toMatch(/^<svg[^>]+xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(svgText).toContain('session_id');
    expect(svgText).not.toContain('var(--');
    expect(b.errors).toEqual([]);
  });

  it('a password login completes and the command runs', async () => {
    const { page } = b;
    await load(page, '?scenario=password&step=999&view=auth');
    const col = page.locator('[data-testid="auth-password"]');
    expect(await col.textContent()).toMatch(/success/);
    await screenshot(page, '06-auth-password');
    await page.click('[data-testid="tab-hosts"]');
    expect(await page.textContent('[data-testid="remote-output"]')).toContain('hello from sshscope');
    await screenshot(page, '07-hosts');
    // the trust-on-first-use prompt shows the fingerprint the host-key check reported
    const fp = /SHA256:[A-Za-z0-9+/]{43}/.exec((await page.textContent('[data-testid="tofu-prompt"]')) ?? '')?.[0];
    // independent truth: SHA-256 of the host key blob (node:crypto), base64 without padding, as ssh-keygen -l prints
    const { createHash } = await import('node:crypto');
    const blob = Buffer.from(((await page.textContent('[data-testid="host-pub"]')) ?? '').split(' ')[1]!, 'base64');
    expect(fp).toBe(`SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`);
    expect(b.errors).toEqual([]);
  });

  it('a publickey login completes, signing data that starts with the session identifier', async () => {
    const { page } = b;
    await load(page, '?scenario=publickey&step=999&view=auth');
    const col = page.locator('[data-testid="auth-publickey"]');
    expect(await col.textContent()).toMatch(/pk-ok|key acceptable/);
    expect(await col.textContent()).toMatch(/success/);
    const first = await page.textContent('[data-testid="signed-data"] li:first-child');
    expect(first).toMatch(/session identifier/);
    await screenshot(page, '08-auth-publickey');
    await page.click('[data-testid="tab-hosts"]');
    expect(await page.textContent('[data-testid="remote-output"]')).toContain('hello from sshscope');
    expect(b.errors).toEqual([]);
  });

  it('the scenario controls rerun the session with another cipher and auth method', async () => {
    const { page } = b;
    await load(page, '?step=0');
    expect(await page.isVisible('[data-testid="cipher"]')).toBe(false);
    await page.click('[data-testid="scenario-toggle"]');
    await page.selectOption('[data-testid="cipher"]', 'chacha20-poly1305@openssh.com');
    await page.check('input[name="auth"][value="publickey"]');
    await page.waitForFunction(() => location.search.includes('scenario=publickey') && location.search.includes('chacha20'));
    // AEAD: the MAC choice does not apply
    expect(await page.isDisabled('[data-testid="mac"]')).toBe(true);
    // keys typed into form fields belong to them: leave the field first
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.keyboard.press('End');
    await page.click('[data-testid="tab-negotiation"]');
    expect(await page.textContent('[data-testid="negotiation"]')).toContain('chacha20-poly1305@openssh.com');
    await page.click('[data-testid="tab-auth"]');
    expect(await page.textContent('[data-testid="auth-publickey"]')).toMatch(/success/);
    expect(b.errors).toEqual([]);
  });

  it('switches to 简体中文 and back', async () => {
    const { page } = b;
    await load(page, '?step=3');
    const phaseNames = () => page.locator('nav .name').allTextContents();
    expect(await phaseNames()).toEqual(['Version exchange', 'Key exchange', 'Authentication', 'Session request', 'Interactive session']);
    await page.click('[data-testid="lang"]');
    expect(await phaseNames()).toEqual(['版本交换', '密钥交换', '用户认证', '会话请求', '交互会话']);
    expect(await page.textContent('[data-testid="explain-title"]')).toMatch(/\p{Script=Han}/u);
    expect(await page.getAttribute('html', 'lang')).toBe('zh-CN');
    await screenshot(page, '09-chinese');
    await page.keyboard.press('l');
    expect((await phaseNames())[0]).toBe('Version exchange');
    expect(b.errors).toEqual([]);
  });

  it('tamper experiment: a flipped bit of an encrypted packet fails the MAC and ends the connection', async () => {
    const { page } = b;
    await load(page, '?view=packets');
    await page.locator(`[data-testid="packet-list"] [data-msg="SSH_MSG_SERVICE_REQUEST"]`).click();
    await page.click('[data-path="payload"]');
    await page.click('[data-testid="tamper"]');
    expect(await page.textContent('[data-testid="tamper-banner"]')).toMatch(/SSH_MSG_SERVICE_REQUEST/);
    await page.waitForFunction(() => /^c2s:\d+$/.test(new URLSearchParams(location.search).get('tamper') ?? ''));
    await page.locator('body').focus();
    await page.keyboard.press('End');
    // the server's last words: a MAC error, and the session never reached phase 4
    expect(await page.textContent('[data-testid="timeline"]')).toMatch(/DISCONNECT/);
    expect(await page.locator('nav [data-phase="4"]').isDisabled()).toBe(true);
    const title = await page.textContent('[data-testid="explain-title"]');
    const body = await page.textContent('[data-testid="explain"]');
    expect(`${title} ${body}`).toMatch(/MAC/);
    await screenshot(page, '12-tamper');
    await page.click('[data-testid="tamper-banner"] button');
    expect(await page.isVisible('[data-testid="tamper-banner"]')).toBe(false);
    expect(b.errors).toEqual([]);
  });

  it('the terminal view runs an interactive shell: keystrokes become packets', async () => {
    const { page } = b;
    await load(page, '?view=terminal');
    await page.click('[data-testid="term-start"]');
    await page.waitForSelector('[data-testid="terminal"] .xterm-rows');
    await page.waitForFunction(() => (document.querySelector('[data-testid="terminal"] .xterm-rows')?.textContent ?? '').includes('$'));
    const before = Number(/\d+/.exec((await page.textContent('[data-testid="term-packets"]')) ?? '')?.[0]);
    await page.keyboard.type('echo hi');
    await page.keyboard.press('Enter');
    // the command's output is a terminal row of its own
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="terminal"] .xterm-rows > div')].some((row) => row.textContent?.trim() === 'hi'));
    const after = Number(/\d+/.exec((await page.textContent('[data-testid="term-packets"]')) ?? '')?.[0]);
    // at least one packet per keystroke went to the server
    expect(after - before).toBeGreaterThanOrEqual('echo hi\r'.length);
    expect(await page.textContent('[data-testid="timeline"]')).toContain('CHANNEL_DATA');
    await screenshot(page, '13-terminal');
    expect(b.errors).toEqual([]);
  });

  it('the terminal view: ssh -T (a shell without pty: lines, no prompt) and ssh host cmd (exec, exit status)', async () => {
    const { page } = b;
    await load(page, '?view=terminal');
    const rows = () => page.evaluate(() => [...document.querySelectorAll('[data-testid="terminal"] .xterm-rows > div')].map((r) => r.textContent?.trimEnd() ?? '').filter(Boolean));
    await page.selectOption('[data-testid="term-mode"]', 'shell');
    expect(await page.textContent('[data-testid="term-argv"]')).toBe('$ ssh -T alice@server');
    await page.click('[data-testid="term-start"]');
    await page.waitForSelector('[data-testid="terminal"] .xterm-rows');
    await page.keyboard.type('echo hi');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="terminal"] .xterm-rows > div')].some((row) => row.textContent?.trim() === 'hi'));
    // no prompt: the remote shell has no terminal
    expect((await rows()).some((r) => r.includes('$ ') && !r.startsWith('$ ssh'))).toBe(false);
    await page.keyboard.press('Control+D');
    await page.waitForSelector('.closed');
    await screenshot(page, '13b-terminal-no-pty');

    await page.selectOption('[data-testid="term-mode"]', 'exec');
    await page.fill('[data-testid="term-command"]', 'echo done; exit 3');
    expect(await page.textContent('[data-testid="term-argv"]')).toBe("$ ssh alice@server 'echo done; exit 3'");
    await page.click('[data-testid="term-start"]');
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="terminal"] .xterm-rows > div')].some((row) => row.textContent?.trim() === 'done'));
    await page.waitForSelector('.closed');
    await page.click('[data-testid="tab-packets"]');
    const list = (await page.textContent('[data-testid="packet-list"]')) ?? '';
    expect(list).toContain('CHANNEL_REQUEST');
    expect(b.errors).toEqual([]);
  });

  it('first load stays within 300 KB of gzipped JavaScript', async () => {
    const { gzipSync } = await import('node:zlib');
    const base = inject('appUrl');
    const html = await (await fetch(base)).text();
    const scripts = [...html.matchAll(/<script[^>]+src="([^"]+)"/g), ...html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="([^"]+)"/g)].map((m) => m[1]!);
    expect(scripts.length).toBeGreaterThan(0);
    let total = 0;
    for (const src of scripts) total += gzipSync(Buffer.from(await (await fetch(new URL(src, base))).arrayBuffer())).length;
    expect(total).toBeLessThan(300 * 1024);
  });

  it('has a help overlay, a dark theme and a projector mode', async () => {
    const { page } = b;
    await load(page, '?step=12');
    await page.locator('body').focus();
    await page.keyboard.press('?');
    expect(await page.isVisible('[data-testid="help-overlay"]')).toBe(true);
    await screenshot(page, '10-help');
    await page.keyboard.press('Escape');
    expect(await page.isVisible('[data-testid="help-overlay"]')).toBe(false);
    await page.click('[data-testid="theme"]');
    await page.click('[data-testid="projector"]');
    expect(await page.getAttribute('html', 'data-theme')).toBe('dark');
    expect(await page.getAttribute('html', 'data-projector')).toBe('true');
    await screenshot(page, '11-dark-projector');
    await page.click('[data-testid="theme"]');
    await page.click('[data-testid="projector"]');
    expect(b.errors).toEqual([]);
  });
});
