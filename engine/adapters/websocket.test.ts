// engine/adapters/websocket.ts without a network: a fake WebSocket (the browser interface) whose
// other end is our server engine, so a whole session runs through the adapter; plus the bridge's
// close codes turning into the 'closed' event. (The real thing, through the bridge to OpenSSH:
// test/interop/bridge-websocket.test.ts.)
import { describe, it, expect } from 'vitest';
import { attachWebSocket, bridgeUrl, pageBridgeEndpoint, BRIDGE_CLOSE_TEXT, type WebSocketLike } from './websocket.ts';
import { createClient, createServer, seededEnv, generateEd25519, type Connection, type SshEvent } from '../index.ts';
import { respondToExec } from '../core/session-harness.ts';

type Listener = (ev: any) => void;

/** A WebSocket whose frames go to `onSend`; the test drives open/message/close. */
class FakeWs implements WebSocketLike {
  binaryType = 'blob';
  readyState = 0;
  bufferedAmount = 0;
  sent: Uint8Array[] = [];
  closedWith: [number | undefined, string | undefined] | null = null;
  private listeners = new Map<string, Listener[]>();
  constructor(private readonly onSend: (d: Uint8Array) => void = () => {}) {}
  addEventListener(type: string, l: Listener): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), l]);
  }
  emit(type: string, ev: unknown): void {
    for (const l of this.listeners.get(type) ?? []) l(ev);
  }
  send(d: Uint8Array): void {
    if (this.readyState !== 1) throw new Error('send while not OPEN');
    this.sent.push(d.slice());
    this.onSend(d.slice());
  }
  close(code?: number, reason?: string): void {
    this.closedWith = [code, reason];
    this.readyState = 3;
  }
  open(): void {
    this.readyState = 1;
    this.emit('open', {});
  }
}

describe('attachWebSocket', () => {
  it('runs a whole session over binary frames: nothing is sent before open, everything after; exec output arrives', () => {
    const hostEnv = seededEnv('ws-host');
    const hostKey = generateEd25519((n) => hostEnv.randomBytes(n));
    const server: Connection = createServer({ env: seededEnv('ws-server'), hostKeys: [hostKey], users: [{ name: 'alice', password: 'pw' }] });
    const client = createClient({ env: seededEnv('ws-client'), username: 'alice', password: 'pw', authMethods: ['password'], hostKeyCheck: () => 'known' });
    const toServer: Uint8Array[] = [];
    const ws = new FakeWs((d) => toServer.push(d));
    const events: SshEvent[] = [];
    let channel = -1;
    let out = '';
    const a = attachWebSocket(client, ws, (e) => {
      events.push(e);
      if (e.type === 'auth' && e.result === 'success') channel = client.command({ type: 'open-session' });
      if (e.type === 'channel' && e.id === channel) {
        const d = e.detail as { data?: Uint8Array };
        if (e.change === 'open') client.command({ type: 'exec', channel, command: 'echo over a websocket' });
        if (e.change === 'data' && d.data) out += new TextDecoder().decode(d.data);
        if (e.change === 'closed') client.command({ type: 'disconnect', description: 'done' });
      }
    });
    expect(ws.binaryType).toBe('arraybuffer');
    a.pump();
    expect(ws.sent).toHaveLength(0); // CONNECTING: the version line waits in the engine
    ws.open();
    expect(new TextDecoder().decode(ws.sent[0]!)).toMatch(/^SSH-2\.0-/);
    // shuttle: client frames → server engine; server output → 'message' events (ArrayBuffer, as a browser gives)
    for (let round = 0; round < 1000 && !a.ended; round++) {
      let moved = false;
      for (const d of toServer.splice(0)) {
        server.receive(d);
        moved = true;
      }
      let e: SshEvent | null;
      while ((e = server.pollEvent())) respondToExec(server, e);
      const o = server.pollTransmit();
      if (o) {
        ws.emit('message', { data: o.buffer.slice(o.byteOffset, o.byteOffset + o.byteLength) });
        moved = true;
      }
      ws.emit('message', { data: 'text frames are ignored' });
      if (!moved) break;
    }
    expect(out).toBe('over a websocket\n');
    // the engine ended the connection: the adapter closed the WebSocket normally
    expect(ws.closedWith?.[0]).toBe(1000);
    expect(events.filter((e) => e.type === 'closed')).toHaveLength(1);
  });

  it('a bridge refusal becomes one closed event carrying its code and reason', () => {
    const client = createClient({ env: seededEnv('ws-refused'), username: 'a', password: 'b' });
    const ws = new FakeWs();
    const events: SshEvent[] = [];
    const a = attachWebSocket(client, ws, (e) => events.push(e));
    ws.open();
    ws.readyState = 3;
    ws.emit('close', { code: 4403, reason: 'target not allowed: 10.0.0.1:22' });
    expect(a.closeCode).toBe(4403);
    expect(a.closeReason).toBe('target not allowed: 10.0.0.1:22');
    const closed = events.filter((e) => e.type === 'closed');
    expect(closed).toHaveLength(1);
    expect((closed[0] as { message: string }).message).toBe('bridge closed (4403): target not allowed: 10.0.0.1:22');
    // without a reason text, the code's meaning is used
    const ws2 = new FakeWs();
    const ev2: SshEvent[] = [];
    attachWebSocket(createClient({ env: seededEnv('ws-1006'), username: 'a' }), ws2, (e) => ev2.push(e));
    ws2.emit('close', { code: 1006, reason: '' });
    expect((ev2.at(-1) as { message: string }).message).toBe(`bridge closed (1006): ${BRIDGE_CLOSE_TEXT[1006]}`);
  });
});

describe('bridge URLs', () => {
  it('bridgeUrl encodes the target (IPv6 in brackets) so URL parsing gives it back', () => {
    const u = new URL(bridgeUrl('ws://127.0.0.1:4173/bridge', '::1', 2222));
    expect(u.searchParams.get('target')).toBe('[::1]:2222');
    expect(new URL(bridgeUrl('ws://h/bridge', '10.0.0.1', 22)).searchParams.get('target')).toBe('10.0.0.1:22');
  });
  it('pageBridgeEndpoint: same host and port as the page, ws or wss', () => {
    expect(pageBridgeEndpoint('http://127.0.0.1:4173/?step=3')).toBe('ws://127.0.0.1:4173/bridge');
    expect(pageBridgeEndpoint('https://[::1]:8443/x')).toBe('wss://[::1]:8443/bridge');
  });
});
