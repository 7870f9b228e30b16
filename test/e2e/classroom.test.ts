// The classroom tab in chromium: a page served with the classroom feed mounted (as `sshscope start
// --ssh-port` does: our SSH server + /classroom on the page's own HTTP server) watches a real
// OpenSSH client log in during the test. The lane appears, picking it shows the connection in every
// view, and what the student types later arrives live. A page without a feed explains how to start
// one. Screenshots at 1600×900, light and dark, normal and projector mode.

import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { startClassroom, type Classroom } from '../../cli/classroom.ts';
import { buildSteps } from '../../app/lib/steps.ts';
import { classroomViewEvents } from '../../app/lib/classroom-view.ts';
import { PEER_PATHS, requirePeers } from '../helpers/peers.ts';
import { removeDir, tempDir } from '../helpers/sshd.ts';
import { openBrowser, screenshot, type OpenBrowser } from './browser.ts';

const ready = requirePeers([
  ['chromium', PEER_PATHS.chromium],
  ['ssh', PEER_PATHS.ssh],
  ['sshpass', PEER_PATHS.sshpass],
]);

const PASSWORD = 'projector-7';

/** An HTTP server that passes every request to the built app (the e2e preview server). */
async function proxyTo(appUrl: string): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    void (async () => {
      try {
        const r = await fetch(new URL(req.url ?? '/', appUrl));
        const body = new Uint8Array(await r.arrayBuffer());
        res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'application/octet-stream', 'content-length': body.length });
        res.end(body);
      } catch {
        res.writeHead(502).end();
      }
    })();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}/` };
}

/** A real ssh client running `cat` with its stdin kept open: it stays connected until we end it. */
function studentCat(port: number, user = 'student'): { child: ChildProcessWithoutNullStreams; out: () => string; done: Promise<number | null> } {
  const child = spawn(
    PEER_PATHS.sshpass,
    ['-e', PEER_PATHS.ssh, '-F', '/dev/null', '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR', '-o', 'PreferredAuthentications=password', '-o', 'PubkeyAuthentication=no', '-p', String(port), `${user}@127.0.0.1`, 'cat'],
    { env: { ...process.env, SSHPASS: PASSWORD }, stdio: 'pipe' },
  );
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  const done = new Promise<number | null>((r) => child.once('close', (code) => r(code)));
  return { child, out: () => out, done };
}

async function counter(page: Page): Promise<{ n: number; total: number }> {
  const text = (await page.textContent('[data-testid="counter"]')) ?? '';
  const m = /(\d+)\D+(\d+)/.exec(text);
  if (!m) throw new Error(`no step counter in ${JSON.stringify(text)}`);
  return { n: Number(m[1]), total: Number(m[2]) };
}

async function until(pred: () => Promise<boolean> | boolean, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A page served with a feed opens on the Classroom tab by itself; one without a feed is opened by hand. */
async function openClassroomTab(page: Page): Promise<void> {
  await page.waitForTimeout(300);
  if ((await page.locator('[data-testid="source-dialog"]').count()) === 0) await page.click('[data-testid="open-source"]');
  await page.click('[data-testid="source-tab-classroom"]');
  await page.waitForSelector('[data-testid="source-classroom"]');
}

describe.skipIf(!ready)('the classroom tab in chromium', () => {
  let b: OpenBrowser;
  let room: Classroom;
  let proxy: { server: Server; url: string };
  let dir: string;
  let keysFile: string;

  beforeAll(async () => {
    dir = tempDir('sshscope-e2e-classroom-');
    keysFile = join(dir, 'authorized_keys');
    writeFileSync(keysFile, '# the class keys\n');
    room = await startClassroom({ sshPort: 0, users: [{ name: 'student', password: PASSWORD }], authorizedKeysFile: keysFile });
    proxy = await proxyTo(inject('appUrl'));
    room.attach(proxy.server);
    b = await openBrowser({ width: 1600, height: 900 });
  }, 120_000);

  afterAll(async () => {
    await b?.close();
    await room?.close();
    proxy?.server.closeAllConnections();
    await new Promise((r) => proxy?.server.close(r));
    if (dir) removeDir(dir);
  });

  it('a page without a feed explains how to start the classroom (no console errors)', async () => {
    const { page } = b;
    await page.goto(inject('appUrl'));
    await page.waitForSelector('body[data-ready="true"]');
    await openClassroomTab(page);
    await page.waitForSelector('[data-testid="classroom-unavailable"]');
    expect(await page.textContent('[data-testid="classroom-unavailable"]')).toContain('--ssh-port 2222');
    await screenshot(page, 'classroom-01-no-feed');
    expect(b.errors).toEqual([]);
  });

  it('a real ssh login appears as a lane; picking it shows it in every view, and later keystrokes arrive live', async () => {
    const { page } = b;
    await page.goto(proxy.url);
    await page.waitForSelector('body[data-ready="true"]');
    // served with a feed, the page opens on the Classroom tab by itself
    await page.waitForSelector('[data-testid="source-tab-classroom"][aria-selected="true"]');
    await openClassroomTab(page);
    await page.waitForSelector('[data-testid="source-classroom"][data-status="live"]');
    await page.waitForSelector('[data-testid="classroom-no-lanes"]');
    const sshLine = await page.textContent('[data-testid="classroom-ssh-line"]');
    expect(sshLine).toBe(`ssh -p ${room.ssh.port} student@127.0.0.1`);
    await page.click('[data-testid="classroom-show-passwords"]');
    expect(await page.textContent('[data-testid="source-classroom"]')).toContain(PASSWORD);
    await page.click('[data-testid="classroom-keys"] summary');
    expect(await page.textContent('[data-testid="classroom-authorized-keys"]')).toBe('# the class keys\n');
    await screenshot(page, 'classroom-02-waiting');

    // a student logs in and runs cat, which waits for input: the connection stays open
    const student = studentCat(room.ssh.port);
    try {
      const lane = page.locator('[data-testid="classroom-lane"][data-user="student"][data-stage="session"]');
      await lane.waitFor({ timeout: 20_000 });
      const id = await lane.getAttribute('data-id');
      expect(id).toBeTruthy();
      await screenshot(page, 'classroom-03-lane');
      await lane.locator('[data-testid="classroom-pick"]').click();
      await page.waitForSelector('[data-testid="source-dialog"]', { state: 'detached' });
      expect(await page.textContent('[data-testid="source-banner"]')).toContain(`student@127.0.0.1`);
      // the views show the real connection: its KEXINITs are in the packet list
      await until(async () => (await counter(page)).total > 10, 'the backlog in the views');
      // both directions: what the real client sent and what our server answered
      const list = (await page.textContent('[data-testid="packet-list"]')) ?? '';
      expect(list).toMatch(/C→S\s*KEXINIT/);
      expect(list).toMatch(/S→C\s*KEXINIT/);
      const before = (await counter(page)).total;

      // the student types: cat echoes it back; the new packets arrive in the open views
      student.child.stdin.write('hello from the back row\n');
      await until(() => student.out().includes('hello from the back row'), 'cat to echo');
      await until(async () => (await counter(page)).total > before, 'live events in the views');
      await page.click('[data-testid="tab-packets"]');
      await screenshot(page, 'classroom-04-live-packets');

      student.child.stdin.end();
      expect(await student.done).toBe(0);
      // every kept event reached the page: its step count equals the steps of the server's log
      await until(async () => {
        const events = room.feed.eventsOf(id!);
        return events !== null && events.at(-1)?.type === 'closed' && (await counter(page)).total === buildSteps(classroomViewEvents(events)).length;
      }, 'the whole log in the page');
      const summary = room.feed.connections().find((c) => c.id === id)!;
      expect(summary).toMatchObject({ user: 'student', command: 'cat', exitStatus: 0, stage: 'closed' });
    } finally {
      if (student.child.exitCode === null) student.child.kill('SIGKILL');
    }
    expect(b.errors).toEqual([]);
  });

  it('says so when memory limits dropped events or whole connections', async () => {
    // a second classroom with tiny limits: 2 connections kept, 8 + 8 events per connection
    const small = await startClassroom({ sshPort: 0, users: [{ name: 'student', password: PASSWORD }], limits: { connections: 2, headEvents: 8, tailEvents: 8 } });
    const px = await proxyTo(inject('appUrl'));
    small.attach(px.server);
    try {
      for (let i = 0; i < 3; i++) {
        const st = studentCat(small.ssh.port);
        st.child.stdin.end(`line ${i}\n`);
        expect(await st.done).toBe(0);
      }
      const { page } = b;
      await page.goto(px.url);
      await page.waitForSelector('body[data-ready="true"]');
      await openClassroomTab(page);
      await page.waitForSelector('[data-testid="classroom-lane"]');
      expect(await page.locator('[data-testid="classroom-lane"]').count()).toBe(2);
      expect(await page.textContent('[data-testid="classroom-removed"]')).toContain('Older connections dropped from the list to save memory: 1');
      const kept = small.feed.connections()[0]!;
      expect(kept.dropped).toBe(kept.total - 16);
      expect(await page.textContent(`[data-testid="classroom-lane"][data-id="${kept.id}"]`)).toContain(`not kept (memory limit): ${kept.dropped}`);
      await screenshot(page, 'classroom-08-limits');
      // the kept head and tail still make a log the views can step through
      await page.click(`[data-testid="classroom-lane"][data-id="${kept.id}"] [data-testid="classroom-pick"]`);
      await until(async () => (await counter(page)).total > 0, 'the kept events in the views');
      await page.keyboard.press('End');
      expect((await counter(page)).n).toBe((await counter(page)).total);
      // leave before this server stops (the page would try to reconnect to it)
      await page.goto(inject('appUrl'));
      await page.waitForSelector('body[data-ready="true"]');
    } finally {
      await small.close();
      px.server.closeAllConnections();
      await new Promise((r) => px.server.close(r));
    }
    expect(b.errors).toEqual([]);
  });

  it('load: 50 concurrent real ssh clients each run a command; all succeed and all 50 appear as lanes in the open page', async () => {
    const { page } = b;
    await page.goto(proxy.url);
    await page.waitForSelector('body[data-ready="true"]');
    await page.waitForSelector('[data-testid="source-tab-classroom"][aria-selected="true"]');
    await openClassroomTab(page);
    await page.waitForSelector('[data-testid="source-classroom"][data-status="live"]');
    const before = new Set(room.feed.connections().map((c) => c.id));
    const runs = await Promise.all(
      Array.from({ length: 50 }, (_, i) => {
        const st = studentCat(room.ssh.port);
        st.child.stdin.end(`student-${i}\n`);
        return st.done.then((code) => ({ code, out: st.out() }));
      }),
    );
    expect(runs.map((r, i) => (r.code === 0 && r.out === `student-${i}\n` ? null : `#${i}: ${r.code} ${JSON.stringify(r.out)}`)).filter(Boolean)).toEqual([]);
    const fresh = room.feed.connections().filter((c) => !before.has(c.id));
    expect(fresh).toHaveLength(50);
    // every one of them is a lane in the page, closed with exit status 0
    await until(async () => (await page.locator('[data-testid="classroom-lane"][data-stage="closed"]').count()) >= fresh.length, '50 closed lanes', 30_000);
    const ids = await page.locator('[data-testid="classroom-lane"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-id')));
    expect(fresh.map((c) => c.id).filter((id) => !ids.includes(id))).toEqual([]);
    for (const c of fresh) expect(c).toMatchObject({ user: 'student', command: 'cat', exitStatus: 0, stage: 'closed' });
    await screenshot(page, 'classroom-09-fifty');
    expect(b.errors).toEqual([]);
  }, 120_000);

  it('projector mode and dark theme: the lanes read from the back row', async () => {
    const { page } = b;
    // a few more students, one of them still connected
    const s1 = studentCat(room.ssh.port);
    s1.child.stdin.end('bye\n');
    await s1.done;
    const s2 = studentCat(room.ssh.port);
    try {
      await page.goto(proxy.url);
      await page.waitForSelector('body[data-ready="true"]');
      await page.waitForSelector('[data-testid="source-tab-classroom"][aria-selected="true"]');
      await page.keyboard.press('Escape');
      await page.click('[data-testid="theme"]');
      await page.click('[data-testid="projector"]');
      await openClassroomTab(page);
      await page.waitForSelector('[data-testid="classroom-lane"][data-stage="session"]');
      await until(async () => (await page.locator('[data-testid="classroom-lane"]').count()) >= 3, 'three lanes');
      await screenshot(page, 'classroom-05-dark-projector');
      await page.keyboard.press('Escape');
      await page.click('[data-testid="theme"]');
      await openClassroomTab(page);
      await page.waitForSelector('[data-testid="classroom-lane"]');
      await screenshot(page, 'classroom-06-light-projector');
      await page.keyboard.press('Escape');
      await page.click('[data-testid="projector"]');
      // 简体中文
      await page.click('[data-testid="lang"]');
      await openClassroomTab(page);
      await page.waitForSelector('[data-testid="classroom-lane"]');
      expect(await page.textContent('[data-testid="classroom-status"]')).toContain('实时');
      await screenshot(page, 'classroom-07-zh');
      await page.keyboard.press('Escape');
      await page.click('[data-testid="lang"]');
    } finally {
      s2.child.stdin.end();
      await s2.done;
    }
    expect(b.errors).toEqual([]);
  });
});
