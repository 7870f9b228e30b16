// The classroom feed's wire format (server: cli/classroom-feed.ts, page: app/lib/classroom-client.ts).
// JSON text frames over a WebSocket at /classroom on the HTTP server of `sshscope start`.
// Pure TypeScript (no node:, no DOM) so both sides share it.
//
// server → page
//   hello       once, first: protocol version, limits, the info block, every connection's summary
//   info        the info block changed (e.g. the authorized_keys file was edited)
//   connection  one connection's summary, new or changed
//   removed     a connection was dropped from the list (memory limit)
//   events      events of a watched connection, in order; after a `watch` the server sends each
//               watched connection's kept events again from the start (start = 0)
// page → server
//   watch       which connections' events to send: a list of ids or '*' for all (replaces the
//               previous list; every listed connection is replayed from its first kept event)
//
// Events are engine SshEvents (engine/events.ts) as JSON; a Uint8Array becomes {"$b64": "…"} and a
// bigint {"$big": "…"}, so decoding gives back exactly the structured-clone-able event.
//
// Memory bound, mirrored by the page: each connection keeps a HEAD (its first events: the
// handshake, authentication, the session request) up to a count and byte limit, then a TAIL that
// keeps only the newest events within its own limits. Events between head and tail are dropped;
// `dropped` counts them. An `events` message says how long the head is and where the tail starts,
// so the page trims exactly as the server did.

import type { Phase, SshEvent } from '../../engine/events.ts';

export const CLASSROOM_PATH = '/classroom';
export const CLASSROOM_PROTOCOL = 1;
/** A plain GET of CLASSROOM_PATH answers {"feed": FEED_PROBE, "protocol": 1} when the server has a feed. */
export const FEED_PROBE = 'sshscope-classroom';

/** Limits of the feed (the page shows them when something was dropped). */
export interface FeedLimits {
  /** Events kept from the start of each connection. */
  headEvents: number;
  headBytes: number;
  /** Newest events kept after the head. */
  tailEvents: number;
  tailBytes: number;
  /** Connections kept in the list (closed ones are dropped first). */
  connections: number;
  /** All kept events of all connections together (JSON bytes). */
  totalBytes: number;
}

export const DEFAULT_FEED_LIMITS: FeedLimits = {
  headEvents: 600,
  headBytes: 4 * 1024 * 1024,
  tailEvents: 2000,
  tailBytes: 4 * 1024 * 1024,
  connections: 100,
  totalBytes: 256 * 1024 * 1024,
};

/** A login a student may use. The password is shown on the teacher's page (it is the class's). */
export interface ClassUser {
  name: string;
  password?: string;
  /** True when the authorized_keys file applies to this user. */
  publickey: boolean;
}

/** What the page shows next to the lanes: how to connect, who may log in, the authorized_keys. */
export interface FeedInfo {
  /** 'classroom' for `start --ssh-port`; other producers (mitm) name themselves. */
  kind: string;
  /** The SSH server's port, and the host names students type (LAN addresses when not loopback). */
  sshPort?: number;
  sshHosts?: string[];
  /** The address the SSH server listens on. */
  listenHost?: string;
  users?: ClassUser[];
  /** The authorized_keys file the server reads (path and current text), if any; error: 'missing' or an errno code. */
  authorizedKeys?: { file: string; text: string; error?: string } | null;
  /** The server's host keys (type and SHA256 fingerprint), so students can check the prompt. */
  hostKeys?: { type: string; fingerprint: string }[];
  /** Free text lines the producer wants shown (the page shows its own translated text instead where it has one, e.g. for `mitm`). */
  notes?: string[];
  /** `sshscope mitm`: where real clients connect and the real server their sessions are relayed to. */
  mitm?: { listen: string; target: string };
}

/** How far a connection got. */
export type ConnectionStage = 'connected' | 'kex' | 'auth' | 'logged-in' | 'session' | 'closed';

/** One lane of the page. */
export interface ConnectionSummary {
  id: string;
  /** Shown as the lane title (default: the peer address). */
  label: string;
  /** Peer address "ip:port". */
  peer: string;
  /** Several connections that belong together (the two legs of a mitm session). */
  group?: string;
  /** This connection's role in its group, e.g. "client leg". */
  role?: string;
  /** The user name once known (attempted, then confirmed by success). */
  user: string | null;
  /** The client's identification line (RFC 4253 §4.2), once received. */
  clientVersion: string | null;
  stage: ConnectionStage;
  /** Highest phase reached (DESIGN.md "The five phases"). */
  phase: Phase;
  authMethod: string | null;
  authFailures: number;
  /** The last exec command or "shell". */
  command: string | null;
  exitStatus: number | null;
  /** ms since the epoch. */
  opened: number;
  closed: number | null;
  closeMessage: string | null;
  /** Events published so far (kept or not). */
  total: number;
  /** Events dropped between head and tail. */
  dropped: number;
}

export type ServerMessage =
  | { type: 'hello'; protocol: number; limits: FeedLimits; info: FeedInfo | null; connections: ConnectionSummary[]; removed: number }
  | { type: 'info'; info: FeedInfo | null }
  | { type: 'connection'; conn: ConnectionSummary }
  | { type: 'removed'; id: string; removed: number }
  | { type: 'events'; id: string; start: number; events: SshEvent[]; headLen: number; tailStart: number };

export type PageMessage = { type: 'watch'; ids: string[] | '*' };

// ---- JSON with bytes ---------------------------------------------------------------------------

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_INDEX = new Int16Array(128).fill(-1);
for (let i = 0; i < B64.length; i++) B64_INDEX[B64.charCodeAt(i)] = i;

