// `sshscope start` end to end: the real launcher builds the page (when stale), serves it on
// 127.0.0.1, and a real browser (Debian's chromium, --dump-dom) runs the engine in it.

import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SOFTWARE_VERSION } from '../../engine/index.ts';
import { PEER_PATHS, requirePeer } from '../helpers/peers.ts';
import { freePort, runCommand, removeDir, tempDir } from '../helpers/sshd.ts';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const launcher = fileURLToPath(new URL('../../bin/sshscope.js', import.meta.url));

describe('sshscope start', () => {
  let child: ChildProcess;
  let url: string;
  let requestedPort: number;
  let stderr = '';
  let exit: Promise<number | null>;

  beforeAll(async () => {
    requestedPort = await freePort();
    child = spawn(process.execPath, [launcher, 'start', '--port', String(requestedPort)], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    exit = new Promise((r) => child.once('exit', (code) => r(code)));
    url = await new Promise<string>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`no URL printed within 90 s; stderr:\n${stderr}`)), 90_000);
      child.stdout!.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        const m = /^sshscope is running at (http:\/\/127\.0\.0\.1:\d+\/)$/m.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
      child.once('exit', (code) => reject(new Error(`start exited (${code}) before printing its URL; stderr:\n${stderr}`)));
    });
  }, 120_000);

  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
  });

  it('prints its URL on the port it was given', () => {
    expect(url).toBe(`http://127.0.0.1:${requestedPort}/`);
  });

  it('serves the page and its script bundle', async () => {
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toMatch(/<title>sshscope/);
    const src = /<script[^>]+type="module"[^>]+src="([^"]+)"/.exec(html)?.[1];
    expect(src, 'module script tag').toBeTruthy();
    const js = await fetch(new URL(src!, url));
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    // the engine is in the bundle: its identification string is a constant of engine/index.ts
    expect(await js.text()).toContain(SOFTWARE_VERSION);
  });

  it.skipIf(!requirePeer('chromium', PEER_PATHS.chromium))(
    'runs the engine in a real browser: the page shows a full handshake trace',
    async () => {
      const profile = tempDir('sshscope-chromium-');
      try {
        const r = await runCommand(PEER_PATHS.chromium, [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          `--user-data-dir=${profile}`,
          '--virtual-time-budget=10000',
          '--dump-dom',
          // the last step of the default session, with the hosts view that shows the remote output
          `${url}?step=9999&view=hosts`,
        ]);
        const dom = r.stdout;
        expect(dom, r.stderr.slice(-2000)).toContain('data-ready="true"');
        // the phase bar shows all five phases, and the session reached the last one
        for (const phase of [1, 2, 3, 4, 5]) expect(dom).toContain(`data-phase="${phase}"`);
        expect(dom).toMatch(/aria-current="step"[^>]*data-phase="5"|data-phase="5"[^>]*aria-current="step"/);
        // the timeline drew the session, and the engine ran the remote command
        expect(dom).toContain('data-testid="timeline"');
        expect(dom).toContain('DISCONNECT');
        expect(dom).toContain('hello from sshscope');
      } finally {
        removeDir(profile);
      }
    },
    60_000,
  );

  it('stops cleanly on SIGTERM', async () => {
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
    await expect(fetch(url)).rejects.toThrow();
  });
});
