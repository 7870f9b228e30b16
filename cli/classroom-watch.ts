// A Node client of the classroom feed (app/lib/classroom-protocol.ts): what the page does, for tests
// and scripts. Connects to ws://HOST:PORT/classroom with the page's Origin, watches connections and
// keeps their events mirrored.

import { WebSocket } from 'ws';
import type { SshEvent } from '../engine/index.ts';
import { CLASSROOM_PATH, EventMirror, decodeServerMessage, type ConnectionSummary, type FeedInfo, type ServerMessage } from '../app/lib/classroom-protocol.ts';

export interface FeedWatcher {
  ws: WebSocket;
  /** Every message received, in order. */
  messages: ServerMessage[];
  info: FeedInfo | null;
  /** Latest summary per connection id. */
  connections: Map<string, ConnectionSummary>;
  /** Events of watched connections. */
  events(id: string): SshEvent[];
  watch(ids: string[] | '*'): void;
  /** Resolves when `pred` holds (checked after every message); rejects after `timeoutMs`. */
  until(pred: () => boolean, what: string, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** Opens the feed of the `sshscope start` at `baseUrl` ("http://127.0.0.1:PORT/"), as its page would. */
export async function watchFeed(baseUrl: string, opts: { origin?: string; watch?: string[] | '*' } = {}): Promise<FeedWatcher> {
  const u = new URL(baseUrl);
  const ws = new WebSocket(`ws://${u.host}${CLASSROOM_PATH}`, { origin: opts.origin ?? u.origin });
  const messages: ServerMessage[] = [];
  const connections = new Map<string, ConnectionSummary>();
  const mirrors = new Map<string, EventMirror>();
  const checks = new Set<() => void>();
  let closedWith: string | null = null;
  const w: FeedWatcher = {
    ws,
    messages,
    info: null,
    connections,
    events: (id) => mirrors.get(id)?.events() ?? [],
    watch(ids) {
      mirrors.clear();
      ws.send(JSON.stringify({ type: 'watch', ids }));
    },
    until(pred, what, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        if (pred()) return resolve();
        const check = (): void => {
          if (pred()) {
            clearTimeout(timer);
            checks.delete(check);
            resolve();
          } else if (closedWith !== null) {
            clearTimeout(timer);
            checks.delete(check);
            reject(new Error(`feed closed (${closedWith}) while waiting for ${what}`));
          }
        };
        const timer = setTimeout(() => {
          checks.delete(check);
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
        }, timeoutMs);
        checks.add(check);
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (ws.readyState === ws.CLOSED) return resolve();
        ws.once('close', () => resolve());
        ws.close();
      }),
  };
  ws.on('message', (data) => {
    const m = decodeServerMessage(String(data));
    messages.push(m);
    switch (m.type) {
      case 'hello':
        w.info = m.info;
        for (const c of m.connections) connections.set(c.id, c);
        break;
      case 'info':
        w.info = m.info;
        break;
      case 'connection':
        connections.set(m.conn.id, m.conn);
        break;
      case 'removed':
        connections.delete(m.id);
        mirrors.delete(m.id);
        break;
      case 'events': {
        let mir = mirrors.get(m.id);
        if (!mir) mirrors.set(m.id, (mir = new EventMirror()));
        if (!mir.append(m)) throw new Error(`classroom feed: events of ${m.id} out of order`);
        break;
      }
    }
    for (const c of [...checks]) c();
  });
  ws.on('close', (code, reason) => {
    closedWith = `${code} ${String(reason)}`;
    for (const c of [...checks]) c();
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  await w.until(() => messages.some((m) => m.type === 'hello'), 'hello', 10_000);
  if (opts.watch) w.watch(opts.watch);
  return w;
}
