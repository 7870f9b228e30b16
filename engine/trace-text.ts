// Narrates the event log as text: a structured `ssh -vvv`. Used by the CLI's --trace and by the
// browser page. Every line starts with the phase (DESIGN.md "The five phases"), then the direction,
// then what happened. Pure and platform-neutral (no node: imports).

import type { FieldNode, KdfStep, NegotiationRow, Phase, SshEvent } from './events.ts';

/** Short phase names used as line prefixes. */
export const PHASE_NAMES: Record<Phase, string> = {
  1: 'version',
  2: 'kex',
  3: 'auth',
  4: 'session',
  5: 'interactive',
};

/** Long phase names (headings). */
export const PHASE_TITLES: Record<Phase, string> = {
  1: 'Version exchange',
  2: 'Algorithm negotiation and key exchange',
  3: 'User authentication',
  4: 'Session request',
  5: 'Interactive session',
};

/** RFC 4253 §11.1 disconnect reason codes, for narrating errors and disconnects. */
export const DISCONNECT_REASONS: Record<number, string> = {
  1: 'HOST_NOT_ALLOWED_TO_CONNECT',
  2: 'PROTOCOL_ERROR',
  3: 'KEY_EXCHANGE_FAILED',
  4: 'RESERVED',
  5: 'MAC_ERROR',
  6: 'COMPRESSION_ERROR',
  7: 'SERVICE_NOT_AVAILABLE',
  8: 'PROTOCOL_VERSION_NOT_SUPPORTED',
  9: 'HOST_KEY_NOT_VERIFIABLE',
  10: 'CONNECTION_LOST',
  11: 'BY_APPLICATION',
  12: 'TOO_MANY_CONNECTIONS',
  13: 'AUTH_CANCELLED_BY_USER',
  14: 'NO_MORE_AUTH_METHODS_AVAILABLE',
  15: 'ILLEGAL_USER_NAME',
};

/** Human names of the KEXINIT categories (RFC 4253 §7.1), keyed loosely by the row's category. */
const CATEGORY_LABELS: Record<string, string> = {
  kex: 'kex algorithm',
  hostKey: 'host key algorithm',
  'host-key': 'host key algorithm',
  'cipher-c2s': 'cipher C→S',
  'cipher-s2c': 'cipher S→C',
  'mac-c2s': 'MAC C→S',
  'mac-s2c': 'MAC S→C',
  'compression-c2s': 'compression C→S',
  'compression-s2c': 'compression S→C',
};

/** RFC 4253 §7.2: what each derived key letter is. */
const KEY_LETTERS: Record<string, string> = {
  A: 'initial IV client→server',
  B: 'initial IV server→client',
  C: 'encryption key client→server',
  D: 'encryption key server→client',
  E: 'integrity key client→server',
  F: 'integrity key server→client',
};

export interface FormatOptions {
  /** Hex characters shown before truncating (default 32, i.e. 16 bytes). */
  hexChars?: number;
  /** Include the event's sequence number and side in the prefix (default false). */
  showSide?: boolean;
  /** Colour the phase prefix with ANSI escapes (for terminals; default false). */
  ansi?: boolean;
}

const HEX_DEFAULT = 32;

/** Truncates a hex string: "0123…cdef (32 bytes)". */
export function shortHex(hex: string, max = HEX_DEFAULT): string {
  const bytes = Math.floor(hex.length / 2);
  if (hex.length <= max) return hex.length === 0 ? '(empty)' : hex;
  return `${hex.slice(0, max)}… (${bytes} bytes)`;
}

function bytesHex(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += b[i]!.toString(16).padStart(2, '0');
  return s;
}

