// A sans-IO SSH-2 connection (DESIGN.md "Engine"): bytes in, events and bytes out, nothing awaited.
// This file is the transport layer, RFC 4253: identification exchange (§4.2), binary packets (§6),
// algorithm negotiation and key exchange (§7, §8), key re-exchange (§9), and the generic messages
// (§11). Authentication (RFC 4252) and channels (RFC 4254) are the layers in auth-*.ts and channels.ts.

import { decodeMessage, encodeMessage, encodeMessageTree, messageSpec, type DecodeContext, type SshMessage } from '../wire/messages.ts';
import { DecodeError, Reader, bytesToBigint, equalBytes, toHex } from '../wire/codec.ts';
import type { FieldNode, Phase, Side, SshEvent, SshEventBody, DecisionKind } from '../events.ts';
import { defaultEnv, type Env } from '../env.ts';
import type { KexClientState, KexResult, KexSpec, PacketOpener, PacketSealer, SshPrivateKey } from '../algorithms/types.ts';
import { IntegrityError, KexError } from '../algorithms/types.ts';
import { createNoneOpener, createNoneSealer, createOpener, createSealer, CIPHERS } from '../algorithms/ciphers.ts';
import { MACS } from '../algorithms/macs.ts';
import { COMPRESSION, type Compressor, type Decompressor } from '../algorithms/compression.ts';
import { KEX } from '../algorithms/kex.ts';
import { SIGNATURES, publicKeyBlob } from '../algorithms/signatures.ts';
import { deriveKeys } from '../algorithms/kdf.ts';
import { hash } from '../algorithms/hashes.ts';
import { chosenAlgorithms, failedRows, guessMatches, negotiate } from '../algorithms/negotiate.ts';
import { resolveAlgorithms } from '../algorithms/defaults.ts';
import { MSG } from '../wire/message-ids.ts';
import { fingerprintOf } from './fingerprint.ts';
import type { AlgorithmPrefs, ClientConfig, Command, ServerConfig } from './config.ts';
import { ByteQueue } from './byte-queue.ts';
import { readChannelData, readWindowAdjust } from './channel-data.ts';
import { PacketReader, buildChannelDataPacket, buildPacket, channelDataPieces, packetTree, shiftTree, unpackPacket } from './binary-packet.ts';
import { REASON, SshProtocolError } from './errors.ts';
import { exchangeHashInput } from './exchange-hash.ts';
import { ClientAuth } from './auth-client.ts';
import { ServerAuth } from './auth-server.ts';
import { Channels } from './channels.ts';
import type { LayerHost } from './host.ts';

export const SOFTWARE_VERSION = 'sshscope_0.1';
/** RFC 4253 §4.2: identification lines are at most 255 bytes including CR LF. */
const MAX_LINE = 255;
/** Lines a client accepts before the server's version line (OpenSSH allows 1024). */
const MAX_PREAMBLE_LINES = 1024;
const STRICT_C = 'kex-strict-c-v00@openssh.com';
const STRICT_S = 'kex-strict-s-v00@openssh.com';
/** RFC 4253 §9: re-exchange keys after 1 GiB. */
const DEFAULT_REKEY_BYTES = 1 << 30;

interface KexRound {
  initial: boolean;
  ourPayload: Uint8Array | null;
  peerPayload: Uint8Array | null;
  kexName?: string;
  hostKeyAlg?: string;
  ciphers?: { c2s: string; s2c: string };
  macs?: { c2s: string | null; s2c: string | null };
  client?: KexClientState;
  ignoreNextPeerKexPacket: boolean;
  /** The key exchange our first_kex_packet_follows guess used, if we guessed. */
  guessedKex?: string;
  /** Group exchange (RFC 4419): the request, the group, and the DH spec in that group. */
  gex?: { min: number; n: number; max: number; p: bigint; g: bigint };
  gexSpec?: KexSpec;
  compression?: { c2s: string; s2c: string };
  sentNewKeys: boolean;
  receivedNewKeys: boolean;
  pendingOpener: PacketOpener | null;
}

interface Decision {
  kind: DecisionKind;
  then: (value: unknown) => void;
}

type Role = { side: 'client'; cfg: ClientConfig } | { side: 'server'; cfg: ServerConfig };

export class Connection {
  readonly side: Side;
  private readonly cfg: ClientConfig | ServerConfig;
  private readonly env: Env;
  private readonly prefs: AlgorithmPrefs;
  private readonly trace: boolean;
  private readonly rekeyBytes: number;
  /** env.randomBytes bound once (padding asks for it per packet). */
  private readonly random: (n: number) => Uint8Array;

  private readonly inbuf = new ByteQueue();
  private readonly reader = new PacketReader();
  private outQueue: Uint8Array[] = [];
  private events: SshEvent[] = [];
  private eventHead = 0;
  private seq = 0;

  private ourVersion: string;
  private peerVersion: string | null = null;
  private preamble: string[] = [];
  private sealer: PacketSealer = createNoneSealer();
  private opener: PacketOpener = createNoneOpener();
  private seqOut = 0;
  private seqIn = 0;
  /** Compression in force per direction (RFC 4253 §6.2), and what was negotiated but waits for auth (zlib@openssh.com). */
  private compressor: Compressor | null = null;
  private decompressor: Decompressor | null = null;
  private compressName: { out: string; in: string } = { out: 'none', in: 'none' };
  /** Bytes sent under the current outgoing keys, and received under the current incoming keys. */
  private bytesOut = 0;
  private bytesIn = 0;
  private strict = false;
  private peerWantsExtInfo = false;
  private kex: KexRound | null = null;
  private kexCount = 0;
  private firstHostKey: Uint8Array | null = null;
  private deferred: { msg: SshMessage; phase: Phase | undefined }[] = [];
  private ctx: DecodeContext = {};
  private phaseNow: Phase = 1;
  private decisions = new Map<number, Decision>();
  private nextDecision = 1;
  private paused = false;
  private processing = false;

  private clientAuth: ClientAuth | null = null;
  private serverAuth: ServerAuth | null = null;
  private channels: Channels;
  private authDone = false;
  private serviceRequested = false;
  /** server-sig-algs from the server's EXT_INFO (RFC 8308 §3.1). */
  serverSigAlgs: string[] | null = null;

  closed = false;
  sessionId: Uint8Array | null = null;

  constructor(role: Role) {
    this.side = role.side;
    this.cfg = role.cfg;
    this.env = role.cfg.env ?? defaultEnv();
    const env = this.env;
    this.random = (n) => env.randomBytes(n);
    this.prefs = resolveAlgorithms(role.cfg.algorithms);
    this.trace = role.cfg.trace ?? true;
    this.rekeyBytes = role.cfg.rekeyBytes ?? DEFAULT_REKEY_BYTES;
    this.ourVersion = `SSH-2.0-${role.cfg.software ?? SOFTWARE_VERSION}`;
    const host = this.layerHost();
    this.channels = new Channels(host, {
      window: role.cfg.channelWindow ?? 2 * 1024 * 1024,
      maxPacket: role.cfg.channelMaxPacket ?? 32768,
      manualWindow: role.cfg.manualWindow ?? false,
      ...(role.side === 'server' && role.cfg.permitOpen !== undefined ? { permitOpen: role.cfg.permitOpen } : {}),
    });
    if (role.side === 'client') {
      this.clientAuth = new ClientAuth(host, role.cfg, (kind, detail, then) => this.ask(kind, detail, then), () => this.serverSigAlgs);
    } else {
      this.serverAuth = new ServerAuth(host, role.cfg);
    }
    // RFC 4253 §4.2: send our identification line, then (§7.1) our KEXINIT without waiting.
    this.outQueue.push(new TextEncoder().encode(`${this.ourVersion}\r\n`));
    this.emit({ type: 'version', dir: this.ourDir, line: this.ourVersion }, 1);
    this.startKex();
  }

