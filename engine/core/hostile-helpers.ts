// Test support for the hostile-input catalogue (issue 8, docs/reliability.md): raw packets written by
// hand, and an in-memory client ⇄ server pair whose traffic can be altered, dropped or taken over so
// that one side can be made to send what a real implementation never would.

import { createClient, createServer, type Connection } from './connection.ts';
import type { ClientConfig, ServerConfig } from './config.ts';
import type { SshEvent } from '../events.ts';
import { buildPacket } from './binary-packet.ts';
import { createNoneSealer, createSealer } from '../algorithms/ciphers.ts';
import { encodeMessage, type SshMessage } from '../wire/messages.ts';
import { fromHex } from '../wire/codec.ts';
import { seededEnv } from '../env.ts';
import { generateEd25519, publicKeyBlob } from '../algorithms/signatures.ts';
import { formatPublicKeyLine } from '../keys/public-key.ts';
import type { SshPrivateKey } from '../algorithms/types.ts';

export type Side = 'client' | 'server';
export type PacketEvent = Extract<SshEvent, { type: 'packet' }>;
export type ErrorEvent = Extract<SshEvent, { type: 'error' }>;

/** The cipher the takeover pair forces: its nonce is the sequence number, so a sealer has no state. */
export const TAKEOVER_CIPHER = 'chacha20-poly1305@openssh.com';

const enc = new TextEncoder();
const zeros = (n: number) => new Uint8Array(n);

/** An identification line for a hand-written peer (RFC 4253 §4.2). */
export const HOSTILE_VERSION = enc.encode('SSH-2.0-hostile_0.1\r\n');

/** Every event a connection has queued. */
export function drain(conn: Connection): SshEvent[] {
  const out: SshEvent[] = [];
  let e: SshEvent | null;
  while ((e = conn.pollEvent())) out.push(e);
  return out;
}

/** Every byte a connection has queued (or an empty array). */
export function drainTransmit(conn: Connection): Uint8Array {
  return conn.pollTransmit() ?? new Uint8Array(0);
}

export function errorsOf(events: SshEvent[], side?: Side): ErrorEvent[] {
  return events.filter((e): e is ErrorEvent => e.type === 'error' && (!side || e.side === side));
}

export function packetsOf(events: SshEvent[], side?: Side): PacketEvent[] {
  return events.filter((e): e is PacketEvent => e.type === 'packet' && (!side || e.side === side));
}

/** A plaintext binary packet (RFC 4253 §6) as sent before the first NEWKEYS; padding is zeros. */
export function plainPacket(payload: Uint8Array): Uint8Array {
  return buildPacket(payload, createNoneSealer(), zeros);
}

/** A plaintext packet of an encoded message. */
export function plainMessage(msg: SshMessage): Uint8Array {
  return plainPacket(encodeMessage(msg));
}

/**
 * A hand-framed packet with any packet_length and padding_length, whatever the rules say:
 * uint32 packet_length || byte padding_length || `body` (zero-filled up to `bodyLength` bytes).
 */
export function rawFrame(packetLength: number, paddingLength: number, bodyLength = Math.max(0, packetLength - 1), body?: Uint8Array): Uint8Array {
  const out = new Uint8Array(5 + bodyLength);
  new DataView(out.buffer).setUint32(0, packetLength >>> 0);
  out[4] = paddingLength;
  if (body) out.set(body.subarray(0, bodyLength), 5);
  return out;
}

export interface HostileSetup {
  client: ClientConfig;
  server: ServerConfig;
  hostKey: SshPrivateKey;
}

/** A seeded client and server that can log in (alice / pw, and alice's ed25519 key). */
export function hostileConfigs(seed: string, c: Partial<ClientConfig> = {}, s: Partial<ServerConfig> = {}): HostileSetup {
  const hk = seededEnv(`${seed}/host`);
  const uk = seededEnv(`${seed}/user`);
  const hostKey = generateEd25519((n) => hk.randomBytes(n));
  const userKey = generateEd25519((n) => uk.randomBytes(n));
  const server: ServerConfig = {
    env: seededEnv(`${seed}/server`),
    hostKeys: [hostKey],
    users: [{ name: 'alice', password: 'pw', authorizedKeys: formatPublicKeyLine(publicKeyBlob(userKey)) }],
    ...s,
  };
  const client: ClientConfig = { env: seededEnv(`${seed}/client`), username: 'alice', password: 'pw', keys: [userKey], authMethods: ['password'], hostKeyCheck: () => 'known', ...c };
  return { client, server, hostKey };
}

/**
 * What to do with one packet a side sent: deliver it, deliver other bytes in its place (same
 * sequence number, e.g. a flipped bit), or drop it — which makes the helper take over that side.
 */
export type Verdict = 'pass' | 'drop' | Uint8Array;
export type PacketFilter = (from: Side, packet: PacketEvent, pair: InterceptedPair) => Verdict;

/**
 * A client and a server in memory with a man in the middle. Every packet one side sends is shown
 * to `filter` before the other side sees it. After a side's packet is dropped (or `inject` is
 * used) the helper speaks for that side: the real engine's later packets are discarded, and
 * `inject` seals payloads with that side's own keys and the sequence number the peer expects.
 * Injection after NEWKEYS needs the TAKEOVER_CIPHER in both directions.
 */
export class InterceptedPair {
  readonly client: Connection;
  readonly server: Connection;
  readonly events: SshEvent[] = [];
  private readonly strict: boolean;
  private readonly filter: PacketFilter;
  private readonly pending: Record<Side, PacketEvent[]> = { client: [], server: [] };
  private readonly versionDone: Record<Side, boolean> = { client: false, server: false };
  private readonly takenOver: Record<Side, boolean> = { client: false, server: false };
  private readonly nextSeq: Record<Side, number> = { client: 0, server: 0 };
  /** Outgoing chacha key of each side (letter C for the client, D for the server; RFC 4253 §7.2). */
  private readonly keys: Record<Side, Uint8Array | null> = { client: null, server: null };
  private readonly pendingKeys: Record<Side, Uint8Array | null> = { client: null, server: null };

