// The live event feed behind the classroom mode (issue 7 §2), reusable by any producer of SSH
// event logs (the classroom server, mitm's two legs). Wire format: app/lib/classroom-protocol.ts.
//
//   const feed = createFeed();                        // limits optional
//   const id = feed.addConnection({ peer: '10.0.0.7:51234', label?, group?, role? });
//   feed.publish(id, event);                          // every SshEvent, in order
//   feed.close(id, 'client disconnected');            // optional: a 'closed' event does it too
//   feed.setInfo({ kind: 'classroom', sshPort, … });  // shown beside the lanes
//   const endpoint = feed.attach(httpServer, { path: '/classroom' });   // WebSocket endpoint
//   await endpoint.close(); feed.dispose();
//
// Memory is bounded (FeedLimits): per connection a head and a tail of events (JSON text, counted
// in bytes), a number of connections kept (closed ones are dropped first) and a total byte budget.
// Pages are sent summaries of every connection and the events of the connections they watch,
// batched every FLUSH_MS. The endpoint checks Origin and Host like the bridge (cli/bridge.ts).

import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { FieldNode, SshEvent } from '../engine/index.ts';
import {
  CLASSROOM_PATH,
  CLASSROOM_PROTOCOL,
  DEFAULT_FEED_LIMITS,
  FEED_PROBE,
  bytesReplacer,
  decodePageMessage,
  stageOf,
  type ConnectionSummary,
  type FeedInfo,
  type FeedLimits,
  type ServerMessage,
} from '../app/lib/classroom-protocol.ts';
import { ownOrigins } from './bridge.ts';
import { hostAllowed } from './static-server.ts';

export { CLASSROOM_PATH, DEFAULT_FEED_LIMITS, type ConnectionSummary, type FeedInfo, type FeedLimits };

/** Pages get new events this often (ms). */
export const FLUSH_MS = 30;
/** A page whose socket holds more than this unsent is cut off (it reconnects and catches up). */
const PAGE_HIGH_WATER = 32 * 1024 * 1024;
/** WebSocket close codes of the feed (RFC 6455 §7.4.2 application range). */
export const FEED_CLOSE = { badOrigin: 4401, tooSlow: 4413, goingAway: 1001 } as const;

export interface NewConnection {
  /** "ip:port" of the peer. */
  peer: string;
  label?: string;
  group?: string;
  role?: string;
}

export interface FeedAttachOptions {
  /** URL path (default /classroom). */
  path?: string;
  /** Allowed Origin values; default the server's own loopback origins (bridge.ts ownOrigins). */
  origins?: readonly string[];
  log?: (line: string) => void;
}

export interface FeedEndpoint {
  /** Pages connected now. */
  readonly pages: number;
  close(): Promise<void>;
}

export interface Feed {
  readonly limits: FeedLimits;
  addConnection(c: NewConnection): string;
  publish(id: string, e: SshEvent): void;
  /** Marks a connection closed (when no 'closed' event came, e.g. the socket died). */
  close(id: string, message?: string): void;
  setInfo(info: FeedInfo | null): void;
  attach(server: Server, opts?: FeedAttachOptions): FeedEndpoint;
  /** Summaries of the connections kept, oldest first. */
  connections(): ConnectionSummary[];
  /** The kept events of a connection (decoded from the stored JSON), or null when unknown. */
  eventsOf(id: string): SshEvent[] | null;
  /** Connections dropped from the list so far. */
  readonly removed: number;
  /** Stops timers; pages attached stay until their endpoint is closed. */
  dispose(): void;
}

/** One connection's kept events as JSON strings. */
interface Stored {
  summary: ConnectionSummary;
  head: string[];
  headBytes: number;
  /** Once the head is full, everything goes to the tail. */
  headFull: boolean;
  tail: string[];
  /** tail[tailOff] is the oldest kept tail event (a queue without shifting). */
  tailOff: number;
  tailBytes: number;
  dirty: boolean;
}

interface Page {
  ws: WebSocket;
  /** Watched ids ('*' = all) and, per id, how many events (by index) it has been sent. */
  watch: Set<string> | '*';
  sent: Map<string, number>;
}

function tailLen(c: Stored): number {
  return c.tail.length - c.tailOff;
}

function tailStartOf(c: Stored): number {
  return c.summary.total - tailLen(c);
}

