// The `sshscope inspect` outputs, kept in the engine so the app can offer the same export:
// a stable JSON document (docs/inspect.md describes it; the shape is a public interface) and a
// readable per-packet listing.

import type { KexinitLists } from '../algorithms/index.ts';
import { toHex } from '../wire/codec.ts';
import type { CaptureAnalysis } from './analyze.ts';
import { endpointText } from './tcp-reassembly.ts';
import { LazyPacket } from './lazy-packet.ts';
import type { CapturedPacket, KexinitSummary, SshStream } from './ssh-stream.ts';

export interface InspectKexinitJson {
  kex: string[];
  hostKey: string[];
  encC2S: string[];
  encS2C: string[];
  macC2S: string[];
  macS2C: string[];
  compC2S: string[];
  compS2C: string[];
  cookie: string;
}

export interface InspectPacketJson {
  frame: number;
  time: number;
  dir: 'c2s' | 's2c';
  seq: number | null;
  msg: number | null;
  name: string | null;
  decrypted: boolean;
  length: number;
  error?: string;
}

export interface InspectStreamJson {
  client: string;
  server: string;
  clientVersion: string | null;
  serverVersion: string | null;
  kexinit: { client: InspectKexinitJson | null; server: InspectKexinitJson | null };
  negotiated: { kex: string; hostKey: string; encC2S: string; encS2C: string; macC2S: string | null; macS2C: string | null } | null;
  strictKex: boolean;
  keyExchanges: number;
  decryptedKeyExchanges: number;
  packets: InspectPacketJson[];
  /** Holes in the capture (bytes lost between TCP segments) and whether decoding resumed after them. */
  gaps: InspectGapJson[];
  errors: string[];
}

export interface InspectGapJson {
  dir: 'c2s' | 's2c';
  /** Offset in the reassembled direction stream (without the lost bytes) where the bytes after the hole start. */
  offset: number;
  lost: number;
  frame: number;
  resumedAt: number | null;
  packetsLost: number | null;
  note: string;
}

export interface InspectJson {
  format: 'pcap' | 'pcapng';
  frames: number;
  streams: InspectStreamJson[];
  problems: string[];
}

function kexinitJson(k: KexinitSummary | null): InspectKexinitJson | null {
  if (!k) return null;
  const l: KexinitLists = k.lists;
  return { kex: l.kexAlgorithms, hostKey: l.serverHostKeyAlgorithms, encC2S: l.encryptionC2S, encS2C: l.encryptionS2C, macC2S: l.macC2S, macS2C: l.macS2C, compC2S: l.compressionC2S, compS2C: l.compressionS2C, cookie: k.cookie };
}

function packetJson(p: CapturedPacket): InspectPacketJson {
  const out: InspectPacketJson = { frame: p.frame, time: p.time, dir: p.dir, seq: p.seq, msg: p.msg, name: p.name, decrypted: p.decrypted, length: p.length };
  // a lazily decoded packet is checked here without keeping its tree
  const error = p.error ?? (p instanceof LazyPacket ? p.decodeError() : undefined);
  if (error !== undefined) out.error = error;
  return out;
}

export function streamJson(s: SshStream): InspectStreamJson {
  const first = s.rounds[0];
  const n = first?.negotiated ?? null;
  const errors = [...s.errors];
  s.rounds.forEach((r) => {
    if (r.noKeys && r.negotiated) errors.push(`key exchange ${r.n}: not decrypted: ${r.noKeys}`);
  });
  return {
    client: endpointText(s.client),
    server: endpointText(s.server),
    clientVersion: s.clientVersion,
    serverVersion: s.serverVersion,
    kexinit: { client: kexinitJson(first?.client ?? null), server: kexinitJson(first?.server ?? null) },
    negotiated: n && { kex: n.kex, hostKey: n.hostKey, encC2S: n.cipherC2S, encS2C: n.cipherS2C, macC2S: n.macC2S, macS2C: n.macS2C },
    strictKex: s.strictKex,
    keyExchanges: s.rounds.length,
    decryptedKeyExchanges: s.rounds.filter((r) => r.keys).length,
    packets: s.packets.map(packetJson),
    gaps: s.gaps.map((g) => ({ dir: g.dir, offset: g.offset, lost: g.lost, frame: g.frame, resumedAt: g.resumedAt, packetsLost: g.packetsLost, note: g.note })),
    errors,
  };
}

