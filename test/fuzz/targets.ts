// The fuzz inputs and how each is run. An input is plain JSON (so a crasher can be saved in
// test/fuzz/corpus/ and replayed by corpus-replay.test.ts), generated deterministically from
// (seed, index) and executed against one of:
//   wire      mutated bytes into one engine (client or server) at chunk k of a recorded session
//   rechunk   the recorded bytes cut at other places: the packets received must not change
//   deep      a decrypted payload mutated and re-sealed with the sender's keys (InterceptedPair),
//             so the mutation reaches the message decoders after NEWKEYS
//   capture   a mutated pcap / pcapng (+ key log) into engine/capture analyzeCapture
//   key       mutated key files into engine/keys: openssh-key-v1, PEM, public key lines,
//             known_hosts, authorized_keys (text-level and binary-level edits)
// Oracles: nothing but the typed error of a parser escapes (engine: nothing at all), and the
// differential check of 'rechunk'. Time and memory are watched by run.ts.

import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Rng } from './prng.ts';
import { mutateBytes, mutateText } from './mutate.ts';
import { DEEP_RECIPES, MEMO_NOBLE, MEMO_NODE, RECIPES, configsOf, connectionOf, driverOf, record, settle, type Recording, type Side } from './sessions.ts';
import { framesOf, pcapngOf, pcapOf } from './pcap-build.ts';
import type { SshEvent } from '../../engine/events.ts';
import { fromHex, toHex } from '../../engine/wire/codec.ts';
import { InterceptedPair } from '../../engine/core/hostile-helpers.ts';
import { analyzeCapture } from '../../engine/capture/analyze.ts';
import { CaptureError } from '../../engine/capture/errors.ts';
import { parseKeylog } from '../../engine/capture/keylog.ts';
import { KeyFileError } from '../../engine/keys/errors.ts';
import { armorOpenssh, decodeOpensshArmor, readOpensshPrivateKey } from '../../engine/keys/openssh-private-key.ts';
import { parsePrivateKeyFile, readPem, writePem } from '../../engine/keys/pem.ts';
import { parsePublicKeyLine, parsePublicKeyBlob } from '../../engine/keys/public-key.ts';
import { parseKnownHostsFile, lookupHost } from '../../engine/keys/known-hosts.ts';
import { parseAuthorizedKeys, findAuthorizedKey } from '../../engine/keys/authorized-keys.ts';
import { readKeyFile } from '../../engine/keys/key-file.ts';
import { base64Decode, base64Encode } from '../../engine/keys/base64.ts';
import { fingerprintSha256 } from '../../engine/keys/fingerprint.ts';
import { keylogLines, keylogOf } from '../../cli/keylog.ts';
import { KEX } from '../../engine/algorithms/kex.ts';

export type FuzzInput =
  | { kind: 'wire'; recipe: string; target: Side; chunk: number; bytes: string; rest: boolean; dribble: number }
  | { kind: 'rechunk'; recipe: string; target: Side; cuts: number[] }
  | { kind: 'deep'; recipe: string; from: Side; packet: number; payload: string; more?: string[] }
  | { kind: 'capture'; base: string; bytes: string; keylog?: string; native: boolean }
  | { kind: 'key'; parser: KeyParser; seed: string; text: string; passphrase?: string };

export type KeyParser = 'private' | 'public' | 'known_hosts' | 'authorized_keys' | 'keylog';

export type Outcome = { ok: true; note?: string } | { ok: false; kind: 'crash' | 'mismatch'; message: string };

// ---- materials: recordings, captures, key files (built once per process) ----------------------

export interface Materials {
  recordings: Map<string, Recording>;
  captures: Map<string, { bytes: Uint8Array; keylog?: string }>;
  keys: { name: string; parser: KeyParser; text: string }[];
}

let materials: Materials | null = null;

const CORPUS = fileURLToPath(new URL('./corpus/', import.meta.url));

