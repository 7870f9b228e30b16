// The WebSocket-to-TCP bridge of `sshscope start` (DESIGN.md "CLI and bridge", issue 7; protocol
// and close codes: docs/bridge.md). The browser's client engine speaks SSH over a WebSocket; this
// relays the raw bytes to a TCP target and back, nothing more: keys and passwords never exist here.
//
//   ws://127.0.0.1:PORT/bridge?target=HOST:PORT     binary frames = raw TCP bytes, both ways
//
// Refusals happen AFTER the upgrade, as a WebSocket close with a 44xx/45xx code and a reason text,
// because a browser sees nothing of a refused HTTP upgrade but "1006".
// Guards: the page's Origin must be this server's own loopback origin; the target must be on the
// allow list (default: any port on 127.0.0.1 / ::1 / localhost); the target's first line must be
// an SSH identification string (RFC 4253 §4.2) before any byte of the page reaches it, so the
// bridge cannot be used to talk to other loopback services; connections and bytes are limited.

import { connect, type Socket } from 'node:net';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { hostAllowed } from './static-server.ts';

/** WebSocket close codes of the bridge (4000-4999 are free for applications, RFC 6455 §7.4.2). */
export const BRIDGE_CLOSE = {
  /** The target ended the TCP connection (normal end of an SSH session). */
  normal: 1000,
  badRequest: 4400,
  badOrigin: 4401,
  targetNotAllowed: 4403,
  notSsh: 4406,
  tooLarge: 4413,
  tooManyConnections: 4429,
  /** Sent by the ws library itself when a frame is larger than maxFrameBytes (RFC 6455 §7.4.1). */
  frameTooLarge: 1009,
  connectFailed: 4502,
  connectTimeout: 4504,
  /** The bridge is shutting down. */
  goingAway: 1001,
} as const;

export const DEFAULT_BRIDGE_PATH = '/bridge';
export const DEFAULT_MAX_CONNECTIONS = 8;
/** Bytes relayed per connection, both directions together. */
export const DEFAULT_MAX_BYTES = 1024 * 1024 * 1024;
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
/** How long the target may take to send its identification line. */
export const DEFAULT_IDENT_TIMEOUT_MS = 10_000;
/** Largest WebSocket frame accepted from the page (an SSH packet is at most 256 KiB, RFC 4253 §6.1 + OpenSSH). */
export const DEFAULT_MAX_FRAME_BYTES = 1024 * 1024;
/** RFC 4253 §4.2: lines before the version line are allowed; we look this far for it. */
const IDENT_SEARCH_LIMIT = 8192;
/** Bytes from the page held while the target has not identified itself. */
const PENDING_LIMIT = 64 * 1024;
/** Pause the TCP side while the WebSocket holds more than this unsent. */
const WS_HIGH_WATER = 1024 * 1024;

/** One allow-list entry: a host (as written in the URL) and a port, or any port. */
export interface AllowRule {
  host: string;
  port: number | '*';
}

/** The default allow list: SSH servers on this machine's loopback, any port. */
export const LOOPBACK_RULES: readonly AllowRule[] = [
  { host: '127.0.0.1', port: '*' },
  { host: '::1', port: '*' },
  { host: 'localhost', port: '*' },
];

export interface Target {
  host: string;
  port: number;
}

/** Splits "HOST:PORT", "[v6]:PORT" (PORT may be "*" when `wildcard`). Throws on anything else. */
function splitHostPort(s: string, wildcard: boolean): { host: string; port: string } {
  let host: string;
  let port: string;
  const v6 = /^\[([0-9A-Fa-f:.]+)\]:([^:]+)$/.exec(s);
  if (v6) {
    host = v6[1]!;
    port = v6[2]!;
  } else {
    const i = s.lastIndexOf(':');
    if (i <= 0 || s.indexOf(':') !== i) throw new Error(`not HOST:PORT: ${JSON.stringify(s)}`);
    host = s.slice(0, i);
    port = s.slice(i + 1);
  }
  if (!/^[A-Za-z0-9._:-]+$/.test(host)) throw new Error(`bad host: ${JSON.stringify(host)}`);
  if (!(wildcard && port === '*') && !(/^\d{1,5}$/.test(port) && Number(port) >= 1 && Number(port) <= 65535)) {
    throw new Error(`bad port: ${JSON.stringify(port)}`);
  }
  return { host: host.toLowerCase(), port };
}