/** RFC 4648 §4 base64 with padding. */
export function toBase64(b: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < b.length; i += 3) {
    const n = (b[i]! << 16) | (b[i + 1]! << 8) | b[i + 2]!;
    out += B64[n >> 18]! + B64[(n >> 12) & 63]! + B64[(n >> 6) & 63]! + B64[n & 63]!;
  }
  const rest = b.length - i;
  if (rest === 1) {
    const n = b[i]! << 16;
    out += B64[n >> 18]! + B64[(n >> 12) & 63]! + '==';
  } else if (rest === 2) {
    const n = (b[i]! << 16) | (b[i + 1]! << 8);
    out += B64[n >> 18]! + B64[(n >> 12) & 63]! + B64[(n >> 6) & 63]! + '=';
  }
  return out;
}

/** Decodes RFC 4648 §4 base64 (padding optional); throws on other characters. */
export function fromBase64(s: string): Uint8Array {
  const clean = s.replace(/=+$/, '');
  if (clean.length % 4 === 1) throw new Error('base64: bad length');
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let o = 0;
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < clean.length; i++) {
    const c = clean.charCodeAt(i);
    const v = c < 128 ? B64_INDEX[c]! : -1;
    if (v < 0) throw new Error(`base64: bad character at ${i}`);
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  return out;
}

/** JSON.stringify replacer: Uint8Array → {"$b64"}, bigint → {"$big"}. `b64` may be a faster encoder. */
export function bytesReplacer(b64: (b: Uint8Array) => string = toBase64): (key: string, value: unknown) => unknown {
  return (_key, value) => {
    if (value instanceof Uint8Array) return { $b64: b64(value) };
    if (typeof value === 'bigint') return { $big: value.toString() };
    return value;
  };
}

/** JSON.parse reviver undoing bytesReplacer. */
export function bytesReviver(_key: string, value: unknown): unknown {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const o = value as Record<string, unknown>;
    if (typeof o.$b64 === 'string' && Object.keys(o).length === 1) return fromBase64(o.$b64);
    if (typeof o.$big === 'string' && Object.keys(o).length === 1) return BigInt(o.$big);
  }
  return value;
}

export function encodeMessage(m: ServerMessage | PageMessage, b64?: (b: Uint8Array) => string): string {
  return JSON.stringify(m, bytesReplacer(b64));
}

export function decodeServerMessage(text: string): ServerMessage {
  const m = JSON.parse(text, bytesReviver) as ServerMessage;
  if (!m || typeof m !== 'object' || typeof (m as { type?: unknown }).type !== 'string') throw new Error('classroom: not a feed message');
  return m;
}

/** Parses a page's message; null when it is not one we know. */
export function decodePageMessage(text: string): PageMessage | null {
  let m: unknown;
  try {
    m = JSON.parse(text);
  } catch {
    return null;
  }
  if (!m || typeof m !== 'object') return null;
  const o = m as Record<string, unknown>;
  if (o.type !== 'watch') return null;
  if (o.ids === '*') return { type: 'watch', ids: '*' };
  if (Array.isArray(o.ids) && o.ids.length <= 1000 && o.ids.every((x) => typeof x === 'string' && x.length <= 64)) return { type: 'watch', ids: o.ids as string[] };
  return null;
}

// ---- The kept events of one connection (the page's mirror of the server's store) ----------------

export class EventMirror {
  head: SshEvent[] = [];
  tail: SshEvent[] = [];
  /** Events published so far. */
  total = 0;

  /** Index (in publication order) of tail[0]. */
  get tailStart(): number {
    return this.total - this.tail.length;
  }

  get dropped(): number {
    return this.total - this.head.length - this.tail.length;
  }

  /** The kept events in order. */
  events(): SshEvent[] {
    return this.tail.length ? this.head.concat(this.tail) : this.head.slice();
  }

  /** Applies an `events` message; returns false when it was out of order (resync needed). */
  append(m: { start: number; events: SshEvent[]; headLen: number; tailStart: number }): boolean {
    if (m.start < this.total) {
      // overlap: keep only what is new
      const skip = this.total - m.start;
      if (skip >= m.events.length) return true;
      return this.append({ ...m, start: this.total, events: m.events.slice(skip) });
    }
    if (m.start > this.total) {
      // events the server dropped before sending them: only tail events are ever dropped, and
      // oldest first, so everything the tail held is gone too
      if (this.head.length < m.headLen) return false;
      this.tail = [];
      this.total = m.start;
    }
    const toHead = Math.max(0, Math.min(m.events.length, m.headLen - this.head.length));
    for (let i = 0; i < toHead; i++) this.head.push(m.events[i]!);
    for (let i = toHead; i < m.events.length; i++) this.tail.push(m.events[i]!);
    this.total += m.events.length;
    const drop = m.tailStart - this.tailStart;
    if (drop > 0) this.tail.splice(0, Math.min(drop, this.tail.length));
    return this.head.length === m.headLen;
  }
}

/** Who / how far, computed from a connection's events (the server does this for the summaries). */
export function stageOf(e: SshEvent, prev: ConnectionStage): ConnectionStage {
  if (e.type === 'closed') return 'closed';
  if (prev === 'closed') return prev;
  const order: ConnectionStage[] = ['connected', 'kex', 'auth', 'logged-in', 'session'];
  let next: ConnectionStage = prev;
  if (e.type === 'packet' && e.msg === 'SSH_MSG_KEXINIT') next = 'kex';
  else if (e.type === 'auth' && e.result === 'success') next = 'logged-in';
  else if (e.phase === 3) next = 'auth';
  else if (e.phase >= 4) next = 'session';
  return order.indexOf(next) > order.indexOf(prev) ? next : prev;
}