  // ---- the public sans-IO surface ----------------------------------------------------------

  receive(bytes: Uint8Array): void {
    if (this.closed) return;
    this.inbuf.push(bytes);
    this.process();
  }

  command(cmd: Command): number {
    if (this.closed) return 0;
    try {
      switch (cmd.type) {
        case 'rekey':
          if (!this.kex) this.startKex();
          return 0;
        case 'ignore':
          this.send({ name: 'SSH_MSG_IGNORE', data: cmd.data ?? new Uint8Array(0) });
          return 0;
        case 'keepalive':
          this.channels.globalRequest('keepalive@openssh.com', true);
          return 0;
        case 'no-more-sessions':
          this.channels.globalRequest('no-more-sessions@openssh.com', false);
          return 0;
        case 'disconnect':
          this.disconnect(cmd.reason ?? REASON.BY_APPLICATION, cmd.description ?? 'disconnected by application', true, undefined, false);
          return 0;
        default:
          if (!this.authDone) {
            this.emit({ type: 'error', local: true, message: `${cmd.type}: not authenticated yet` });
            return 0;
          }
          return this.channels.command(cmd);
      }
    } catch (e) {
      this.fail(e);
      return 0;
    }
  }

  answer(decisionId: number, value: unknown): void {
    const d = this.decisions.get(decisionId);
    if (!d || this.closed) return;
    this.decisions.delete(decisionId);
    try {
      d.then(value);
    } catch (e) {
      this.fail(e);
    }
    if (this.decisions.size === 0) {
      this.paused = false;
      this.process();
    }
  }

  /**
   * Everything queued for the wire as separate arrays, without the concatenation copy of
   * pollTransmit (a socket adapter can hand them to one writev): one per packet, or, on the bulk
   * fast path, a packet's parts (small ones joined with a neighbour). Empty when nothing is pending.
   */
  pollTransmitParts(): Uint8Array[] {
    const parts = this.outQueue;
    if (parts.length > 0) this.outQueue = [];
    return parts;
  }

  pollTransmit(): Uint8Array | null {
    if (this.outQueue.length === 0) return null;
    if (this.outQueue.length === 1) return this.outQueue.pop()!;
    let n = 0;
    for (const b of this.outQueue) n += b.length;
    const out = new Uint8Array(n);
    let o = 0;
    for (const b of this.outQueue) {
      out.set(b, o);
      o += b.length;
    }
    this.outQueue = [];
    return out;
  }

  pollEvent(): SshEvent | null {
    if (this.eventHead >= this.events.length) {
      if (this.eventHead > 0) {
        this.events = [];
        this.eventHead = 0;
      }
      return null;
    }
    return this.events[this.eventHead++]!;
  }

  bufferedAmount(channel: number): number {
    return this.channels.bufferedAmount(channel);
  }

  get authenticated(): boolean {
    return this.authDone;
  }

  /** True while no key exchange is running. */
  get idle(): boolean {
    return this.kex === null;
  }

  // ---- events and decisions ----------------------------------------------------------------

  private get ourDir(): 'c2s' | 's2c' {
    return this.side === 'client' ? 'c2s' : 's2c';
  }
  private get peerDir(): 'c2s' | 's2c' {
    return this.side === 'client' ? 's2c' : 'c2s';
  }

  private emit(body: SshEventBody, phase?: Phase): void {
    const p = phase ?? this.phaseNow;
    if (p === 5 && this.authDone) this.phaseNow = 5;
    this.events.push({ seq: this.seq++, t: this.env.now(), side: this.side, phase: p, ...body } as SshEvent);
  }

  private ask(kind: DecisionKind, detail: unknown, then: (value: unknown) => void): void {
    const id = this.nextDecision++;
    this.decisions.set(id, { kind, then });
    this.paused = true;
    this.emit({ type: 'decision', id, kind, detail });
  }

  private layerHost(): LayerHost {
    const self = this;
    return {
      side: this.side,
      env: this.env,
      get sessionId() {
        return self.sessionId ?? new Uint8Array(0);
      },
      send: (msg, phase) => this.send(msg, phase),
      emit: (body, phase) => this.emit(body, phase),
      fatal: (reason, message, where) => this.disconnect(reason, message, true, where),
    };
  }

  // ---- input -------------------------------------------------------------------------------

  private process(): void {
    if (this.processing) return;
    this.processing = true;
    try {
      while (!this.closed && !this.paused) {
        if (this.peerVersion === null) {
          if (!this.readVersion()) break;
          continue;
        }
        const seq = this.seqIn;
        const pkt = this.reader.next(this.inbuf, this.opener, seq);
        if (!pkt) break;
        this.seqIn = (this.seqIn + 1) >>> 0;
        this.bytesIn += pkt.wire.length;
        this.handlePacket(seq, pkt.wire, pkt.plain);
        this.maybeRekey();
      }
    } catch (e) {
      this.fail(e);
    } finally {
      this.processing = false;
    }
  }

  /** RFC 4253 §4.2: the identification line; clients skip other lines the server sends first. */
  private readVersion(): boolean {
    const lf = this.inbuf.indexOfLf();
    if (lf < 0) {
      if (this.inbuf.length > MAX_LINE) throw new SshProtocolError(REASON.PROTOCOL_ERROR, `identification line longer than ${MAX_LINE} bytes`, { field: 'identification', offset: 0 });
      return false;
    }
    if (lf + 1 > MAX_LINE) throw new SshProtocolError(REASON.PROTOCOL_ERROR, `identification line longer than ${MAX_LINE} bytes`, { field: 'identification', offset: 0 });
    const raw = this.inbuf.take(lf + 1);
    let line = new TextDecoder().decode(raw.subarray(0, raw[lf - 1] === 0x0d ? lf - 1 : lf));
    if (!line.startsWith('SSH-')) {
      if (this.side === 'server') throw new SshProtocolError(REASON.PROTOCOL_VERSION_NOT_SUPPORTED, `expected an SSH identification line, got ${JSON.stringify(line.slice(0, 40))}`, { field: 'identification', offset: 0 });
      this.preamble.push(line);
      if (this.preamble.length > MAX_PREAMBLE_LINES) throw new SshProtocolError(REASON.PROTOCOL_ERROR, 'too many lines before the identification line', { field: 'identification', offset: 0 });
      return true;
    }
    if (line.includes('\0')) throw new SshProtocolError(REASON.PROTOCOL_ERROR, 'identification line contains a NUL byte', { field: 'identification', offset: 0 });
    if (!line.startsWith('SSH-2.0-') && !line.startsWith('SSH-1.99-')) {
      throw new SshProtocolError(REASON.PROTOCOL_VERSION_NOT_SUPPORTED, `protocol version not supported: ${line}`, { field: 'protoversion', offset: 4 });
    }
    this.peerVersion = line;
    this.emit({ type: 'version', dir: this.peerDir, line, ...(this.preamble.length ? { preamble: this.preamble } : {}) }, 1);
    this.phaseNow = 2;
    line = '';
    return true;
  }

