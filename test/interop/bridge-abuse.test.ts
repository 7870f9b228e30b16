// Bridge abuse (issue 8, "the bridge"): other Origins, targets not on the allow list, text and
// oversized frames, floods of connections and of bytes are refused, each refusal is one log line
// ("bridge: refused (CODE) …"), and a real SSH session already running through the same bridge
// (our client engine over engine/adapters/websocket.ts to a real OpenSSH sshd, running `cat`)
// keeps echoing meanwhile; afterwards a new login still works.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server, type Socket } from 'node:net';
import { WebSocket } from 'ws';
import { createClient, defaultEnv, type SshEvent } from '../../engine/index.ts';
import { attachWebSocket, bridgeUrl, type AttachedWebSocket, type WebSocketLike } from '../../engine/adapters/websocket.ts';
import { BRIDGE_CLOSE, startBridgeServer, type BridgeServer } from '../../cli/bridge.ts';
import { PEER_PATHS, requirePeers, requireRoot } from '../helpers/peers.ts';
import { startSshd, type Sshd } from '../helpers/sshd.ts';

const ready = requirePeers([['sshd', PEER_PATHS.sshd]]) && requireRoot();

const MAX_CONNECTIONS = 6;
const MAX_BYTES = 2 * 1024 * 1024;
const MAX_FRAME = 256 * 1024;

/** A running SSH session through the bridge: `cat` on the real sshd, echoing what we send. */
interface Echo {
  send(text: string): void;
  /** Resolves once everything received so far contains `text`. */
  waitFor(text: string, ms?: number): Promise<void>;
  end(): Promise<SshEvent[]>;
}

function openEcho(b: BridgeServer, sshd: Sshd): Promise<Echo> {
  return new Promise((resolveOpen, rejectOpen) => {
    const events: SshEvent[] = [];
    const conn = createClient({ username: sshd.user, password: sshd.password, authMethods: ['password'], env: defaultEnv(), hostKeyCheck: () => 'known' });
    let channel = -1;
    let got = '';
    const waiters: { text: string; done: () => void }[] = [];
    let closed: (() => void) | null = null;
    const closedP = new Promise<void>((r) => (closed = r));
    const ws = new WebSocket(bridgeUrl(b.url, '127.0.0.1', sshd.port), { origin: b.origin }) as unknown as WebSocketLike;
    let a: AttachedWebSocket;
    const echo: Echo = {
      send(text) {
        conn.command({ type: 'data', channel, data: new TextEncoder().encode(text) });
        a.pump();
      },
      waitFor(text, ms = 20_000) {
        if (got.includes(text)) return Promise.resolve();
        return new Promise((resolve, reject) => {
          const t = setTimeout(() => reject(new Error(`no echo of ${JSON.stringify(text)} within ${ms} ms; got ${JSON.stringify(got.slice(-200))}`)), ms);
          waiters.push({ text, done: () => (clearTimeout(t), resolve()) });
        });
      },
      async end() {
        conn.command({ type: 'eof', channel });
        a.pump();
        await closedP;
        return events;
      },
    };
    a = attachWebSocket(conn, ws, (e) => {
      events.push(e);
      if (e.type === 'auth' && e.result === 'success') channel = conn.command({ type: 'open-session' });
      if (e.type === 'channel' && e.id === channel) {
        const d = e.detail as { data?: Uint8Array };
        if (e.change === 'open') conn.command({ type: 'exec', channel, command: 'cat' });
        if (e.change === 'request-success') resolveOpen(echo);
        if (e.change === 'data' && d.data) {
          got += new TextDecoder().decode(d.data);
          for (const w of waiters.splice(0)) {
            if (got.includes(w.text)) w.done();
            else waiters.push(w);
          }
        }
        if (e.change === 'closed') conn.command({ type: 'disconnect', description: 'done' });
      }
      if (e.type === 'closed') {
        closed?.();
        rejectOpen(new Error(`closed before the session opened: ${e.message}`));
      }
    });
  });
}

