// A first visit opens on the lesson picker (issue 5); the next visit goes straight to the views,
// and a link that names a lesson step reopens that lesson at that step.

import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { PEER_PATHS, requirePeer } from '../helpers/peers.ts';
import { openBrowser, screenshot, type OpenBrowser } from './browser.ts';

const hasChromium = requirePeer('chromium', PEER_PATHS.chromium);

describe.skipIf(!hasChromium)('first visit and lesson links', () => {
  let b: OpenBrowser;

  beforeAll(async () => {
    b = await openBrowser({ firstVisit: true });
  });

  afterAll(async () => {
    await b?.close();
  });

  it('opens on the lesson picker once, then on the views', async () => {
    const { page } = b;
    await page.goto(inject('appUrl'));
    await page.waitForSelector('body[data-ready="true"]');
    await page.waitForSelector('[data-testid="source-dialog"]');
    expect(await page.getAttribute('[data-testid="source-tab-lessons"]', 'aria-selected')).toBe('true');
    await screenshot(page, 'first-visit-lesson-picker');
    await page.keyboard.press('Escape');
    expect(await page.locator('[data-testid="source-dialog"]').count()).toBe(0);
    await page.goto(inject('appUrl'));
    await page.waitForSelector('body[data-ready="true"]');
    await page.waitForSelector('[data-testid="counter"]');
    expect(await page.locator('[data-testid="source-dialog"]').count()).toBe(0);
    expect(b.errors).toEqual([]);
  });

  it('a link with lesson and lstep reopens that lesson at that step', async () => {
    const { page } = b;
    await page.goto(`${inject('appUrl')}?lesson=mutual-trust&lstep=2`);
    await page.waitForSelector('[data-testid="source-banner"]');
    await page.waitForFunction(() => new URLSearchParams(location.search).get('lesson') === 'mutual-trust');
    expect(new URL(page.url()).searchParams.get('lstep')).toBe('2');
    expect(b.errors).toEqual([]);
  });
});