function clip(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

/** A printable preview of channel data: text as a JSON-ish string, binary as a byte count. */
export function previewData(data: Uint8Array, max = 40): string {
  let printable = 0;
  const n = Math.min(data.length, 256);
  for (let i = 0; i < n; i++) {
    const c = data[i]!;
    if ((c >= 0x20 && c < 0x7f) || c === 0x0a || c === 0x0d || c === 0x09) printable++;
  }
  if (n > 0 && printable === n) {
    let s = '';
    for (let i = 0; i < Math.min(data.length, max); i++) s += String.fromCharCode(data[i]!);
    return JSON.stringify(s) + (data.length > max ? '…' : '');
  }
  return `<binary>`;
}

/** One ANSI colour per phase: cyan, yellow, magenta, blue, green. */
const PHASE_COLOURS: Record<Phase, number> = { 1: 36, 2: 33, 3: 35, 4: 34, 5: 32 };

function prefix(e: SshEvent, o: FormatOptions): string {
  const plain = `[${e.phase} ${PHASE_NAMES[e.phase] ?? '?'}]`;
  const p = o.ansi ? `\x1b[${PHASE_COLOURS[e.phase] ?? 0}m${plain}\x1b[0m` : plain;
  return o.showSide ? `${String(e.seq).padStart(4)} ${e.side.padEnd(6)} ${p}` : p;
}

function arrow(dir: 'c2s' | 's2c'): string {
  return dir === 'c2s' ? 'C→S' : 'S→C';
}

/** The interesting leaves of a packet tree: the payload's fields, without framing. */
function payloadFields(tree: FieldNode): FieldNode[] {
  const find = (n: FieldNode): FieldNode | null => {
    if (/(^|\.)payload$/.test(n.path) || n.label === 'payload') return n;
    for (const c of n.children ?? []) {
      const f = find(c);
      if (f) return f;
    }
    return null;
  };
  const payload = find(tree) ?? tree;
  return payload.children ?? [];
}

const SKIP_FIELDS = /^(msg|msgid|message id|message number|msg id|id|packet_length|padding_length|padding|mac|reserved|language tag)$/i;

function fieldName(n: FieldNode): string {
  const last = n.path.split('.').pop() ?? n.label;
  return last || n.label;
}

function fieldText(n: FieldNode, o: FormatOptions): string {
  const max = o.hexChars ?? HEX_DEFAULT;
  if (n.kind === 'name-list' && Array.isArray(n.value)) {
    const list = n.value as string[];
    if (list.length === 0) return '(none)';
    const joined = list.join(',');
    return joined.length <= 60 ? joined : `[${list.length}] ${clip(joined, 56)}`;
  }
  if (/password/i.test(fieldName(n)) && (n.kind === 'text' || n.kind === 'string')) return '(hidden)';
  if ((n.kind === 'string' || n.kind === 'bytes') && typeof n.value === 'string') {
    const hex = n.value;
    if (/^data$/i.test(fieldName(n))) {
      const bytes = new Uint8Array(hex.length / 2);
      for (let i = 0; i < bytes.length && i < 64; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
      return `${bytes.length} bytes ${previewData(bytes.length > 64 ? bytes.subarray(0, 64) : bytes)}`;
    }
    if (n.children?.some((c) => c.kind !== 'uint32')) return n.display ? clip(n.display, 60) : shortHex(hex, max);
    return shortHex(hex, max);
  }
  if (n.kind === 'mpint' && typeof n.value === 'string') return `0x${shortHex(n.value, max)}`;
  if (n.kind === 'struct' || n.kind === 'packet') return n.display ? clip(n.display, 60) : `{${(n.children ?? []).length} fields}`;
  const v = n.display ?? (n.value === undefined ? '' : String(n.value));
  return clip(v, 72);
}

/** "name=value" pairs of a packet's payload, for one trace line. */
export function summarizeFields(tree: FieldNode, o: FormatOptions = {}, maxFields = 8): string {
  const out: string[] = [];
  const visit = (fields: FieldNode[]): void => {
    for (const f of fields) {
      if (out.length >= maxFields) return;
      if (SKIP_FIELDS.test(f.label) || SKIP_FIELDS.test(fieldName(f))) continue;
      // method- and request-specific parts (e.g. requestFields of a channel request): inline them
      if (f.kind === 'struct' && f.children?.length) {
        visit(f.children);
        continue;
      }
      out.push(`${fieldName(f)}=${fieldText(f, o)}`);
    }
  };
  visit(payloadFields(tree));
  return out.join(' ');
}

function formatNegotiated(rows: NegotiationRow[]): string[] {
  const w = Math.max(12, ...rows.map((r) => (CATEGORY_LABELS[r.category] ?? r.category).length));
  const cw = Math.max(8, ...rows.map((r) => (r.chosen ?? '(none)').length));
  return rows.map((r) => `    ${(CATEGORY_LABELS[r.category] ?? r.category).padEnd(w)}  ${(r.chosen ?? (/^no common/.test(r.rule) ? 'NO MATCH' : '—')).padEnd(cw)}  (${r.rule})`);
}

function formatKeys(steps: KdfStep[], o: FormatOptions): string[] {
  const max = o.hexChars ?? HEX_DEFAULT;
  const shown = steps.filter((s) => !s.name.includes('.')); // expansion rounds: drawn by the UI, not the trace
  const what = (s: KdfStep) => KEY_LETTERS[s.name] ?? s.label;
  const nw = Math.max(...shown.map((s) => s.name.length), 1);
  const ww = Math.max(...shown.map((s) => what(s).length), 1);
  return shown.map((s) => `    ${s.name.padEnd(nw)}  ${what(s).padEnd(ww)}  ${shortHex(s.value, max)}`);
}

function channelDetail(e: Extract<SshEvent, { type: 'channel' }>): string {
  const d = (e.detail ?? {}) as Record<string, unknown>;
  switch (e.change) {
    case 'data':
    case 'extended-data': {
      const data = d.data instanceof Uint8Array ? d.data : new Uint8Array(0);
      const stream = e.change === 'extended-data' ? ` (stderr, code ${String(d.code ?? 1)})` : '';
      return `${data.length} bytes${stream} ${previewData(data)}`;
    }
    case 'exit-status':
      return `status ${String(d.status)}`;
    case 'exit-signal':
      return `signal ${String(d.signal)}${d.coreDumped ? ' (core dumped)' : ''}${d.message ? `: ${String(d.message)}` : ''}`;
    case 'request': {
      const { request, accepted, ...rest } = d;
      const parts = Object.entries(rest)
        .filter(([, v]) => !(v instanceof Uint8Array))
        .map(([k, v]) => `${k}=${typeof v === 'string' ? JSON.stringify(v) : String(v)}`);
      const acc = accepted === undefined ? '' : accepted ? ' accepted' : ' refused';
      return `${String(request)}${parts.length ? ' ' + parts.join(' ') : ''}${acc}`;
    }
    case 'request-success':
    case 'request-failure':
      return String(d.request ?? '');
    case 'open':
    case 'open-request':
    case 'open-failed': {
      const parts: string[] = [];
      if (d.channelType) parts.push(String(d.channelType));
      if (d.remoteId !== undefined) parts.push(`remote id ${String(d.remoteId)}`);
      if (d.window !== undefined) parts.push(`window ${String(d.window)}`);
      if (d.maxPacket !== undefined) parts.push(`max packet ${String(d.maxPacket)}`);
      if (d.description) parts.push(JSON.stringify(d.description));
      return parts.join(', ');
    }
    default:
      return '';
  }
}

function decisionDetail(d: unknown): string {
  if (!d || typeof d !== 'object') return '';
  const r = d as Record<string, unknown>;
  const parts: string[] = [];
  for (const k of ['algorithm', 'fingerprint', 'user', 'host', 'prompt']) if (typeof r[k] === 'string') parts.push(String(r[k]));
  return parts.join(' ');
}

/**
 * One event as text (one line; negotiation and key-derivation events add indented rows).
 * Phase prefix, direction arrow (C→S client to server, S→C server to client), message name and
 * key fields.
 */
export function formatEvent(e: SshEvent, o: FormatOptions = {}): string {
  const p = prefix(e, o);
  switch (e.type) {
    case 'version':
      return `${p} ${arrow(e.dir)} identification ${JSON.stringify(e.line)}${e.preamble?.length ? ` (after ${e.preamble.length} preamble lines)` : ''}`;
    case 'packet': {
      const meta = [`#${e.n}`, `${e.wire.length} bytes`];
      if (e.encrypted) meta.push('encrypted');
      if (e.background) meta.push('background');
      const fields = summarizeFields(e.tree, o);
      return `${p} ${arrow(e.dir)} ${e.msg} (${meta.join(', ')})${fields ? ' ' + fields : ''}`;
    }
    case 'negotiated':
      return [`${p} negotiated algorithms (RFC 4253 §7.1):`, ...formatNegotiated(e.rows)].join('\n');
    case 'exchange-hash':
      return `${p} exchange hash H = ${e.hash.toUpperCase()}(${e.input.length} bytes of input) = ${shortHex(bytesHex(e.H), o.hexChars ?? HEX_DEFAULT)}`;
    case 'keys':
      return [`${p} keys derived (RFC 4253 §7.2, ${e.kex}, ${e.hash}):`, ...formatKeys(e.steps, o)].join('\n');
    case 'host-key-check': {
      const meaning: Record<string, string> = {
        known: 'matches known_hosts',
        unknown: 'not in known_hosts',
        changed: 'DIFFERS from known_hosts — possible man-in-the-middle!',
        accepted: 'accepted',
        rejected: 'rejected',
      };
      return `${p} host key ${e.algorithm} ${e.fingerprint}: ${e.result} (${meaning[e.result] ?? e.result})`;
    }
    case 'auth': {
      const who = e.user ? ` for ${e.user}` : '';
      const cont = e.continue?.length ? ` (can continue: ${e.continue.join(',')})` : '';
      const det = e.detail ? ` — ${e.detail}` : '';
      return `${p} auth ${e.method}${who}: ${e.result}${cont}${det}`;
    }
    case 'channel': {
      const det = channelDetail(e);
      return `${p} channel ${e.id} ${e.change}${det ? ' ' + det : ''}`;
    }
    case 'decision': {
      const det = decisionDetail(e.detail);
      return `${p} ? decision #${e.id} ${e.kind}${det ? ': ' + det : ''}`;
    }
    case 'banner':
      return `${p} banner ${JSON.stringify(e.message)}`;
    case 'global-request':
      return `${p} ${arrow(e.dir)} global request ${e.name}${e.wantReply ? ' (want reply)' : ''}${e.result ? ` → ${e.result}` : ''}`;
    case 'info':
      return `${p} ${e.message}`;
    case 'error': {
      const where = e.field ? ` [${e.field}${e.offset !== undefined ? ` @${e.offset}` : ''}]` : '';
      const reason = e.reason !== undefined ? ` (${DISCONNECT_REASONS[e.reason] ?? 'reason ' + e.reason})` : '';
      return `${p} ${e.local ? 'error' : 'peer error'}${reason}: ${e.message}${where}`;
    }
    case 'closed': {
      const reason = e.reason !== undefined ? ` (${DISCONNECT_REASONS[e.reason] ?? 'reason ' + e.reason})` : '';
      return `${p} connection closed${reason}: ${e.message}`;
    }
    default: {
      const never: never = e;
      return `${p} ${JSON.stringify(never)}`;
    }
  }
}

/** "── Phase 2 · Algorithm negotiation and key exchange ──" */
export function phaseHeading(phase: Phase, o: FormatOptions = {}): string {
  const text = `── Phase ${phase} · ${PHASE_TITLES[phase]} ──`;
  return o.ansi ? `\x1b[1;${PHASE_COLOURS[phase] ?? 0}m${text}\x1b[0m` : text;
}

/**
 * Narrates events one by one, adding a phase heading whenever a side enters a later phase
 * (phase 2 traffic after authentication — a rekey — stays under its own phase label, no heading).
 */
export class TraceNarrator {
  private readonly reached = new Map<string, Phase>();
  private readonly opts: FormatOptions;
  constructor(opts: FormatOptions = {}) {
    this.opts = opts;
  }
  /** The text for one event: an optional heading line, then the event's lines. */
  next(e: SshEvent): string {
    const key = e.side;
    const prev = this.reached.get(key) ?? 0;
    const line = formatEvent(e, this.opts);
    if (e.phase > prev) {
      this.reached.set(key, e.phase);
      return `${phaseHeading(e.phase, this.opts)}\n${line}`;
    }
    return line;
  }
}

/** A whole log as text, with phase headings. */
export function formatLog(events: readonly SshEvent[], opts: FormatOptions = {}): string {
  const n = new TraceNarrator(opts);
  return events.map((e) => n.next(e)).join('\n');
}

