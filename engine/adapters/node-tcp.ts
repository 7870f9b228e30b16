// Wraps a sans-IO connection around a Node TCP socket (the only node: file in engine/).
// Socket data → conn.receive → pump: every pollTransmit() chunk (or pollTransmitParts() batch, one
// writev) is written to the socket and every pollEvent() is delivered to the handler.
// Back-pressure: when the socket holds more unsent bytes than its high-water mark we stop reading
// it and stop pulling output from the engine until 'drain' (so a peer that does not read cannot
// make us buffer without bound: what waits stays in the engine, bounded by the peer's channel
// window, RFC 4254 §5.2). The end of the socket becomes a 'closed' event if the engine did not
// emit one.
// Timeouts (all in ms, 0 turns one off), for slow or stuck peers:
//   handshake  from attach until authentication succeeds (sshd LoginGraceTime, default 120 s)
//   idle       no byte received for this long (sshd has no such default: off unless asked)
//   sendStall  our output stays congested (the peer reads nothing) this long (default 60 s)
// On a timeout the engine says SSH_MSG_DISCONNECT (RFC 4253 §11.1, reason 11 BY_APPLICATION)
// when the peer still reads, the handler gets a 'closed' event whose message names the timeout,
// and the socket is destroyed (after at most LINGER_MS for the DISCONNECT to leave). Every timer
// is cleared when the socket closes.

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
  /** Optional: lets a timeout end the session with SSH_MSG_DISCONNECT (Connection.command). */
  command?(cmd: { type: 'disconnect'; reason?: number; description?: string }): unknown;
}

/** Timeouts in milliseconds; 0 turns one off. */
export interface SocketTimeouts {
  /** Until authentication succeeds (sshd LoginGraceTime). Default 120 000. */
  handshake?: number;
  /** Without receiving a byte. Default 0 (off). */
  idle?: number;
  /** With our output congested and nothing drained (a peer that never reads). Default 60 000. */
  sendStall?: number;
}

export const DEFAULT_TIMEOUTS: Required<SocketTimeouts> = { handshake: 120_000, idle: 0, sendStall: 60_000 };

/** How long a DISCONNECT may take to leave after a timeout before the socket is destroyed. */
const LINGER_MS = 1000;
/** RFC 4253 §11.1 SSH_DISCONNECT_BY_APPLICATION. */
const BY_APPLICATION = 11;

export interface AttachOptions {
  /** Called after the socket drained (writes accepted again): resume your own inputs. */
  onDrain?: () => void;
  /** Called after every pump (bytes written, events delivered): check your buffers, resume inputs. */
  onPumped?: () => void;
  /** Side used for a synthesized 'closed' event before the engine emitted anything. */
  side?: Side;
  /** Login-grace, idle and send-stall timeouts (DEFAULT_TIMEOUTS for what is not given). */
  timeouts?: SocketTimeouts;
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
  /** The timeout that ended the connection, if one did. */
  readonly timedOut: 'handshake' | 'idle' | 'send-stall' | null;
}