  private handlePacket(seq: number, wire: Uint8Array, plain: Uint8Array): void {
    const framed = unpackPacket(plain, this.opener);
    let payload = framed;
    if (this.decompressor) {
      try {
        payload = this.decompressor.decompress(framed);
      } catch (e) {
        throw new SshProtocolError(REASON.COMPRESSION_ERROR, `cannot decompress the payload: ${(e as Error).message}`, { field: 'payload', offset: 5 });
      }
    }
    if (payload.length === 0) throw new SshProtocolError(REASON.PROTOCOL_ERROR, 'empty payload: no message number', { field: 'payload', offset: 5 });
    const id = payload[0]!;
    if (!this.trace && this.authDone) {
      // Bulk fast paths (no tree is wanted): data, and the peer's window adjusts that pace an upload.
      if (id === 94 || id === 95) return this.dispatch(readChannelData(payload), seq, payload);
      if (id === 93) {
        const adjust = readWindowAdjust(payload);
        if (adjust) return this.dispatch(adjust, seq, payload);
      }
    }
    let decoded: { msg: SshMessage & { id: number }; tree: FieldNode };
    try {
      decoded = decodeMessage(payload, this.ctx, this.decompressor ? 0 : 5);
    } catch (e) {
      this.emitPacket({ dir: this.peerDir, n: seq, wire, plain, payload, msg: { name: `message ${id}`, id }, cipher: this.opener.cipher, mac: this.opener.mac, compressed: this.decompressor ? this.compressName.in : null });
      throw e;
    }
    const msg = decoded.msg;
    this.emitPacket({ dir: this.peerDir, n: seq, wire, plain, payload, msg, tree: decoded.tree, cipher: this.opener.cipher, mac: this.opener.mac, compressed: this.decompressor ? this.compressName.in : null });
    this.dispatch(msg, seq, payload);
  }

  /**
   * One packet event, for either direction. When the payload was compressed, the packet tree shows
   * the compressed bytes and `payloadTree` the message inside the decompressed payload.
   */
  private emitPacket(p: { dir: 'c2s' | 's2c'; n: number; wire: Uint8Array; plain: Uint8Array; payload: Uint8Array; msg: SshMessage & { id?: number }; tree?: FieldNode | undefined; cipher: string; mac: string | null; compressed: string | null; phase?: Phase | undefined }): void {
    if (!this.trace) return;
    const macLen = p.wire.length - p.plain.length;
    const macLabel = macLen === 0 ? 'mac' : p.mac ? `MAC (${p.mac})` : 'authentication tag';
    const tree = p.tree ?? { path: 'payload', label: 'payload (undecodable)', kind: 'bytes' as const, start: p.compressed ? 0 : 5, end: (p.compressed ? 0 : 5) + p.payload.length };
    const msgTree: FieldNode = p.compressed
      ? { path: 'payload', label: `compressed payload (${p.compressed})`, kind: 'bytes', start: 5, end: 5, doc: 'The message, compressed with zlib (RFC 4253 §6.2); see the decompressed payload.' }
      : tree;
    const cls = this.phaseOfMessage(p.msg);
    this.emit(
      {
        type: 'packet',
        dir: p.dir,
        n: p.n,
        wire: p.wire,
        payload: p.payload,
        msg: p.msg.name,
        id: p.payload[0] ?? -1,
        encrypted: p.cipher !== 'none',
        tree: packetTree(p.plain, macLen, msgTree, macLabel),
        ...(p.compressed ? { payloadTree: tree, compression: p.compressed } : {}),
        ...(cls.background ? { background: true } : {}),
      },
      p.phase ?? cls.phase,
    );
  }

  private phaseOfMessage(msg: SshMessage & { id?: number }): { phase: Phase; background?: boolean } {
    const id = (msg.id as number | undefined) ?? 0;
    const name = msg.name;
    if ((id >= 20 && id <= 49) || name === 'SSH_MSG_KEXINIT' || name === 'SSH_MSG_NEWKEYS') {
      return this.kexCount > 0 && this.authDone ? { phase: 5, background: true } : { phase: this.kexCount > 0 && this.phaseNow >= 3 ? this.phaseNow : 2 };
    }
    if (name === 'SSH_MSG_SERVICE_REQUEST' || name === 'SSH_MSG_SERVICE_ACCEPT' || (id >= 50 && id <= 79)) return { phase: 3 };
    if (id >= 80 && id <= 100) return { phase: this.channels.phaseFor(msg) };
    if (name === 'SSH_MSG_EXT_INFO') return { phase: this.authDone ? this.phaseNow : 2 };
    if (name === 'SSH_MSG_IGNORE' || name === 'SSH_MSG_PING' || name === 'SSH_MSG_PONG') return { phase: this.phaseNow, background: this.authDone };
    return { phase: this.phaseNow };
  }

