// SSH inside reassembled TCP: find the identification lines (RFC 4253 §4.2) on any port, frame
// binary packets (RFC 4253 §6), decode every message with the engine's message table (the same
// trees as live sessions), follow key exchanges (RFC 4253 §7, §8) and, with key-log secrets,
// decrypt and verify every packet after NEWKEYS, honouring strict KEX (OpenSSH PROTOCOL §1.10:
// sequence numbers restart at 0 after each NEWKEYS) and rekeys.

import { CIPHERS, COMPRESSION, IntegrityError, MACS, chosenAlgorithms, negotiate, type CryptoProvider, type Decompressor, type KexinitLists, type Negotiated, type PacketOpener } from '../algorithms/index.ts';
import { MAX_PACKET_LENGTH } from '../core/binary-packet.ts';
import { decodeMessage, messageName, type DecodeContext, type SshMessage } from '../wire/messages.ts';
import { toHex } from '../wire/codec.ts';
import type { FieldNode, NegotiationRow } from '../events.ts';
import { endpointText, type DirectionStream, type Endpoint, type TcpConnection } from './tcp-reassembly.ts';
import { kexFamily, roundKeys, type KexTranscript, type RoundKeys } from './kex-round.ts';
import type { KeylogSecret } from './keylog.ts';
import { PacketTable, PlainArena, leanDecodeError } from './lazy-packet.ts';
import { DIRECTION_SEARCH_BUDGET, GAP_SEARCH_BUDGET, findKeyedBoundary, findPlainBoundary, keystreamBytes, openerAt, type KeyedDirection } from './resync.ts';

export type Dir = 'c2s' | 's2c';

export interface CapturedPacket {
  /** The frame that holds the packet's last byte (where Wireshark shows it). */
  frame: number;
  time: number;
  dir: Dir;
  /** SSH sequence number (RFC 4253 §6.4), null for encrypted bytes that could not be framed. */
  seq: number | null;
  /** Offset of the first byte in the reassembled direction stream. */
  offset: number;
  /** The bytes on the wire (encrypted when they were). */
  wire: Uint8Array;
  /** packet_length (RFC 4253 §6), or the byte count of encrypted bytes that could not be framed. */
  length: number;
  /** Message number, null when encrypted without keys (or when the MAC failed). */
  msg: number | null;
  name: string | null;
  /** True when the packet was encrypted and we decrypted it. */
  decrypted: boolean;
  /** The plaintext binary packet (4 + packet_length bytes) when known. */
  plain?: Uint8Array;
  /**
   * Set when the payload was compressed (RFC 4253 §6.2; zlib@openssh.com, PROTOCOL §1.2): the
   * inflated payload, which `tree` then indexes (from 0) instead of `plain`.
   */
  inflated?: Uint8Array;
  message?: SshMessage;
  /** The payload's field tree; ranges are offsets into `plain`. */
  tree?: FieldNode;
  error?: string;
}

export interface KexinitSummary {
  cookie: string;
  lists: KexinitLists;
  firstKexPacketFollows: boolean;
  frame: number;
}

export interface KexRoundSummary {
  /** 0 for the initial exchange. */
  n: number;
  client: KexinitSummary | null;
  server: KexinitSummary | null;
  rows: NegotiationRow[] | null;
  negotiated: Negotiated | null;
  /** Set when a key-log secret matched. */
  keys: RoundKeys | null;
  /** Why the packets after NEWKEYS could not be decrypted, when they could not. */
  noKeys?: string;
}

/** A hole in the capture (bytes lost between TCP segments) and what the decoder did about it. */
export interface GapReport {
  dir: Dir;
  /** Offset in the reassembled direction stream where the bytes after the hole start. */
  offset: number;
  /** Bytes missing there. */
  lost: number;
  /** The frame whose segment came after the hole. */
  frame: number;
  /** Stream offset where packets are read again, or null when the rest of the direction is lost. */
  resumedAt: number | null;
  /** How many whole packets the hole swallowed, when a decrypting resynchronisation found out. */
  packetsLost: number | null;
  /** What happened, in words. */
  note: string;
}

export interface SshStream {
  client: Endpoint;
  server: Endpoint;
  /** How the client was recognised. */
  clientBy: 'syn' | 'kexinit' | 'port';
  clientVersion: string | null;
  serverVersion: string | null;
  /** Lines the server sent before its identification line (RFC 4253 §4.2). */
  serverBanner: string[];
  strictKex: boolean;
  rounds: KexRoundSummary[];
  packets: CapturedPacket[];
  /** Holes in the capture, per direction, in stream order (also described in `errors`). */
  gaps: GapReport[];
  errors: string[];
}

