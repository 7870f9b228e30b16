import { describe, expect, it } from 'vitest';
import type { SshEvent } from '../../engine/events.ts';
import { ClassroomClient, feedUrlFor, type SocketLike } from './classroom-client.ts';
import { CLASSROOM_PROTOCOL, DEFAULT_FEED_LIMITS, encodeMessage, type ConnectionSummary, type ServerMessage } from './classroom-protocol.ts';

class FakeSocket implements SocketLike {
  readyState = 0;
  onopen: SocketLike['onopen'] = null;
  onmessage: SocketLike['onmessage'] = null;
  onclose: SocketLike['onclose'] = null;
  onerror: SocketLike['onerror'] = null;
  sent: string[] = [];
  closed = false;
  constructor(readonly url: string) {}
  send(d: string): void {
    this.sent.push(d);
  }
  close(): void {
    this.closed = true;
  }
  deliver(m: ServerMessage): void {
    this.onmessage?.({ data: encodeMessage(m) });
  }
  drop(): void {
    this.onclose?.({ code: 1006, reason: '' });
  }
}

/** Timers run by hand: no real time passes in these tests. */
function harness() {
  const sockets: FakeSocket[] = [];
  const timers = new Map<number, { fn: () => void; ms: number }>();
  let next = 1;
  const client = new ClassroomClient({
    url: 'ws://127.0.0.1:4173/classroom',
    makeSocket: (url) => {
      const s = new FakeSocket(url);
      sockets.push(s);
      return s;
    },
    setTimer: (fn, ms) => {
      timers.set(next, { fn, ms });
      return next++;
    },
    clearTimer: (t) => void timers.delete(t as number),
  });
  const fire = (): number => {
    const [id, t] = [...timers.entries()][0]!;
    timers.delete(id);
    t.fn();
    return t.ms;
  };
  return { client, sockets, timers, fire };
}

function summary(id: string, over: Partial<ConnectionSummary> = {}): ConnectionSummary {
  return { id, label: 'p', peer: '127.0.0.1:1', user: null, clientVersion: null, stage: 'connected', phase: 1, authMethod: null, authFailures: 0, command: null, exitStatus: null, opened: 0, closed: null, closeMessage: null, total: 0, dropped: 0, ...over };
}

const ev = (i: number): SshEvent => ({ seq: i, t: 0, side: 'server', phase: 5, type: 'info', message: `m${i}` });
const hello = (connections: ConnectionSummary[] = []): ServerMessage => ({ type: 'hello', protocol: CLASSROOM_PROTOCOL, limits: DEFAULT_FEED_LIMITS, info: { kind: 'classroom', sshPort: 2222 }, connections, removed: 0 });

describe('ClassroomClient', () => {
  it('derives the feed URL from the page location', () => {
    expect(feedUrlFor({ protocol: 'http:', host: '127.0.0.1:4173' })).toBe('ws://127.0.0.1:4173/classroom');
    expect(feedUrlFor({ protocol: 'https:', host: 'example.org' })).toBe('wss://example.org/classroom');
  });

  it('no hello in time: the page was not served with --ssh-port ("unavailable", no retry loop)', () => {
    const h = harness();
    h.client.start();
    expect(h.client.status).toBe('connecting');
    h.fire();
    expect(h.client.status).toBe('unavailable');
    expect(h.sockets[0]!.closed).toBe(true);
    expect(h.timers.size).toBe(0);
  });

  it('a probe saying "no feed" means no WebSocket at all', async () => {
    const sockets: unknown[] = [];
    const client = new ClassroomClient({ url: 'ws://h/classroom', probe: async () => false, makeSocket: () => { throw new Error(String(sockets.push(1))); } });
    client.start();
    await Promise.resolve();
    await Promise.resolve();
    expect(client.status).toBe('unavailable');
    expect(sockets).toEqual([]);
  });

  it('a refused socket before any hello is also "unavailable"', () => {
    const h = harness();
    h.client.start();
    h.sockets[0]!.drop();
    expect(h.client.status).toBe('unavailable');
  });

  it('hello → live; watching mirrors only that connection; summaries update', () => {
    const h = harness();
    h.client.start();
    const s = h.sockets[0]!;
    s.deliver(hello([summary('c1'), summary('c2')]));
    expect(h.client.status).toBe('live');
    expect(h.client.info).toEqual({ kind: 'classroom', sshPort: 2222 });
    expect([...h.client.connections.keys()]).toEqual(['c1', 'c2']);
    h.client.watch('c2');
    expect(JSON.parse(s.sent.at(-1)!)).toEqual({ type: 'watch', ids: ['c2'] });
    s.deliver({ type: 'events', id: 'c1', start: 0, events: [ev(0)], headLen: 1, tailStart: 1 });
    s.deliver({ type: 'events', id: 'c2', start: 0, events: [ev(0), ev(1)], headLen: 2, tailStart: 2 });
    s.deliver({ type: 'events', id: 'c2', start: 2, events: [ev(2)], headLen: 3, tailStart: 3 });
    expect(h.client.events()).toEqual([ev(0), ev(1), ev(2)]);
    s.deliver({ type: 'connection', conn: summary('c2', { user: 'alice', stage: 'logged-in' }) });
    expect(h.client.connections.get('c2')!.user).toBe('alice');
    s.deliver({ type: 'removed', id: 'c1', removed: 1 });
    expect([...h.client.connections.keys()]).toEqual(['c2']);
    expect(h.client.removed).toBe(1);
  });

  it('after a drop it reconnects with backoff, then asks again for the watched connection from the start', () => {
    const h = harness();
    h.client.start();
    h.sockets[0]!.deliver(hello([summary('c1')]));
    h.client.watch('c1');
    h.sockets[0]!.deliver({ type: 'events', id: 'c1', start: 0, events: [ev(0)], headLen: 1, tailStart: 1 });
    h.sockets[0]!.drop();
    expect(h.client.status).toBe('retrying');
    expect(h.fire()).toBe(500);
    expect(h.sockets).toHaveLength(2);
    h.sockets[1]!.drop();
    h.fire(); // hello timer of the second socket is cleared by the drop; this is the backoff
    expect(h.sockets).toHaveLength(3);
    const s = h.sockets[2]!;
    s.deliver(hello([summary('c1', { total: 2 })]));
    expect(h.client.status).toBe('live');
    expect(JSON.parse(s.sent.at(-1)!)).toEqual({ type: 'watch', ids: ['c1'] });
    s.deliver({ type: 'events', id: 'c1', start: 0, events: [ev(0), ev(1)], headLen: 2, tailStart: 2 });
    expect(h.client.events()).toEqual([ev(0), ev(1)]);
  });

  it('out-of-step events make it ask for the log again', () => {
    const h = harness();
    h.client.start();
    const s = h.sockets[0]!;
    s.deliver(hello([summary('c1')]));
    h.client.watch('c1');
    const before = s.sent.length;
    // events from index 5 while the head (3 long on the server) was never received
    s.deliver({ type: 'events', id: 'c1', start: 5, events: [ev(5)], headLen: 3, tailStart: 5 });
    expect(s.sent.length).toBe(before + 1);
    expect(h.client.events()).toEqual([]);
  });
});
