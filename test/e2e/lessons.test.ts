// The lessons in a real browser: open the picker (key O), run every catalogue scenario in the page
// and step through it to its end with the keyboard (PageDown for lesson steps, End for the
// connection on screen), with no console errors. Screenshots of the mutual-trust matrix and of
// Terrapin go to test-artifacts/ for a person to judge (1600×900, light and dark, projector, 中文).

import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Page } from 'playwright-core';
import { PEER_PATHS, requirePeer } from '../helpers/peers.ts';
import { openBrowser, screenshot, type OpenBrowser } from './browser.ts';

const hasChromium = requirePeer('chromium', PEER_PATHS.chromium);

async function load(page: Page, query = '?lang=en'): Promise<void> {
  await page.goto(inject('appUrl') + query);
  await page.waitForSelector('body[data-ready="true"]');
  await page.waitForSelector('[data-testid="counter"]');
}

async function openPicker(page: Page): Promise<string[]> {
  await page.locator('body').focus();
  await page.keyboard.press('o');
  await page.waitForSelector('[data-testid="source-lessons"] .lessons');
  return page.$$eval('[data-testid="source-lessons"] .lessons button', (bs) => bs.map((b) => b.getAttribute('data-testid')!.replace(/^lesson-/, '')));
}

async function startLesson(page: Page, id: string): Promise<void> {
  await page.click(`[data-testid="lesson-${id}"]`);
  await page.waitForSelector('[data-testid="lesson-bar"]', { timeout: 60_000 });
  await page.waitForSelector('[data-testid="source-dialog"]', { state: 'detached' });
}

async function lessonStep(page: Page): Promise<{ n: number; total: number }> {
  const text = (await page.textContent('[data-testid="lesson-step"]')) ?? '';
  const m = /(\d+)\D+(\d+)/.exec(text);
  if (!m) throw new Error(`no lesson step in ${JSON.stringify(text)}`);
  return { n: Number(m[1]), total: Number(m[2]) };
}

async function gotoLessonStep(page: Page, n: number): Promise<void> {
  while ((await lessonStep(page)).n < n) await page.keyboard.press('PageDown');
  while ((await lessonStep(page)).n > n) await page.keyboard.press('PageUp');
}

