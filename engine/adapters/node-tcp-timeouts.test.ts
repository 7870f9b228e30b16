// Slow and stuck peers against attachSocket's timeouts (issue 8): a peer that sends one byte at a
// time, one that stops in the middle of a packet, one that never reads. Real server and client
// engines on loopback; the fake peers are raw sockets. Timeouts are short here (milliseconds) so
// the file stays fast; no test asserts how long anything took. The DISCONNECT the peer receives is
// decoded by hand from the plaintext binary packet (RFC 4253 §6, §11.1), not by the engine.

import { describe, it, expect } from 'vitest';
import * as net from 'node:net';
import { attachSocket, connectTcp, DEFAULT_TIMEOUTS, type AttachedSocket, type SocketTimeouts } from './node-tcp.ts';
import { createClient, createServer, type Connection } from '../core/connection.ts';
import { hostileConfigs } from '../core/hostile-helpers.ts';
import type { SshEvent } from '../events.ts';

const enc = new TextEncoder();
const dec = new TextDecoder();
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const timersNow = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

interface ServerSide {
  port: number;
  events: SshEvent[];
  conn: () => Connection;
  attached: () => AttachedSocket;
  socketClosed: Promise<void>;
  close: () => void;
}

/** One server engine behind attachSocket for the first connection on a loopback port. */
function serveOnce(seed: string, timeouts: SocketTimeouts, onEvent?: (e: SshEvent, conn: Connection) => void, serverCfg: Parameters<typeof hostileConfigs>[2] = {}): Promise<ServerSide> {
  const events: SshEvent[] = [];
  let conn!: Connection;
  let attached!: AttachedSocket;
  let closed!: () => void;
  const socketClosed = new Promise<void>((r) => (closed = r));
  return new Promise((resolve) => {
    const server = net.createServer((s) => {
      server.close();
      conn = createServer(hostileConfigs(seed, {}, serverCfg).server);
      s.on('close', () => closed());
      attached = attachSocket(
        conn,
        s,
        (e) => {
          events.push(e);
          onEvent?.(e, conn);
        },
        { side: 'server', timeouts },
      );
      attached.pump();
    });
    server.listen(0, '127.0.0.1', () =>
      resolve({ port: (server.address() as net.AddressInfo).port, events, conn: () => conn, attached: () => attached, socketClosed, close: () => server.close() }),
    );
  });
}

/** The plaintext packets after the version line: message number and payload (RFC 4253 §6). */
function plainPackets(bytes: Uint8Array): { version: string; packets: Uint8Array[] } {
  const lf = bytes.indexOf(0x0a);
  const version = dec.decode(bytes.subarray(0, lf + 1));
  const packets: Uint8Array[] = [];
  let o = lf + 1;
  while (o + 5 <= bytes.length) {
    const len = new DataView(bytes.buffer, bytes.byteOffset + o).getUint32(0);
    const pad = bytes[o + 4]!;
    if (o + 4 + len > bytes.length) break;
    packets.push(bytes.slice(o + 5, o + 4 + len - pad));
    o += 4 + len;
  }
  return { version, packets };
}

/** SSH_MSG_DISCONNECT (RFC 4253 §11.1): byte 1, uint32 reason, string description, string language. */
function decodeDisconnect(p: Uint8Array): { reason: number; description: string } {
  const dv = new DataView(p.buffer, p.byteOffset);
  expect(p[0]).toBe(1);
  const reason = dv.getUint32(1);
  const n = dv.getUint32(5);
  return { reason, description: dec.decode(p.subarray(9, 9 + n)) };
}

function collect(sock: net.Socket): { bytes: () => Uint8Array; ended: Promise<void> } {
  const chunks: Uint8Array[] = [];
  const ended = new Promise<void>((r) => sock.on('close', () => r()));
  sock.on('data', (d: Uint8Array) => chunks.push(new Uint8Array(d)));
  sock.on('error', () => {});
  return {
    bytes: () => {
      const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
      let o = 0;
      for (const c of chunks) {
        out.set(c, o);
        o += c.length;
      }
      return out;
    },
    ended,
  };
}

const closedEvents = (events: SshEvent[]) => events.filter((e): e is Extract<SshEvent, { type: 'closed' }> => e.type === 'closed');