  private dispatch(msg: SshMessage & { id: number }, seq: number, payload: Uint8Array): void {
    const name = msg.name;
    // OpenSSH PROTOCOL §1.10 (strict KEX): during the initial key exchange only KEX messages may arrive.
    if (this.strict && this.kex?.initial && !isKexMessage(msg.id) && name !== 'SSH_MSG_DISCONNECT') {
      throw new SshProtocolError(REASON.PROTOCOL_ERROR, `strict KEX: unexpected ${name} during the initial key exchange`, { field: 'msg-id', offset: 5 });
    }
    switch (name) {
      case 'SSH_MSG_DISCONNECT':
        this.emit({ type: 'closed', reason: msg.reasonCode as number, message: `peer disconnected: ${msg.description as string}` });
        this.closed = true;
        return;
      case 'SSH_MSG_IGNORE':
      case 'SSH_MSG_UNIMPLEMENTED':
      case 'SSH_MSG_PONG':
        return;
      case 'SSH_MSG_DEBUG':
        this.emit({ type: 'info', message: `peer debug message: ${msg.message as string}` });
        return;
      case 'SSH_MSG_PING':
        this.send({ name: 'SSH_MSG_PONG', data: msg.data as Uint8Array });
        return;
      case 'SSH_MSG_KEXINIT':
        return this.onKexinit(msg, payload);
      case 'SSH_MSG_NEWKEYS':
        return this.onNewKeys();
      case 'SSH_MSG_EXT_INFO':
        return this.onExtInfo(msg);
      case 'SSH_MSG_SERVICE_REQUEST':
        return this.onServiceRequest(msg);
      case 'SSH_MSG_SERVICE_ACCEPT':
        if (this.side !== 'client' || !this.serviceRequested || msg.serviceName !== 'ssh-userauth') throw outOfOrder(msg);
        this.clientAuth!.start();
        this.ctx = { ...this.ctx, authMethod: 'none' };
        return;
    }
    // RFC 4253 §11.4: a message number we do not know gets SSH_MSG_UNIMPLEMENTED, in any phase.
    if (!messageSpec(msg.id, this.ctx)) return this.unimplemented(msg.id, seq);
    if (msg.id >= 30 && msg.id <= 49) return this.onKexMethodMessage(msg, payload);
    if (msg.id >= 50 && msg.id <= 79) {
      if (this.authDone && this.side === 'server') return; // RFC 4252 §5.1: ignore after success
      if (this.sessionId === null || this.kex?.initial) throw outOfOrder(msg);
      if (this.side === 'client') {
        if (msg.id === 50 || msg.id === 61) throw outOfOrder(msg);
        if (!this.serviceRequested) throw outOfOrder(msg);
        this.clientAuth!.handle(msg);
        this.ctx = { ...this.ctx, authMethod: this.clientAuth!.current ?? undefined };
        if (this.clientAuth!.done) this.onAuthenticated();
      } else {
        if (msg.id !== 50 || !this.serviceRequested) throw outOfOrder(msg);
        this.serverAuth!.handle(msg);
        this.ctx = { ...this.ctx, authMethod: this.serverAuth!.current ?? undefined };
        if (this.serverAuth!.done) {
          const policy = this.serverAuth!.keyPolicy;
          if (policy) this.channels.restrict({ pty: policy.pty, ...(policy.command !== undefined ? { command: policy.command } : {}) });
          this.onAuthenticated();
        }
      }
      return;
    }
    if (msg.id >= 80 && msg.id <= 100) {
      if (!this.authDone) throw outOfOrder(msg);
      this.channels.handle(msg);
      return;
    }
    this.unimplemented(msg.id, seq);
  }

  /** RFC 4253 §11.4: an unrecognised message gets SSH_MSG_UNIMPLEMENTED with its sequence number. */
  private unimplemented(id: number, seq: number): void {
    this.emit({ type: 'info', message: `unrecognised message ${id}: answered with SSH_MSG_UNIMPLEMENTED` });
    this.send({ name: 'SSH_MSG_UNIMPLEMENTED', sequenceNumber: seq });
  }

  private onAuthenticated(): void {
    if (this.authDone) return;
    this.authDone = true;
    this.phaseNow = 4;
    // zlib@openssh.com starts now, in both directions (OpenSSH PROTOCOL §1.2).
    this.startCompression();
  }

  /**
   * Starts (once, like OpenSSH) the negotiated compression of each direction, unless it is the
   * delayed kind and authentication has not succeeded yet; "none" stops it.
   */
  private startCompression(): void {
    const out = COMPRESSION[this.compressName.out]!;
    const inn = COMPRESSION[this.compressName.in]!;
    if (!out.createCompressor) this.compressor = null;
    else if (!this.compressor && (!out.delayed || this.authDone)) this.compressor = out.createCompressor();
    if (!inn.createDecompressor) this.decompressor = null;
    else if (!this.decompressor && (!inn.delayed || this.authDone)) this.decompressor = inn.createDecompressor();
  }

  private onServiceRequest(msg: SshMessage): void {
    // RFC 4253 §10
    if (this.side !== 'server' || this.sessionId === null || this.kex?.initial) throw outOfOrder(msg);
    if (msg.serviceName !== 'ssh-userauth' || this.serviceRequested) {
      throw new SshProtocolError(REASON.SERVICE_NOT_AVAILABLE, `service not available: ${msg.serviceName as string}`, { field: 'service name', offset: 6 });
    }
    this.serviceRequested = true;
    this.send({ name: 'SSH_MSG_SERVICE_ACCEPT', serviceName: 'ssh-userauth' }, 3);
  }

  private onExtInfo(msg: SshMessage): void {
    // RFC 8308 §2.4, §3.1
    const exts = msg.extensions as { name: string; value: Uint8Array }[];
    for (const e of exts) {
      if (e.name === 'server-sig-algs') this.serverSigAlgs = new TextDecoder().decode(e.value).split(',').filter(Boolean);
    }
    this.emit({ type: 'info', message: `extensions from the peer: ${exts.map((e) => e.name).join(', ')}` });
  }

  // ---- key exchange ------------------------------------------------------------------------

  private kexinitLists(): Record<string, string[]> {
    const kex = [...this.prefs.kex];
    const initial = this.kexCount === 0;
    if (initial) {
      // RFC 8308 §2.1 and OpenSSH PROTOCOL §1.10: pseudo-algorithms, only in the first KEXINIT.
      const strict = this.cfg.strictKex !== false;
      if (this.side === 'client') kex.push('ext-info-c', ...(strict ? [STRICT_C] : []));
      else if (strict) kex.push(STRICT_S);
    }
    let hostKey = [...this.prefs.hostKey];
    if (this.side === 'server') {
      const keys = (this.cfg as ServerConfig).hostKeys;
      hostKey = hostKey.filter((alg) => keys.some((k) => SIGNATURES[alg]?.keyType === k.type));
    }
    return {
      kexAlgorithms: kex,
      serverHostKeyAlgorithms: hostKey,
      encryptionC2S: this.prefs.cipher,
      encryptionS2C: this.prefs.cipher,
      macC2S: this.prefs.mac,
      macS2C: this.prefs.mac,
      compressionC2S: this.prefs.compression,
      compressionS2C: this.prefs.compression,
      languagesC2S: [],
      languagesS2C: [],
    };
  }

  /** RFC 4253 §7.1: send our KEXINIT (at the start, or to begin a re-exchange). */
  private startKex(): void {
    if (!this.kex) this.kex = { initial: this.kexCount === 0, ourPayload: null, peerPayload: null, ignoreNextPeerKexPacket: false, sentNewKeys: false, receivedNewKeys: false, pendingOpener: null };
    if (this.kex.ourPayload) return;
    const lists = this.kexinitLists();
    const guess = this.side === 'client' && this.kex.initial && !!(this.cfg as ClientConfig).guessFirstKexPacket && !!KEX[lists.kexAlgorithms[0]!] && KEX[lists.kexAlgorithms[0]!]!.family !== 'gex';
    const msg: SshMessage = { name: 'SSH_MSG_KEXINIT', cookie: this.env.randomBytes(16), ...lists, firstKexPacketFollows: guess, reserved: 0 };
    this.kex.ourPayload = this.sendNow(msg);
    if (guess) {
      // RFC 4253 §7.1: send the first key exchange packet at once, guessing the peer prefers the same method.
      const name = lists.kexAlgorithms[0]!;
      const spec = KEX[name]!;
      this.kex.guessedKex = name;
      this.kex.client = spec.startClient((n) => this.env.randomBytes(n), this.env.crypto);
      this.sendKexInit(spec.family, this.kex.client);
    }
  }