export function getMaterials(): Materials {
  if (materials) return materials;
  const recordings = new Map<string, Recording>();
  for (const r of RECIPES) recordings.set(r.name, record(r));
  const captures = new Map<string, { bytes: Uint8Array; keylog?: string }>();
  for (const name of ['x25519-chacha-password', 'p256-gcm-publickey-cat', 'x25519-ctr-etm-zlib-cat', 'mlkem-ctr-hmac512-nostrict', 'x25519-chacha-rekey-cat']) {
    const rec = recordings.get(name)!;
    const lines: string[] = [];
    for (const e of rec.events) {
      if (e.type !== 'keys' || e.side !== 'client') continue;
      const info = keylogOf(e);
      if (info) lines.push(...keylogLines(info, 'client', KEX[e.kex]?.kEncoding ?? 'mpint'));
    }
    const keylog = lines.join('\n') + '\n';
    const frames = framesOf(rec);
    captures.set(`${name}.pcap`, { bytes: pcapOf(frames), keylog });
    captures.set(`${name}.pcapng`, { bytes: pcapngOf(frames, keylog) });
  }
  const keys: Materials['keys'] = [];
  const dir = `${CORPUS}keys/`;
  for (const f of readdirSync(dir).sort()) {
    const text = readFileSync(dir + f, 'utf8');
    const parser: KeyParser = f.endsWith('.key') ? 'private' : f.endsWith('.pub') ? 'public' : f === 'known_hosts' ? 'known_hosts' : f === 'authorized_keys' ? 'authorized_keys' : 'keylog';
    keys.push({ name: f, parser, text });
  }
  const kl = captures.get('x25519-chacha-rekey-cat.pcap')!.keylog!;
  keys.push({ name: 'rekey.keylog', parser: 'keylog', text: kl + `# comment\n${'ab'.repeat(16)} ${'cd'.repeat(32)}\n` });
  materials = { recordings, captures, keys };
  return materials;
}

// ---- generation --------------------------------------------------------------------------------

/** Input `index` of `seed`: the same pair always gives the same input. */
export function generate(seed: string, index: number): FuzzInput {
  const rng = new Rng(`${seed}#${index}`);
  const m = getMaterials();
  const kind = rng.weighted([
    [40, 'wire'],
    [5, 'rechunk'],
    [25, 'deep'],
    [10, 'capture'],
    [20, 'key'],
  ] as const);
  switch (kind) {
    case 'wire': {
      const recipe = rng.pick(RECIPES).name;
      const rec = m.recordings.get(recipe)!;
      const target: Side = rng.chance(0.5) ? 'client' : 'server';
      const chunks = rec.received[target];
      const chunk = rng.int(chunks.length);
      const donors = rec.received.client.concat(rec.received.server);
      return { kind, recipe, target, chunk, bytes: toHex(mutateBytes(rng, chunks[chunk]!, donors)), rest: rng.chance(0.5), dribble: rng.chance(0.2) ? 1 + rng.int(7) : 0 };
    }
    case 'rechunk': {
      const recipe = rng.pick(RECIPES).name;
      const target: Side = rng.chance(0.5) ? 'client' : 'server';
      let total = 0;
      for (const c of m.recordings.get(recipe)!.received[target]) total += c.length;
      const cuts = new Set<number>();
      const n = rng.chance(0.1) ? 400 : 1 + rng.int(40);
      for (let i = 0; i < n; i++) cuts.add(1 + rng.int(total - 1));
      return { kind, recipe, target, cuts: [...cuts].sort((a, b) => a - b) };
    }
    case 'deep': {
      const r = rng.pick(DEEP_RECIPES.filter((x) => x.trace !== false));
      const rec = m.recordings.get(r.name)!;
      const from: Side = rng.chance(0.5) ? 'client' : 'server';
      const dir = from === 'client' ? 'c2s' : 's2c';
      const sent = rec.events.filter((e): e is Extract<SshEvent, { type: 'packet' }> => e.type === 'packet' && e.side === from && e.dir === dir);
      const packet = rng.int(sent.length);
      const original = sent[packet]!.payload;
      let payload: Uint8Array;
      if (rng.chance(0.08)) payload = rng.pick(rec.payloads); // a message out of order
      else payload = mutateBytes(rng, original, rec.payloads);
      const out: FuzzInput = { kind, recipe: r.name, from, packet, payload: toHex(payload) };
      if (rng.chance(0.2)) out.more = Array.from({ length: 1 + rng.int(3) }, () => toHex(mutateBytes(rng, rng.pick(rec.payloads), rec.payloads)));
      return out;
    }
    case 'capture': {
      const names = [...m.captures.keys()];
      const base = rng.pick(names);
      const c = m.captures.get(base)!;
      const input: FuzzInput = { kind, base, bytes: toHex(mutateBytes(rng, c.bytes, [], 8)), native: rng.chance(0.5) };
      if (c.keylog !== undefined) input.keylog = rng.chance(0.15) ? mutateText(rng, c.keylog) : c.keylog;
      return input;
    }
    case 'key': {
      const seedFile = rng.pick(m.keys);
      const donors = m.keys.map((k) => k.text);
      let text = seedFile.text;
      if (seedFile.parser === 'private' && rng.chance(0.6)) text = mutatePrivateBinary(rng, text);
      else if ((seedFile.parser === 'public' || seedFile.parser === 'known_hosts' || seedFile.parser === 'authorized_keys') && rng.chance(0.4)) text = mutateBlobInLine(rng, text);
      else text = mutateText(rng, text, donors);
      const input: FuzzInput = { kind, parser: seedFile.parser, seed: seedFile.name, text };
      if (seedFile.name.includes('encrypted') && rng.chance(0.7)) input.passphrase = rng.chance(0.8) ? 'pw' : 'wrong';
      return input;
    }
  }
}

