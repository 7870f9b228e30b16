// Records what a live connection sends and receives, for `--pcap FILE` (and any other consumer of
// writeSessionPcapng): `tap(conn)` returns a stand-in for the connection that an adapter drives
// exactly like the connection itself; every byte given to receive() is recorded as the peer's, every
// byte taken from pollTransmit()/pollTransmitParts() as ours, with the time it passed. Key-log lines
// added along the way go into the file's Decryption Secrets Block.

import { writeSessionPcapng, type PcapngEndpointInput, type SessionChunk } from './pcapng-writer.ts';

/** The part of a connection an adapter drives (structurally the same as node-tcp's PumpableConnection). */
export interface TappableConnection {
  receive(bytes: Uint8Array): void;
  pollTransmit(): Uint8Array | null;
  pollTransmitParts?(): Uint8Array[];
  pollEvent(): import('../events.ts').SshEvent | null;
  readonly closed: boolean;
}

export class SessionRecorder {
  readonly chunks: SessionChunk[] = [];
  readonly keylog: string[] = [];
  /** Bytes recorded so far (both directions). */
  bytes = 0;
  constructor(
    /** Which side our connection is: its output is c2s for a client, s2c for a server. */
    readonly side: 'client' | 'server',
    private readonly now: () => number = () => Date.now(),
  ) {}

  record(dir: 'c2s' | 's2c', bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    // a copy: the caller may reuse its buffer
    this.chunks.push({ dir, bytes: bytes.slice(), timeMs: this.now() });
    this.bytes += bytes.length;
  }

  addKeylog(lines: string[]): void {
    this.keylog.push(...lines);
  }

  /** A connection that records the bytes passing through it and otherwise is `conn`. */
  tap<C extends TappableConnection>(conn: C): TappableConnection {
    const out = this.side === 'client' ? 'c2s' : 's2c';
    const inn = this.side === 'client' ? 's2c' : 'c2s';
    const tapped: TappableConnection = {
      receive: (b) => {
        this.record(inn, b);
        conn.receive(b);
      },
      pollTransmit: () => {
        const t = conn.pollTransmit();
        if (t) this.record(out, t);
        return t;
      },
      pollEvent: () => conn.pollEvent(),
      get closed() {
        return conn.closed;
      },
    };
    if (conn.pollTransmitParts) {
      const parts = conn.pollTransmitParts.bind(conn);
      tapped.pollTransmitParts = () => {
        const p = parts();
        // the parts of one call go out in one writev: one chunk, as the wire would carry them
        if (p.length === 1) this.record(out, p[0]!);
        else if (p.length > 1) {
          let n = 0;
          for (const x of p) n += x.length;
          const joined = new Uint8Array(n);
          n = 0;
          for (const x of p) {
            joined.set(x, n);
            n += x.length;
          }
          this.record(out, joined);
        }
        return p;
      };
    }
    return tapped;
  }

  /** The session as pcapng (handshake, data, FINs; the key log in a Decryption Secrets Block). */
  toPcapng(client: PcapngEndpointInput, server: PcapngEndpointInput): Uint8Array {
    const keylog = this.keylog.length ? this.keylog.join('\n') + '\n' : undefined;
    return writeSessionPcapng({ client, server, chunks: this.chunks, ...(keylog ? { keylog } : {}) });
  }
}