  private sendKexInit(family: string, state: KexClientState): void {
    if (family === 'gex') this.sendNow({ name: 'SSH_MSG_KEX_DH_GEX_INIT', e: bytesToBigint(state.clientPublic) });
    else if (family === 'dh') this.sendNow({ name: 'SSH_MSG_KEXDH_INIT', e: bytesToBigint(state.clientPublic) });
    else this.sendNow({ name: family === 'hybrid' ? 'SSH_MSG_KEX_HYBRID_INIT' : 'SSH_MSG_KEX_ECDH_INIT', qC: state.clientPublic });
  }

  private onKexinit(msg: SshMessage, payload: Uint8Array): void {
    if (this.kex?.peerPayload) throw new SshProtocolError(REASON.PROTOCOL_ERROR, 'a second SSH_MSG_KEXINIT during key exchange', { field: 'msg-id', offset: 5 });
    const isFirst = this.kexCount === 0;
    if (!this.kex) this.startKex();
    const round = this.kex!;
    // I_C / I_S in the exchange hash are the payload exactly as received (RFC 4253 §8).
    round.peerPayload = payload.slice();
    const peerKex = msg.kexAlgorithms as string[];
    if (isFirst) {
      const theirFlag = this.side === 'client' ? STRICT_S : STRICT_C;
      this.strict = this.cfg.strictKex !== false && peerKex.includes(theirFlag);
      if (this.strict && this.seqIn !== 1) {
        throw new SshProtocolError(REASON.PROTOCOL_ERROR, 'strict KEX: SSH_MSG_KEXINIT was not the first packet', { field: 'msg-id', offset: 5 });
      }
      if (this.side === 'server') this.peerWantsExtInfo = peerKex.includes('ext-info-c');
      if (this.strict) this.emit({ type: 'info', message: 'strict key exchange: both sides offered it, so sequence numbers restart at NEWKEYS and stray messages are fatal' }, 2);
    }
    const ours = decodeMessage(round.ourPayload!).msg;
    const client = this.side === 'client' ? ours : msg;
    const server = this.side === 'client' ? msg : ours;
    const rows = negotiate(client as never, server as never);
    this.emit({ type: 'negotiated', rows }, round.initial ? 2 : this.authDone ? 5 : this.phaseNow);
    const picked = chosenAlgorithms(rows);
    if (!picked) {
      const missing = failedRows(rows)[0]!;
      throw new SshProtocolError(REASON.KEY_EXCHANGE_FAILED, `no matching ${missing.category} algorithm: client offers ${missing.client.join(',') || '(nothing)'}; server offers ${missing.server.join(',') || '(nothing)'}`, { field: missing.category, offset: 5 });
    }
    round.kexName = picked.kex;
    round.hostKeyAlg = picked.hostKey;
    round.ciphers = { c2s: picked.cipherC2S, s2c: picked.cipherS2C };
    round.macs = { c2s: picked.macC2S, s2c: picked.macS2C };
    for (const c of [picked.compressionC2S, picked.compressionS2C]) {
      if (!COMPRESSION[c]) throw new SshProtocolError(REASON.KEY_EXCHANGE_FAILED, `compression ${c} is not implemented`, { field: 'compression' });
    }
    round.compression = { c2s: picked.compressionC2S, s2c: picked.compressionS2C };
    const spec = KEX[round.kexName];
    if (!spec) throw new SshProtocolError(REASON.KEY_EXCHANGE_FAILED, `key exchange ${round.kexName} is not implemented`);
    this.ctx = { ...this.ctx, kex: spec.family };
    // RFC 4253 §7.1: a wrong guess means the peer's first KEX packet must be ignored.
    if (msg.firstKexPacketFollows) {
      const guessRight = guessMatches(client as never, server as never);
      round.ignoreNextPeerKexPacket = !guessRight;
      this.emit({ type: 'info', message: `peer guessed its first key exchange packet: ${guessRight ? 'right, it will be used' : 'wrong, it will be ignored'}` });
    }
    if (this.side === 'client') {
      if (round.guessedKex) {
        const right = guessMatches(client as never, server as never);
        this.emit({ type: 'info', message: `our guessed ${round.guessedKex} packet was ${right ? 'right: the server uses it' : 'wrong: the server ignores it, so we send another'}` });
        if (right) return;
      }
      if (spec.family === 'gex') {
        // RFC 4419 §3: ask the server for a group big enough for the ciphers' strength.
        const need = Math.max(...[round.ciphers.c2s, round.ciphers.s2c].map((c) => CIPHERS[c]!.keyLen), ...[round.macs.c2s, round.macs.s2c].map((m) => (m ? MACS[m]!.keyLen : 0)));
        const req = spec.gex!.request(Math.min(need, 32) * 8);
        round.gex = { ...req, p: 0n, g: 0n };
        this.sendNow({ name: 'SSH_MSG_KEX_DH_GEX_REQUEST', ...req });
        return;
      }
      round.client = spec.startClient((n) => this.env.randomBytes(n), this.env.crypto);
      this.sendKexInit(spec.family, round.client);
    }
  }

