// The visualizer's remaining pieces in a real browser: reopen a recording saved with "Export JSON"
// (file picker and a drop on the page), open a pcapng capture with two SSH connections (a stream
// picker, frame numbers, a key log that decrypts the second one), "Export pcapng" read back by our
// capture reader in Node, the timeline operated by keyboard, and the KDF view across a rekey.
// Screenshots (light, dark, projector) go to test-artifacts/.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Page } from 'playwright-core';
import { PEER_PATHS, requirePeer, requirePeers, requireRoot } from '../helpers/peers.ts';
import { removeDir, sshKeygen, startSshd, tempDir } from '../helpers/sshd.ts';
import { runSsh } from '../helpers/ssh.ts';
import { startCapture, tsharkFields } from '../helpers/capture.ts';
import { openBrowser, screenshot, type OpenBrowser } from './browser.ts';
import { analyzeCapture, generateEd25519, seededEnv, type SshEvent } from '../../engine/index.ts';
import { runExec } from '../../engine/core/session-harness.ts';
import { writeSessionPcapng } from '../../engine/capture/pcapng-writer.ts';
import { sessionChunks, sessionKeylog, sessionPcapng } from '../../app/lib/recording-pcapng.ts';
import { recordingToJson } from '../../app/lib/recording.ts';
import { DEFAULT_SCENARIO, runScenario } from '../../app/lib/scenario.ts';
import { buildSteps } from '../../app/lib/steps.ts';
import { kdfModel } from '../../app/lib/kdf-model.ts';

const hasChromium = requirePeer('chromium', PEER_PATHS.chromium);
const canCaptureOpenSsh = hasChromium && requirePeers([
  ['sshd', PEER_PATHS.sshd],
  ['ssh', PEER_PATHS.ssh],
  ['ssh-keygen', PEER_PATHS.sshKeygen],
  ['tcpdump', PEER_PATHS.tcpdump],
  ['tshark', PEER_PATHS.tshark],
]) && requireRoot('capturing on loopback');

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

async function openFileTab(page: Page): Promise<void> {
  await page.locator('body').focus();
  await page.keyboard.press('o');
  await page.click('[data-testid="source-tab-open-file"]');
  await page.waitForSelector('[data-testid="source-open-file"]');
}

async function setTheme(page: Page, theme: 'light' | 'dark', projector = false): Promise<void> {
  if ((await page.getAttribute('html', 'data-theme')) !== theme) await page.click('[data-testid="theme"]');
  if ((await page.getAttribute('html', 'data-projector')) !== String(projector)) await page.click('[data-testid="projector"]');
}

type Pkt = Extract<SshEvent, { type: 'packet' }>;
const packetsOf = (events: SshEvent[]) => buildSteps(events).map((s) => s.event).filter((e): e is Pkt => e.type === 'packet');

/** A session of our engines with a rekey every 4 KiB (RFC 4253 §9), both sides' events. */
function rekeyEvents(): SshEvent[] {
  const hk = seededEnv('e2e-rekey/hk');
  const hostKey = generateEd25519((n) => hk.randomBytes(n));
  const events: SshEvent[] = [];
  const algorithms = { kex: ['curve25519-sha256'], cipher: ['aes128-ctr'], mac: ['hmac-sha2-256'] };
  runExec(
    { env: seededEnv('e2e-rekey/c'), username: 'alice', password: 'pw', hostKeyCheck: () => 'unknown', acceptUnknownHostKey: true, rekeyBytes: 4096, algorithms },
    { env: seededEnv('e2e-rekey/s'), hostKeys: [hostKey], users: [{ name: 'alice', password: 'pw' }], rekeyBytes: 4096, algorithms },
    'cat',
    new Uint8Array(12000).fill(0x62),
    { onEvent: (e) => void events.push(e) },
  );
  return events;
}