/** Parses a `--allow` value: "HOST:PORT", "HOST:*", "[::1]:22". */
export function parseAllowRule(s: string): AllowRule {
  const { host, port } = splitHostPort(s, true);
  return { host, port: port === '*' ? '*' : Number(port) };
}

/** Parses the `target` query parameter: "HOST:PORT" or "[v6]:PORT". */
export function parseTarget(s: string): Target {
  const { host, port } = splitHostPort(s, false);
  return { host, port: Number(port) };
}

export function targetAllowed(t: Target, rules: readonly AllowRule[]): boolean {
  return rules.some((r) => r.host === t.host && (r.port === '*' || r.port === t.port));
}

/** The origins a page served by this server has: http://127.0.0.1:PORT, http://localhost:PORT, http://[::1]:PORT. */
export function ownOrigins(port: number, listenHost = '127.0.0.1'): string[] {
  const names = new Set(['127.0.0.1', 'localhost', '[::1]', listenHost.includes(':') ? `[${listenHost}]` : listenHost]);
  return [...names].map((n) => `http://${n}:${port}`);
}

export interface BridgeOptions {
  /** Allowed targets (default LOOPBACK_RULES). */
  allow?: readonly AllowRule[];
  /** Allowed Origin header values; default ownOrigins(the server's port). */
  origins?: readonly string[];
  /** URL path of the endpoint (default /bridge). */
  path?: string;
  maxConnections?: number;
  maxBytesPerConnection?: number;
  connectTimeoutMs?: number;
  identTimeoutMs?: number;
  /** Largest frame accepted from the page (default 1 MiB); a larger one closes with 1009. */
  maxFrameBytes?: number;
  /** Where diagnostics go (default: nowhere). Every refusal is one line starting "bridge: refused (CODE)". */
  log?: (line: string) => void;
}

export interface Bridge {
  /** Connections being relayed now. */
  readonly active: number;
  /** Closes every relay (code 1001) and stops accepting upgrades. */
  close(): Promise<void>;
}

interface Refusal {
  code: number;
  reason: string;
}

/** Checks an upgrade request; returns the target, or why it is refused. */
export function checkRequest(
  req: { url?: string; headers: { origin?: string | undefined; host?: string | undefined } },
  opts: { allow: readonly AllowRule[]; origins: readonly string[]; listenHost: string },
): Target | Refusal {
  const origin = req.headers.origin;
  if (!origin || !opts.origins.includes(origin)) return { code: BRIDGE_CLOSE.badOrigin, reason: `origin not allowed: ${origin ?? '(none)'}` };
  if (!hostAllowed(req.headers.host, opts.listenHost)) return { code: BRIDGE_CLOSE.badOrigin, reason: 'host not allowed' };
  const url = new URL(req.url ?? '/', 'http://bridge.invalid');
  const raw = url.searchParams.get('target');
  if (raw === null) return { code: BRIDGE_CLOSE.badRequest, reason: 'missing ?target=HOST:PORT' };
  let target: Target;
  try {
    target = parseTarget(raw);
  } catch (err) {
    return { code: BRIDGE_CLOSE.badRequest, reason: `target: ${(err as Error).message}` };
  }
  if (!targetAllowed(target, opts.allow)) return { code: BRIDGE_CLOSE.targetNotAllowed, reason: `target not allowed: ${raw} (start sshscope with --allow ${raw})` };
  return target;
}

/** The close reason must fit a control frame: 123 bytes of UTF-8 (RFC 6455 §5.5). */
function fitReason(s: string): string {
  const enc = new TextEncoder();
  while (enc.encode(s).length > 123) s = s.slice(0, -1);
  return s;
}

/** True once `buf` holds a line starting "SSH-" (RFC 4253 §4.2); false when it cannot be one yet. */
export function hasIdentLine(buf: Uint8Array): boolean {
  const text = new TextDecoder('latin1').decode(buf);
  return text.startsWith('SSH-') || text.includes('\nSSH-');
}