  private onKexMethodMessage(msg: SshMessage, payload: Uint8Array): void {
    const round = this.kex;
    if (!round || !round.peerPayload || !round.kexName) throw outOfOrder(msg);
    if (round.ignoreNextPeerKexPacket) {
      round.ignoreNextPeerKexPacket = false;
      this.emit({ type: 'info', message: `ignored ${msg.name}: it followed a wrong guess` });
      return;
    }
    const baseSpec = KEX[round.kexName]!;
    const hostKeyAlg = round.hostKeyAlg!;
    const sig = SIGNATURES[hostKeyAlg];
    if (!sig) throw new SshProtocolError(REASON.KEY_EXCHANGE_FAILED, `host key algorithm ${hostKeyAlg} is not implemented`);
    const server = this.side === 'server';
    if (baseSpec.family === 'gex' && (msg.name === 'SSH_MSG_KEX_DH_GEX_REQUEST' || msg.name === 'SSH_MSG_KEX_DH_GEX_REQUEST_OLD')) {
      if (!server || round.gex) throw outOfOrder(msg);
      const req = msg.name === 'SSH_MSG_KEX_DH_GEX_REQUEST' ? { min: msg.min as number, n: msg.n as number, max: msg.max as number } : { min: -1, n: msg.n as number, max: -1 };
      if (req.min !== -1 && !(req.min <= req.n && req.n <= req.max)) throw new SshProtocolError(REASON.KEY_EXCHANGE_FAILED, `group request sizes out of order: min ${req.min}, n ${req.n}, max ${req.max}`, { field: 'n', offset: 10 });
      const group = baseSpec.gex!.chooseGroup(req.min === -1 ? req.n : req.min, req.n, req.max === -1 ? req.n : req.max);
      if (!group) throw new SshProtocolError(REASON.KEY_EXCHANGE_FAILED, `no group between ${req.min} and ${req.max} bits`, { field: 'n' });
      round.gex = { ...req, ...group };
      round.gexSpec = baseSpec.gex!.inGroup(group.p, group.g);
      this.sendNow({ name: 'SSH_MSG_KEX_DH_GEX_GROUP', p: group.p, g: group.g });
      return;
    }
    if (baseSpec.family === 'gex' && msg.name === 'SSH_MSG_KEX_DH_GEX_GROUP') {
      if (server || !round.gex || round.gexSpec) throw outOfOrder(msg);
      const p = msg.p as bigint;
      const g = msg.g as bigint;
      const bits = p.toString(2).length;
      // RFC 4419 §3 and OpenSSH kexgexc.c: the group must be within what we asked for.
      if (bits < round.gex.min || bits > round.gex.max) throw new SshProtocolError(REASON.KEY_EXCHANGE_FAILED, `the server's ${bits}-bit group is outside the requested ${round.gex.min}..${round.gex.max} bits`, { field: 'p', offset: 6 });
      if (g <= 1n || g >= p - 1n || (p & 1n) === 0n) throw new SshProtocolError(REASON.KEY_EXCHANGE_FAILED, 'the server sent an invalid group (g must be in 2..p-2, p odd)', { field: 'g' });
      round.gex = { ...round.gex, p, g };
      round.gexSpec = baseSpec.gex!.inGroup(p, g);
      round.client = round.gexSpec.startClient((n) => this.env.randomBytes(n), this.env.crypto);
      this.sendKexInit('gex', round.client);
      return;
    }
    const spec = round.gexSpec ?? baseSpec;
    if (server) {
      if (!KEX_INIT_NAMES.has(msg.name) || round.sentNewKeys || (baseSpec.family === 'gex' && !round.gexSpec)) throw outOfOrder(msg);
      const isDh = msg.name === 'SSH_MSG_KEXDH_INIT' || msg.name === 'SSH_MSG_KEX_DH_GEX_INIT';
      const clientPublic = isDh ? dhValueBytes(msg.e as bigint, 'e') : (msg.qC as Uint8Array);
      const key = (this.cfg as ServerConfig).hostKeys.find((k) => k.type === sig.keyType);
      if (!key) throw new SshProtocolError(REASON.KEY_EXCHANGE_FAILED, `no host key for ${hostKeyAlg}`);
      let result;
      try {
        result = spec.respond((n) => this.env.randomBytes(n), clientPublic, this.env.crypto);
      } catch (e) {
        if (e instanceof KexError) throw new SshProtocolError(REASON.KEY_EXCHANGE_FAILED, e.message, { field: isDh ? 'e' : 'Q_C', offset: 6 });
        throw e;
      }
      const kS = publicKeyBlob(key);
      const H = this.exchangeHash(round, kS, clientPublic, result.serverPublic, result.encodedK);
      const signature = sig.sign(key, H, this.env.crypto);
      if (baseSpec.family === 'gex') this.sendNow({ name: 'SSH_MSG_KEX_DH_GEX_REPLY', hostKey: kS, f: bytesToBigint(result.serverPublic), signature });
      else if (spec.family === 'dh') this.sendNow({ name: 'SSH_MSG_KEXDH_REPLY', hostKey: kS, f: bytesToBigint(result.serverPublic), signature });
      else this.sendNow({ name: spec.family === 'hybrid' ? 'SSH_MSG_KEX_HYBRID_REPLY' : 'SSH_MSG_KEX_ECDH_REPLY', hostKey: kS, qS: result.serverPublic, signature });
      this.finishKex(round, H, result, clientPublic);
      return;
    }
    if (!KEX_REPLY_NAMES.has(msg.name) || !round.client || round.sentNewKeys) throw outOfOrder(msg);
    const kS = msg.hostKey as Uint8Array;
    const serverPublic = msg.f !== undefined ? dhValueBytes(msg.f as bigint, 'f') : (msg.qS as Uint8Array);
    const keyType = blobKeyType(kS);
    if (keyType !== sig.keyType) throw new SshProtocolError(REASON.KEY_EXCHANGE_FAILED, `host key is ${keyType ?? 'malformed'}, but ${hostKeyAlg} was negotiated`, { field: 'K_S', offset: 6 });
    let result: KexResult;
    try {
      result = round.client.finish(serverPublic);
    } catch (e) {
      if (e instanceof KexError) throw new SshProtocolError(REASON.KEY_EXCHANGE_FAILED, e.message, { field: msg.f !== undefined ? 'f' : 'Q_S', offset: replyOffsets(payload).serverValue });
      throw e;
    }
    const H = this.exchangeHash(round, kS, round.client.clientPublic, serverPublic, result.encodedK);
    // RFC 4253 §8: the host key's signature over H proves the server holds the private key.
    if (!sig.verify(kS, H, msg.signature as Uint8Array, this.env.crypto)) {
      throw new SshProtocolError(REASON.KEY_EXCHANGE_FAILED, `the server's ${hostKeyAlg} signature over the exchange hash H does not verify`, { field: 'signature of H', offset: replyOffsets(payload).signature });
    }
    const info = { algorithm: hostKeyAlg, blob: kS, fingerprint: fingerprintOf(kS) };
    const proceed = (accept: boolean): void => {
      if (!accept) {
        this.disconnect(REASON.HOST_KEY_NOT_VERIFIABLE, 'host key verification failed', true);
        return;
      }
      this.finishKex(round, H, result, round.client!.clientPublic);
    };
    if (this.firstHostKey) {
      // A re-exchange must present the same host key.
      if (!equalBytes(this.firstHostKey, kS)) throw new SshProtocolError(REASON.HOST_KEY_NOT_VERIFIABLE, 'the host key changed during key re-exchange', { field: 'K_S', offset: 6 });
      return proceed(true);
    }
    this.firstHostKey = kS;
    const ccfg = this.cfg as ClientConfig;
    if (ccfg.hostKeyCheck) {
      const verdict = ccfg.hostKeyCheck(info);
      const accept = verdict === 'known' || (verdict === 'unknown' && !!ccfg.acceptUnknownHostKey);
      this.emit({ type: 'host-key-check', result: verdict, fingerprint: info.fingerprint, algorithm: hostKeyAlg }, 2);
      if (!accept) this.emit({ type: 'host-key-check', result: 'rejected', fingerprint: info.fingerprint, algorithm: hostKeyAlg }, 2);
      return proceed(accept);
    }
    this.ask('host-key', info, (value) => {
      const accept = value === true;
      this.emit({ type: 'host-key-check', result: accept ? 'accepted' : 'rejected', fingerprint: info.fingerprint, algorithm: hostKeyAlg }, 2);
      proceed(accept);
    });
  }

  private exchangeHash(round: KexRound, kS: Uint8Array, clientPublic: Uint8Array, serverPublic: Uint8Array, encodedK: Uint8Array): Uint8Array {
    const spec = KEX[round.kexName!]!;
    const client = this.side === 'client';
    const input = exchangeHashInput({
      family: spec.family,
      vC: client ? this.ourVersion : this.peerVersion!,
      vS: client ? this.peerVersion! : this.ourVersion,
      iC: client ? round.ourPayload! : round.peerPayload!,
      iS: client ? round.peerPayload! : round.ourPayload!,
      kS,
      clientPublic,
      serverPublic,
      encodedK,
      ...(round.gex ? { gex: round.gex } : {}),
    });
    const H = hash(spec.hash, input.bytes, this.env.crypto);
    this.emit({ type: 'exchange-hash', tree: input.tree, H, input: input.bytes, hash: spec.hash }, round.initial ? 2 : 5);
    return H;
  }