export function attachSocket(conn: PumpableConnection, socket: net.Socket, onEvent: (e: SshEvent) => void, opts: AttachOptions = {}): AttachedSocket {
  let pumping = false;
  let again = false;
  const timeouts = { ...DEFAULT_TIMEOUTS, ...opts.timeouts };
  let authenticated = false;
  let timedOut: AttachedSocket['timedOut'] = null;
  const relay = new EventRelay(
    conn,
    (e) => {
      if (e.type === 'auth' && e.result === 'success' && !authenticated) {
        authenticated = true;
        clearTimer('handshake');
      }
      onEvent(e);
    },
    opts.side ?? 'client',
  );
  let readPausedForDrain = false;
  let ending = false;
  let closedSocket = false;

  // ---- timers (one of each at most; all cleared on 'close') ----------------------------------
  const timers: Record<'handshake' | 'idle' | 'stall' | 'linger', ReturnType<typeof setTimeout> | null> = { handshake: null, idle: null, stall: null, linger: null };
  function clearTimer(name: keyof typeof timers): void {
    const t = timers[name];
    if (t) clearTimeout(t);
    timers[name] = null;
  }
  const clearAll = (): void => {
    for (const k of Object.keys(timers) as (keyof typeof timers)[]) clearTimer(k);
  };
  const arm = (name: keyof typeof timers, ms: number, fire: () => void): void => {
    clearTimer(name);
    if (ms > 0 && !closedSocket) {
      timers[name] = setTimeout(() => {
        timers[name] = null;
        fire();
      }, ms);
    }
  };
  let lastReceived = Date.now();
  const armIdle = (ms: number): void => {
    arm('idle', ms, () => {
      const quiet = Date.now() - lastReceived;
      if (quiet + 5 < timeouts.idle) armIdle(timeouts.idle - quiet);
      else timeout('idle', `idle timeout: nothing received for ${seconds(timeouts.idle)}`);
    });
  };
  const seconds = (ms: number): string => (ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`);

  /** Ends the connection because of a timeout: DISCONNECT if the peer reads, then destroy. */
  const timeout = (which: 'handshake' | 'idle' | 'send-stall', message: string): void => {
    if (timedOut || closedSocket || relay.ended) return;
    timedOut = which;
    clearTimer('handshake');
    clearTimer('idle');
    clearTimer('stall');
    if (which !== 'send-stall' && conn.command && !conn.closed) {
      // The engine says SSH_MSG_DISCONNECT and emits its 'closed' event with this message.
      conn.command({ type: 'disconnect', reason: BY_APPLICATION, description: message });
      pump(true);
      arm('linger', LINGER_MS, () => socket.destroy());
    } else {
      // A peer that reads nothing cannot be told anything: drop the connection.
      relay.transportEnded(message);
      socket.destroy();
    }
  };

  /** Bytes the socket still holds in user space reach its high-water mark ('drain' will follow). */
  const overHighWater = (): boolean => socket.writableLength >= socket.writableHighWaterMark;

  const congest = (): void => {
    if (!readPausedForDrain) {
      readPausedForDrain = true;
      socket.pause();
      arm('stall', timeouts.sendStall, () => timeout('send-stall', `send stalled: the peer read nothing for ${seconds(timeouts.sendStall)}`));
    }
  };

  const pump = (force = false): void => {
    if (pumping) {
      again = true;
      return;
    }
    pumping = true;
    try {
      do {
        again = false;
        // While congested, what the engine has to send waits in the engine (unless forced: a
        // DISCONNECT after a timeout).
        if (!readPausedForDrain || force) {
          if (conn.pollTransmitParts) {
            // Several packets go out in one writev (cork/uncork), with no copy into one array.
            let parts: Uint8Array[];
            while ((parts = conn.pollTransmitParts()).length > 0) {
              if (socket.destroyed || socket.writableEnded) continue;
              if (parts.length > 1) socket.cork();
              for (const p of parts) socket.write(p);
              if (parts.length > 1) socket.uncork();
              // While corked every write reports "full"; what counts is what is still unsent now.
              if (overHighWater()) {
                congest();
                if (!force) break;
              }
            }
          } else {
            let t: Uint8Array | null;
            while ((t = conn.pollTransmit()) !== null) {
              if (socket.destroyed || socket.writableEnded) continue;
              if (!socket.write(t)) {
                congest();
                if (!force) break;
              }
            }
          }
        }
        if (relay.drain()) again = true; // the handler may have issued commands
      } while (again);
    } finally {
      pumping = false;
    }
    if (conn.closed && !ending && (!readPausedForDrain || force)) {
      ending = true;
      clearTimer('handshake');
      clearTimer('idle');
      if (!socket.destroyed && !socket.writableEnded) socket.end();
      // A peer that neither reads nor closes must not keep the socket (and us) forever.
      if (!timers.linger) arm('linger', Math.max(LINGER_MS, timeouts.sendStall), () => socket.destroy());
    }
    opts.onPumped?.();
  };

  socket.on('data', (buf: Uint8Array) => {
    lastReceived = Date.now();
    // a copy: the engine may keep references to what it was given
    conn.receive(new Uint8Array(buf));
    pump();
  });
  socket.on('drain', () => {
    clearTimer('stall');
    if (readPausedForDrain) {
      readPausedForDrain = false;
      socket.resume();
      pump(); // what waited in the engine
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
    closedSocket = true;
    clearAll();
    pump();
    relay.transportEnded(socketError ? `TCP connection failed: ${socketError.message}` : 'TCP connection closed');
  });

  arm('handshake', timeouts.handshake, () => {
    if (!authenticated) timeout('handshake', `login grace time exceeded: not authenticated after ${seconds(timeouts.handshake)}`);
  });
  if (timeouts.idle > 0) armIdle(timeouts.idle);

  return {
    pump: () => pump(),
    get congested() {
      return overHighWater();
    },
    get ended() {
      return relay.ended;
    },
    get timedOut() {
      return timedOut;
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