const STRICT_C = 'kex-strict-c-v00@openssh.com';
const STRICT_S = 'kex-strict-s-v00@openssh.com';
const KEX_INIT = new Set(['SSH_MSG_KEX_ECDH_INIT', 'SSH_MSG_KEX_HYBRID_INIT', 'SSH_MSG_KEXDH_INIT', 'SSH_MSG_KEX_DH_GEX_INIT']);
const KEX_REPLY = new Set(['SSH_MSG_KEX_ECDH_REPLY', 'SSH_MSG_KEX_HYBRID_REPLY', 'SSH_MSG_KEXDH_REPLY', 'SSH_MSG_KEX_DH_GEX_REPLY']);

const latin1 = new TextDecoder('latin1');
const SSH_DASH = [0x53, 0x53, 0x48, 0x2d];

function startsWithSsh(d: Uint8Array, at: number): boolean {
  return d.length >= at + 4 && d[at] === SSH_DASH[0] && d[at + 1] === SSH_DASH[1] && d[at + 2] === SSH_DASH[2] && d[at + 3] === SSH_DASH[3];
}

/** Offset of the identification line: at the start, or (server side) after other lines. -1 if none in the first 64 KiB. */
function identificationAt(d: Uint8Array): number {
  if (startsWithSsh(d, 0)) return 0;
  const lim = Math.min(d.length, 65536);
  for (let i = 0; i < lim; i++) if (d[i] === 0x0a && startsWithSsh(d, i + 1)) return i + 1;
  return -1;
}

/** Whether a TCP connection carries SSH (either direction starts with an identification line). */
export function looksLikeSsh(c: TcpConnection): boolean {
  return startsWithSsh(c.aToB.data, 0) || startsWithSsh(c.bToA.data, 0) || identificationAt(c.bToA.data) >= 0 || identificationAt(c.aToB.data) >= 0;
}

