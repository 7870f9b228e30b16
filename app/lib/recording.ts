// Saved recordings: the JSON that the top bar's "Export JSON" writes ({config, events}, every
// Uint8Array as a lower-case hex string) read back into an event log. JSON cannot tell a hex string
// from a text string, so the byte fields are restored by the event schema (engine/events.ts), not
// guessed: packet.wire/payload, exchange-hash.H/input, channel data and pty modes, the host key
// blob of a host-key decision. Everything else is checked for its shape; a bad file gets one clear
// message naming the event and the field. Pure: no DOM.

import type { FieldNode, SshEvent } from '../../engine/index.ts';
import { DEFAULT_SCENARIO, type ScenarioConfig } from './scenario.ts';

export interface Recording {
  config: ScenarioConfig;
  events: SshEvent[];
}

/** Why a file is not a recording; `where` names the event and field ("event 12 (packet): wire"). */
export class RecordingError extends Error {
  constructor(
    readonly where: string,
    readonly why: string,
  ) {
    super(where ? `${where}: ${why}` : why);
    this.name = 'RecordingError';
  }
}

/** The same encoding as TopBar.exportJson: bytes as lower-case hex, indented JSON. */
export function recordingToJson(rec: { config: ScenarioConfig; events: readonly SshEvent[] }): string {
  return JSON.stringify({ config: rec.config, events: rec.events }, (_k, v: unknown) => (v instanceof Uint8Array ? bytesToHex(v) : v), 2);
}

export function bytesToHex(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += x.toString(16).padStart(2, '0');
  return s;
}

const HEX = /^(?:[0-9a-fA-F]{2})*$/;

export function hexToBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

const EVENT_TYPES = new Set(['version', 'packet', 'negotiated', 'exchange-hash', 'keys', 'host-key-check', 'auth', 'channel', 'decision', 'banner', 'global-request', 'info', 'error', 'closed']);

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Reads and checks a recording; throws RecordingError naming what is wrong. */
export function parseRecording(text: string): Recording {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new RecordingError('', `not JSON (${(e as Error).message})`);
  }
  if (!isObj(raw)) throw new RecordingError('', 'expected an object with "config" and "events"');
  if (!Array.isArray(raw['events'])) throw new RecordingError('events', 'missing, or not a list');
  if (raw['events'].length === 0) throw new RecordingError('events', 'the list is empty');
  const events = raw['events'].map((e, i) => reviveEvent(e, i));
  return { config: reviveConfig(raw['config']), events };
}

function reviveConfig(c: unknown): ScenarioConfig {
  if (c === undefined || c === null) return DEFAULT_SCENARIO;
  if (!isObj(c)) throw new RecordingError('config', 'not an object');
  const out: ScenarioConfig = { ...DEFAULT_SCENARIO };
  for (const k of ['kex', 'cipher', 'mac', 'user', 'seed', 'command'] as const) {
    const v = c[k];
    if (v === undefined) continue;
    if (typeof v !== 'string') throw new RecordingError(`config.${k}`, 'not a string');
    out[k] = v;
  }
  if (c['auth'] !== undefined) {
    if (c['auth'] !== 'password' && c['auth'] !== 'publickey') throw new RecordingError('config.auth', 'must be "password" or "publickey"');
    out.auth = c['auth'];
  }
  // a tampered run is reloaded as what it was, not re-tampered
  out.tamper = null;
  return out;
}