/** Mounts the bridge on an HTTP server (handles its 'upgrade' events for `path`). */
export function attachBridge(server: Server, options: BridgeOptions = {}): Bridge {
  const path = options.path ?? DEFAULT_BRIDGE_PATH;
  const allow = options.allow ?? LOOPBACK_RULES;
  const maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
  const maxBytes = options.maxBytesPerConnection ?? DEFAULT_MAX_BYTES;
  const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const identTimeoutMs = options.identTimeoutMs ?? DEFAULT_IDENT_TIMEOUT_MS;
  const log = options.log ?? (() => {});
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES, perMessageDeflate: false });
  const live = new Set<{ ws: WebSocket; tcp: Socket | null }>();
  let closing = false;

  const listenInfo = (): { host: string; port: number } => {
    const a = server.address();
    return a && typeof a === 'object' ? { host: a.address, port: a.port } : { host: '127.0.0.1', port: 0 };
  };

  const refuse = (ws: WebSocket, r: Refusal, who: string): void => {
    log(`bridge: refused (${r.code}) ${r.reason} [${who}]`);
    ws.close(r.code, fitReason(r.reason));
  };

  const relay = (ws: WebSocket, target: Target, who: string): void => {
    const entry: { ws: WebSocket; tcp: Socket | null } = { ws, tcp: null };
    live.add(entry);
    let done = false;
    let bytes = 0;
    let identified = false;
    let head = new Uint8Array(0);
    const pending: Uint8Array[] = [];
    let pendingBytes = 0;
    const label = `${target.host}:${target.port}`;

    const finish = (code: number, reason: string): void => {
      if (done) return;
      done = true;
      live.delete(entry);
      clearTimeout(connectTimer);
      clearTimeout(identTimer);
      entry.tcp?.destroy();
      if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close(code, fitReason(reason));
      // 44xx/45xx and 1009 end a relay the bridge would not continue: logged as refusals
      log(`bridge: ${code >= 4000 || code === BRIDGE_CLOSE.frameTooLarge ? 'refused' : 'closed'} (${code}) ${label}: ${reason} [${who}]`);
    };
    const count = (n: number): boolean => {
      bytes += n;
      if (bytes > maxBytes) {
        finish(BRIDGE_CLOSE.tooLarge, `byte limit reached (${maxBytes} bytes per connection)`);
        return false;
      }
      return true;
    };

    const connectTimer = setTimeout(() => finish(BRIDGE_CLOSE.connectTimeout, `connect to ${label}: timed out`), connectTimeoutMs);
    let identTimer: ReturnType<typeof setTimeout> | undefined;

    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (done) return;
      if (!isBinary) return finish(BRIDGE_CLOSE.badRequest, 'text frames are not relayed; send binary frames');
      const chunk = toBytes(data);
      if (!count(chunk.length)) return;
      if (identified && entry.tcp) {
        if (!entry.tcp.write(chunk)) ws.pause();
        return;
      }
      pendingBytes += chunk.length;
      if (pendingBytes > PENDING_LIMIT) return finish(BRIDGE_CLOSE.notSsh, 'too many bytes before the target identified itself');
      pending.push(chunk);
    });
    ws.on('close', () => finish(BRIDGE_CLOSE.normal, 'page closed the WebSocket'));
    ws.on('error', (err) => {
      // the ws library has already sent its own close (1009 for an oversized frame, 1002 for a protocol error)
      if ((err as { code?: string }).code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') finish(BRIDGE_CLOSE.frameTooLarge, `frame larger than ${options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES} bytes`);
      else finish(BRIDGE_CLOSE.badRequest, `websocket error: ${err.message}`);
    });

    const tcp = connect({ host: target.host, port: target.port });
    entry.tcp = tcp;
    let connected = false;
    tcp.once('connect', () => {
      connected = true;
      clearTimeout(connectTimer);
      if (done) return;
      tcp.setNoDelay(true);
      identTimer = setTimeout(() => finish(BRIDGE_CLOSE.notSsh, `${label} did not send an SSH identification line`), identTimeoutMs);
      log(`bridge: relaying to ${label}`);
    });
    tcp.on('data', (buf: Uint8Array) => {
      if (done) return;
      if (!count(buf.length)) return;
      if (!identified) {
        const joined = new Uint8Array(head.length + buf.length);
        joined.set(head);
        joined.set(buf, head.length);
        head = joined;
        if (hasIdentLine(head)) {
          identified = true;
          clearTimeout(identTimer);
          head = new Uint8Array(0);
          for (const p of pending) tcp.write(p);
          pending.length = 0;
        } else if (head.length > IDENT_SEARCH_LIMIT) {
          return finish(BRIDGE_CLOSE.notSsh, `${label} is not an SSH server (no identification line)`);
        }
      }
      ws.send(buf, { binary: true }, () => {
        if (tcp.isPaused() && ws.bufferedAmount < WS_HIGH_WATER && !done) tcp.resume();
      });
      if (ws.bufferedAmount >= WS_HIGH_WATER) tcp.pause();
    });
    tcp.on('drain', () => ws.resume());
    tcp.on('error', (err) => {
      const code = (err as NodeJS.ErrnoException).code ?? err.message;
      if (connected) finish(BRIDGE_CLOSE.normal, `connection to ${label} failed: ${code}`);
      else finish(BRIDGE_CLOSE.connectFailed, `connect to ${label}: ${code}`);
    });
    tcp.on('close', () => {
      if (!identified) finish(BRIDGE_CLOSE.notSsh, `${label} closed without an SSH identification line`);
      else finish(BRIDGE_CLOSE.normal, `${label} closed the connection`);
    });
  };

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const pathname = new URL(req.url ?? '/', 'http://bridge.invalid').pathname;
    if (pathname !== path) return; // another handler may own it; when none does, node closes the socket
    if (closing) {
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const { host, port } = listenInfo();
      const who = `from ${req.socket.remoteAddress ?? '?'}:${req.socket.remotePort ?? '?'} origin ${req.headers.origin ?? '(none)'}`;
      const checked = checkRequest(req, { allow, origins: options.origins ?? ownOrigins(port, host), listenHost: host });
      if ('code' in checked) return refuse(ws, checked, who);
      if (live.size >= maxConnections) return refuse(ws, { code: BRIDGE_CLOSE.tooManyConnections, reason: `too many connections (limit ${maxConnections})` }, who);
      relay(ws, checked, who);
    });
  };
  server.on('upgrade', onUpgrade);

  return {
    get active() {
      return live.size;
    },
    close: async () => {
      closing = true;
      server.off('upgrade', onUpgrade);
      for (const e of [...live]) {
        e.tcp?.destroy();
        if (e.ws.readyState === e.ws.OPEN) e.ws.close(BRIDGE_CLOSE.goingAway, 'sshscope is shutting down');
      }
      live.clear();
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((done) => wss.close(() => done()));
    },
  };
}