  constructor(cfg: { client: ClientConfig; server: ServerConfig }, filter: PacketFilter = () => 'pass') {
    this.client = createClient(cfg.client);
    this.server = createServer(cfg.server);
    this.strict = cfg.client.strictKex !== false && cfg.server.strictKex !== false;
    this.filter = filter;
  }

  conn(side: Side): Connection {
    return side === 'client' ? this.client : this.server;
  }

  isTakenOver(side: Side): boolean {
    return this.takenOver[side];
  }

  /** Moves bytes until both sides are quiet; `onEvent` sees every event (and may issue commands). */
  pump(onEvent?: (e: SshEvent, from: Side) => void, maxRounds = 10_000): SshEvent[] {
    const start = this.events.length;
    for (let round = 0; round < maxRounds; round++) {
      let moved = false;
      for (const side of ['client', 'server'] as const) {
        if (this.step(side, onEvent)) moved = true;
      }
      if (!moved) break;
    }
    return this.events.slice(start);
  }

  /** Seals `payload` (or a message) as `side` and delivers it to the other side. */
  inject(side: Side, what: Uint8Array | SshMessage): void {
    this.takenOver[side] = true;
    const payload = what instanceof Uint8Array ? what : encodeMessage(what);
    const key = this.keys[side];
    const sealer = key ? createSealer(TAKEOVER_CIPHER, null, { iv: zeros(0), key, macKey: zeros(0) }) : createNoneSealer();
    const seq = this.nextSeq[side];
    this.nextSeq[side] = (seq + 1) >>> 0;
    const wire = sealer.seal(seq, buildPacket(payload, sealer, zeros));
    this.other(side).receive(wire);
  }

  /**
   * Seals an arbitrary plaintext packet (framing included, e.g. from `rawFrame`) as `side` and
   * delivers it: the MAC or tag is right, only what it protects is wrong.
   */
  injectFrame(side: Side, plain: Uint8Array): void {
    this.takenOver[side] = true;
    const key = this.keys[side];
    const sealer = key ? createSealer(TAKEOVER_CIPHER, null, { iv: zeros(0), key, macKey: zeros(0) }) : createNoneSealer();
    const seq = this.nextSeq[side];
    this.nextSeq[side] = (seq + 1) >>> 0;
    this.other(side).receive(sealer.seal(seq, plain));
  }

  /** Delivers raw bytes from `side` to the other side (no framing, no sequence number accounting). */
  injectRaw(side: Side, bytes: Uint8Array): void {
    this.takenOver[side] = true;
    this.other(side).receive(bytes);
  }

  /** The sequence number the peer of `side` expects next. */
  expectedSeq(side: Side): number {
    return this.nextSeq[side];
  }

  private other(side: Side): Connection {
    return side === 'client' ? this.server : this.client;
  }

  private step(side: Side, onEvent?: (e: SshEvent, from: Side) => void): boolean {
    const from = this.conn(side);
    const outDir = side === 'client' ? 'c2s' : 's2c';
    let moved = false;
    let e: SshEvent | null;
    while ((e = from.pollEvent())) {
      moved = true;
      this.events.push(e);
      if (e.type === 'packet' && e.dir === outDir) this.pending[side].push(e);
      if (e.type === 'keys') {
        const letter = side === 'client' ? 'C' : 'D';
        const step = e.steps.find((s) => s.name === letter);
        this.pendingKeys[side] = step ? fromHex(step.value) : null;
      }
      onEvent?.(e, side);
    }
    const out = from.pollTransmit();
    if (!out) return moved;
    const forward: Uint8Array[] = [];
    let off = 0;
    if (!this.versionDone[side]) {
      const lf = out.indexOf(0x0a);
      if (lf < 0) throw new Error('InterceptedPair: version line not found');
      forward.push(out.subarray(0, lf + 1));
      off = lf + 1;
      this.versionDone[side] = true;
    }
    while (off < out.length) {
      const pkt = this.pending[side].shift();
      if (!pkt) throw new Error(`InterceptedPair: ${out.length - off} ${side} bytes without a packet event`);
      const wire = out.subarray(off, off + pkt.wire.length);
      off += pkt.wire.length;
      if (this.takenOver[side]) continue;
      const verdict = this.filter(side, pkt, this);
      if (verdict === 'drop') {
        // Not delivered: its sequence number is the one the next injected packet takes.
        this.takenOver[side] = true;
        continue;
      }
      forward.push(verdict === 'pass' ? wire : verdict);
      this.afterPacket(side, pkt);
    }
    this.pending[side].length = 0;
    if (forward.length === 0) return true;
    let n = 0;
    for (const f of forward) n += f.length;
    const joined = new Uint8Array(n);
    let o = 0;
    for (const f of forward) {
      joined.set(f, o);
      o += f.length;
    }
    this.other(side).receive(joined);
    return true;
  }

  /** Sequence numbers and keys as the peer sees them after this packet (OpenSSH PROTOCOL §1.10 under strict KEX). */
  private afterPacket(side: Side, pkt: PacketEvent): void {
    if (pkt.msg === 'SSH_MSG_NEWKEYS') {
      this.keys[side] = this.pendingKeys[side];
      this.nextSeq[side] = this.strict ? 0 : (pkt.n + 1) >>> 0;
    } else {
      this.nextSeq[side] = (pkt.n + 1) >>> 0;
    }
  }
}
