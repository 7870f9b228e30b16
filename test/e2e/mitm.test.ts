// sshscope mitm's live view in chromium: the real ssh client logs in to the real sshd through our
// man in the middle (startMitm, as `sshscope mitm --ui-port` runs it, serving the e2e build); the
// page shows the session as two lanes and explains, in English and 简体中文, what the client was
// shown instead of the real host key and what the relay gained.

import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { generateEd25519, fingerprintSha256 } from '../../engine/index.ts';
import { publicKeyOf } from '../../engine/keys/private-key-types.ts';
import { startMitm, type MitmOptions, type RunningMitm } from '../../cli/mitm.ts';
import { startMitmUi, type MitmUi } from '../../cli/mitm-ui.ts';
import { PEER_PATHS, requirePeers, requireRoot } from '../helpers/peers.ts';
import { runSsh, text } from '../helpers/ssh.ts';
import { startSshd, type Sshd } from '../helpers/sshd.ts';
import { openBrowser, screenshot, type OpenBrowser } from './browser.ts';

const ready =
  requirePeers([
    ['chromium', PEER_PATHS.chromium],
    ['sshd', PEER_PATHS.sshd],
    ['ssh', PEER_PATHS.ssh],
  ]) && requireRoot('a private sshd with a test user');

describe.skipIf(!ready)('the mitm live view in chromium', () => {
  let sshd: Sshd;
  let mitm: RunningMitm;
  let ui: MitmUi;
  let b: OpenBrowser;
  let ourFingerprint: string;

  beforeAll(async () => {
    sshd = await startSshd();
    const key = generateEd25519((n) => crypto.getRandomValues(new Uint8Array(n)), 'mitm');
    ourFingerprint = fingerprintSha256(publicKeyOf(key).blob);
    const opts: MitmOptions = { listen: { host: '127.0.0.1', port: 0 }, target: { host: '127.0.0.1', port: sshd.port }, hostKeys: [key], trace: true };
    mitm = await startMitm(opts);
    ui = await startMitmUi({
      port: 0,
      root: inject('appDir'),
      target: `127.0.0.1:${sshd.port}`,
      listen: `127.0.0.1:${mitm.port}`,
      listenHost: '127.0.0.1',
      listenPort: mitm.port,
      hostKeys: [{ type: key.type, fingerprint: ourFingerprint }],
    });
    // the wiring of `sshscope mitm --ui-port` (cli/mitm.ts): sessions are announced from now on
    opts.onSessionStart = (conn, peer) => ui.sessionStart(conn, peer);
    opts.onSessionEnd = (conn) => ui.sessionEnd(conn);
    opts.onEvent = (leg, conn, e) => ui.publish(leg, conn, e);
    b = await openBrowser({ width: 1600, height: 900 });
  }, 120_000);

  afterAll(async () => {
    await b?.close();
    await mitm?.close();
    await ui?.close();
    await sshd?.stop();
  });

  it('a real ssh session through the mitm: two lanes, and the notes in English and 简体中文', async () => {
    const { page } = b;
    await page.goto(ui.url);
    await page.waitForSelector('body[data-ready="true"]');
    await page.waitForSelector('[data-testid="source-tab-classroom"][aria-selected="true"]');
    await page.waitForSelector('[data-testid="source-classroom"][data-status="live"]');
    const notes = (await page.textContent('[data-testid="classroom-notes"]')) ?? '';
    expect(notes).toContain(`real clients connect to 127.0.0.1:${mitm.port}`);
    expect(notes).toContain(`the real server 127.0.0.1:${sshd.port}`);
    expect(notes).toContain('REMOTE HOST IDENTIFICATION HAS CHANGED');
    expect(notes).toContain('RFC 4252 §7');
    const panel = (await page.textContent('[data-testid="source-classroom"]')) ?? '';
    expect(panel).toContain(ourFingerprint);
    expect(panel).toContain("The host key ssh is shown: ours, not the real server's");
    const t0 = Date.now();

    // the real client logs in with the real server's password: through us
    const r = await runSsh(['-p', String(mitm.port), `${sshd.user}@127.0.0.1`, 'echo', 'through the middle'], { password: sshd.password });
    expect(r.code, r.stderr).toBe(0);
    expect(text(r.stdout)).toBe('through the middle\n');
    // ssh was shown OUR key (a fresh known_hosts: it asked about it as unknown and recorded it)
    const lanes = page.locator('[data-testid="classroom-lane"][data-stage="closed"]');
    await lanes.nth(1).waitFor({ timeout: 20_000 });
    const labels = await page.locator('[data-testid="classroom-lane"]').allTextContents();
    expect(labels.some((l) => l.includes('client ⇄ mitm'))).toBe(true);
    expect(labels.some((l) => l.includes('mitm ⇄ server'))).toBe(true);
    console.log(`[mitm e2e] ssh through the mitm and two closed lanes in ${Date.now() - t0} ms`);
    await screenshot(page, 'mitm-01-two-lanes');

    // 简体中文
    await page.keyboard.press('Escape');
    await page.click('[data-testid="lang"]');
    await page.click('[data-testid="open-source"]');
    await page.click('[data-testid="source-tab-classroom"]');
    const zh = (await page.textContent('[data-testid="classroom-notes"]')) ?? '';
    expect(zh).toContain(`真实客户端连接到 127.0.0.1:${mitm.port}`);
    expect(zh).toContain('REMOTE HOST IDENTIFICATION HAS CHANGED');
    expect(zh).toContain('签名覆盖了会话标识符');
    await screenshot(page, 'mitm-02-zh');
    expect(b.errors).toEqual([]);
  });
});
