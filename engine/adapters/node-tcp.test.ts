import { describe, it, expect } from 'vitest';
import * as net from 'node:net';
import { attachSocket, connectTcp, type PumpableConnection } from './node-tcp.ts';
import type { SshEvent } from '../events.ts';

/** A stand-in connection: answers every received chunk with the same bytes upper-cased. */
class Upper implements PumpableConnection {
  out: Uint8Array[] = [];
  events: SshEvent[] = [];
  closed = false;
  seq = 0;
  receive(bytes: Uint8Array): void {
    const s = new TextDecoder().decode(bytes);
    if (s.includes('BYE')) {
      this.closed = true;
      this.events.push({ seq: this.seq++, t: 0, side: 'server', phase: 5, type: 'closed', message: 'bye' });
    }
    this.out.push(new TextEncoder().encode(s.toUpperCase()));
    this.events.push({ seq: this.seq++, t: 0, side: 'server', phase: 5, type: 'info', message: `got ${bytes.length}` });
  }
  pollTransmit(): Uint8Array | null {
    return this.out.shift() ?? null;
  }
  pollEvent(): SshEvent | null {
    return this.events.shift() ?? null;
  }
}

function listen(onSocket: (s: net.Socket) => void): Promise<{ port: number; close: () => void }> {
  return new Promise((resolve) => {
    const server = net.createServer(onSocket);
    server.listen(0, '127.0.0.1', () => resolve({ port: (server.address() as net.AddressInfo).port, close: () => server.close() }));
  });
}

describe('attachSocket', () => {
  it('feeds socket data to the connection, writes its output, delivers its events', async () => {
    const events: SshEvent[] = [];
    const srv = await listen((s) => {
      attachSocket(new Upper(), s, (e) => events.push(e), { side: 'server' });
    });
    const sock = await connectTcp('127.0.0.1', srv.port);
    const got = await new Promise<string>((resolve) => {
      let acc = '';
      sock.on('data', (d) => {
        acc += d.toString();
        if (acc === 'HELLO') resolve(acc);
      });
      sock.write('hello');
    });
    expect(got).toBe('HELLO');
    expect(events.map((e) => e.type)).toEqual(['info']);
    // the connection closes itself: the adapter ends the socket after writing the last bytes
    const ended = new Promise<string>((resolve) => {
      let acc = '';
      sock.on('data', (d) => (acc += d.toString()));
      sock.on('end', () => resolve(acc));
    });
    sock.write('BYE');
    expect(await ended).toBe('BYE');
    sock.destroy();
    srv.close();
    expect(events.filter((e) => e.type === 'closed')).toHaveLength(1);
  });

  it('synthesizes exactly one closed event when the peer goes away', async () => {
    const events: SshEvent[] = [];
    let done!: () => void;
    const closed = new Promise<void>((r) => (done = r));
    const srv = await listen((s) => {
      attachSocket(new Upper(), s, (e) => {
        events.push(e);
        if (e.type === 'closed') setTimeout(done, 50);
      });
    });
    const sock = await connectTcp('127.0.0.1', srv.port);
    sock.end();
    await closed;
    srv.close();
    const c = events.filter((e) => e.type === 'closed');
    expect(c).toHaveLength(1);
    expect(c[0]!.type === 'closed' && c[0]!.reason).toBe(10); // RFC 4253 §11.1 CONNECTION_LOST
  });

  it('connectTcp rejects with the error code on a refused port', async () => {
    const srv = await listen(() => {});
    const port = srv.port;
    srv.close();
    await new Promise((r) => setTimeout(r, 20));
    await expect(connectTcp('127.0.0.1', port)).rejects.toThrow(/ECONNREFUSED/);
  });
});