describe.skipIf(!hasChromium)('lessons in chromium', () => {
  let b: OpenBrowser;

  beforeAll(async () => {
    b = await openBrowser({ width: 1600, height: 900 });
  });
  afterAll(async () => {
    await b?.close();
  });

  it('the picker lists every lesson with its title, summary and RFC sections, in both languages', async () => {
    const { page } = b;
    await load(page);
    const ids = await openPicker(page);
    expect(ids.length).toBeGreaterThanOrEqual(15);
    for (const id of ['five-phases', 'password-vs-publickey', 'mutual-trust', 'inside-key-exchange', 'terrapin', 'port-forwarding', 'exec-vs-shell']) expect(ids).toContain(id);
    const first = page.locator('[data-testid="lesson-terrapin"]');
    expect(await first.textContent()).toMatch(/Terrapin[\s\S]*CVE-2023-48795[\s\S]*RFC\s4253\s§6\.4/);
    await screenshot(page, 'lessons-01-picker');
    await page.keyboard.press('Escape');
    await load(page, '?lang=zh');
    await openPicker(page);
    expect(await page.locator('[data-testid="lesson-mutual-trust"]').textContent()).toMatch(/互信/);
    await page.keyboard.press('Escape');
    expect(b.errors).toEqual([]);
  });

  it('every lesson runs in the page and steps to its end with the keyboard', async () => {
    const { page } = b;
    await load(page);
    const ids = await openPicker(page);
    await page.keyboard.press('Escape');
    for (const id of ids) {
      await openPicker(page);
      await startLesson(page, id);
      expect(await page.textContent('header')).toContain('Showing');
      const { total } = await lessonStep(page);
      expect(await page.locator('[data-testid="lesson-prev"]').isDisabled()).toBe(true);
      await page.locator('body').focus();
      for (let n = 1; n <= total; n++) {
        expect(await lessonStep(page), id).toEqual({ n, total });
        expect(((await page.textContent('[data-testid="lesson-narration"]')) ?? '').length).toBeGreaterThan(5);
        await page.keyboard.press('End'); // the end of the connection on screen
        if (n < total) await page.keyboard.press('PageDown');
      }
      expect(await page.locator('[data-testid="lesson-next"]').isDisabled()).toBe(true);
      expect(b.errors, id).toEqual([]);
    }
  }, 600_000);

  it('mutual trust: the trust matrix, its connections, and 简体中文', async () => {
    const { page } = b;
    await load(page);
    await openPicker(page);
    await startLesson(page, 'mutual-trust');
    await page.locator('body').focus();
    await gotoLessonStep(page, 4);
    const report = (await page.textContent('[data-testid="lesson-report"]')) ?? '';
    // node-a → node-b works, node-b → node-a does not (its host key is unknown to node-b).
    expect(report).toMatch(/node-a\s+-\s+ok/);
    expect(report).toMatch(/node-b\s+x \(host-key\)/);
    expect(await page.locator('.lesson-bar .conns button').count()).toBe(2);
    await screenshot(page, 'lessons-02-mutual-trust-matrix');
    await gotoLessonStep(page, 15);
    const full = (await page.textContent('[data-testid="lesson-report"]')) ?? '';
    expect(full.match(/\bok\b/g)?.length).toBe(6);
    expect(await page.locator('.lesson-bar .conns button').count()).toBe(6);
    await page.locator('.lesson-bar .conns button').nth(5).click();
    await page.locator('body').focus();
    // The hosts view shows that connection's files: node-c's key in node-b's authorized_keys.
    await page.keyboard.press('5');
    expect(await page.textContent('.views')).toContain('ops@node-c');
    await screenshot(page, 'lessons-06-mutual-trust-hosts');
    await page.keyboard.press('l');
    await page.waitForFunction(() => document.documentElement.lang === 'zh-CN');
    expect(await page.textContent('[data-testid="lesson-narration"]')).toMatch(/[\u4e00-\u9fff]/);
    expect(await page.textContent('header')).toMatch(/互信/);
    await screenshot(page, 'lessons-03-mutual-trust-zh');
    await page.keyboard.press('l');
    expect(b.errors).toEqual([]);
  });

  it('a link with lesson=ID&lstep=N reopens that lesson step, and the URL follows the lesson', async () => {
    const { page } = b;
    await load(page, '?lang=en&lesson=terrapin&lstep=1');
    await page.waitForSelector('[data-testid="lesson-bar"]', { timeout: 60_000 });
    expect(await lessonStep(page)).toEqual({ n: 2, total: 5 });
    expect(await page.textContent('[data-testid="lesson-report"]')).toContain('never received EXT_INFO');
    await page.locator('body').focus();
    await page.keyboard.press('PageDown');
    await page.waitForFunction(() => new URLSearchParams(location.search).get('lstep') === '2');
    expect(new URL(page.url()).searchParams.get('lesson')).toBe('terrapin');
    expect(b.errors).toEqual([]);
  });

  it('Terrapin: the attack goes unnoticed without strict KEX and is refused with it (dark, projector)', async () => {
    const { page } = b;
    await load(page);
    await openPicker(page);
    await startLesson(page, 'terrapin');
    await page.locator('body').focus();
    await page.keyboard.press('t');
    await gotoLessonStep(page, 2);
    const attack = (await page.textContent('[data-testid="lesson-report"]')) ?? '';
    expect(attack).toContain('deleted the server');
    expect(attack).toContain('never received EXT_INFO');
    // The views start on the first highlighted packet of the step that the sender logged: the
    // server's NEWKEYS (the injected IGNORE exists only in the client's receive log).
    expect(await page.textContent('.views')).toContain('SSH_MSG_NEWKEYS');
    await screenshot(page, 'lessons-04-terrapin-dark');
    await gotoLessonStep(page, 5);
    expect(await page.textContent('[data-testid="lesson-report"]')).toMatch(/strict KEX: on[\s\S]*client detected it: strict KEX/);
    await page.keyboard.press('p');
    await page.keyboard.press('t');
    await screenshot(page, 'lessons-05-terrapin-strict-projector');
    // On a projector the text can fold away, leaving the step navigation.
    await page.click('[data-testid="lesson-fold"]');
    expect(await page.isVisible('[data-testid="lesson-narration"]')).toBe(false);
    expect(await page.isVisible('[data-testid="lesson-next"]')).toBe(true);
    await screenshot(page, 'lessons-07-terrapin-folded-projector');
    await page.click('[data-testid="lesson-fold"]');
    expect(await page.isVisible('[data-testid="lesson-narration"]')).toBe(true);
    await page.keyboard.press('p');
    expect(b.errors).toEqual([]);
  });
});