/**
 * Once anything listens for 'upgrade', Node no longer closes upgrade requests nobody handles: they
 * would hang open. This answers 404 to upgrades on any path not in `paths` (register it after the
 * endpoints; each endpoint ignores paths that are not its own).
 */
export function refuseOtherUpgrades(server: Server, paths: readonly string[], log: (line: string) => void = () => {}): () => void {
  const onUpgrade = (req: IncomingMessage, socket: Duplex): void => {
    const pathname = new URL(req.url ?? '/', 'http://bridge.invalid').pathname;
    if (paths.includes(pathname)) return;
    log(`upgrade refused (404): no WebSocket endpoint at ${pathname}`);
    socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  };
  server.on('upgrade', onUpgrade);
  return () => server.off('upgrade', onUpgrade);
}

function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) {
    const total = data.reduce((n, b) => n + b.length, 0);
    const out = new Uint8Array(total);
    let off = 0;
    for (const b of data) {
      out.set(b, off);
      off += b.length;
    }
    return out;
  }
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

export interface BridgeServer extends Bridge {
  server: Server;
  port: number;
  /** "ws://127.0.0.1:PORT/bridge" */
  url: string;
  /** The Origin a page of this server sends: "http://127.0.0.1:PORT" */
  origin: string;
}

/** A bare HTTP server with only the bridge on it (tests, or a bridge without the app). */
export async function startBridgeServer(opts: BridgeOptions & { host?: string; port?: number } = {}): Promise<BridgeServer> {
  const { createServer } = await import('node:http');
  const host = opts.host ?? '127.0.0.1';
  const server = createServer((_req, res) => {
    res.writeHead(426, { 'content-type': 'text/plain' }).end('WebSocket upgrade required\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bridge = attachBridge(server, opts);
  const port = (server.address() as { port: number }).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    server,
    port,
    url: `ws://${urlHost}:${port}${opts.path ?? DEFAULT_BRIDGE_PATH}`,
    origin: `http://${urlHost}:${port}`,
    get active() {
      return bridge.active;
    },
    close: async () => {
      await bridge.close();
      await new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      });
    },
  };
}