/** Decodes the armor (openssh-key-v1 or PEM), mutates the binary, re-armors it. */
function mutatePrivateBinary(rng: Rng, text: string): string {
  try {
    if (text.includes('OPENSSH PRIVATE KEY')) return armorOpenssh(mutateBytes(rng, decodeOpensshArmor(text)));
    const pem = readPem(text);
    return writePem(pem.label, mutateBytes(rng, pem.der));
  } catch {
    return mutateText(rng, text);
  }
}

/** Mutates the key blob of one line (base64 decoded, edited, encoded again). */
function mutateBlobInLine(rng: Rng, text: string): string {
  const lines = text.split('\n');
  const i = rng.int(lines.length);
  const m = /AAAA[A-Za-z0-9+/=]+/.exec(lines[i]!);
  if (!m) return mutateText(rng, text);
  const blob = base64Decode(m[0]);
  if (!blob) return mutateText(rng, text);
  lines[i] = lines[i]!.replace(m[0], base64Encode(mutateBytes(rng, blob)));
  return lines.join('\n');
}

// ---- execution -----------------------------------------------------------------------------------

/** Runs one input; the oracle's verdict. */
export function execute(input: FuzzInput): Outcome {
  switch (input.kind) {
    case 'wire':
      return engineGuard(() => runWire(input));
    case 'rechunk':
      return engineGuard(() => runRechunk(input));
    case 'deep':
      return engineGuard(() => runDeep(input));
    case 'capture':
      return typedGuard(() => {
        // node:crypto or noble, each with remembered public-key results (memo-provider.ts)
        const r = analyzeCapture(fromHex(input.bytes), { ...(input.keylog !== undefined ? { keylog: input.keylog } : {}), provider: input.native ? MEMO_NODE : MEMO_NOBLE });
        // the report must be computable from what the reader returned
        void JSON.stringify(r, (_k, v) => (typeof v === 'bigint' ? v.toString() : v instanceof Uint8Array ? v.length : v));
      }, (e) => e instanceof CaptureError);
    case 'key':
      return typedGuard(() => runKey(input), (e) => e instanceof KeyFileError);
  }
}

