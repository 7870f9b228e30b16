// Wraps a sans-IO connection around a Node TCP socket (the only node: file in engine/).
// Socket data → conn.receive → pump: every pollTransmit() chunk (or pollTransmitParts() batch, one
// writev) is written to the socket and every pollEvent() is delivered to the handler.
// Back-pressure: when the socket holds more unsent bytes than its high-water mark we stop reading
// it until 'drain' (so a peer that does not read cannot make us buffer without bound). The end of
// the socket becomes a 'closed' event if the engine did not emit one.

import * as net from 'node:net';
import type { Side, SshEvent } from '../events.ts';
import { EventRelay } from './event-relay.ts';

/** The part of a Connection the adapter drives (engine/index.ts Connection satisfies it). */
export interface PumpableConnection {
  receive(bytes: Uint8Array): void;
  pollTransmit(): Uint8Array | null;
  /** Optional: the pending packets as separate arrays (no concatenation copy); [] when none. */
  pollTransmitParts?(): Uint8Array[];
  pollEvent(): SshEvent | null;
  readonly closed: boolean;
}

export interface AttachOptions {
  /** Called after the socket drained (writes accepted again): resume your own inputs. */
  onDrain?: () => void;
  /** Called after every pump (bytes written, events delivered): check your buffers, resume inputs. */
  onPumped?: () => void;
  /** Side used for a synthesized 'closed' event before the engine emitted anything. */
  side?: Side;
}

export interface AttachedSocket {
  /** Writes pending output and delivers pending events; call after every command. */
  pump(): void;
  /** True while the socket's buffer is above its high-water mark (stop feeding more data). */
  readonly congested: boolean;
  /** True once the connection ended (a 'closed' event was delivered). */
  readonly ended: boolean;
  /** Flushes what is pending, then ends the socket. */
  end(): void;
  /** Destroys the socket at once. */
  destroy(): void;
}

export function attachSocket(conn: PumpableConnection, socket: net.Socket, onEvent: (e: SshEvent) => void, opts: AttachOptions = {}): AttachedSocket {
  let pumping = false;
  let again = false;
  const relay = new EventRelay(conn, onEvent, opts.side ?? 'client');
  let readPausedForDrain = false;
  let ending = false;



  /** Bytes the socket still holds in user space reach its high-water mark ('drain' will follow). */
  const overHighWater = (): boolean => socket.writableLength >= socket.writableHighWaterMark;

  const pump = (): void => {
    if (pumping) {
      again = true;
      return;
    }
    pumping = true;
    try {
      do {
        again = false;
        if (conn.pollTransmitParts) {
          // Several packets go out in one writev (cork/uncork), with no copy into one array.
          let parts: Uint8Array[];
          while ((parts = conn.pollTransmitParts()).length > 0) {
            if (socket.destroyed || socket.writableEnded) continue;
            if (parts.length > 1) socket.cork();
            for (const p of parts) socket.write(p);
            if (parts.length > 1) socket.uncork();
            // While corked every write reports "full"; what counts is what is still unsent now.
            if (overHighWater() && !readPausedForDrain) {
              readPausedForDrain = true;
              socket.pause();
            }
          }
        } else {
          let t: Uint8Array | null;
          while ((t = conn.pollTransmit()) !== null) {
            if (socket.destroyed || socket.writableEnded) continue;
            if (!socket.write(t) && !readPausedForDrain) {
              readPausedForDrain = true;
              socket.pause();
            }
          }
        }
        if (relay.drain()) again = true; // the handler may have issued commands
      } while (again);
    } finally {
      pumping = false;
    }
    if (conn.closed && !ending) {
      ending = true;
      if (!socket.destroyed && !socket.writableEnded) socket.end();
    }
    opts.onPumped?.();
  };

  socket.on('data', (buf: Uint8Array) => {
    // a copy: the engine may keep references to what it was given
    conn.receive(new Uint8Array(buf));
    pump();
  });
  socket.on('drain', () => {
    if (readPausedForDrain) {
      readPausedForDrain = false;
      socket.resume();
    }
    opts.onDrain?.();
  });
  let socketError: Error | null = null;
  socket.on('error', (err) => {
    socketError = err;
  });
  socket.on('end', () => {
    // the peer half-closed: SSH has nothing more to say after that
    pump();
    relay.transportEnded('the peer closed the TCP connection');
    if (!socket.destroyed) socket.end();
  });
  socket.on('close', () => {
    pump();
    relay.transportEnded(socketError ? `TCP connection failed: ${socketError.message}` : 'TCP connection closed');
  });

  return {
    pump,
    get congested() {
      return overHighWater();
    },
    get ended() {
      return relay.ended;
    },
    end() {
      pump();
      if (!socket.destroyed && !socket.writableEnded) socket.end();
    },
    destroy() {
      socket.destroy();
    },
  };
}

/** Opens a TCP connection (Nagle off: SSH packets are small and interactive). */
export function connectTcp(host: string, port: number, timeoutMs = 15000): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`connect to ${host} port ${port}: timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.setNoDelay(true);
      resolve(socket);
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`connect to ${host} port ${port}: ${(err as NodeJS.ErrnoException).code ?? err.message}`));
    });
  });
}
