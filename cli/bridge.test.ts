import { describe, it, expect } from 'vitest';
import { createServer } from 'node:net';
import { WebSocket } from 'ws';
import { BRIDGE_CLOSE, parseAllowRule, parseTarget, startBridgeServer, targetAllowed, LOOPBACK_RULES } from './bridge.ts';

describe('allow list', () => {
  it('parses HOST:PORT, HOST:* and [v6]:PORT; rejects the rest', () => {
    expect(parseAllowRule('127.0.0.1:22')).toEqual({ host: '127.0.0.1', port: 22 });
    expect(parseAllowRule('Example.org:*')).toEqual({ host: 'example.org', port: '*' });
    expect(parseTarget('[::1]:2222')).toEqual({ host: '::1', port: 2222 });
    for (const bad of ['127.0.0.1', ':22', 'h:0', 'h:65536', 'h:*x', '::1:22', 'a b:22']) expect(() => parseAllowRule(bad)).toThrow();
    expect(() => parseTarget('h:*')).toThrow();
  });
  it('the default allows loopback only', () => {
    expect(targetAllowed({ host: '127.0.0.1', port: 22 }, LOOPBACK_RULES)).toBe(true);
    expect(targetAllowed({ host: '::1', port: 2222 }, LOOPBACK_RULES)).toBe(true);
    expect(targetAllowed({ host: '10.0.0.1', port: 22 }, LOOPBACK_RULES)).toBe(false);
  });
});

describe('relay', () => {
  it('relays bytes to an SSH-speaking target; refuses bad targets and origins with their codes', async () => {
    const t = createServer((s) => { s.write('SSH-2.0-fake\r\n'); s.on('data', (d) => s.write(d)); }).listen(0, '127.0.0.1');
    await new Promise((r) => t.once('listening', r));
    const tp = (t.address() as { port: number }).port;
    const b = await startBridgeServer({ allow: [{ host: '127.0.0.1', port: tp }] });
    const run = (target: string, origin: string) => new Promise<[number, string, string]>((res) => {
      const ws = new WebSocket(`${b.url}?target=${target}`, { origin });
      let got = '';
      ws.on('open', () => ws.send(new TextEncoder().encode('ping'), { binary: true }));
      ws.on('message', (d) => { got += String(d); if (got.includes('ping')) ws.close(); });
      ws.on('close', (c, r) => res([c, String(r), got]));
    });
    try {
      expect((await run(`127.0.0.1:${tp}`, b.origin))[2]).toBe('SSH-2.0-fake\r\nping');
      expect((await run('127.0.0.1:1', b.origin))[0]).toBe(BRIDGE_CLOSE.targetNotAllowed);
      expect((await run(`127.0.0.1:${tp}`, 'http://evil.example'))[0]).toBe(BRIDGE_CLOSE.badOrigin);
    } finally {
      await b.close();
      t.close();
    }
  });
});

describe('sharing the HTTP server', () => {
  it('leaves upgrades on other paths to their own handler (the classroom feed shares the port)', async () => {
    const { WebSocketServer } = await import('ws');
    const b = await startBridgeServer();
    const other = new WebSocketServer({ noServer: true });
    b.server.on('upgrade', (req, socket, head) => {
      if (new URL(req.url ?? '/', 'http://x').pathname !== '/other') return;
      other.handleUpgrade(req, socket, head, (ws) => ws.send('hello from /other'));
    });
    try {
      const got = await new Promise<string>((res, rej) => {
        const ws = new WebSocket(b.url.replace('/bridge', '/other'), { origin: b.origin });
        ws.on('message', (d) => { res(String(d)); ws.close(); });
        ws.on('error', rej);
      });
      expect(got).toBe('hello from /other');
    } finally {
      other.close();
      await b.close();
    }
  });
});

describe('sshscope start --allow', () => {
  it('parseAllowList: none keeps the loopback default; values become rules; a bad one names the flag', async () => {
    const { parseAllowList } = await import('./start.ts');
    expect(parseAllowList(undefined)).toBeUndefined();
    expect(parseAllowList(['127.0.0.1:22', 'Example.org:*', '[::1]:2222'])).toEqual([
      { host: '127.0.0.1', port: 22 },
      { host: 'example.org', port: '*' },
      { host: '::1', port: 2222 },
    ]);
    expect(() => parseAllowList(['nohost'])).toThrow(/--allow nohost/);
  });
});

describe('upgrades nobody owns', () => {
  it('get a 404 instead of hanging open', async () => {
    const { refuseOtherUpgrades } = await import('./bridge.ts');
    const b = await startBridgeServer();
    refuseOtherUpgrades(b.server, ['/bridge']);
    try {
      const status = await new Promise<number>((res) => {
        const ws = new WebSocket(b.url.replace('/bridge', '/nothing-here'), { origin: b.origin });
        ws.on('unexpected-response', (_req, r) => { res(r.statusCode ?? 0); r.destroy(); });
        ws.on('error', () => {});
      });
      expect(status).toBe(404);
      // the bridge itself is unaffected
      const code = await new Promise<number>((res) => {
        const ws = new WebSocket(`${b.url}?target=10.0.0.1:22`, { origin: b.origin });
        ws.on('close', (c) => res(c));
        ws.on('error', () => {});
      });
      expect(code).toBe(BRIDGE_CLOSE.targetNotAllowed);
    } finally {
      await b.close();
    }
  });
});