  /** RFC 4253 §7.2: derive keys A–F, send NEWKEYS, switch our outgoing keys. */
  private finishKex(round: KexRound, H: Uint8Array, result: KexResult, _clientPublic: Uint8Array): void {
    if (this.sessionId === null) this.sessionId = H;
    const spec = KEX[round.kexName!]!;
    const cC2S = CIPHERS[round.ciphers!.c2s]!;
    const cS2C = CIPHERS[round.ciphers!.s2c]!;
    const mC2S = round.macs!.c2s ? MACS[round.macs!.c2s]! : null;
    const mS2C = round.macs!.s2c ? MACS[round.macs!.s2c]! : null;
    const derived = deriveKeys(spec.hash, result.encodedK, H, this.sessionId, {
      A: cC2S.ivLen,
      B: cS2C.ivLen,
      C: cC2S.keyLen,
      D: cS2C.keyLen,
      E: mC2S?.keyLen ?? 0,
      F: mS2C?.keyLen ?? 0,
    });
    const clientCookie = toHex((this.side === 'client' ? round.ourPayload! : round.peerPayload!).subarray(1, 17));
    const serverCookie = toHex((this.side === 'client' ? round.peerPayload! : round.ourPayload!).subarray(1, 17));
    this.emit(
      {
        type: 'keys',
        steps: derived.steps,
        kex: round.kexName!,
        hash: spec.hash,
        keylog: { cookie: clientCookie, serverCookie, sharedSecret: toHex(result.secret), ...(result.privateKey ? { privateKey: toHex(result.privateKey) } : {}) },
        ...(result.trace ? { kexTrace: result.trace } : {}),
      },
      round.initial ? 2 : 5,
    );
    const k = derived.keys;
    const c2s = { iv: k.A, key: k.C, macKey: k.E };
    const s2c = { iv: k.B, key: k.D, macKey: k.F };
    const out = this.side === 'client' ? c2s : s2c;
    const inn = this.side === 'client' ? s2c : c2s;
    const outCipher = this.side === 'client' ? round.ciphers!.c2s : round.ciphers!.s2c;
    const inCipher = this.side === 'client' ? round.ciphers!.s2c : round.ciphers!.c2s;
    const outMac = this.side === 'client' ? round.macs!.c2s : round.macs!.s2c;
    const inMac = this.side === 'client' ? round.macs!.s2c : round.macs!.c2s;
    round.pendingOpener = createOpener(inCipher, inMac, inn, this.env.crypto);
    this.sendNow({ name: 'SSH_MSG_NEWKEYS' });
    this.sealer = createSealer(outCipher, outMac, out, this.env.crypto);
    this.bytesOut = 0;
    this.compressName.out = this.side === 'client' ? round.compression!.c2s : round.compression!.s2c;
    this.startCompression();
    if (this.strict) this.seqOut = 0; // OpenSSH PROTOCOL §1.10
    round.sentNewKeys = true;
    // RFC 8308 §2.4: the server's EXT_INFO is the next packet after its first NEWKEYS.
    if (this.side === 'server' && round.initial && this.peerWantsExtInfo) {
      this.sendNow({ name: 'SSH_MSG_EXT_INFO', extensions: [{ name: 'server-sig-algs', value: new TextEncoder().encode(Object.keys(SIGNATURES).join(',')) }] });
    }
    // Everything held back during the exchange goes out now, in order, before anything newer.
    this.flushDeferred();
    if (round.receivedNewKeys) this.endKex(round);
  }

  /**
   * Sends what waited during a key exchange, oldest first. Stops when a new exchange must start
   * (the rest waits for it), or, while this one is still finishing, once the byte limit is reached.
   */
  private flushDeferred(): void {
    while (this.deferred.length > 0 && !this.closed) {
      if (this.kex && (!this.kex.sentNewKeys || this.bytesOut >= this.rekeyBytes)) return;
      const d = this.deferred.shift()!;
      this.sendNow(d.msg, d.phase);
      this.maybeRekey();
    }
  }

  private onNewKeys(): void {
    const round = this.kex;
    if (!round || !round.pendingOpener) throw new SshProtocolError(REASON.PROTOCOL_ERROR, 'SSH_MSG_NEWKEYS before the key exchange finished', { field: 'msg-id', offset: 5 });
    this.opener = round.pendingOpener;
    round.pendingOpener = null;
    this.bytesIn = 0;
    this.compressName.in = this.side === 'client' ? round.compression!.s2c : round.compression!.c2s;
    this.startCompression();
    if (this.strict) this.seqIn = 0;
    round.receivedNewKeys = true;
    if (round.sentNewKeys) this.endKex(round);
  }

  private endKex(round: KexRound): void {
    this.kex = null;
    this.kexCount++;
    this.ctx = { ...this.ctx };
    if (round.initial) {
      this.phaseNow = 3;
      this.emit({ type: 'info', message: 'key exchange complete: both directions are now encrypted' }, 2);
      if (this.side === 'client' && !this.serviceRequested) {
        this.serviceRequested = true;
        this.send({ name: 'SSH_MSG_SERVICE_REQUEST', serviceName: 'ssh-userauth' }, 3);
      }
    } else {
      this.emit({ type: 'info', message: `key re-exchange ${this.kexCount - 1} complete` }, this.authDone ? 5 : this.phaseNow);
    }
    this.flushDeferred();
    this.channels.flushAll();
  }

  private maybeRekey(): void {
    if (!this.kex && this.sessionId && Math.max(this.bytesOut, this.bytesIn) >= this.rekeyBytes && !this.closed) {
      this.emit({ type: 'info', message: `re-keying after ${Math.max(this.bytesOut, this.bytesIn)} bytes under the same keys` }, this.authDone ? 5 : this.phaseNow);
      this.startKex();
    }
  }

  // ---- output ------------------------------------------------------------------------------

  /**
   * Sends a message, or holds it while a key exchange is in progress (RFC 4253 §7.1: after KEXINIT,
   * only transport-generic and key-exchange messages until NEWKEYS).
   */
  private send(msg: SshMessage, phase?: Phase): void {
    if (this.closed) return;
    const id = msgIdOfName(msg.name);
    const transport = (id >= 1 && id <= 4) || (id >= 30 && id <= 49);
    // Newer messages never overtake older ones that are still waiting.
    if (!transport && ((this.kex && !this.kex.sentNewKeys) || this.deferred.length > 0)) {
      this.deferred.push({ msg, phase });
      return;
    }
    this.sendNow(msg, phase);
    this.maybeRekey();
  }

