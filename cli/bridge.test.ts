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
