import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { contentTypeOf, hostAllowed, resolveInside, serveStatic, type StaticServer } from './static-server.ts';

/** A raw GET that does not normalise the path (fetch would resolve "../" itself). */
function rawGet(port: number, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; type: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET', headers }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, type: String(res.headers['content-type'] ?? '') }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('static server', () => {
  let root: string;
  let outside: string;
  let srv: StaticServer;

  beforeAll(async () => {
    const base = mkdtempSync(join(tmpdir(), 'sshscope-static-'));
    root = join(base, 'dist');
    outside = join(base, 'secret.txt');
    mkdirSync(join(root, 'assets'), { recursive: true });
    writeFileSync(join(root, 'index.html'), '<!doctype html><title>t</title>');
    writeFileSync(join(root, 'assets', 'app.js'), 'console.log(1)');
    writeFileSync(join(root, 'assets', 'a b.css'), 'body{}');
    writeFileSync(outside, 'do not serve');
    srv = await serveStatic({ root, port: 0 });
  });

  afterAll(async () => {
    await srv.close();
    rmSync(join(root, '..'), { recursive: true, force: true });
  });

  it('listens on 127.0.0.1 and reports its URL', () => {
    expect(srv.host).toBe('127.0.0.1');
    expect(srv.port).toBeGreaterThan(0);
    expect(srv.url).toBe(`http://127.0.0.1:${srv.port}/`);
  });

  it('serves index.html at / and files with their content types', async () => {
    const index = await fetch(srv.url);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await index.text()).toBe(readFileSync(join(root, 'index.html'), 'utf8'));
    const js = await fetch(new URL('assets/app.js', srv.url));
    expect(js.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(await js.text()).toBe('console.log(1)');
    const css = await fetch(new URL('assets/a%20b.css', srv.url));
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toMatch(/^text\/css/);
  });

  it('answers HEAD without a body and refuses other methods', async () => {
    const head = await fetch(srv.url, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(Number(head.headers.get('content-length'))).toBe(readFileSync(join(root, 'index.html')).length);
    const post = await fetch(srv.url, { method: 'POST', body: 'x' });
    expect(post.status).toBe(405);
  });

  it('never serves a file outside its root', async () => {
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/..%5csecret.txt']) {
      const r = await rawGet(srv.port, path);
      expect(r.body).not.toContain('do not serve');
      expect([400, 404]).toContain(r.status);
    }
  });

  it('returns 404 for a missing asset but the app for an extension-less route', async () => {
    expect((await fetch(new URL('assets/missing.js', srv.url))).status).toBe(404);
    const route = await fetch(new URL('some/route', srv.url));
    expect(route.status).toBe(200);
    expect(await route.text()).toContain('<title>t</title>');
  });

  it('refuses requests whose Host is not loopback (DNS rebinding)', async () => {
    const r = await rawGet(srv.port, '/', { host: 'evil.example:80' });
    expect(r.status).toBe(403);
    const ok = await rawGet(srv.port, '/', { host: `localhost:${srv.port}` });
    expect(ok.status).toBe(200);
  });

  it('falls back to a free port when the requested one is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const taken = (blocker.address() as { port: number }).port;
    try {
      const s2 = await serveStatic({ root, port: taken });
      expect(s2.port).not.toBe(taken);
      expect((await fetch(s2.url)).status).toBe(200);
      await s2.close();
      await expect(serveStatic({ root, port: taken, fallbackToFreePort: false })).rejects.toMatchObject({ code: 'EADDRINUSE' });
    } finally {
      await new Promise<void>((r) => blocker.close(() => r()));
    }
  });
});

describe('static server helpers', () => {
  it('maps paths inside the root and rejects escapes', () => {
    expect(resolveInside('/srv/dist', '/a/b.js')).toBe('/srv/dist/a/b.js');
    expect(resolveInside('/srv/dist', '/')).toBe('/srv/dist');
    expect(resolveInside('/srv/dist', '/x?y=1#z')).toBe('/srv/dist/x');
    expect(resolveInside('/srv/dist', '/%E0%A4%A')).toBeNull();
    expect(resolveInside('/srv/dist', '/a%00b')).toBeNull();
    // normalize() drops the leading "..", so the result stays inside
    const escaped = resolveInside('/srv/dist', '/../../etc/passwd');
    expect(escaped === null || escaped.startsWith('/srv/dist/')).toBe(true);
  });

  it('accepts only loopback Host headers', () => {
    expect(hostAllowed(undefined, '127.0.0.1')).toBe(true);
    expect(hostAllowed('127.0.0.1:4173', '127.0.0.1')).toBe(true);
    expect(hostAllowed('LOCALHOST:1', '127.0.0.1')).toBe(true);
    expect(hostAllowed('[::1]:4173', '127.0.0.1')).toBe(true);
    expect(hostAllowed('example.com', '127.0.0.1')).toBe(false);
    expect(hostAllowed('127.0.0.1.evil.com', '127.0.0.1')).toBe(false);
  });

  it('knows the content types the build emits', () => {
    expect(contentTypeOf('a.JS')).toMatch(/javascript/);
    expect(contentTypeOf('x.wasm')).toBe('application/wasm');
    expect(contentTypeOf('noext')).toBe('application/octet-stream');
  });
});