export function createFeed(limitsIn: Partial<FeedLimits> = {}): Feed {
  const limits: FeedLimits = { ...DEFAULT_FEED_LIMITS, ...limitsIn };
  const replacer = bytesReplacer((b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64'));
  const conns = new Map<string, Stored>();
  const pages = new Set<Page>();
  let info: FeedInfo | null = null;
  let nextId = 1;
  let removed = 0;
  let totalBytes = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const outbox: string[] = []; // messages for every page (summaries, removals, info)

  const sendAll = (text: string): void => {
    for (const p of pages) sendTo(p, text);
  };
  const sendTo = (p: Page, text: string): void => {
    if (p.ws.readyState !== p.ws.OPEN) return;
    if (p.ws.bufferedAmount > PAGE_HIGH_WATER) {
      p.ws.close(FEED_CLOSE.tooSlow, 'page too slow: reconnect to catch up');
      pages.delete(p);
      return;
    }
    p.ws.send(text);
  };

  const schedule = (): void => {
    if (timer) return;
    timer = setTimeout(flush, FLUSH_MS);
    timer.unref?.();
  };

  /** The events of `c` from index `from` on, as (start, JSON strings) pieces that are each contiguous. */
  const piecesFrom = (c: Stored, from: number): { start: number; items: string[] }[] => {
    const out: { start: number; items: string[] }[] = [];
    if (from < c.head.length) out.push({ start: from, items: c.head.slice(from) });
    const ts = tailStartOf(c);
    const f = Math.max(from, ts);
    if (f < c.summary.total) out.push({ start: f, items: c.tail.slice(c.tailOff + (f - ts)) });
    return out;
  };

  const eventsMessage = (c: Stored, start: number, items: string[]): string =>
    `{"type":"events","id":${JSON.stringify(c.summary.id)},"start":${start},"headLen":${c.head.length},"tailStart":${tailStartOf(c)},"events":[${items.join(',')}]}`;

  const flush = (): void => {
    timer = null;
    for (const text of outbox.splice(0)) sendAll(text);
    for (const c of conns.values()) {
      if (!c.dirty) continue;
      c.dirty = false;
      sendAll(JSON.stringify({ type: 'connection', conn: c.summary } satisfies ServerMessage));
    }
    for (const p of pages) {
      const ids = p.watch === '*' ? [...conns.keys()] : [...p.watch];
      for (const id of ids) {
        const c = conns.get(id);
        if (!c) continue;
        const sent = p.sent.get(id) ?? 0;
        if (sent >= c.summary.total) continue;
        for (const piece of piecesFrom(c, sent)) sendTo(p, eventsMessage(c, piece.start, piece.items));
        p.sent.set(id, c.summary.total);
      }
    }
  };

  const remove = (id: string): void => {
    const c = conns.get(id);
    if (!c) return;
    conns.delete(id);
    totalBytes -= c.headBytes + c.tailBytes;
    removed++;
    for (const p of pages) p.sent.delete(id);
    outbox.push(JSON.stringify({ type: 'removed', id, removed } satisfies ServerMessage));
    schedule();
  };

  /** Drops connections (closed first, oldest first) until the limits hold; `keep` is never dropped. */
  const enforceConnectionLimits = (keep: string | null): void => {
    const over = () => conns.size > limits.connections || totalBytes > limits.totalBytes;
    while (over()) {
      let victim: string | null = null;
      for (const [id, c] of conns) {
        if (id !== keep && c.summary.closed !== null) {
          victim = id;
          break;
        }
      }
      if (victim === null && conns.size > limits.connections) {
        for (const id of conns.keys()) {
          if (id !== keep) {
            victim = id;
            break;
          }
        }
      }
      if (victim === null) return;
      remove(victim);
    }
  };

  const store = (c: Stored, text: string): void => {
    const n = text.length;
    c.summary.total++;
    if (!c.headFull && c.head.length < limits.headEvents && c.headBytes + n <= limits.headBytes) {
      c.head.push(text);
      c.headBytes += n;
      totalBytes += n;
      return;
    }
    c.headFull = true;
    c.tail.push(text);
    c.tailBytes += n;
    totalBytes += n;
    while (tailLen(c) > 0 && (tailLen(c) > limits.tailEvents || c.tailBytes > limits.tailBytes)) {
      const old = c.tail[c.tailOff]!;
      c.tail[c.tailOff] = '';
      c.tailOff++;
      c.tailBytes -= old.length;
      totalBytes -= old.length;
      c.summary.dropped++;
    }
    if (c.tailOff > 1024 && c.tailOff * 2 > c.tail.length) {
      c.tail = c.tail.slice(c.tailOff);
      c.tailOff = 0;
    }
  };

  const summarize = (s: ConnectionSummary, e: SshEvent): void => {
    s.stage = stageOf(e, s.stage);
    if (e.phase > s.phase) s.phase = e.phase;
    switch (e.type) {
      case 'version':
        if (e.dir === 'c2s') s.clientVersion = e.line;
        break;
      case 'auth':
        if (e.user && (s.user === null || e.result === 'success')) s.user = e.user;
        if (e.result === 'success') s.authMethod = e.method;
        if (e.result === 'failure' && e.method !== 'none') s.authFailures++;
        break;
      case 'channel': {
        const d = (e.detail ?? {}) as Record<string, unknown>;
        if (e.change === 'request' && d.accepted !== false) {
          if (d.request === 'exec') s.command = typeof d.command === 'string' ? d.command : d.command instanceof Uint8Array ? new TextDecoder().decode(d.command) : 'exec';
          else if (d.request === 'shell') s.command = 'shell';
          else if (d.request === 'subsystem') s.command = `subsystem ${String(d.subsystemName ?? d.name ?? '')}`;
        }
        if (e.change === 'exit-status') {
          const st = d.status ?? d.exitStatus;
          if (typeof st === 'number') s.exitStatus = st;
        }
        break;
      }
      case 'packet': {
        // our server's own exit-status goes out as a packet (RFC 4254 §6.10)
        if (e.msg !== 'SSH_MSG_CHANNEL_REQUEST' || !e.tree) break;
        const kind = findField(e.tree, (n) => n.path.endsWith('requestType'));
        const st = findField(e.tree, (n) => n.path.endsWith('exitStatus'));
        if (kind?.value === 'exit-status' && typeof st?.value === 'number') s.exitStatus = st.value;
        break;
      }
      case 'closed':
        s.closed ??= Date.now();
        s.closeMessage ??= e.message;
        break;
    }
  };

  const feed: Feed = {
    limits,
    get removed() {
      return removed;
    },
    addConnection(nc) {
      const id = `c${nextId++}`;
      const summary: ConnectionSummary = {
        id,
        label: nc.label ?? nc.peer,
        peer: nc.peer,
        ...(nc.group !== undefined ? { group: nc.group } : {}),
        ...(nc.role !== undefined ? { role: nc.role } : {}),
        user: null,
        clientVersion: null,
        stage: 'connected',
        phase: 1,
        authMethod: null,
        authFailures: 0,
        command: null,
        exitStatus: null,
        opened: Date.now(),
        closed: null,
        closeMessage: null,
        total: 0,
        dropped: 0,
      };
      conns.set(id, { summary, head: [], headBytes: 0, headFull: false, tail: [], tailOff: 0, tailBytes: 0, dirty: true });
      enforceConnectionLimits(id);
      schedule();
      return id;
    },
    publish(id, e) {
      const c = conns.get(id);
      if (!c) return; // dropped from the list (or never added): its events are not kept
      summarize(c.summary, e);
      store(c, JSON.stringify(e, replacer));
      c.dirty = true;
      if (totalBytes > limits.totalBytes) enforceConnectionLimits(id);
      schedule();
    },
    close(id, message = 'connection closed') {
      const c = conns.get(id);
      if (!c || c.summary.closed !== null) return;
      c.summary.closed = Date.now();
      c.summary.closeMessage = message;
      c.summary.stage = 'closed';
      c.dirty = true;
      schedule();
    },
    setInfo(next) {
      info = next;
      outbox.push(JSON.stringify({ type: 'info', info } satisfies ServerMessage));
      schedule();
    },
    connections: () => [...conns.values()].map((c) => ({ ...c.summary })),
    eventsOf(id) {
      const c = conns.get(id);
      if (!c) return null;
      const texts = c.head.concat(c.tail.slice(c.tailOff));
      return JSON.parse(`[${texts.join(',')}]`, (k, v) => reviveBytes(k, v)) as SshEvent[];
    },
    dispose() {
      if (timer) clearTimeout(timer);
      timer = null;
    },
    attach(server, opts = {}) {
      const path = opts.path ?? CLASSROOM_PATH;
      const log = opts.log ?? (() => {});
      const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024, perMessageDeflate: false });
      const mine = new Set<Page>();
      let closing = false;
      const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
        const pathname = new URL(req.url ?? '/', 'http://feed.invalid').pathname;
        if (pathname !== path) return; // another handler (the bridge) may own it
        if (closing) {
          socket.destroy();
          return;
        }
        wss.handleUpgrade(req, socket, head, (ws) => {
          const a = server.address();
          const listen = a && typeof a === 'object' ? { host: a.address, port: a.port } : { host: '127.0.0.1', port: 0 };
          const origins = opts.origins ?? ownOrigins(listen.port, listen.host);
          const origin = req.headers.origin;
          if (!origin || !origins.includes(origin) || !hostAllowed(req.headers.host, listen.host)) {
            log(`classroom: refused a page from origin ${origin ?? '(none)'}`);
            ws.close(FEED_CLOSE.badOrigin, 'origin not allowed');
            return;
          }
          const page: Page = { ws, watch: new Set(), sent: new Map() };
          pages.add(page);
          mine.add(page);
          const hello: ServerMessage = { type: 'hello', protocol: CLASSROOM_PROTOCOL, limits, info, connections: [...conns.values()].map((c) => c.summary), removed };
          ws.send(JSON.stringify(hello));
          ws.on('message', (data, isBinary) => {
            if (isBinary) return;
            const m = decodePageMessage(String(data));
            if (!m) return;
            page.watch = m.ids === '*' ? '*' : new Set(m.ids);
            page.sent = new Map(); // replay every watched connection from its start
            schedule();
          });
          const drop = (): void => {
            pages.delete(page);
            mine.delete(page);
          };
          ws.on('close', drop);
          ws.on('error', drop);
        });
      };
      server.on('upgrade', onUpgrade);
      // A plain GET of the same path answers with a small JSON note, so the page can tell that
      // this server has a feed before it opens a WebSocket (a refused or unanswered upgrade
      // would put an error in the browser's console). Every other request goes to the handlers
      // that were there before (the static server).
      const before = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
      const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
        const pathname = new URL(req.url ?? '/', 'http://feed.invalid').pathname;
        if (pathname === path && (req.method === 'GET' || req.method === 'HEAD')) {
          const a = server.address();
          const listenHost = a && typeof a === 'object' ? a.address : '127.0.0.1';
          if (!hostAllowed(req.headers.host, listenHost)) {
            res.writeHead(403, { 'content-type': 'text/plain; charset=utf-8' }).end('forbidden host\n');
            return;
          }
          const body = JSON.stringify({ feed: FEED_PROBE, protocol: CLASSROOM_PROTOCOL });
          res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body) });
          res.end(req.method === 'HEAD' ? undefined : body);
          return;
        }
        for (const l of before) l.call(server, req, res);
      };
      server.removeAllListeners('request');
      server.on('request', onRequest);
      return {
        get pages() {
          return mine.size;
        },
        close: async () => {
          closing = true;
          server.off('upgrade', onUpgrade);
          server.off('request', onRequest);
          for (const l of before) server.on('request', l);
          for (const p of mine) {
            pages.delete(p);
            if (p.ws.readyState === p.ws.OPEN) p.ws.close(FEED_CLOSE.goingAway, 'sshscope is shutting down');
          }
          mine.clear();
          for (const ws of wss.clients) ws.terminate();
          await new Promise<void>((done) => wss.close(() => done()));
        },
      };
    },
  };
  return feed;
}

function findField(n: FieldNode, pred: (n: FieldNode) => boolean): FieldNode | null {
  if (pred(n)) return n;
  for (const c of n.children ?? []) {
    const f = findField(c, pred);
    if (f) return f;
  }
  return null;
}

function reviveBytes(_key: string, value: unknown): unknown {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const o = value as Record<string, unknown>;
    if (typeof o.$b64 === 'string' && Object.keys(o).length === 1) return new Uint8Array(Buffer.from(o.$b64, 'base64'));
    if (typeof o.$big === 'string' && Object.keys(o).length === 1) return BigInt(o.$big);
  }
  return value;
}
