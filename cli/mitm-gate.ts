// The authentication gate of `sshscope mitm`: it sits between the real client's bytes and OUR
// server engine and reads the client's packets one step ahead of the engine, until the user is
// logged in.
//
// Why it exists: our server engine decides a password request synchronously against its user table
// (engine/core/auth-server.ts). A man in the middle does not know the password until the client
// sends it, and the real server's verdict arrives a round trip later. So the gate decrypts each
// client packet itself (a shadow copy of the engine's incoming cipher, keyed with the 'keys' event
// the engine emits: letters A, C, E of RFC 4253 §7.2) and, when it is an
// SSH_MSG_USERAUTH_REQUEST for "password" (RFC 4252 §8), HOLDS it: the application replays the
// password to the real server, fills the engine's user table with the verdict, then calls
// release(). Every other packet goes through at once, unchanged. After USERAUTH_SUCCESS the gate
// stops reading and passes bytes straight through.
//
// This only works when the client's packets are not compressed before authentication: offer "none"
// and "zlib@openssh.com" (delayed until after auth, OpenSSH PROTOCOL §1.2) on this leg, never "zlib".

import type { Connection, SshEvent } from '../engine/index.ts';
import type { PumpableConnection } from '../engine/adapters/node-tcp.ts';
import type { CryptoProvider, PacketOpener } from '../engine/algorithms/types.ts';
import { createNoneOpener, createOpener } from '../engine/algorithms/ciphers.ts';
import { ByteQueue } from '../engine/core/byte-queue.ts';
import { PacketReader, unpackPacket } from '../engine/core/binary-packet.ts';
import { decodeMessage } from '../engine/wire/messages.ts';
import { fromHex } from '../engine/wire/codec.ts';

/** OpenSSH PROTOCOL §1.10: the client's strict-KEX marker in its KEXINIT kex list. */
const STRICT_C = 'kex-strict-c-v00@openssh.com';
const MSG_KEXINIT = 20; // RFC 4253 §12
const MSG_NEWKEYS = 21;
const MSG_USERAUTH_REQUEST = 50; // RFC 4252 §6

/** A password the real client sent (RFC 4252 §8). */
export interface PasswordAttempt {
  user: string;
  password: string;
  /** A password-change request (the boolean of §8): carries the new password too. */
  change: boolean;
  newPassword?: string;
}

export interface AuthGateOptions {
  /** Our server engine's strictKex setting (default true, as in CommonConfig). */
  strictKex?: boolean;
  /** The engine's crypto provider (node:crypto in the CLI), for the shadow opener. */
  crypto?: CryptoProvider;
  /** Every USERAUTH_REQUEST the client sends, before the engine sees it (user name, method). */
  onRequest?: (user: string, method: string) => void;
  /** A password request is held: answer by filling the engine's users, then call release(). */
  onPassword: (attempt: PasswordAttempt) => void;
  /** The gate could not follow the client's packets (it then passes everything through). */
  onLost?: (why: string) => void;
}

/** The c2s half of a key exchange's output, collected from the engine's events. */
interface PendingKeys {
  cipher: string | null;
  mac: string | null;
  compression: string | null;
  iv: Uint8Array | null;
  key: Uint8Array | null;
  macKey: Uint8Array | null;
}

export class AuthGate implements PumpableConnection {
  readonly inner: Connection;
  private readonly opts: AuthGateOptions;
  private readonly queue = new ByteQueue();
  private readonly reader = new PacketReader();
  private opener: PacketOpener = createNoneOpener();
  private seq = 0;
  private versionSeen = false;
  private clientStrict = false;
  private pending: PendingKeys = { cipher: null, mac: null, compression: null, iv: null, key: null, macKey: null };
  private held: Uint8Array | null = null;
  private passthrough = false;
  private readonly events: SshEvent[] = [];
  private eventHead = 0;

  constructor(inner: Connection, opts: AuthGateOptions) {
    this.inner = inner;
    this.opts = opts;
    this.collect();
  }

  get closed(): boolean {
    return this.inner.closed;
  }

  /** True while a password request waits for release(). */
  get holding(): boolean {
    return this.held !== null;
  }

  /** True once the gate no longer reads the client's packets (logged in, or lost). */
  get transparent(): boolean {
    return this.passthrough;
  }

  receive(bytes: Uint8Array): void {
    if (this.passthrough) {
      this.inner.receive(bytes);
      this.collect();
      return;
    }
    this.queue.push(bytes);
    this.advance();
  }

  /** Lets the held password request reach the engine, then reads on. */
  release(): void {
    const h = this.held;
    if (!h) return;
    this.held = null;
    this.forward(h);
    this.advance();
  }

  pollTransmit(): Uint8Array | null {
    return this.inner.pollTransmit();
  }

  pollTransmitParts(): Uint8Array[] {
    return this.inner.pollTransmitParts();
  }

  pollEvent(): SshEvent | null {
    this.collect();
    if (this.eventHead >= this.events.length) {
      this.events.length = 0;
      this.eventHead = 0;
      return null;
    }
    return this.events[this.eventHead++]!;
  }

  // ---- inside --------------------------------------------------------------------------------