/** Opens a WebSocket to the bridge and resolves with its close code (after `act` ran on open). */
function attempt(url: string, origin: string, act?: (ws: WebSocket) => void): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { origin });
    ws.on('open', () => act?.(ws));
    ws.on('error', () => {});
    ws.on('close', (code) => resolve(code));
  });
}

describe.skipIf(!ready)('bridge abuse: refused, logged, and a running session keeps working', () => {
  let sshd: Sshd;
  let bridge: BridgeServer;
  let sink: Server;
  let sinkPort: number;
  const sinkSockets = new Set<Socket>();
  let sinkBytes = 0;
  let silent: Server;
  let silentPort: number;
  let silentBytes = 0;
  const log: string[] = [];
  const refusals = (code: number) => log.filter((l) => l.startsWith(`bridge: refused (${code})`)).length;

  beforeAll(async () => {
    sshd = await startSshd();
    // an SSH-speaking sink that swallows everything: the byte flood's target
    sink = createServer((s) => {
      sinkSockets.add(s);
      s.on('close', () => sinkSockets.delete(s));
      s.write('SSH-2.0-sink\r\n');
      s.on('data', (d) => (sinkBytes += d.length));
      s.on('error', () => {});
    });
    await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
    sinkPort = (sink.address() as { port: number }).port;
    // a service that is not SSH: it never sends an identification line
    silent = createServer((s) => {
      sinkSockets.add(s);
      s.on('close', () => sinkSockets.delete(s));
      s.on('data', (d) => (silentBytes += d.length));
      s.on('error', () => {});
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    silentPort = (silent.address() as { port: number }).port;
    bridge = await startBridgeServer({
      allow: [
        { host: '127.0.0.1', port: sshd.port },
        { host: '127.0.0.1', port: sinkPort },
        { host: '127.0.0.1', port: silentPort },
      ],
      maxConnections: MAX_CONNECTIONS,
      maxBytesPerConnection: MAX_BYTES,
      maxFrameBytes: MAX_FRAME,
      log: (l) => log.push(l),
    });
  });

  afterAll(async () => {
    await bridge?.close();
    for (const s of sinkSockets) s.destroy();
    await new Promise<void>((r) => (sink ? sink.close(() => r()) : r()));
    await new Promise<void>((r) => (silent ? silent.close(() => r()) : r()));
    await sshd?.stop();
  });

  it('refuses every kind of abuse with its code and one log line each, while a real session echoes throughout', async () => {
    const echo = await openEcho(bridge, sshd);
    echo.send('before\n');
    await echo.waitFor('before\n');
    const sshTarget = bridgeUrl(bridge.url, '127.0.0.1', sshd.port);

    // 1. 40 pages from another Origin
    const origins = await Promise.all(Array.from({ length: 40 }, () => attempt(sshTarget, 'http://evil.example')));
    expect(new Set(origins)).toEqual(new Set([BRIDGE_CLOSE.badOrigin]));
    echo.send('after-origins\n');
    await echo.waitFor('after-origins\n');

    // 2. 40 targets not on the allow list (another loopback port, another host, a malformed one)
    const targets = await Promise.all(
      Array.from({ length: 40 }, (_v, i) => attempt(bridgeUrl(bridge.url, i % 2 ? '127.0.0.1' : '10.1.2.3', 22), bridge.origin)),
    );
    expect(new Set(targets)).toEqual(new Set([BRIDGE_CLOSE.targetNotAllowed]));
    expect(await attempt(`${bridge.url}?target=${encodeURIComponent('127.0.0.1:22;rm')}`, bridge.origin)).toBe(BRIDGE_CLOSE.badRequest);
    expect(await attempt(bridge.url, bridge.origin)).toBe(BRIDGE_CLOSE.badRequest);

    // 3. a text frame, and a frame over the limit, on connections to the real sshd
    expect(await attempt(sshTarget, bridge.origin, (ws) => ws.send('SSH-2.0-text\r\n'))).toBe(BRIDGE_CLOSE.badRequest);
    expect(await attempt(sshTarget, bridge.origin, (ws) => ws.send(new Uint8Array(MAX_FRAME + 1), { binary: true }))).toBe(BRIDGE_CLOSE.frameTooLarge);
    echo.send('after-frames\n');
    await echo.waitFor('after-frames\n');

    // 4. a flood of connections: the free slots fill up, the rest get 4429 at once
    const holders: WebSocket[] = [];
    for (let i = 0; i < MAX_CONNECTIONS - 1; i++) {
      const ws = new WebSocket(sshTarget, { origin: bridge.origin });
      ws.on('error', () => {});
      await new Promise((r) => ws.once('open', r));
      holders.push(ws);
    }
    await new Promise((r) => setTimeout(r, 100));
    expect(bridge.active).toBe(MAX_CONNECTIONS);
    const flood = await Promise.all(Array.from({ length: 30 }, () => attempt(sshTarget, bridge.origin)));
    expect(new Set(flood)).toEqual(new Set([BRIDGE_CLOSE.tooManyConnections]));
    echo.send('during-flood\n');
    await echo.waitFor('during-flood\n');
    await Promise.all(holders.map((ws) => new Promise((r) => (ws.once('close', r), ws.close()))));

    // 5. a flood of bytes to an SSH-speaking target: cut at the per-connection byte limit
    const sinkUrl = bridgeUrl(bridge.url, '127.0.0.1', sinkPort);
    const bytesCode = await attempt(sinkUrl, bridge.origin, (ws) => {
      const chunk = new Uint8Array(64 * 1024);
      let sent = 0;
      const pump = (): void => {
        while (ws.readyState === ws.OPEN && sent < 3 * MAX_BYTES && ws.bufferedAmount < 1024 * 1024) {
          ws.send(chunk, { binary: true });
          sent += chunk.length;
        }
        if (ws.readyState === ws.OPEN && sent < 3 * MAX_BYTES) setTimeout(pump, 5);
      };
      // wait for the sink's identification line: bytes before it are held (64 KiB at most)
      ws.once('message', pump);
    });
    expect(bytesCode).toBe(BRIDGE_CLOSE.tooLarge);
    expect(sinkBytes).toBeLessThanOrEqual(MAX_BYTES);

    // 6. a service that is not SSH never sees a byte of the page: held until an identification line
    //    comes (it never does), and a flood there is cut at 64 KiB
    const silentUrl = bridgeUrl(bridge.url, '127.0.0.1', silentPort);
    const early = await attempt(silentUrl, bridge.origin, (ws) => ws.send(new Uint8Array(MAX_FRAME), { binary: true }));
    expect(early).toBe(BRIDGE_CLOSE.notSsh);
    expect(silentBytes).toBe(0);

    // the running session never noticed
    echo.send('still-here\n');
    await echo.waitFor('still-here\n');
    const events = await echo.end();
    expect(events.filter((e) => e.type === 'error')).toEqual([]);

    // every refusal is one log line with its code
    expect(refusals(BRIDGE_CLOSE.badOrigin)).toBe(40);
    expect(refusals(BRIDGE_CLOSE.targetNotAllowed)).toBe(40);
    expect(refusals(BRIDGE_CLOSE.badRequest)).toBe(3);
    expect(refusals(BRIDGE_CLOSE.frameTooLarge)).toBe(1);
    expect(refusals(BRIDGE_CLOSE.tooManyConnections)).toBe(30);
    expect(refusals(BRIDGE_CLOSE.tooLarge)).toBe(1);
    expect(refusals(BRIDGE_CLOSE.notSsh)).toBe(1);
    expect(log.filter((l) => l.includes('refused (4401)')).every((l) => l.includes('evil.example'))).toBe(true);

    // and the bridge still serves a new login
    await new Promise((r) => setTimeout(r, 100));
    expect(bridge.active).toBe(0);
    const again = await openEcho(bridge, sshd);
    again.send('new-login\n');
    await again.waitFor('new-login\n');
    await again.end();
  });
});