function reviveEvent(e: unknown, i: number): SshEvent {
  if (!isObj(e)) throw new RecordingError(`event ${i}`, 'not an object');
  const type = e['type'];
  if (typeof type !== 'string' || !EVENT_TYPES.has(type)) throw new RecordingError(`event ${i}`, `unknown type ${JSON.stringify(type)}`);
  const at = `event ${i} (${type})`;
  const need = (k: string, kind: 'string' | 'number' | 'boolean'): void => {
    if (typeof e[k] !== kind) throw new RecordingError(`${at}: ${k}`, `missing or not a ${kind}`);
  };
  const bytes = (o: Obj, k: string, where: string, optional = false): void => {
    const v = o[k];
    if (v === undefined && optional) return;
    if (typeof v !== 'string' || !HEX.test(v)) throw new RecordingError(`${at}: ${where}`, 'not a hex string');
    o[k] = hexToBytes(v);
  };
  need('seq', 'number');
  need('t', 'number');
  if (e['side'] !== 'client' && e['side'] !== 'server') throw new RecordingError(`${at}: side`, 'must be "client" or "server"');
  if (![1, 2, 3, 4, 5].includes(e['phase'] as number)) throw new RecordingError(`${at}: phase`, 'must be 1 to 5');
  const out: Obj = { ...e };
  const dir = (): void => {
    if (e['dir'] !== 'c2s' && e['dir'] !== 's2c') throw new RecordingError(`${at}: dir`, 'must be "c2s" or "s2c"');
  };
  switch (type) {
    case 'version':
      dir();
      need('line', 'string');
      break;
    case 'packet':
      dir();
      need('n', 'number');
      need('msg', 'string');
      need('id', 'number');
      need('encrypted', 'boolean');
      bytes(out, 'wire', 'wire');
      bytes(out, 'payload', 'payload');
      checkTree(e['tree'], `${at}: tree`, (out['wire'] as Uint8Array).length);
      if (e['payloadTree'] !== undefined) checkTree(e['payloadTree'], `${at}: payloadTree`, null);
      break;
    case 'negotiated':
      if (!Array.isArray(e['rows']) || !e['rows'].every((r) => isObj(r) && typeof r['category'] === 'string' && Array.isArray(r['client']) && Array.isArray(r['server']))) throw new RecordingError(`${at}: rows`, 'not a list of negotiation rows');
      break;
    case 'exchange-hash':
      need('hash', 'string');
      bytes(out, 'H', 'H');
      bytes(out, 'input', 'input');
      checkTree(e['tree'], `${at}: tree`, (out['input'] as Uint8Array).length);
      break;
    case 'keys':
      need('kex', 'string');
      need('hash', 'string');
      if (!Array.isArray(e['steps']) || !e['steps'].every((s) => isObj(s) && typeof s['name'] === 'string' && typeof s['value'] === 'string')) throw new RecordingError(`${at}: steps`, 'not a list of key-derivation steps');
      break;
    case 'host-key-check':
      need('result', 'string');
      need('fingerprint', 'string');
      break;
    case 'auth':
      need('method', 'string');
      need('result', 'string');
      break;
    case 'channel': {
      need('id', 'number');
      need('change', 'string');
      const d = e['detail'];
      if (isObj(d)) {
        const copy: Obj = { ...d };
        // RFC 4254 §5.2 data / §5.2 extended data; §6.2 pty-req encoded terminal modes
        bytes(copy, 'data', 'detail.data', true);
        bytes(copy, 'modes', 'detail.modes', true);
        out['detail'] = copy;
      }
      break;
    }
    case 'decision': {
      need('id', 'number');
      need('kind', 'string');
      const d = e['detail'];
      if (e['kind'] === 'host-key' && isObj(d)) {
        const copy: Obj = { ...d };
        bytes(copy, 'blob', 'detail.blob', true);
        out['detail'] = copy;
      }
      break;
    }
    case 'banner':
    case 'info':
      need('message', 'string');
      break;
    case 'global-request':
      need('name', 'string');
      dir();
      break;
    case 'error':
      need('message', 'string');
      need('local', 'boolean');
      break;
    case 'closed':
      need('message', 'string');
      break;
  }
  return out as SshEvent;
}

function checkTree(t: unknown, where: string, size: number | null): asserts t is FieldNode {
  const walk = (n: unknown, path: string, depth: number): void => {
    if (depth > 64) throw new RecordingError(where, 'nested too deeply');
    if (!isObj(n) || typeof n['path'] !== 'string' || typeof n['label'] !== 'string' || typeof n['start'] !== 'number' || typeof n['end'] !== 'number') throw new RecordingError(`${where}${path}`, 'not a field node {path, label, start, end}');
    const start = n['start'];
    const end = n['end'];
    if (start < 0 || end < start || (size !== null && end > size)) throw new RecordingError(`${where}${path}`, `byte range [${start}, ${end}) is outside the packet`);
    const kids = n['children'];
    if (kids !== undefined) {
      if (!Array.isArray(kids)) throw new RecordingError(`${where}${path}`, 'children is not a list');
      kids.forEach((c, i) => walk(c, `${path}.children[${i}]`, depth + 1));
    }
  };
  walk(t, '', 0);
}
