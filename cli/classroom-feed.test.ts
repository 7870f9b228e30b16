import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createServer, get, type Server } from 'node:http';
import { WebSocket } from 'ws';
import { seededEnv } from '../engine/env.ts';
import { generateEd25519 } from '../engine/algorithms/signatures.ts';
import { runExec } from '../engine/core/session-harness.ts';
import type { SshEvent } from '../engine/events.ts';
import { CLASSROOM_PROTOCOL, EventMirror, FEED_PROBE, decodePageMessage, decodeServerMessage, encodeMessage, fromBase64, toBase64, type ServerMessage } from '../app/lib/classroom-protocol.ts';
import { CLASSROOM_PATH, FEED_CLOSE, createFeed, type Feed } from './classroom-feed.ts';

/** A real five-phase session of our two engines (server side events, with packet trees). */
function realSession(seed: string): SshEvent[] {
  const hk = seededEnv(`${seed}/host`);
  const events: SshEvent[] = [];
  runExec(
    { env: seededEnv(`${seed}/client`), username: 'alice', password: 'pw', hostKeyCheck: () => 'known' },
    { env: seededEnv(`${seed}/server`), hostKeys: [generateEd25519((n) => hk.randomBytes(n))], users: [{ name: 'alice', password: 'pw' }], trace: true },
    'exit 3',
    undefined,
    { onEvent: (e) => void (e.side === 'server' && events.push(e)) },
  );
  return events;
}

function info(i: number): SshEvent {
  return { seq: i, t: i, side: 'server', phase: 5, type: 'info', message: `event ${i} ${'x'.repeat(i % 50)}` };
}

async function listening(): Promise<{ server: Server; port: number; origin: string }> {
  const server = createServer((_q, r) => r.end());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  return { server, port, origin: `http://127.0.0.1:${port}` };
}

/** A page: collects messages, mirrors watched connections. */
function page(port: number, origin: string) {
  const ws = new WebSocket(`ws://127.0.0.1:${port}${CLASSROOM_PATH}`, { origin });
  const msgs: ServerMessage[] = [];
  const mirrors = new Map<string, EventMirror>();
  const waiters: (() => void)[] = [];
  ws.on('message', (d) => {
    const m = decodeServerMessage(String(d));
    msgs.push(m);
    if (m.type === 'events') {
      let mir = mirrors.get(m.id);
      if (!mir) mirrors.set(m.id, (mir = new EventMirror()));
      expect(mir.append(m)).toBe(true);
    }
    for (const w of waiters.splice(0)) w();
  });
  const until = async (pred: () => boolean, what: string): Promise<void> => {
    const deadline = Date.now() + 5000;
    while (!pred()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((r) => {
        waiters.push(r);
        setTimeout(r, 50);
      });
    }
  };
  const opened = new Promise<void>((r, j) => {
    ws.once('open', () => r());
    ws.once('error', j);
  });
  return { ws, msgs, mirrors, until, opened };
}

