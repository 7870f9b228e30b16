// Hands a connection's events to the application for a transport adapter, and makes sure the
// application hears exactly one 'closed' event: the engine's own, or one made up when the
// transport (socket, WebSocket) ends first (reason 10, CONNECTION_LOST, RFC 4253 §11.1).

import type { Phase, Side, SshEvent } from '../events.ts';

export class EventRelay {
  private sawClosed = false;
  private lastSeq = -1;
  private lastPhase: Phase = 1;
  private side: Side;
  private readonly conn: { pollEvent(): SshEvent | null };
  private readonly onEvent: (e: SshEvent) => void;

  constructor(conn: { pollEvent(): SshEvent | null }, onEvent: (e: SshEvent) => void, side: Side) {
    this.conn = conn;
    this.onEvent = onEvent;
    this.side = side;
  }

  /** True once a 'closed' event was delivered. */
  get ended(): boolean {
    return this.sawClosed;
  }

  deliver(e: SshEvent): void {
    this.lastSeq = e.seq;
    this.lastPhase = e.phase;
    this.side = e.side;
    if (e.type === 'closed') {
      if (this.sawClosed) return;
      this.sawClosed = true;
    }
    this.onEvent(e);
  }

  /** Delivers every queued event; true when there was any (the handler may have issued commands). */
  drain(): boolean {
    let any = false;
    let e: SshEvent | null;
    while ((e = this.conn.pollEvent()) !== null) {
      this.deliver(e);
      any = true;
    }
    return any;
  }

  /** The transport ended: queued events first, then a 'closed' event unless the engine already sent one. */
  transportEnded(message: string): void {
    if (this.sawClosed) return;
    this.drain();
    if (this.sawClosed) return;
    this.deliver({ seq: this.lastSeq + 1, t: Date.now(), side: this.side, phase: this.lastPhase, type: 'closed', reason: 10, message });
  }
}
