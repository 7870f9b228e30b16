// Pumps a sans-IO connection over a WebSocket to the sshscope bridge (cli/bridge.ts, protocol in
// docs/bridge.md): every pollTransmit() chunk goes out as one binary frame, every binary frame
// received is fed to conn.receive, and every pollEvent() is delivered to the handler.
// Platform-neutral: it takes any object with the browser WebSocket interface (the browser's own,
// Node ≥ 22's global, or the `ws` package's client), so no DOM types and no node: imports here.
// The WebSocket's close becomes a 'closed' event if the engine did not emit one; the bridge's
// close code and reason (e.g. 4403 "target not allowed: …") are kept for the UI.

import type { Side, SshEvent } from '../events.ts';
import { EventRelay } from './event-relay.ts';
import type { PumpableConnection } from './node-tcp.ts';

export type { PumpableConnection };

/** The part of the WebSocket interface (WHATWG HTML §9.3) the adapter uses. */
export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  readonly bufferedAmount: number;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open' | 'message' | 'close' | 'error', listener: (ev: any) => void): void;
  removeEventListener?(type: 'open' | 'message' | 'close' | 'error', listener: (ev: any) => void): void;
}

const CONNECTING = 0;
const OPEN = 1;

/** Close codes the bridge uses (docs/bridge.md); the UI can show BRIDGE_CLOSE_TEXT[code]. */
export const BRIDGE_CLOSE_TEXT: Readonly<Record<number, string>> = {
  1000: 'the connection ended',
  1001: 'the bridge is shutting down',
  1006: 'the bridge could not be reached (is `sshscope start` running?)',
  4400: 'bad request',
  4401: 'this page is not allowed to use the bridge (Origin check)',
  4403: 'the bridge does not allow this target (start sshscope with --allow HOST:PORT)',
  4406: 'the target is not an SSH server',
  4413: 'the byte limit of the bridge was reached',
  4429: 'the bridge has too many connections open',
  4502: 'the bridge could not connect to the target',
  4504: 'the target did not answer in time',
};

/** The bridge URL for a target: bridgeUrl('ws://127.0.0.1:4173/bridge', '127.0.0.1', 22). */
export function bridgeUrl(endpoint: string, host: string, port: number): string {
  const target = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  return `${endpoint}?target=${encodeURIComponent(target)}`;
}

/** The bridge endpoint of the page's own server: ws(s)://<page host>/bridge. */
export function pageBridgeEndpoint(pageUrl: string, path = '/bridge'): string {
  const u = new URL(pageUrl);
  return `${u.protocol === 'https:' ? 'wss:' : 'ws:'}//${u.host}${path}`;
}

export interface WebSocketAttachOptions {
  /** Called after every pump (bytes sent, events delivered). */
  onPumped?: () => void;
  /** Side used for a synthesized 'closed' event before the engine emitted anything. */
  side?: Side;
  /** The WebSocket opened (the bridge accepted; it may still refuse with a close code). */
  onOpen?: () => void;
}

export interface AttachedWebSocket {
  /** Sends pending output and delivers pending events; call after every command. */
  pump(): void;
  /** True once the connection ended (a 'closed' event was delivered). */
  readonly ended: boolean;
  /** The WebSocket close code and reason, once it closed (null before). */
  readonly closeCode: number | null;
  readonly closeReason: string;
  /** Bytes queued in the WebSocket, not yet handed to the network. */
  readonly bufferedAmount: number;
  /** Sends what is pending, then closes the WebSocket (code 1000). */
  end(): void;
}

function toBytes(data: unknown): Uint8Array | null {
  if (data instanceof Uint8Array) return new Uint8Array(data); // a copy: the engine may keep it
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
  return null;
}

export function attachWebSocket(conn: PumpableConnection, ws: WebSocketLike, onEvent: (e: SshEvent) => void, opts: WebSocketAttachOptions = {}): AttachedWebSocket {
  ws.binaryType = 'arraybuffer';
  let pumping = false;
  let again = false;
  const relay = new EventRelay(conn, onEvent, opts.side ?? 'client');
  let closeCode: number | null = null;
  let closeReason = '';
  let ending = false;


  const pump = (): void => {
    if (pumping) {
      again = true;
      return;
    }
    pumping = true;
    try {
      do {
        again = false;
        // Before 'open' the engine's output stays queued in it (send() would throw while CONNECTING).
        if (ws.readyState === OPEN) {
          let t: Uint8Array | null;
          while ((t = conn.pollTransmit()) !== null) ws.send(t);
        }
        if (relay.drain()) again = true; // the handler may have issued commands
      } while (again);
    } finally {
      pumping = false;
    }
    if (conn.closed && !ending && ws.readyState === OPEN) {
      ending = true;
      ws.close(1000, 'ssh connection closed');
    }
    opts.onPumped?.();
  };

  ws.addEventListener('open', () => {
    opts.onOpen?.();
    pump();
  });
  ws.addEventListener('message', (ev: { data: unknown }) => {
    const bytes = toBytes(ev.data);
    if (bytes === null) return; // text frames are not part of the bridge protocol
    conn.receive(bytes);
    pump();
  });
  ws.addEventListener('close', (ev: { code?: number; reason?: string }) => {
    closeCode = ev.code ?? 1005;
    closeReason = ev.reason ?? '';
    pump();
    const text = closeReason || BRIDGE_CLOSE_TEXT[closeCode] || 'the WebSocket closed';
    relay.transportEnded(`bridge closed (${closeCode}): ${text}`);
  });
  ws.addEventListener('error', () => {
    /* a 'close' event follows with the code */
  });
  if (ws.readyState !== CONNECTING) pump();

  return {
    pump,
    get ended() {
      return relay.ended;
    },
    get closeCode() {
      return closeCode;
    },
    get closeReason() {
      return closeReason;
    },
    get bufferedAmount() {
      return ws.bufferedAmount;
    },
    end() {
      pump();
      if (ws.readyState === OPEN || ws.readyState === CONNECTING) ws.close(1000, 'closed by the page');
    },
  };
}
