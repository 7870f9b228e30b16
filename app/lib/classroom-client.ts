// The page's side of the classroom feed (wire format: classroom-protocol.ts). Connects to
// /classroom on the server that served the page, keeps every connection's summary, mirrors the
// events of the one connection being watched, and reconnects when the socket drops. No runes and no
// DOM beyond a WebSocket constructor, so it is unit-testable; classroom-state.svelte.ts makes it
// reactive for the panel.

import type { SshEvent } from '../../engine/events.ts';
import { CLASSROOM_PATH, CLASSROOM_PROTOCOL, FEED_PROBE, EventMirror, decodeServerMessage, type ConnectionSummary, type FeedInfo, type FeedLimits } from './classroom-protocol.ts';

/** connecting: waiting for the hello · live · retrying after a drop · unavailable: no feed on this server */
export type FeedStatus = 'idle' | 'connecting' | 'live' | 'retrying' | 'unavailable';

/** The subset of WebSocket the client uses (tests pass a fake). */
export interface SocketLike {
  readonly readyState: number;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export interface ClassroomClientOptions {
  /** ws(s)://host/classroom; default from location. */
  url: string;
  makeSocket?: (url: string) => SocketLike;
  /**
   * Asks the server whether it has a feed before opening a WebSocket (default: GET the feed path
   * and look for the JSON note, see FEED_PROBE), so a page on a server without one logs no error.
   */
  probe?: () => Promise<boolean>;
  /** How long to wait for the hello before deciding there is no feed (ms). */
  helloTimeoutMs?: number;
  /** Called after every change (batched by the caller if it wants). */
  onChange?: () => void;
  /** Called when the watched connection got new events. */
  onEvents?: (id: string) => void;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (t: unknown) => void;
}

/** The default probe: GET http(s)://host/classroom answers JSON only when the feed is mounted. */
export async function probeFeed(wsUrl: string): Promise<boolean> {
  try {
    const res = await fetch(wsUrl.replace(/^ws/, 'http'), { cache: 'no-store' });
    if (!res.ok || !(res.headers.get('content-type') ?? '').startsWith('application/json')) return false;
    const body = (await res.json()) as { feed?: unknown };
    return body.feed === FEED_PROBE;
  } catch {
    return false;
  }
}

/** The feed URL of the page's own server. */
export function feedUrlFor(location: { protocol: string; host: string }): string {
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}${CLASSROOM_PATH}`;
}

export class ClassroomClient {
  status: FeedStatus = 'idle';
  info: FeedInfo | null = null;
  limits: FeedLimits | null = null;
  /** Connections dropped from the server's list so far. */
  removed = 0;
  /** Summaries by id, in the order the server added them. */
  readonly connections = new Map<string, ConnectionSummary>();
  /** The connection whose events are mirrored, if any. */
  watched: string | null = null;
  private mirror = new EventMirror();
  private socket: SocketLike | null = null;
  private everLive = false;
  private retries = 0;
  private timer: unknown = null;
  private stopped = true;
  private attempt = 0;
  private readonly o: Required<Pick<ClassroomClientOptions, 'helloTimeoutMs'>> & ClassroomClientOptions;

  constructor(o: ClassroomClientOptions) {
    this.o = { helloTimeoutMs: 3000, ...o };
  }

  private setTimer(fn: () => void, ms: number): unknown {
    return this.o.setTimer ? this.o.setTimer(fn, ms) : setTimeout(fn, ms);
  }

  private clearTimer(): void {
    if (this.timer === null) return;
    if (this.o.clearTimer) this.o.clearTimer(this.timer);
    else clearTimeout(this.timer as ReturnType<typeof setTimeout>);
    this.timer = null;
  }

  private changed(): void {
    this.o.onChange?.();
  }

  /** Opens the feed (again). */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.open();
  }

  stop(): void {
    this.stopped = true;
    this.clearTimer();
    const s = this.socket;
    this.socket = null;
    if (s) {
      s.onclose = null;
      s.close();
    }
    this.status = 'idle';
    this.changed();
  }

  /** Tries again now (after 'unavailable'). */
  retry(): void {
    this.stop();
    this.everLive = false;
    this.retries = 0;
    this.start();
  }

  /** Mirrors this connection's events from now on (null: none). */
  watch(id: string | null): void {
    this.watched = id;
    this.mirror = new EventMirror();
    this.sendWatch();
    this.changed();
  }

  /** The watched connection's kept events. */
  events(): SshEvent[] {
    return this.mirror.events();
  }

  /** Events the server dropped from the middle of the watched connection. */
  get dropped(): number {
    return this.mirror.dropped;
  }

  private sendWatch(): void {
    if (this.status !== 'live' || !this.socket) return;
    this.socket.send(JSON.stringify({ type: 'watch', ids: this.watched ? [this.watched] : [] }));
  }

  private open(): void {
    this.clearTimer();
    this.status = this.everLive ? 'retrying' : 'connecting';
    this.changed();
    const attempt = ++this.attempt;
    const probe = this.o.probe ?? (this.o.makeSocket ? null : () => probeFeed(this.o.url));
    if (!probe) return this.openSocket();
    void probe().then((ok) => {
      if (this.stopped || attempt !== this.attempt) return;
      if (ok) this.openSocket();
      else this.failed();
    });
  }

  private openSocket(): void {
    let s: SocketLike;
    try {
      s = this.o.makeSocket ? this.o.makeSocket(this.o.url) : (new WebSocket(this.o.url) as unknown as SocketLike);
    } catch {
      this.failed();
      return;
    }
    this.socket = s;
    let hello = false;
    // a server without the feed may neither answer nor refuse the upgrade: give up after a while
    this.timer = this.setTimer(() => {
      if (!hello && this.socket === s) {
        s.onclose = null;
        s.close();
        this.socket = null;
        this.failed();
      }
    }, this.o.helloTimeoutMs);
    s.onmessage = (ev) => {
      if (this.socket !== s || typeof ev.data !== 'string') return;
      let m;
      try {
        m = decodeServerMessage(ev.data);
      } catch {
        return;
      }
      switch (m.type) {
        case 'hello':
          if (m.protocol !== CLASSROOM_PROTOCOL) return;
          hello = true;
          this.clearTimer();
          this.everLive = true;
          this.retries = 0;
          this.status = 'live';
          this.info = m.info;
          this.limits = m.limits;
          this.removed = m.removed;
          this.connections.clear();
          for (const c of m.connections) this.connections.set(c.id, c);
          this.mirror = new EventMirror();
          this.sendWatch();
          break;
        case 'info':
          this.info = m.info;
          break;
        case 'connection':
          this.connections.set(m.conn.id, m.conn);
          break;
        case 'removed':
          this.connections.delete(m.id);
          this.removed = m.removed;
          break;
        case 'events':
          if (m.id !== this.watched) return;
          if (!this.mirror.append(m)) {
            // out of step (should not happen): ask for the whole log again
            this.mirror = new EventMirror();
            this.sendWatch();
            return;
          }
          this.o.onEvents?.(m.id);
          break;
      }
      this.changed();
    };
    s.onclose = () => {
      if (this.socket !== s) return;
      this.socket = null;
      this.failed();
    };
    s.onerror = () => {
      /* onclose follows */
    };
  }

  private failed(): void {
    this.clearTimer();
    if (this.stopped) return;
    if (!this.everLive) {
      // never reached a feed: this page was not served by `start --ssh-port`
      this.status = 'unavailable';
      this.changed();
      return;
    }
    this.status = 'retrying';
    this.changed();
    const delay = Math.min(10_000, 500 * 2 ** Math.min(this.retries++, 5));
    this.timer = this.setTimer(() => {
      this.timer = null;
      if (!this.stopped) this.open();
    }, delay);
  }
}