  /** Encodes, pads, protects and queues one packet now. Returns the payload. */
  private sendNow(msg: SshMessage, phase?: Phase): Uint8Array {
    const sealer = this.sealer;
    const compressor = this.compressor;
    const random = this.random;
    let payload: Uint8Array;
    let plain: Uint8Array;
    let tree: FieldNode | undefined;
    if (!this.trace && !compressor && (msg.name === 'SSH_MSG_CHANNEL_DATA' || msg.name === 'SSH_MSG_CHANNEL_EXTENDED_DATA')) {
      const code = msg.name === 'SSH_MSG_CHANNEL_DATA' ? null : (msg.dataTypeCode as number);
      if (sealer.sealPieces) {
        // Bulk fast path: the data is sealed where it lies and the wire parts are queued as they
        // are (no plaintext packet, no joined wire packet); nobody reads a payload or a tree here.
        const seq = this.seqOut;
        const parts = sealer.sealPieces(seq, channelDataPieces(msg.recipientChannel as number, msg.data as Uint8Array, code, sealer, random));
        this.seqOut = (seq + 1) >>> 0;
        this.queueParts(parts);
        return EMPTY;
      }
      plain = buildChannelDataPacket(msg.recipientChannel as number, msg.data as Uint8Array, code, sealer, random);
      payload = plain.subarray(5, plain.length - plain[4]!);
    } else {
      if (this.trace) {
        // One pass builds the bytes and the tree.
        const encoded = encodeMessageTree(msg, this.ctx);
        payload = encoded.bytes;
        tree = compressor ? encoded.tree : shiftTree(encoded.tree, 5);
      } else {
        payload = encodeMessage(msg, this.ctx);
      }
      plain = buildPacket(compressor ? compressor.compress(payload) : payload, sealer, random);
    }
    const seq = this.seqOut;
    const wire = sealer.seal(seq, plain);
    this.seqOut = (this.seqOut + 1) >>> 0;
    this.bytesOut += wire.length;
    this.outQueue.push(wire);
    if (tree) this.emitPacket({ dir: this.ourDir, n: seq, wire, plain, payload, msg: { ...msg, id: payload[0]! }, tree, cipher: sealer.cipher, mac: sealer.mac, compressed: compressor ? this.compressName.out : null, phase });
    return payload;
  }

  /**
   * Queues the wire parts of one packet. Parts shorter than SMALL_PART (a packet's length, header
   * and tag) are joined with a small neighbour, so a socket write carries fewer tiny buffers.
   */
  private queueParts(parts: readonly Uint8Array[]): void {
    const q = this.outQueue;
    for (const p of parts) {
      this.bytesOut += p.length;
      const last = q.length > 0 ? q[q.length - 1]! : null;
      if (last && p.length < SMALL_PART && last.length < SMALL_PART) {
        const joined = new Uint8Array(last.length + p.length);
        joined.set(last);
        joined.set(p, last.length);
        q[q.length - 1] = joined;
      } else q.push(p);
    }
  }

  // ---- ending ------------------------------------------------------------------------------

  private fail(e: unknown): void {
    if (e instanceof SshProtocolError) return this.disconnect(e.reason, e.message, true, { field: e.field, offset: e.offset });
    if (e instanceof DecodeError) return this.disconnect(REASON.PROTOCOL_ERROR, `malformed packet: ${e.message}`, true, { field: e.field, offset: e.offset });
    if (e instanceof IntegrityError) return this.disconnect(REASON.MAC_ERROR, `corrupted packet: ${e.message}`, true, { field: 'mac' });
    if (e instanceof KexError) return this.disconnect(REASON.KEY_EXCHANGE_FAILED, e.message, true);
    this.disconnect(REASON.PROTOCOL_ERROR, `internal error: ${e instanceof Error ? e.message : String(e)}`, true);
  }

  /** Sends SSH_MSG_DISCONNECT (RFC 4253 §11.1) and stops. */
  private disconnect(reason: number, message: string, local: boolean, where?: { field?: string | undefined; offset?: number | undefined }, isError = true): void {
    if (this.closed) return;
    if (isError) this.emit({ type: 'error', local, message, reason, ...(where?.field !== undefined ? { field: where.field } : {}), ...(where?.offset !== undefined ? { offset: where.offset } : {}) });
    try {
      if (this.peerVersion !== null || this.kexCount === 0) this.sendNow({ name: 'SSH_MSG_DISCONNECT', reasonCode: reason, description: message, language: '' });
    } catch {
      // Nothing more can be said to this peer.
    }
    this.closed = true;
    this.paused = false;
    this.emit({ type: 'closed', reason, message });
  }
}

const EMPTY = new Uint8Array(0);
/** Wire parts below this many bytes are joined with a small neighbour in the transmit queue. */
const SMALL_PART = 64;

const KEX_INIT_NAMES = new Set(['SSH_MSG_KEX_ECDH_INIT', 'SSH_MSG_KEX_HYBRID_INIT', 'SSH_MSG_KEXDH_INIT', 'SSH_MSG_KEX_DH_GEX_INIT']);
const KEX_REPLY_NAMES = new Set(['SSH_MSG_KEX_ECDH_REPLY', 'SSH_MSG_KEX_HYBRID_REPLY', 'SSH_MSG_KEXDH_REPLY', 'SSH_MSG_KEX_DH_GEX_REPLY']);

function isKexMessage(id: number): boolean {
  return id === 20 || id === 21 || (id >= 30 && id <= 49);
}

function outOfOrder(msg: SshMessage): SshProtocolError {
  return new SshProtocolError(REASON.PROTOCOL_ERROR, `unexpected ${msg.name} at this point of the protocol`, { field: 'msg-id', offset: 5 });
}

function msgIdOfName(name: string): number {
  return (MSG as Record<string, number>)[name.slice('SSH_MSG_'.length)] ?? -1;
}

/**
 * Where the fields after K_S start in a key exchange reply (KEXDH_REPLY, KEX_ECDH_REPLY,
 * KEX_DH_GEX_REPLY, the hybrid reply: byte id, string K_S, f or Q_S, string signature; RFC 4253 §8,
 * RFC 5656 §4, RFC 4419 §3), as offsets in the binary packet (the payload starts at 5). The payload
 * has already been decoded, so every length read here is in bounds.
 */
function replyOffsets(payload: Uint8Array): { serverValue: number; signature: number } {
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const serverValue = 1 + 4 + view.getUint32(1);
  const signature = serverValue + 4 + view.getUint32(serverValue);
  return { serverValue: 5 + serverValue, signature: 5 + signature };
}

function blobKeyType(blob: Uint8Array): string | null {
  try {
    return new Reader(blob).text('type');
  } catch {
    return null;
  }
}

/** A DH public value as unsigned bytes; RFC 4253 §8 requires 1 < e, f < p-1, so a negative one is refused here. */
function dhValueBytes(v: bigint, field: 'e' | 'f'): Uint8Array {
  if (v <= 0n) throw new SshProtocolError(REASON.KEY_EXCHANGE_FAILED, `${field} must be positive (1 < ${field} < p-1), got ${v}`, { field, offset: 6 });
  return bigintToMinimalBytes(v);
}

function bigintToMinimalBytes(v: bigint): Uint8Array {
  let hex = v.toString(16);
  if (hex.length % 2) hex = '0' + hex;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function createClient(cfg: ClientConfig): Connection {
  return new Connection({ side: 'client', cfg });
}

export function createServer(cfg: ServerConfig): Connection {
  return new Connection({ side: 'server', cfg });
}

export type { SshPrivateKey };