  private forward(wire: Uint8Array): void {
    this.inner.receive(wire);
    this.collect();
  }

  /** Moves the engine's events into our queue, learning the c2s keys and the login on the way. */
  private collect(): void {
    let e: SshEvent | null;
    while ((e = this.inner.pollEvent()) !== null) {
      this.observe(e);
      this.events.push(e);
    }
  }

  private observe(e: SshEvent): void {
    if (e.type === 'negotiated') {
      const row = (c: string) => e.rows.find((r) => r.category === c)?.chosen ?? null;
      this.pending.cipher = row('encryption c2s');
      this.pending.mac = row('mac c2s');
      this.pending.compression = row('compression c2s');
    } else if (e.type === 'keys') {
      // RFC 4253 §7.2: A is the c2s IV, C the c2s encryption key, E the c2s integrity key.
      const step = (n: string) => {
        const s = e.steps.find((x) => x.name === n);
        return s ? fromHex(s.value) : null;
      };
      this.pending.iv = step('A');
      this.pending.key = step('C');
      this.pending.macKey = step('E');
    } else if (e.type === 'auth' && e.result === 'success') {
      this.goTransparent();
    }
  }

  private goTransparent(): void {
    if (this.passthrough) return;
    this.passthrough = true;
    if (this.held) {
      const h = this.held;
      this.held = null;
      this.inner.receive(h);
    }
    if (this.queue.length > 0) this.inner.receive(this.queue.take(this.queue.length));
  }

  private lose(why: string): void {
    this.opts.onLost?.(why);
    this.goTransparent();
    this.collect();
  }

  /** Reads whole packets off the queue and forwards them, stopping at a password request. */
  private advance(): void {
    while (!this.passthrough && !this.held && !this.inner.closed) {
      if (!this.versionSeen) {
        // RFC 4253 §4.2: a client sends its identification line first (no other lines).
        const lf = this.queue.indexOfLf();
        if (lf < 0) {
          if (this.queue.length > 255) return this.lose('no identification line');
          return;
        }
        this.versionSeen = true;
        this.forward(this.queue.take(lf + 1));
        continue;
      }
      let pkt;
      // A copy of what is queued (a few small packets before authentication): when our shadow
      // cannot read a packet, the engine still gets every byte of it.
      const before = this.queue.peek(this.queue.length).slice();
      try {
        pkt = this.reader.next(this.queue, this.opener, this.seq);
      } catch (err) {
        this.queue.take(this.queue.length);
        this.queue.push(before);
        return this.lose(`cannot read the client's packet ${this.seq}: ${(err as Error).message}`);
      }
      if (!pkt) return;
      const seq = this.seq;
      this.seq = (this.seq + 1) >>> 0;
      let payload: Uint8Array;
      try {
        payload = unpackPacket(pkt.plain, this.opener);
      } catch (err) {
        this.forward(pkt.wire);
        return this.lose(`cannot unpack the client's packet ${seq}: ${(err as Error).message}`);
      }
      const id = payload[0];
      if (id === MSG_KEXINIT && this.opener.cipher === 'none') {
        try {
          const kex = decodeMessage(payload).msg.kexAlgorithms as string[];
          this.clientStrict = kex.includes(STRICT_C);
        } catch {
          // the engine will say what is wrong with it
        }
      } else if (id === MSG_NEWKEYS) {
        this.forward(pkt.wire);
        if (!this.switchKeys()) return;
        // OpenSSH PROTOCOL §1.10: with strict KEX the sequence number restarts after NEWKEYS.
        if (this.clientStrict && this.opts.strictKex !== false) this.seq = 0;
        continue;
      } else if (id === MSG_USERAUTH_REQUEST) {
        let msg;
        try {
          msg = decodeMessage(payload, {}).msg;
        } catch {
          this.forward(pkt.wire);
          continue;
        }
        const user = String(msg.user);
        const method = String(msg.method);
        this.opts.onRequest?.(user, method);
        if (method === 'password') {
          this.held = pkt.wire;
          const attempt: PasswordAttempt = { user, password: text(msg.password), change: !!msg.change };
          if (msg.change && msg.newPassword !== undefined) attempt.newPassword = text(msg.newPassword);
          this.opts.onPassword(attempt);
          return;
        }
      }
      this.forward(pkt.wire);
    }
  }

  /** The client's NEWKEYS: its next packets use the keys of the exchange that just finished. */
  private switchKeys(): boolean {
    const p = this.pending;
    if (!p.cipher || !p.iv || !p.key || !p.macKey) {
      this.lose('the engine did not report the client-to-server keys');
      return false;
    }
    if (p.compression && p.compression !== 'none' && p.compression !== 'zlib@openssh.com') {
      this.lose(`compression ${p.compression} before authentication hides the password request`);
      return false;
    }
    try {
      this.opener = createOpener(p.cipher, p.mac, { iv: p.iv, key: p.key, macKey: p.macKey }, this.opts.crypto);
    } catch (err) {
      this.lose(`cannot follow ${p.cipher}: ${(err as Error).message}`);
      return false;
    }
    return true;
  }
}

function text(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array) return new TextDecoder().decode(v);
  return v === undefined || v === null ? '' : String(v);
}