function describe(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}\n${(e.stack ?? '').split('\n').slice(1, 8).join('\n')}` : String(e);
}

/** The engine must never throw: Connection methods report errors as events. */
function engineGuard(fn: () => Outcome | void): Outcome {
  try {
    return fn() ?? { ok: true };
  } catch (e) {
    return { ok: false, kind: 'crash', message: describe(e) };
  }
}

/** A parser may throw its own typed error only. */
function typedGuard(fn: () => void, allowed: (e: unknown) => boolean): Outcome {
  try {
    fn();
    return { ok: true };
  } catch (e) {
    if (allowed(e)) return { ok: true, note: 'typed error' };
    return { ok: false, kind: 'crash', message: describe(e) };
  }
}

function recipeOf(name: string) {
  const r = RECIPES.find((x) => x.name === name);
  if (!r) throw new Error(`fuzz: unknown recipe ${name}`);
  return r;
}

function runWire(input: Extract<FuzzInput, { kind: 'wire' }>): void {
  const r = recipeOf(input.recipe);
  const chunks = getMaterials().recordings.get(r.name)!.received[input.target];
  const conn = connectionOf(r, input.target);
  const drive = driverOf(r, input.target, conn);
  settle(conn, drive);
  for (let i = 0; i < input.chunk; i++) {
    conn.receive(chunks[i]!);
    settle(conn, drive);
  }
  const bytes = fromHex(input.bytes);
  if (input.dribble > 0) {
    for (let o = 0; o < bytes.length; o += input.dribble) {
      conn.receive(bytes.subarray(o, o + input.dribble));
      settle(conn, drive);
    }
  } else {
    conn.receive(bytes);
    settle(conn, drive);
  }
  if (input.rest) {
    for (let i = input.chunk + 1; i < chunks.length; i++) {
      conn.receive(chunks[i]!);
      settle(conn, drive);
    }
  }
  // The sans-IO surface after the fact: none of these may throw either.
  conn.command({ type: 'keepalive' });
  conn.command({ type: 'disconnect' });
  settle(conn, drive);
}

/** The received packets and errors, whatever the chunking. */
function receivedTrace(events: SshEvent[], target: Side): string[] {
  const peerDir = target === 'client' ? 's2c' : 'c2s';
  const out: string[] = [];
  for (const e of events) {
    if (e.type === 'packet' && e.dir === peerDir) out.push(`${e.msg} ${toHex(e.payload)}`);
    else if (e.type === 'error') out.push(`error ${e.message}`);
    else if (e.type === 'closed') out.push(`closed ${e.reason ?? ''}`);
    else if (e.type === 'channel' && (e.change === 'data' || e.change === 'exit-status')) out.push(`channel ${e.change} ${JSON.stringify(e.detail, (_k, v) => (v instanceof Uint8Array ? toHex(v) : v))}`);
  }
  return out;
}

function runRechunk(input: Extract<FuzzInput, { kind: 'rechunk' }>): Outcome {
  const r = recipeOf(input.recipe);
  const chunks = getMaterials().recordings.get(r.name)!.received[input.target];
  const play = (pieces: Uint8Array[]): string[] => {
    const conn = connectionOf(r, input.target);
    const drive = driverOf(r, input.target, conn);
    const events: SshEvent[] = [];
    settle(conn, drive, events);
    for (const p of pieces) {
      conn.receive(p);
      settle(conn, drive, events);
    }
    return receivedTrace(events, input.target);
  };
  // Cuts only subdivide the recorded chunks: merging two would hand the engine a reply before
  // the request its application sends after the first one (a replay artifact, not a peer).
  const pieces: Uint8Array[] = [];
  let base = 0;
  let ci = 0;
  for (const c of chunks) {
    let prev = 0;
    while (ci < input.cuts.length && input.cuts[ci]! < base + c.length) {
      const cut = input.cuts[ci++]! - base;
      if (cut > prev) {
        pieces.push(c.subarray(prev, cut));
        prev = cut;
      }
    }
    pieces.push(c.subarray(prev));
    base += c.length;
  }
  const want = play(chunks);
  const got = play(pieces);
  if (got.length !== want.length || got.some((g, i) => g !== want[i])) {
    const i = got.findIndex((g, k) => g !== want[k]);
    return { ok: false, kind: 'mismatch', message: `rechunked input gave another trace at item ${i}: ${got[i]?.slice(0, 120)} instead of ${want[i]?.slice(0, 120)}` };
  }
  return { ok: true };
}

function runDeep(input: Extract<FuzzInput, { kind: 'deep' }>): void {
  const r = recipeOf(input.recipe);
  let count = 0;
  let hit = false;
  const pair = new InterceptedPair(configsOf(r), (from) => {
    if (from !== input.from || hit) return 'pass';
    if (count++ === input.packet) {
      hit = true;
      return 'drop';
    }
    return 'pass';
  });
  const drivers = { client: driverOf(r, 'client', pair.client), server: driverOf(r, 'server', pair.server) };
  const onEvent = (e: SshEvent, from: Side) => drivers[from](e);
  pair.pump(onEvent, 2000);
  if (!hit) return;
  const target = input.from === 'client' ? pair.server : pair.client;
  if (target.closed) return;
  pair.inject(input.from, fromHex(input.payload));
  pair.pump(onEvent, 2000);
  for (const extra of input.more ?? []) {
    if (target.closed) break;
    pair.inject(input.from, fromHex(extra));
    pair.pump(onEvent, 2000);
  }
}

function runKey(input: Extract<FuzzInput, { kind: 'key' }>): void {
  const opts = { maxRounds: 4, ...(input.passphrase !== undefined ? { passphrase: input.passphrase } : {}) };
  switch (input.parser) {
    case 'private': {
      const k = parsePrivateKeyFile(input.text, opts);
      void k;
      const s = readKeyFile(input.text, opts);
      for (const key of s.keys) void fingerprintSha256(key.key.blob);
      if (input.text.includes('OPENSSH PRIVATE KEY')) void readOpensshPrivateKey(input.text, opts).privateTree;
      return;
    }
    case 'public': {
      for (const line of input.text.split('\n')) {
        if (!line.trim()) continue;
        try {
          const p = parsePublicKeyLine(line);
          void parsePublicKeyBlob(p.key.blob);
        } catch (e) {
          if (!(e instanceof KeyFileError)) throw e;
        }
      }
      void readKeyFile(input.text);
      return;
    }
    case 'known_hosts': {
      const parsed = parseKnownHostsFile(input.text);
      for (const e of parsed.entries.slice(0, 8)) {
        void lookupHost(parsed.entries, 'example.org', 22, e.key);
        void lookupHost(parsed.entries, '127.0.0.1', 2222, e.key);
      }
      return;
    }
    case 'authorized_keys': {
      const parsed = parseAuthorizedKeys(input.text);
      for (const e of parsed.entries.slice(0, 8)) void findAuthorizedKey(parsed.entries, e.key.blob, { clientAddress: '127.0.0.1', now: 1_900_000_000_000 });
      return;
    }
    case 'keylog': {
      void parseKeylog(input.text);
      return;
    }
  }
}