describe('base64 and the JSON encoding of events', () => {
  it('matches node:crypto Buffer base64 both ways', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (b) => {
        const ours = toBase64(b);
        expect(ours).toBe(Buffer.from(b).toString('base64'));
        expect(fromBase64(ours)).toEqual(b);
      }),
    );
    expect(() => fromBase64('ab$d')).toThrow();
  });

  it('a real session round-trips exactly through a feed (bytes stay Uint8Array)', () => {
    const events = realSession('classroom-roundtrip');
    expect(events.some((e) => e.type === 'packet')).toBe(true);
    const feed = createFeed();
    const id = feed.addConnection({ peer: '127.0.0.1:5555' });
    for (const e of events) feed.publish(id, e);
    // structuredClone is the reference for "the same plain data"
    expect(feed.eventsOf(id)).toEqual(structuredClone(events));
    const text = encodeMessage({ type: 'events', id, start: 0, events, headLen: events.length, tailStart: events.length });
    const back = decodeServerMessage(text) as Extract<ServerMessage, { type: 'events' }>;
    expect(back.events).toEqual(structuredClone(events));
    feed.dispose();
  });

  it('summarizes who, how far, the command and its exit status', () => {
    const events = realSession('classroom-summary');
    const feed = createFeed();
    const id = feed.addConnection({ peer: '10.1.2.3:4444' });
    for (const e of events) feed.publish(id, e);
    const [s] = feed.connections();
    expect(s).toMatchObject({ id, peer: '10.1.2.3:4444', user: 'alice', authMethod: 'password', command: 'exit 3', exitStatus: 3, phase: 5, total: events.length, dropped: 0 });
    expect(s!.clientVersion).toMatch(/^SSH-2\.0-/);
    // the session's own 'closed' event closed the lane
    const closed = events.find((e) => e.type === 'closed') as Extract<SshEvent, { type: 'closed' }>;
    expect(s).toMatchObject({ stage: 'closed', closeMessage: closed.message });
    const other = feed.addConnection({ peer: 'x' });
    feed.close(other, 'gone');
    expect(feed.connections()[1]).toMatchObject({ stage: 'closed', closeMessage: 'gone' });
    feed.dispose();
  });

  it('page messages are validated', () => {
    expect(decodePageMessage('{"type":"watch","ids":"*"}')).toEqual({ type: 'watch', ids: '*' });
    expect(decodePageMessage('{"type":"watch","ids":["c1"]}')).toEqual({ type: 'watch', ids: ['c1'] });
    for (const bad of ['', 'nope', '{"type":"watch","ids":[1]}', '{"type":"other"}', 'null']) expect(decodePageMessage(bad)).toBeNull();
  });
});

describe('memory bounds', () => {
  it('keeps the first head events and the newest tail events, counting the dropped middle', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 40 }), (n, headEvents, tailEvents) => {
        const feed = createFeed({ headEvents, tailEvents });
        const id = feed.addConnection({ peer: 'p' });
        const all = Array.from({ length: n }, (_, i) => info(i));
        for (const e of all) feed.publish(id, e);
        const expected = n <= headEvents + tailEvents ? all : [...all.slice(0, headEvents), ...all.slice(n - tailEvents)];
        expect(feed.eventsOf(id)).toEqual(expected);
        expect(feed.connections()[0]!.dropped).toBe(n - expected.length);
        feed.dispose();
      }),
      { numRuns: 60 },
    );
  });

  it('byte limits bound head and tail too', () => {
    const feed = createFeed({ headEvents: 1000, headBytes: 1000, tailEvents: 1000, tailBytes: 2000 });
    const id = feed.addConnection({ peer: 'p' });
    for (let i = 0; i < 500; i++) feed.publish(id, info(i));
    const kept = feed.eventsOf(id)!;
    const bytes = kept.reduce((s, e) => s + JSON.stringify(e).length, 0);
    expect(bytes).toBeLessThanOrEqual(3000);
    expect(kept[0]).toEqual(info(0));
    expect(kept.at(-1)).toEqual(info(499));
    expect(feed.connections()[0]!.dropped).toBe(500 - kept.length);
    feed.dispose();
  });

  it('drops closed connections first when there are too many', () => {
    const feed = createFeed({ connections: 3 });
    const a = feed.addConnection({ peer: 'a' });
    const b = feed.addConnection({ peer: 'b' });
    feed.addConnection({ peer: 'c' });
    feed.close(b);
    feed.addConnection({ peer: 'd' });
    expect(feed.connections().map((c) => c.peer)).toEqual(['a', 'c', 'd']);
    feed.addConnection({ peer: 'e' }); // none closed: the oldest goes
    expect(feed.connections().map((c) => c.peer)).toEqual(['c', 'd', 'e']);
    expect(feed.removed).toBe(2);
    feed.publish(a, info(1)); // a dropped connection's events are ignored
    expect(feed.eventsOf(a)).toBeNull();
    feed.dispose();
  });
});