function bytesToBig(b: Uint8Array): bigint {
  let v = 0n;
  for (const x of b) v = (v << 8n) | BigInt(x);
  return v;
}
function bigToBytes(v: bigint): Uint8Array {
  let h = v.toString(16);
  if (h.length % 2) h = '0' + h;
  const out = new Uint8Array(h.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(h.slice(2 * i, 2 * i + 2), 16);
  return out;
}

type Mode = { kind: 'plain' } | { kind: 'keyed'; opener: PacketOpener } | { kind: 'opaque'; headLen: number; macLen: number; lengthClear: boolean };

const NO_FRAME = { frame: 0, time: 0 } as const;
/** Decrypted packets up to this size are written straight into the lazy reader's arena. */
const SMALL_PLAIN = 4096;

class Direction {
  pos = 0;
  seq = 0;
  versionDone = false;
  done = false;
  mode: Mode = { kind: 'plain' };
  /** The compression negotiated for this direction in the last key exchange, and the running inflater. */
  compression = 'none';
  decompressor: Decompressor | null = null;
  /** False after a gap swallowed an unknown number of packets: `seq` is then a lower bound and seqHi the upper. */
  seqKnown = true;
  seqHi = 0;
  /** With keys: what positions a fresh opener, and the packets / CTR keystream bytes since NEWKEYS. */
  keyed: KeyedDirection | null = null;
  kIndex = 0;
  kStream = 0;
  /** Attempts left for decrypting resynchronisations in this direction (bounded work on hostile captures). */
  searchBudget = DIRECTION_SEARCH_BUDGET;
  plainBudget = 4_000_000;
  /** Gaps already dealt with (by their offset). */
  handled = new Set<number>();
  constructor(
    readonly dir: Dir,
    readonly s: DirectionStream,
  ) {}

  /** The chunk index holding stream byte `off` (reading moves forward: the last answer or the next is tried first). */
  chunkAt(off: number): number {
    const c = this.s.chunks;
    const k = this.lastChunk;
    if (k < c.count && c.offset[k]! <= off) {
      if (k + 1 >= c.count || c.offset[k + 1]! > off) return k;
      if (k + 2 >= c.count || c.offset[k + 2]! > off) return (this.lastChunk = k + 1);
    }
    return (this.lastChunk = c.indexOf(off));
  }
  private lastChunk = 0;
  /** The frame number of the chunk holding stream byte `off` (0 when there is none). */
  frameOf(off: number): number {
    return this.s.chunks.count === 0 ? NO_FRAME.frame : this.s.chunks.frame[this.chunkAt(off)]!;
  }
  /** The chunk (frame number and time) holding stream byte `off`. */
  frameAt(off: number): { readonly frame: number; readonly time: number } {
    if (this.s.chunks.count === 0) return NO_FRAME;
    const i = this.chunkAt(off);
    return { frame: this.s.chunks.frame[i]!, time: this.s.chunks.time[i]! };
  }
  get remaining(): number {
    return this.s.data.length - this.pos;
  }
  /** A hole in the capture that lies before a byte in [from, to), if any. */
  gapIn(from: number, to: number): { offset: number; lost: number; frame: number } | undefined {
    // gaps are in stream order and reading only moves forward: skip those behind `from` once
    const gaps = this.s.gaps;
    while (this.gapIdx < gaps.length && gaps[this.gapIdx]!.offset < from) this.gapIdx++;
    for (let i = this.gapIdx; i < gaps.length && gaps[i]!.offset < to; i++) if (!this.handled.has(gaps[i]!.offset)) return gaps[i];
    return undefined;
  }
  /** The first gap after `offset` (the end of the contiguous data that starts there). */
  gapAfter(offset: number): { offset: number } | undefined {
    const gaps = this.s.gaps;
    for (let i = this.gapIdx; i < gaps.length; i++) if (gaps[i]!.offset > offset) return gaps[i];
    return undefined;
  }
  private gapIdx = 0;
}

/** Decodes one SSH connection. `secrets` are key-log lines (any number of connections). */
export interface DecodeOptions {
  /** Faster synchronous crypto (node:crypto in the CLI); noble otherwise. */
  provider?: CryptoProvider;
  /**
   * Decode connection-protocol messages (ids 80–127) only when their `message` or `tree` is read
   * (lazy-packet.ts): much less time and memory for long sessions. Default false (every packet a
   * plain object with its tree, which survives a structured clone).
   */
  lazyDecode?: boolean;
  /**
   * With lazyDecode: each connection message is checked as soon as it is decrypted (the lean
   * decode LazyPacket.decodeError does; a failure becomes the packet's `error`) and its plaintext
   * is not kept, so `plain`, `inflated`, `message` and `tree` of those packets are undefined. For
   * callers that only list packets (`sshscope inspect --json`): no second copy of the stream.
   */
  dropPlaintext?: boolean;
}

export function decodeSshConnection(c: TcpConnection, secrets: KeylogSecret[], opts: DecodeOptions = {}): SshStream {
  const errors: string[] = [];
  // the client is the side that connected (sent the SYN); without it, fall back on the port
  let clientFirst = true;
  let clientBy: SshStream['clientBy'] = 'syn';
  if (!c.initiatorKnown) {
    clientBy = 'port';
    clientFirst = !(c.a.port < c.b.port);
    errors.push('the SYN was not captured: client and server were told apart by port (the KEXINIT markers confirm it when present)');
  }
  let client = clientFirst ? c.a : c.b;
  let server = clientFirst ? c.b : c.a;
  let cs = clientFirst ? c.aToB : c.bToA;
  let sc = clientFirst ? c.bToA : c.aToB;
  if (clientBy === 'port') {
    // KEXINIT markers (RFC 8308 ext-info-c / -s, PROTOCOL strict KEX) decide when present
    const hint = (d: Uint8Array) => {
      const t = latin1.decode(d.subarray(0, Math.min(d.length, 8192)));
      return /ext-info-c|kex-strict-c-v00/.test(t) ? 'client' : /ext-info-s|kex-strict-s-v00/.test(t) ? 'server' : null;
    };
    if (hint(cs.data) === 'server' || hint(sc.data) === 'client') {
      [client, server, cs, sc] = [server, client, sc, cs];
      clientBy = 'kexinit';
    } else if (hint(cs.data) === 'client' || hint(sc.data) === 'server') clientBy = 'kexinit';
  }
  const out: SshStream = { client, server, clientBy, clientVersion: null, serverVersion: null, serverBanner: [], strictKex: false, rounds: [], packets: [], gaps: [], errors };
  const dirs = { c2s: new Direction('c2s', cs), s2c: new Direction('s2c', sc) };
  const ctx: DecodeContext = {};
  const lazy = opts.lazyDecode === true;
  const drop = lazy && opts.dropPlaintext === true;
  let ctxSnap: DecodeContext | null = null;
  /** The decode context as it is now, shared by the rows decoded in it. */
  const snapshot = (): DecodeContext => {
    if (!ctxSnap || ctxSnap.kex !== ctx.kex || ctxSnap.authMethod !== ctx.authMethod) ctxSnap = { ...ctx };
    return ctxSnap;
  };
  /** dropPlaintext: a connection message checked now, its plaintext about to be let go. */
  const check = (p: CapturedPacket, payload: Uint8Array, base: number): void => {
    const e = leanDecodeError(payload, snapshot(), base);
    if (e !== undefined) p.error = e;
  };
  const arena = new PlainArena();
  const table = lazy ? new PacketTable() : null;
  let authDone = false;
  /** Starts the negotiated compression once, like OpenSSH; the delayed kind waits for USERAUTH_SUCCESS. */
  const startCompression = (d: Direction): void => {
    const spec = COMPRESSION[d.compression];
    if (!spec?.createDecompressor) d.decompressor = null;
    else if (!d.decompressor && (!spec.delayed || authDone)) d.decompressor = spec.createDecompressor();
  };
  let round: (KexRoundSummary & { t: Partial<KexTranscript>; iC?: Uint8Array; iS?: Uint8Array; newKeys: { c2s: boolean; s2c: boolean } }) | null = null;
  let sessionId: Uint8Array | null = null;

  const err = (d: Direction, what: string) => errors.push(`${d.dir} stream offset ${d.pos} (frame ${d.frameAt(d.pos).frame}): ${what}`);

  const readVersion = (d: Direction): void => {
    const data = d.s.data;
    if (d.dir === 's2c') {
      const at = identificationAt(data);
      if (at < 0) {
        err(d, 'no identification line "SSH-…" found');
        d.done = true;
        return;
      }
      if (at > 0) out.serverBanner = latin1.decode(data.subarray(0, at)).split('\n').filter((l) => l.length > 0).map((l) => l.replace(/\r$/, ''));
      d.pos = at;
    } else if (!startsWithSsh(data, 0)) {
      err(d, 'the client did not start with an identification line "SSH-…"');
      d.done = true;
      return;
    }
    let lf = -1;
    for (let i = d.pos; i < Math.min(data.length, d.pos + 255); i++)
      if (data[i] === 0x0a) {
        lf = i;
        break;
      }
    if (lf < 0) {
      err(d, 'the identification line has no LF within 255 bytes (RFC 4253 §4.2)');
      d.done = true;
      return;
    }
    const line = latin1.decode(data.subarray(d.pos, lf)).replace(/\r$/, '');
    if (d.dir === 'c2s') out.clientVersion = line;
    else out.serverVersion = line;
    d.pos = lf + 1;
    d.versionDone = true;
  };

  const opaqueMode = (dir: Dir, n: Negotiated | null): Mode => {
    const cipher = n ? (dir === 'c2s' ? n.cipherC2S : n.cipherS2C) : '';
    const mac = n ? (dir === 'c2s' ? n.macC2S : n.macS2C) : null;
    const cs = CIPHERS[cipher];
    const ms = mac ? MACS[mac] : undefined;
    // aes-gcm (RFC 5647 §7.3) and -etm MACs (PROTOCOL §1.5) leave packet_length in clear
    if (cs && cs.aead && cipher.includes('gcm')) return { kind: 'opaque', headLen: 4, macLen: cs.tagLen, lengthClear: true };
    if (cs && !cs.aead && ms?.etm) return { kind: 'opaque', headLen: 4, macLen: ms.macLen, lengthClear: true };
    return { kind: 'opaque', headLen: 0, macLen: 0, lengthClear: false };
  };

  const onMessage = (d: Direction, p: CapturedPacket, payload: Uint8Array): void => {
    const m = p.message;
    if (!m) return;
    if (m.name === 'SSH_MSG_KEXINIT') {
      if (!round || (round.client && round.server && (round.newKeys.c2s || round.newKeys.s2c)) || (d.dir === 'c2s' ? round.client : round.server)) {
        round = { n: out.rounds.length, client: null, server: null, rows: null, negotiated: null, keys: null, t: {}, newKeys: { c2s: false, s2c: false } };
        out.rounds.push(round);
      }
      const summary: KexinitSummary = {
        cookie: toHex(m.cookie as Uint8Array),
        lists: {
          kexAlgorithms: m.kexAlgorithms as string[],
          serverHostKeyAlgorithms: m.serverHostKeyAlgorithms as string[],
          encryptionC2S: m.encryptionC2S as string[],
          encryptionS2C: m.encryptionS2C as string[],
          macC2S: m.macC2S as string[],
          macS2C: m.macS2C as string[],
          compressionC2S: m.compressionC2S as string[],
          compressionS2C: m.compressionS2C as string[],
          languagesC2S: m.languagesC2S as string[],
          languagesS2C: m.languagesS2C as string[],
        },
        firstKexPacketFollows: m.firstKexPacketFollows === true,
        frame: p.frame,
      };
      if (d.dir === 'c2s') {
        round.client = summary;
        round.iC = payload;
      } else {
        round.server = summary;
        round.iS = payload;
      }
      if (round.client && round.server) {
        round.rows = negotiate(round.client.lists, round.server.lists);
        round.negotiated = chosenAlgorithms(round.rows);
        if (round.negotiated) ctx.kex = kexFamily(round.negotiated.kex);
        if (round.n === 0) out.strictKex = round.client.lists.kexAlgorithms.includes(STRICT_C) && round.server.lists.kexAlgorithms.includes(STRICT_S);
      }
      return;
    }
    if (!round) return;
    const t = round.t;
    if (m.name === 'SSH_MSG_KEX_DH_GEX_REQUEST') t.gex = { min: m.min as number, n: m.n as number, max: m.max as number };
    else if (m.name === 'SSH_MSG_KEX_DH_GEX_REQUEST_OLD') t.gex = { min: -1, n: m.n as number, max: -1 };
    else if (m.name === 'SSH_MSG_KEX_DH_GEX_GROUP' && t.gex) Object.assign(t.gex, { p: m.p as bigint, g: m.g as bigint });
    else if (KEX_INIT.has(m.name)) t.clientPublic = m.e !== undefined ? bigToBytes(m.e as bigint) : (m.qC as Uint8Array);
    else if (KEX_REPLY.has(m.name)) {
      t.serverPublic = m.f !== undefined ? bigToBytes(m.f as bigint) : (m.qS as Uint8Array);
      t.hostKey = m.hostKey as Uint8Array;
      t.signature = m.signature as Uint8Array;
      if (round.negotiated && round.iC && round.iS && out.clientVersion !== null && out.serverVersion !== null) {
        if (secrets.length === 0) round.noKeys = 'no key log given';
        else if (t.gex?.min === -1) round.noKeys = 'the old group-exchange request (SSH_MSG_KEX_DH_GEX_REQUEST_OLD) is not supported for decryption';
        else {
          const r = roundKeys({ ...t, vC: out.clientVersion, vS: out.serverVersion, iC: round.iC, iS: round.iS, negotiated: round.negotiated, family: kexFamily(round.negotiated.kex) } as KexTranscript, secrets, sessionId, opts.provider);
          if (r.ok) {
            round.keys = r.keys;
            sessionId ??= r.keys.H;
            if (!r.keys.signatureVerified) errors.push(`key exchange ${round.n}: the server's signature over the derived H does not verify — the key-log secret (line ${r.keys.secret.line}) is probably wrong`);
          } else round.noKeys = r.reason;
        }
      }
    } else if (m.name === 'SSH_MSG_NEWKEYS') {
      round.newKeys[d.dir] = true;
      d.keyed = null;
      d.kIndex = 0;
      d.kStream = 0;
      if (round.keys) {
        d.mode = { kind: 'keyed', opener: round.keys.openers[d.dir] };
        const n = round.negotiated!;
        d.keyed = { cipher: d.dir === 'c2s' ? n.cipherC2S : n.cipherS2C, mac: d.dir === 'c2s' ? n.macC2S : n.macS2C, keys: round.keys.dirKeys[d.dir], ...(opts.provider ? { provider: opts.provider } : {}) };
      } else {
        round.noKeys ??= secrets.length ? 'no key-log secret matched this key exchange' : 'no key log given';
        d.mode = opaqueMode(d.dir, round.negotiated);
      }
      if (out.strictKex) {
        d.seq = 0; // the packet after NEWKEYS is number 0 (PROTOCOL §1.10)
        d.seqKnown = true;
      }
      if (round.negotiated) {
        d.compression = d.dir === 'c2s' ? round.negotiated.compressionC2S : round.negotiated.compressionS2C;
        startCompression(d);
      }
    } else if (m.name === 'SSH_MSG_USERAUTH_REQUEST' && typeof m.methodName === 'string') ctx.authMethod = m.methodName;
    else if (m.name === 'SSH_MSG_USERAUTH_SUCCESS' && !authDone) {
      authDone = true;
      startCompression(dirs.c2s);
      startCompression(dirs.s2c);
    }
  };

  const knownMessage = (id: number) => !messageName(id, ctx).startsWith('unknown');

  /**
   * A hole in the capture where a packet should be read: list the damaged bytes as such and find
   * the next packet boundary (resync.ts), or say that the rest of this direction is lost.
   */
  const resync = (d: Direction, gap: { offset: number; lost: number; frame: number }): void => {
    const data = d.s.data;
    const E = d.pos;
    const g = gap.offset;
    d.handled.add(g);
    const nextGap = d.gapAfter(g);
    const limit = nextGap ? nextGap.offset : data.length;
    const report: GapReport = { dir: d.dir, offset: g, lost: gap.lost, frame: gap.frame, resumedAt: null, packetsLost: null, note: '' };
    out.gaps.push(report);
    const missing = `${gap.lost} bytes missing from the capture before stream offset ${g} (frame ${gap.frame})`;
    const damaged = (to: number, why: string): void => {
      if (to <= E) return;
      const at = d.frameAt(E);
      out.packets.push({ frame: at.frame, time: at.time, dir: d.dir, seq: null, offset: E, wire: data.subarray(E, to), length: to - E, msg: null, name: null, decrypted: false, error: `${missing}: ${why}` });
    };
    const lost = (why: string): void => {
      report.note = why;
      damaged(limit, why);
      err(d, `${missing}; ${why}`);
      d.pos = limit;
      d.done = true;
    };
    const mode = d.mode;
    if (mode.kind === 'plain') {
      const scan = Math.min(MAX_PACKET_LENGTH + 8, d.plainBudget);
      const o = findPlainBoundary(data, g, limit, knownMessage, scan);
      d.plainBudget -= o < 0 ? scan : o - g + 1;
      if (o < 0) return lost(d.plainBudget <= 0 ? 'the search budget of this direction is used up by earlier gaps: the rest of this direction is lost' : 'no plausible packet header follows the gap: the rest of this direction is lost');
      damaged(o, 'these bytes belong to packets the gap damaged');
      const lo = d.seq + 1;
      const hi = d.seq + Math.max(1, Math.floor((o - E + gap.lost) / 16));
      d.seq = lo;
      d.seqHi = hi;
      d.seqKnown = lo === hi;
      d.pos = o;
      report.resumedAt = o;
      report.note = `resynchronised at stream offset ${o} (a plausible packet header followed by another); sequence numbers are unknown until a strict-KEX NEWKEYS resets them or a decrypted packet pins them down`;
      err(d, `${missing}; ${report.note}`);
      return;
    }
    if (mode.kind === 'keyed' && d.keyed) {
      const ci = d.chunkAt(g);
      const starts: number[] = [];
      for (let i = ci; i < d.s.chunks.count && starts.length < 256; i++) {
        const off = d.s.chunks.offset[i]!;
        if (off >= limit) break;
        if (off >= g) starts.push(off);
      }
      if (d.searchBudget <= 0) return lost('the search budget of this direction is used up by earlier gaps: the rest of this direction is lost');
      const r = findKeyedBoundary(d.keyed, { data, from: E, gapAt: g, lost: gap.lost, limit, segmentStarts: starts, seqLo: d.seq, seqHi: d.seqKnown ? d.seq : d.seqHi, index: d.kIndex, keystream: d.kStream }, Math.min(GAP_SEARCH_BUDGET, d.searchBudget));
      d.searchBudget -= r.used;
      if (!r.hit) return lost(r.exhausted ? 'no packet after the gap authenticated within the search budget: the rest of this direction is lost' : 'no packet after the gap decrypts and authenticates: the rest of this direction is lost');
      const h = r.hit;
      damaged(h.offset, `${h.skipped} packet${h.skipped === 1 ? '' : 's'} lost or damaged`);
      d.pos = h.offset;
      d.seq = h.seq;
      d.seqKnown = true;
      d.kIndex = h.index;
      d.kStream = h.keystream;
      mode.opener = openerAt(d.keyed, h.index, h.keystream);
      report.resumedAt = h.offset;
      report.packetsLost = h.skipped;
      report.note = `resynchronised at stream offset ${h.offset}: packet ${h.seq} decrypts and authenticates (${h.skipped} packet${h.skipped === 1 ? '' : 's'} lost or damaged)`;
      err(d, `${missing}; ${report.note}`);
      return;
    }
    // encrypted without keys: where packets start after the hole cannot be verified
    damaged(g, 'the packet these bytes start is incomplete');
    d.pos = g;
    d.mode = { kind: 'opaque', headLen: 0, macLen: 0, lengthClear: false };
    report.resumedAt = g;
    report.note = 'encrypted and no keys: packet boundaries after the gap cannot be verified, the bytes are listed per TCP segment';
    err(d, `${missing}; ${report.note}`);
  };

  /** A decrypted connection message (RFC 4254) as a row of the lazy table, replacing `p` (the last packet); `buf` null: plaintext dropped. */
  const lazyRow = (p: CapturedPacket, msg: number, data: Uint8Array, total: number, buf: Uint8Array | null, at: number, n: number, headless: boolean): void => {
    p.decrypted = true;
    p.msg = msg;
    p.name = messageName(msg, ctx);
    out.packets[out.packets.length - 1] = table!.add(p, data, total, buf, at, n, null, snapshot(), headless);
  };

  /** Reads one packet (or one piece of opaque bytes) from `d`. */
  const step = (d: Direction): void => {
    if (!d.versionDone) return readVersion(d);
    const data = d.s.data;
    if (d.remaining === 0) {
      d.done = true;
      return;
    }
    const mode = d.mode;
    const start = d.pos;
    if (mode.kind === 'opaque' && !mode.lengthClear) {
      // cannot find packet boundaries without keys: one piece per TCP chunk
      const ci = d.chunkAt(start);
      const end = d.s.chunks.offset[ci]! + d.s.chunks.length[ci]!;
      const at = d.frameAt(start);
      out.packets.push({ frame: at.frame, time: at.time, dir: d.dir, seq: null, offset: start, wire: data.subarray(start, end), length: end - start, msg: null, name: null, decrypted: false });
      d.pos = end;
      return;
    }
    const headLen = mode.kind === 'keyed' ? mode.opener.headLen : mode.kind === 'opaque' ? mode.headLen : 4;
    const macLen = mode.kind === 'keyed' ? mode.opener.macLen : mode.kind === 'opaque' ? mode.macLen : 0;
    if (d.remaining < headLen) {
      err(d, `${d.remaining} trailing bytes: the capture ends inside a packet`);
      d.done = true;
      return;
    }
    const gapHead = d.gapIn(start, start + headLen);
    if (gapHead) return resync(d, gapHead);
    if (mode.kind === 'keyed' && !d.seqKnown && d.keyed) {
      // a gap before NEWKEYS (without strict KEX) left the sequence number uncertain: the one that authenticates
      const next = d.gapAfter(start);
      const r = findKeyedBoundary(d.keyed, { data, from: start, gapAt: start, lost: 0, limit: next ? next.offset : data.length, segmentStarts: [], seqLo: d.seq, seqHi: d.seqHi, index: d.kIndex, keystream: d.kStream, only: start }, Math.max(0, Math.min(GAP_SEARCH_BUDGET, d.searchBudget)));
      d.searchBudget -= r.used;
      if (!r.hit) {
        err(d, `the sequence number is unknown after a gap (${d.seq} … ${d.seqHi}) and none authenticates this packet; this direction stops here`);
        d.done = true;
        return;
      }
      d.seq = r.hit.seq;
      d.seqKnown = true;
      mode.opener = openerAt(d.keyed, d.kIndex, d.kStream);
    }
    const seq = d.seq >>> 0;
    let len: number;
    try {
      len = mode.kind === 'keyed' ? mode.opener.readLength(seq, data.subarray(start, start + headLen)) : new DataView(data.buffer, data.byteOffset + start, 4).getUint32(0);
    } catch (e) {
      err(d, `packet length: ${(e as Error).message}`);
      d.done = true;
      return;
    }
    if (len < 5 || len > MAX_PACKET_LENGTH) {
      err(d, `packet_length ${len} is ${len < 5 ? 'too short' : `over the ${MAX_PACKET_LENGTH}-byte limit`} — ${mode.kind === 'keyed' ? 'wrong keys or ' : ''}not an SSH binary packet; this direction stops here`);
      d.done = true;
      return;
    }
    const total = 4 + len + macLen;
    // a hole inside the packet first: bytes after it may exist even when the packet cannot be whole
    const gap = d.gapIn(start + 1, start + total);
    if (gap) return resync(d, gap);
    if (d.remaining < total) {
      err(d, `the capture ends inside a packet (packet_length ${len}, ${d.remaining} of ${total} bytes present)`);
      d.done = true;
      return;
    }
    const wire = data.subarray(start, start + total);
    const ci = d.chunkAt(start + total - 1);
    d.pos += total;
    d.seq = (d.seq + 1) >>> 0;
    const p: CapturedPacket = { frame: d.s.chunks.frame[ci]!, time: d.s.chunks.time[ci]!, dir: d.dir, seq: d.seqKnown ? seq : null, offset: start, wire, length: len, msg: null, name: null, decrypted: false };
    out.packets.push(p);
    if (mode.kind === 'opaque') {
      if (table) out.packets[out.packets.length - 1] = table.add(p, data, total, null, 0, 0, null, null);
      return;
    }
    if (mode.kind === 'keyed' && d.keyed) {
      d.kIndex++;
      d.kStream += keystreamBytes(d.keyed, len);
    }
    let plain: Uint8Array;
    if (mode.kind === 'keyed') {
      const opener = mode.opener;
      const plainLen = total - macLen;
      try {
        if (table && opener.openTo && plainLen <= SMALL_PLAIN && !d.decompressor) {
          // a small packet decrypted straight into the arena; a connection message becomes a table row
          const at = arena.reserve(plainLen);
          const block = arena.block;
          try {
            opener.openTo(seq, wire, block, at);
          } catch (e) {
            arena.unreserve(plainLen);
            throw e;
          }
          const pad = block[at + 4]!;
          const msg = block[at + 5]!;
          if (pad >= 4 && pad <= len - 1 && 4 + len - pad > 5 && msg >= 80) {
            if (!drop) return lazyRow(p, msg, data, total, block, at, plainLen, false);
            check(p, block.subarray(at + 5, at + 4 + len - pad), 5);
            arena.unreserve(plainLen); // the next packet is decrypted into the same bytes
            return lazyRow(p, msg, data, total, null, 0, 0, false);
          }
          plain = block.subarray(at, at + plainLen);
        } else if (table && opener.openBody && !d.decompressor) {
          // a large aes-gcm packet: its plaintext is kept as decrypted, without packet_length (or checked and dropped)
          const body = opener.openBody(seq, wire);
          const pad = body[0]!;
          const msg = body[1]!;
          if (pad >= 4 && pad <= len - 1 && len - pad > 1 && msg >= 80) {
            if (!drop) return lazyRow(p, msg, data, total, body, 0, body.length, true);
            check(p, body.subarray(1, len - pad), 5);
            return lazyRow(p, msg, data, total, null, 0, 0, true);
          }
          plain = new Uint8Array(4 + body.length);
          plain.set(wire.subarray(0, 4));
          plain.set(body, 4);
        } else plain = opener.open(seq, wire); // openers write their output elsewhere; no copy
      } catch (e) {
        p.error = e instanceof IntegrityError ? `MAC/tag verification failed: ${e.message}` : `decryption failed: ${(e as Error).message}`;
        return;
      }
      p.decrypted = true;
    } else plain = wire;
    p.plain = plain;
    const pad = plain[4]!;
    if (pad < 4 || pad > len - 1) {
      p.error = `padding_length ${pad} is invalid for packet_length ${len} (RFC 4253 §6)`;
      return;
    }
    let payload = plain.subarray(5, 4 + len - pad);
    let base = 5;
    if (d.decompressor) {
      try {
        payload = d.decompressor.decompress(payload);
      } catch (e) {
        p.error = `${d.compression} inflate: ${(e as Error).message}`;
        return;
      }
      p.inflated = payload;
      base = 0;
    }
    if (payload.length === 0) {
      p.error = 'empty payload';
      return;
    }
    p.msg = payload[0]!;
    p.name = messageName(p.msg, ctx);
    if (lazy && p.msg >= 80) {
      // connection protocol (RFC 4254): nothing here depends on it; decode when someone reads it
      if (drop) {
        check(p, payload, base);
        out.packets[out.packets.length - 1] = table!.add(p, data, total, null, 0, 0, null, snapshot());
        return;
      }
      const [buf, at] = plain === wire || plain.buffer === arena.block.buffer ? [plain, 0] : arena.keep(plain);
      out.packets[out.packets.length - 1] = table!.add(p, data, total, buf, at, plain.length, p.inflated ?? null, snapshot());
      return;
    }
    try {
      const dm = decodeMessage(payload, ctx, base);
      p.message = dm.msg;
      p.tree = dm.tree;
    } catch (e) {
      p.error = `decode: ${(e as Error).message}`;
      return;
    }
    onMessage(d, p, payload);
  };

  // Both directions advance in capture order, so that each message is decoded in the context of
  // what the other side said before it (the negotiated KEX family, the auth method just tried).
  for (let guard = 0; ; guard++) {
    const a = dirs.c2s;
    const b = dirs.s2c;
    if (a.done && b.done) break;
    const next = a.done ? b : b.done ? a : b.frameOf(b.pos) < a.frameOf(a.pos) ? b : a;
    const before = next.pos;
    const wasVersion = next.versionDone;
    const seqBefore = next.seq;
    const modeBefore = next.mode;
    step(next);
    if (!next.done && next.pos === before && next.versionDone === wasVersion && next.seq === seqBefore && next.mode === modeBefore) {
      err(next, 'no progress; stopping');
      next.done = true;
    }
    if (guard > 50_000_000) break;
  }
  // holes the packet reader did not meet (inside bytes listed per segment, or after it stopped)
  for (const d of [dirs.c2s, dirs.s2c])
    for (const g of d.s.gaps) {
      if (d.handled.has(g.offset)) continue;
      const note = d.mode.kind === 'opaque' && !d.mode.lengthClear ? 'inside bytes listed per TCP segment (encrypted, no keys)' : 'after the point where this direction stopped';
      out.gaps.push({ dir: d.dir, offset: g.offset, lost: g.lost, frame: g.frame, resumedAt: null, packetsLost: null, note });
      errors.push(`${d.dir}: ${g.lost} bytes missing before stream offset ${g.offset} (frame ${g.frame}), ${note}`);
    }
  out.gaps.sort((x, y) => (x.dir === y.dir ? x.offset - y.offset : x.dir === 'c2s' ? -1 : 1));
  return out;
}

export { endpointText };