describe('attachSocket timeouts', () => {
  it('defaults: 120 s login grace (sshd LoginGraceTime), no idle timeout, 60 s send stall', () => {
    expect(DEFAULT_TIMEOUTS).toEqual({ handshake: 120_000, idle: 0, sendStall: 60_000 });
  });

  it('a peer that sends one byte at a time never finishes the handshake: login grace DISCONNECT, then the socket is gone and no timer is left', async () => {
    const before = timersNow();
    const srv = await serveOnce('slow-bytes', { handshake: 400 });
    const sock = await connectTcp('127.0.0.1', srv.port);
    const got = collect(sock);
    const line = enc.encode('SSH-2.0-OneByteAtATime_1.0\r\n');
    let i = 0;
    const dribble = setInterval(() => {
      if (i < line.length && !sock.destroyed) sock.write(line.subarray(i, ++i));
    }, 40);
    await got.ended;
    clearInterval(dribble);
    await srv.socketClosed;
    const { version, packets } = plainPackets(got.bytes());
    expect(version).toMatch(/^SSH-2\.0-/);
    expect(packets[0]![0]).toBe(20); // KEXINIT, sent without waiting (RFC 4253 §7.1)
    const d = decodeDisconnect(packets[packets.length - 1]!);
    expect(d.reason).toBe(11); // SSH_DISCONNECT_BY_APPLICATION
    expect(d.description).toMatch(/login grace time exceeded: not authenticated after 400 ms/);
    const c = closedEvents(srv.events);
    expect(c).toHaveLength(1);
    expect(c[0]!.message).toMatch(/login grace time exceeded/);
    expect(srv.attached().timedOut).toBe('handshake');
    expect(timersNow()).toBeLessThanOrEqual(before);
  });

  it('a peer that stops in the middle of a packet: the idle timeout ends it with DISCONNECT', async () => {
    const before = timersNow();
    const srv = await serveOnce('mid-packet', { handshake: 0, idle: 300 });
    const sock = await connectTcp('127.0.0.1', srv.port);
    const got = collect(sock);
    // a version line, then the first 9 bytes of a packet that announces 500 bytes
    sock.write(enc.encode('SSH-2.0-Stalls_1.0\r\n'));
    sock.write(new Uint8Array([0, 0, 1, 0xf4, 6, 20, 1, 2, 3]));
    await got.ended;
    await srv.socketClosed;
    const { packets } = plainPackets(got.bytes());
    const d = decodeDisconnect(packets[packets.length - 1]!);
    expect(d.reason).toBe(11);
    expect(d.description).toBe('idle timeout: nothing received for 300 ms');
    expect(closedEvents(srv.events).map((e) => e.message)).toEqual(['idle timeout: nothing received for 300 ms']);
    expect(srv.attached().timedOut).toBe('idle');
    expect(timersNow()).toBeLessThanOrEqual(before);
  });

  it('a peer that never says anything: login grace still applies (nothing to finish a packet with)', async () => {
    const srv = await serveOnce('silent', { handshake: 200 });
    const sock = await connectTcp('127.0.0.1', srv.port);
    const got = collect(sock);
    await got.ended;
    await srv.socketClosed;
    // we sent our version and KEXINIT; the peer's version never came, yet DISCONNECT may be sent
    // (RFC 4253 §11.1 allows it at any time after the version exchange started)
    const { packets } = plainPackets(got.bytes());
    expect(decodeDisconnect(packets[packets.length - 1]!).reason).toBe(11);
    expect(closedEvents(srv.events)[0]!.message).toMatch(/login grace/);
  });

  it('authentication clears the login grace timer; the idle timeout then ends a quiet session on both sides', async () => {
    const before = timersNow();
    const x25519 = { algorithms: { kex: ['curve25519-sha256'] } };
    const cfg = hostileConfigs('auth-then-idle', x25519);
    const srv = await serveOnce('auth-then-idle', { handshake: 1000, idle: 1800 }, undefined, x25519);
    const sock = await connectTcp('127.0.0.1', srv.port);
    const client = createClient(cfg.client);
    const cEvents: SshEvent[] = [];
    let authed!: () => void;
    const authPromise = new Promise<void>((r) => (authed = r));
    const link = attachSocket(
      client,
      sock,
      (e) => {
        cEvents.push(e);
        if (e.type === 'auth' && e.result === 'success') authed();
      },
      { side: 'client', timeouts: { handshake: 0, sendStall: 0 } },
    );
    link.pump();
    await authPromise;
    // well past the login grace time: authenticated sessions are not cut by it
    await sleep(1100);
    expect(srv.conn().closed).toBe(false);
    await srv.socketClosed;
    await new Promise<void>((r) => (sock.destroyed ? r() : sock.on('close', () => r())));
    expect(srv.attached().timedOut).toBe('idle');
    // the client heard why: the server's DISCONNECT (reason 11 and its description)
    const cc = closedEvents(cEvents);
    expect(cc).toHaveLength(1);
    expect(cc[0]!.reason).toBe(11);
    expect(cc[0]!.message).toContain('idle timeout: nothing received for 1800 ms');
    expect(timersNow()).toBeLessThanOrEqual(before);
  });

  it('a peer that never reads: the send-stall timeout destroys the socket with a closed event naming it', async () => {
    const before = timersNow();
    const cfg = hostileConfigs('never-reads', { channelWindow: 64 * 1024 * 1024, channelMaxPacket: 32768 });
    let sent = 0;
    const TOTAL = 48 * 1024 * 1024;
    const chunk = new Uint8Array(1024 * 1024).fill(0x61);
    const srv = await serveOnce('never-reads', { handshake: 0, sendStall: 400 }, (e, conn) => {
      if (e.type === 'channel' && e.change === 'request' && (e.detail as { request?: string }).request === 'exec') {
        for (; sent < TOTAL; sent += chunk.length) conn.command({ type: 'data', channel: e.id, data: chunk });
      }
    });
    const sock = await connectTcp('127.0.0.1', srv.port);
    const client = createClient(cfg.client);
    let channel = -1;
    const link = attachSocket(
      client,
      sock,
      (e) => {
        if (e.type === 'auth' && e.result === 'success') channel = client.command({ type: 'open-session' });
        if (e.type === 'channel' && e.id === channel && e.change === 'open') {
          client.command({ type: 'exec', channel, command: 'yes' });
          link.pump();
          // from now on this peer reads nothing at all
          sock.pause();
        }
      },
      { side: 'client', timeouts: { handshake: 0, sendStall: 0 } },
    );
    link.pump();
    await srv.socketClosed;
    sock.destroy();
    expect(srv.attached().timedOut).toBe('send-stall');
    const c = closedEvents(srv.events);
    expect(c).toHaveLength(1);
    expect(c[0]!.message).toBe('send stalled: the peer read nothing for 400 ms');
    expect(c[0]!.reason).toBe(10); // CONNECTION_LOST: nothing could be said to this peer
    // the application could queue all of it (the client granted a 64 MiB window): what bounds
    // memory is the window the peer grants (RFC 4254 §5.2), and the stall timer frees it
    expect(sent).toBe(TOTAL);
    await sleep(10);
    expect(timersNow()).toBeLessThanOrEqual(before);
  });
});