describe('the /classroom WebSocket endpoint', () => {
  it('a late page gets the backlog, then live events; its mirror equals the kept events', async () => {
    const { server, port, origin } = await listening();
    const feed: Feed = createFeed({ headEvents: 20, tailEvents: 30 });
    const ep = feed.attach(server);
    feed.setInfo({ kind: 'classroom', sshPort: 2222, sshHosts: ['127.0.0.1'], users: [{ name: 'student', password: 'pw', publickey: false }] });
    const id = feed.addConnection({ peer: '127.0.0.1:40000' });
    const events = realSession('classroom-live');
    const half = Math.floor(events.length / 2);
    for (const e of events.slice(0, half)) feed.publish(id, e);
    const p = page(port, origin);
    try {
      await p.opened;
      await p.until(() => p.msgs.some((m) => m.type === 'hello'), 'hello');
      const hello = p.msgs.find((m) => m.type === 'hello') as Extract<ServerMessage, { type: 'hello' }>;
      expect(hello.info).toMatchObject({ kind: 'classroom', sshPort: 2222 });
      expect(hello.connections.map((c) => c.id)).toEqual([id]);
      p.ws.send(JSON.stringify({ type: 'watch', ids: [id] }));
      await p.until(() => (p.mirrors.get(id)?.total ?? 0) === half, 'backlog');
      // live: the rest, then many small events that overflow head and tail
      for (const e of events.slice(half)) feed.publish(id, e);
      for (let i = 0; i < 200; i++) {
        feed.publish(id, info(i));
        if (i % 37 === 0) await new Promise((r) => setTimeout(r, 40)); // several flushes
      }
      const total = events.length + 200;
      await p.until(() => p.mirrors.get(id)?.total === total, 'all events');
      expect(p.mirrors.get(id)!.events()).toEqual(feed.eventsOf(id));
      expect(p.mirrors.get(id)!.dropped).toBe(total - 50);
      const last = p.msgs.filter((m) => m.type === 'connection').at(-1) as Extract<ServerMessage, { type: 'connection' }>;
      expect(last.conn).toMatchObject({ id, total, dropped: total - 50, user: 'alice' });
    } finally {
      p.ws.close();
      await ep.close();
      feed.dispose();
      server.close();
    }
  });

  it('a plain GET of /classroom says a feed is here; other requests reach the handler that was there before', async () => {
    const { server, port } = await listening();
    server.removeAllListeners('request');
    server.on('request', (_q, r) => r.writeHead(200, { 'content-type': 'text/html' }).end('<html>app</html>'));
    const feed = createFeed();
    const ep = feed.attach(server);
    try {
      const probe = await fetch(`http://127.0.0.1:${port}${CLASSROOM_PATH}`);
      expect(probe.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await probe.json()).toEqual({ feed: FEED_PROBE, protocol: CLASSROOM_PROTOCOL });
      expect(await (await fetch(`http://127.0.0.1:${port}/index.html`)).text()).toBe('<html>app</html>');
      // DNS rebinding: a foreign Host header is refused (fetch cannot set Host, node:http can)
      const status = await new Promise<number | undefined>((res) => get({ host: '127.0.0.1', port, path: CLASSROOM_PATH, headers: { host: 'evil.example' } }, (r) => res(r.resume().statusCode)));
      expect(status).toBe(403);
    } finally {
      await ep.close();
      feed.dispose();
    }
    // detached: the old handler answers again
    expect(await (await fetch(`http://127.0.0.1:${port}${CLASSROOM_PATH}`)).text()).toBe('<html>app</html>');
    server.close();
  });

  it('refuses a foreign Origin, ignores other paths', async () => {
    const { server, port } = await listening();
    const feed = createFeed();
    const ep = feed.attach(server);
    try {
      const code = await new Promise<number>((res) => {
        const ws = new WebSocket(`ws://127.0.0.1:${port}${CLASSROOM_PATH}`, { origin: 'http://evil.example' });
        ws.on('close', (c) => res(c));
        ws.on('error', () => {});
      });
      expect(code).toBe(FEED_CLOSE.badOrigin);
      // another path is left to other handlers: with none, the request is not upgraded
      server.on('upgrade', (req, socket) => {
        if (req.url === '/other') socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
      });
      const err = await new Promise<string>((res) => {
        const ws = new WebSocket(`ws://127.0.0.1:${port}/other`, { origin: `http://127.0.0.1:${port}` });
        ws.on('error', (e) => res(e.message));
        ws.on('open', () => res('opened'));
      });
      expect(err).toMatch(/404/);
    } finally {
      await ep.close();
      feed.dispose();
      server.close();
    }
  });
});
