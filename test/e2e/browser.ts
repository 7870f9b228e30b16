// Launches Debian's chromium through playwright-core (stack.md "Playwright") with a fresh
// profile, and collects console errors and page errors so tests can assert there are none.

import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { PEER_PATHS } from '../helpers/peers.ts';

export const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));

export interface OpenBrowser {
  context: BrowserContext;
  page: Page;
  errors: string[];
  close(): Promise<void>;
}

/**
 * `firstVisit: true` keeps the profile as a first-time visitor's, whom the app greets with the
 * lesson picker; other tests start as returning visitors and land on the views directly.
 */
export async function openBrowser(opts: { width?: number; height?: number; firstVisit?: boolean } = {}): Promise<OpenBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'sshscope-e2e-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: PEER_PATHS.chromium,
    headless: true,
    viewport: { width: opts.width ?? 1600, height: opts.height ?? 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  if (!opts.firstVisit) await context.addInitScript(() => globalThis.localStorage?.setItem('sshscope-visited', '1'));
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  mkdirSync(ARTIFACTS, { recursive: true });
  return {
    context,
    page,
    errors,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
}