export function inspectJson(a: CaptureAnalysis): InspectJson {
  return { format: a.format, frames: a.frames, streams: a.streams.map(streamJson), problems: [...a.problems, ...a.keylogErrors] };
}

function short(v: unknown): string | null {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (v instanceof Uint8Array) return v.length <= 16 ? toHex(v) : `(${v.length} bytes)`;
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) {
    const s = v.join(',');
    return s.length > 48 ? `${s.slice(0, 48)}…` : s;
  }
  return null;
}

/** A few key fields of a decoded message, "name=value" (the first four that print short). */
export function keyFields(p: CapturedPacket): string {
  if (!p.message) return '';
  const parts: string[] = [];
  for (const [k, v] of Object.entries(p.message)) {
    if (k === 'name' || k === 'id') continue;
    const s = short(v);
    if (s !== null) parts.push(`${k}=${s}`);
    if (parts.length === 4) break;
  }
  return parts.join(' ');
}

export function inspectText(a: CaptureAnalysis): string {
  const lines: string[] = [];
  lines.push(`${a.format}, ${count(a.frames, 'frame')}, ${count(a.streams.length, 'SSH connection')}${a.otherConnections ? `, ${count(a.otherConnections, 'other TCP connection')} skipped` : ''}`);
  for (const p of [...a.problems, ...a.keylogErrors]) lines.push(`! ${p}`);
  a.streams.forEach((s, i) => {
    const j = streamJson(s);
    lines.push('');
    lines.push(`connection ${i + 1}: client ${j.client} → server ${j.server}${s.clientBy !== 'syn' ? ` (client recognised by ${s.clientBy})` : ''}`);
    lines.push(`  client version: ${j.clientVersion ?? '?'}`);
    lines.push(`  server version: ${j.serverVersion ?? '?'}`);
    if (j.negotiated) lines.push(`  negotiated: ${j.negotiated.kex}, ${j.negotiated.hostKey}, ${j.negotiated.encC2S}${j.negotiated.macC2S ? `+${j.negotiated.macC2S}` : ''} / ${j.negotiated.encS2C}${j.negotiated.macS2C ? `+${j.negotiated.macS2C}` : ''}${j.strictKex ? ', strict KEX' : ''}`);
    lines.push(`  key exchanges: ${j.keyExchanges}, decrypted: ${j.decryptedKeyExchanges}`);
    const t0 = s.packets[0]?.time ?? 0;
    for (const p of s.packets) {
      const what = p.name ?? (p.error ? '(not decrypted)' : '(encrypted)');
      const fields = keyFields(p);
      lines.push(`  ${String(p.frame).padStart(6)} ${(p.time - t0).toFixed(6).padStart(11)} ${p.dir === 'c2s' ? 'C→S' : 'S→C'} ${p.seq === null ? '    -' : String(p.seq).padStart(5)} ${p.decrypted ? '🔓' : '  '} ${what} [${p.length}]${fields ? ` ${fields}` : ''}${p.error ? `  !! ${p.error}` : ''}`);
    }
    for (const g of j.gaps) lines.push(`  ⚠ ${g.dir === 'c2s' ? 'C→S' : 'S→C'} gap: ${g.lost} bytes lost before frame ${g.frame} — ${g.note}`);
    for (const e of j.errors) lines.push(`  ! ${e}`);
  });
  return lines.join('\n') + '\n';
}

/** "1 frame", "2 frames". */
function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