describe.skipIf(!hasChromium)('open files, export pcapng, keyboard timeline, rekey rounds (chromium)', () => {
  let b: OpenBrowser;
  let dir: string;

  beforeAll(async () => {
    b = await openBrowser({ width: 1600, height: 900 });
    dir = mkdtempSync(join(tmpdir(), 'sshscope-e2e-open-'));
  });

  afterAll(async () => {
    await b?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('reopens a recording saved with Export JSON, and names what is wrong with a broken one', async () => {
    const { page } = b;
    await load(page);
    const before = await counter(page);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export JSON' }).click()]);
    const saved = join(dir, 'session.json');
    await download.saveAs(saved);
    await openFileTab(page);
    await screenshot(page, 'more-01-open-file-tab');
    await page.setInputFiles('[data-testid="open-input"]', saved);
    await page.waitForSelector('[data-testid="source-banner"]');
    expect(await page.textContent('[data-testid="source-banner"]')).toContain('session.json');
    expect(await page.locator('[data-testid="source-dialog"]').count()).toBe(0);
    expect(await counter(page)).toEqual({ n: 1, total: before.total });
    // the same packets as the simulation, byte for byte: the KEXINIT cookie shows the same hex
    await page.keyboard.press('n');
    expect(await page.textContent('[data-testid="packet-title"]')).toBe('SSH_MSG_KEXINIT');
    const sim = packetsOf(runScenario(DEFAULT_SCENARIO).events)[0]!;
    await page.click('[data-path="payload.cookie"]');
    const cookie = (await page.locator('[data-testid="hex-bytes"] .b.sel').allTextContents()).join('');
    expect(cookie).toBe(Buffer.from(sim.payload.subarray(1, 17)).toString('hex'));
    await screenshot(page, 'more-02-recording-opened');

    // a broken file: the panel says which event and field
    await openFileTab(page);
    await page.setInputFiles('[data-testid="open-input"]', { name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify({ events: [{ seq: 0, t: 0, side: 'client', phase: 1, type: 'packet', dir: 'c2s', n: 0, msg: 'X', id: 1, encrypted: false, wire: 'zz', payload: '', tree: {} }] })) });
    await page.waitForSelector('[data-testid="open-error"]');
    expect(await page.textContent('[data-testid="open-error"]')).toMatch(/broken\.json.*event 0 \(packet\): wire: not a hex string/);
    await screenshot(page, 'more-03-recording-error');
    await page.keyboard.press('Escape');
    expect(b.errors).toEqual([]);
  });

  it('opens a capture with two SSH connections: picker, frame numbers, a key log that decrypts the second', async () => {
    const { page } = b;
    const a = runScenario({ ...DEFAULT_SCENARIO, seed: 'cap-a' });
    const c = runScenario({ ...DEFAULT_SCENARIO, seed: 'cap-b', auth: 'publickey', cipher: 'chacha20-poly1305@openssh.com' });
    // the first carries its key log inside (pcapng DSB); the second has none
    const fa = sessionPcapng(a.events);
    const fb = writeSessionPcapng({ client: { ip: '10.0.0.7', port: 41000 }, server: { ip: '10.0.0.2', port: 22 }, chunks: sessionChunks(c.events) });
    const capture = join(dir, 'two.pcapng');
    writeFileSync(capture, Buffer.concat([fa, fb]));
    const keylog = join(dir, 'second.keylog');
    writeFileSync(keylog, sessionKeylog(c.events));

    await load(page);
    await openFileTab(page);
    await page.setInputFiles('[data-testid="open-input"]', capture);
    await page.waitForSelector('[data-testid="open-streams"]');
    const streams = page.locator('[data-testid="open-stream"]');
    expect(await streams.count()).toBe(2);
    expect(await streams.nth(0).textContent()).toContain('10.0.0.1:50022 → 10.0.0.2:22');
    expect(await streams.nth(1).textContent()).toContain('10.0.0.7:41000 → 10.0.0.2:22');
    expect(await streams.nth(0).locator('.warn').count()).toBe(0);
    expect(await streams.nth(1).locator('.warn').count()).toBe(1); // stays encrypted: no key
    await screenshot(page, 'more-04-capture-streams-nokey');
    // the panel in 简体中文 (every label of the tab is translated)
    await page.keyboard.press('Escape');
    await page.click('[data-testid="lang"]');
    await openFileTab(page);
    expect(await page.textContent('[data-testid="source-open-file"]')).toContain('选择文件');
    await screenshot(page, 'more-04b-capture-streams-zh');
    await page.keyboard.press('Escape');
    await page.click('[data-testid="lang"]');
    await openFileTab(page);
    // without its key: the second connection's encrypted packets show only ciphertext, and say why
    await streams.nth(1).click();
    await page.waitForSelector('[data-testid="source-banner"]');
    await page.locator('[data-testid="packet-list"] [data-msg^="encrypted"]').first().click();
    expect(await page.textContent('[data-testid="enc-note-nokey"]')).toMatch(/chacha20-poly1305@openssh\.com.*key log/s);
    expect(await page.locator('[data-testid="show-decrypted"]').count()).toBe(0);
    await screenshot(page, 'more-04c-capture-no-key');
    await openFileTab(page);
    // the key log for the second connection: the file is read again, now both decrypt
    await page.setInputFiles('[data-testid="open-keylog"]', keylog);
    await expect.poll(async () => page.locator('[data-testid="open-stream"] .ok').count(), { timeout: 20_000 }).toBe(2);
    expect(await page.locator('[data-testid="open-stream"] .warn').count()).toBe(0);
    expect(await page.textContent('[data-testid="source-open-file"]')).toContain('second.keylog');
    // the picker is still there when the dialog opens again (here in the dark theme)
    await page.keyboard.press('Escape');
    await setTheme(page, 'dark');
    await openFileTab(page);
    expect(await streams.count()).toBe(2);
    await screenshot(page, 'more-05-capture-streams-dark');
    await page.keyboard.press('Escape');
    await setTheme(page, 'light');
    await openFileTab(page);

    await streams.nth(1).click();
    await page.waitForSelector('[data-testid="source-banner"]');
    expect(await page.textContent('[data-testid="source-banner"]')).toContain('two.pcapng #2');
    // the packet list numbers rows by capture frame, rising, after the first file's frames
    const frames = (await page.locator('[data-testid="packet-list"] [data-frame]').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-frame'))))).filter((n) => n > 0);
    expect(frames.length).toBeGreaterThan(10);
    expect([...frames].sort((x, y) => x - y)).toEqual(frames);
    const framesInFirst = analyzeCapture(fa).frames;
    expect(frames[0]).toBeGreaterThan(framesInFirst);
    // an encrypted packet decrypted with the key log: the same message as the session sent
    await page.locator('[data-testid="packet-list"] [data-msg="SSH_MSG_SERVICE_REQUEST"]').click();
    expect(await page.textContent('[data-testid="packet-title"]')).toBe('SSH_MSG_SERVICE_REQUEST');
    expect(await page.textContent('[data-testid="packet-frame"]')).toMatch(/frame \d+ · \d\d:\d\d:\d\d\.\d{6}/);
    await page.click('[data-testid="show-decrypted"]');
    await page.click('[data-path="payload"]');
    const shown = (await page.locator('[data-testid="hex-bytes"] .b.sel').allTextContents()).join('');
    expect(shown).toBe('05' + '0000000c' + Buffer.from('ssh-userauth').toString('hex'));
    // every packet of the second session is in the list (rows are 30 px; the list is virtualized)
    const listHeight = await page.locator('[data-testid="packet-list"] > div').evaluate((el) => el.getBoundingClientRect().height);
    expect(listHeight).toBe(30 * packetsOf(c.events).length);
    await screenshot(page, 'more-06-capture-packet');
    await setTheme(page, 'dark', true);
    await screenshot(page, 'more-07-capture-packet-dark-projector');
    await setTheme(page, 'light', false);
    expect(b.errors).toEqual([]);
  });

  it('Export pcapng writes the session with its key log: our capture reader decrypts every packet', async () => {
    const { page } = b;
    await load(page);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="export-pcapng"]')]);
    const file = join(dir, 'export.pcapng');
    await download.saveAs(file);
    expect(download.suggestedFilename()).toMatch(/\.pcapng$/);
    const result = analyzeCapture(new Uint8Array(readFileSync(file)));
    expect(result.format).toBe('pcapng');
    expect(result.problems).toEqual([]);
    expect(result.streams).toHaveLength(1);
    const st = result.streams[0]!;
    expect(st.rounds[0]!.keys).not.toBeNull();
    expect(st.rounds[0]!.keys!.signatureVerified).toBe(true);
    expect(st.errors).toEqual([]);
    // exactly the packets of the simulation (computed again in Node), every one read, the encrypted ones decrypted
    const sim = packetsOf(runScenario(DEFAULT_SCENARIO).events);
    expect(st.packets.map((p) => p.name)).toEqual(expect.arrayContaining(sim.map((p) => p.msg)));
    expect(st.packets).toHaveLength(sim.length);
    expect(st.packets.filter((p) => p.decrypted).length).toBe(sim.filter((p) => p.encrypted).length);
    expect(st.packets.every((p) => p.name !== null && !p.error)).toBe(true);
    expect(b.errors).toEqual([]);
  });

  it('a recording dropped anywhere on the page opens', async () => {
    const { page } = b;
    await load(page);
    const rec = runScenario({ ...DEFAULT_SCENARIO, seed: 'dropped', auth: 'publickey' });
    const json = recordingToJson(rec);
    await page.evaluate((text) => {
      const dt = new DataTransfer();
      dt.items.add(new File([text], 'dropped.json', { type: 'application/json' }));
      const target = document.querySelector('[data-testid="explain"]')!;
      target.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
      target.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, json);
    await page.waitForSelector('[data-testid="source-banner"]');
    expect(await page.textContent('[data-testid="source-banner"]')).toContain('dropped.json');
    expect((await counter(page)).total).toBe(buildSteps(rec.events).length);
    expect(b.errors).toEqual([]);
  });

  it('the timeline takes the keyboard: Tab reaches it, ↑/↓ move a visible focus, Enter selects', async () => {
    const { page } = b;
    await load(page);
    await page.locator('body').focus();
    let reached = false;
    for (let i = 0; i < 40 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate(() => document.activeElement?.getAttribute('data-testid') === 'timeline-rows');
    }
    expect(reached).toBe(true);
    expect((await counter(page)).n).toBe(1);
    const ring = page.locator('[data-testid="timeline-focus"]');
    expect(await ring.getAttribute('data-step')).toBe('0');
    for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowUp');
    expect(await ring.getAttribute('data-step')).toBe('3');
    expect((await counter(page)).n).toBe(1); // moving the focus does not step
    const active = await page.getAttribute('[data-testid="timeline-rows"]', 'aria-activedescendant');
    expect(active).toBe('tl-row-3');
    expect(await page.locator(`#${active}`).getAttribute('aria-label')).toMatch(/^4\. /);
    await screenshot(page, 'more-08-timeline-keyboard');
    await page.keyboard.press('Enter');
    expect((await counter(page)).n).toBe(4);
    expect(await page.getAttribute('#tl-row-3', 'aria-selected')).toBe('true');
    // PageDown moves ten rows; ← / → still step the session (App's shortcuts)
    await page.keyboard.press('PageDown');
    expect(await ring.getAttribute('data-step')).toBe('13');
    await page.keyboard.press('Space');
    expect((await counter(page)).n).toBe(14);
    await page.keyboard.press('ArrowRight');
    expect((await counter(page)).n).toBe(15);
    expect(await ring.getAttribute('data-step')).toBe('14');
    await setTheme(page, 'dark');
    await screenshot(page, 'more-09-timeline-keyboard-dark');
    await setTheme(page, 'light');
    expect(b.errors).toEqual([]);
  });

  it('the key-derivation view picks the round of a rekey: new H and keys, session_id stays', async () => {
    const { page } = b;
    const events = rekeyEvents();
    const steps = buildSteps(events);
    const m0 = kdfModel(steps, 0)!;
    const m1 = kdfModel(steps, 1)!;
    const file = join(dir, 'rekey.json');
    writeFileSync(file, recordingToJson({ config: DEFAULT_SCENARIO, events }));
    await load(page);
    await openFileTab(page);
    await page.setInputFiles('[data-testid="open-input"]', file);
    await page.waitForSelector('[data-testid="source-banner"]');
    await page.locator('body').focus();
    await page.keyboard.press('3');
    await page.keyboard.press('End');
    const rounds = page.locator('[data-testid="kdf-round"]');
    expect(await rounds.count()).toBe(m1.rounds);
    expect(m1.rounds).toBeGreaterThanOrEqual(2);
    // at the end of the log the last round is shown; pick the second (the first rekey)
    await rounds.nth(1).click();
    expect(await rounds.nth(1).getAttribute('aria-pressed')).toBe('true');
    expect((await page.textContent('[data-testid="kdf-H"]'))!.trim()).toBe(m1.H);
    expect((await page.textContent('[data-testid="kdf-sid"]'))!.trim()).toBe(m0.H);
    expect(await page.textContent('[data-testid="kdf-keys"]')).toContain(m1.keys.find((k) => k.letter === 'C')!.value);
    await screenshot(page, 'more-10-kdf-rekey-round');
    await rounds.nth(0).click();
    expect((await page.textContent('[data-testid="kdf-H"]'))!.trim()).toBe(m0.H);
    expect(await page.locator('[data-testid="kdf-sid"]').count()).toBe(0);
    expect(await page.textContent('[data-testid="kdf-keys"]')).toContain(m0.keys.find((k) => k.letter === 'C')!.value);
    expect(b.errors).toEqual([]);
  });

  it.skipIf(!canCaptureOpenSsh)('opens a tcpdump capture of real OpenSSH (ssh → sshd): frames and messages as tshark sees them', async () => {
    const { page } = b;
    const work = tempDir('sshscope-e2e-openssh-');
    const key = await sshKeygen(work, 'id_ed25519', 'ed25519');
    const sshd = await startSshd({ authorizedKeys: [key.pub] });
    try {
      const cap = await startCapture(sshd.port, { dir: work, name: 'openssh.pcap' });
      const r = await runSsh(['-p', String(sshd.port), '-i', key.path, '-o', 'IdentitiesOnly=yes', `${sshd.user}@127.0.0.1`, 'echo', 'hi']);
      const pcap = await cap.stop();
      expect(r.code, r.stderr).toBe(0);
      // independent truth: tshark's frame numbers of the two KEXINITs and the version lines
      const kexinitFrames = (await tsharkFields(pcap, { port: sshd.port, filter: 'ssh.message_code==20' }, ['frame.number'])).map(([f]) => Number(f));
      const versions = (await tsharkFields(pcap, { port: sshd.port, filter: 'ssh.protocol' }, ['ssh.protocol'])).map(([v]) => v);
      expect(kexinitFrames).toHaveLength(2);

      await load(page);
      await openFileTab(page);
      await page.setInputFiles('[data-testid="open-input"]', pcap);
      await page.waitForSelector('[data-testid="source-banner"]', { timeout: 30_000 });
      expect(await page.textContent('[data-testid="source-banner"]')).toContain('openssh.pcap #1');
      const rows = page.locator('[data-testid="packet-list"] [data-msg="SSH_MSG_KEXINIT"] [data-frame]');
      expect((await rows.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-frame'))))).sort((x, y) => x - y)).toEqual(kexinitFrames);
      // the two version lines, as tshark read them
      const timeline = (await page.textContent('[data-testid="timeline"]')) ?? '';
      for (const v of versions) expect(timeline).toContain(v);
      expect(versions.some((v) => /^SSH-2\.0-OpenSSH_9/.test(v!))).toBe(true);
      // the negotiation view shows what OpenSSH chose; after NEWKEYS the packets stay encrypted (no key log)
      await page.locator('body').focus();
      await page.keyboard.press('End');
      await page.keyboard.press('2');
      expect(await page.textContent('[data-testid="negotiation"]')).toContain('sntrup761x25519-sha512@openssh.com');
      await screenshot(page, 'more-11-openssh-capture-negotiation');
      await page.keyboard.press('1');
      await page.locator('[data-testid="packet-list"] [data-msg^="encrypted"]').first().click();
      expect(await page.locator('[data-testid="enc-note-nokey"]').count()).toBe(1);
      await screenshot(page, 'more-12-openssh-capture-encrypted');
      expect(b.errors).toEqual([]);
    } finally {
      await sshd.stop();
      removeDir(work);
    }
  });
});
