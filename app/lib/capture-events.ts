// One SSH connection read from a capture (engine/capture SshStream) as the event log every view
// steps through (engine/events.ts): the two identification lines (RFC 4253 §4.2), one packet event
// per binary packet with the same framing tree as a live session (RFC 4253 §6), the negotiation
// rows of each key exchange (§7.1), and — when a key log decrypted it — the exchange hash and the
// keys A–F (§7.2, §8). Authentication results are read off USERAUTH_SUCCESS / FAILURE (RFC 4252
// §5.1). Every packet keeps its capture frame number and timestamp beside the log (`meta`).
// Pure and structured-clone-able: it runs in the capture Worker.

import type { FieldNode, Phase, SshEvent } from '../../engine/index.ts';
import type { CapturedPacket, SshStream } from '../../engine/capture/index.ts';
import { endpointText } from '../../engine/capture/index.ts';
import { KEX } from '../../engine/algorithms/kex.ts';
import { packetTree } from '../../engine/core/binary-packet.ts';

/** Where a packet event sits in the capture (Wireshark's frame number, seconds since the epoch). */
export interface CaptureMeta {
  frame: number;
  time: number;
}

export interface CaptureStreamSummary {
  index: number;
  client: string;
  server: string;
  clientVersion: string | null;
  serverVersion: string | null;
  packets: number;
  /** Packets that were encrypted and that the key log let us decrypt. */
  decrypted: number;
  /** Packets that stayed encrypted (no key, wrong key, MAC failure). */
  opaque: number;
  keyExchanges: number;
  decryptedKeyExchanges: number;
  firstFrame: number | null;
  errors: string[];
}

export interface CaptureLog {
  events: SshEvent[];
  /** meta[i] belongs to events[i] (null for events that are not packets). */
  meta: (CaptureMeta | null)[];
}

const HASH_BY_LENGTH: Record<number, string> = { 20: 'sha1', 32: 'sha256', 48: 'sha384', 64: 'sha512' };

export function summarizeStream(s: SshStream, index: number): CaptureStreamSummary {
  return {
    index,
    client: endpointText(s.client),
    server: endpointText(s.server),
    clientVersion: s.clientVersion,
    serverVersion: s.serverVersion,
    packets: s.packets.length,
    decrypted: s.packets.filter((p) => p.decrypted).length,
    opaque: s.packets.filter((p) => !p.plain).length,
    keyExchanges: s.rounds.length,
    decryptedKeyExchanges: s.rounds.filter((r) => r.keys).length,
    firstFrame: s.packets[0]?.frame ?? null,
    errors: [...s.errors, ...s.rounds.filter((r) => r.noKeys && r.negotiated).map((r) => `key exchange ${r.n}: not decrypted: ${r.noKeys}`)],
  };
}

/** The framing tree of a packet we could not decrypt: its length (when sent in clear) and the opaque rest. */
function opaqueTree(p: CapturedPacket): FieldNode {
  const n = p.wire.length;
  return {
    path: '',
    label: 'binary packet (encrypted)',
    kind: 'packet',
    start: 0,
    end: n,
    children: [{ path: 'encrypted', label: 'encrypted bytes', kind: 'bytes', start: 0, end: n, display: `${n} bytes`, doc: p.error ?? 'Encrypted with keys the capture does not reveal: open a key log file to decrypt (RFC 4253 §6).' }],
  };
}

function findValue(tree: FieldNode | undefined, name: string): FieldNode['value'] | undefined {
  if (!tree) return undefined;
  const last = tree.path.split('.').pop();
  if (last === name) return tree.value;
  for (const c of tree.children ?? []) {
    const v = findValue(c, name);
    if (v !== undefined) return v;
  }
  return undefined;
}

/** The event log of one captured SSH connection. */
export function captureEvents(s: SshStream): CaptureLog {
  const events: SshEvent[] = [];
  const meta: (CaptureMeta | null)[] = [];
  let seq = 0;
  const t0 = (s.packets[0]?.time ?? 0) * 1000;
  const push = (body: Record<string, unknown>, side: 'client' | 'server', phase: Phase, m: CaptureMeta | null, t: number): void => {
    events.push({ seq: seq++, t, side, phase, ...body } as SshEvent);
    meta.push(m);
  };
  if (s.clientVersion !== null) push({ type: 'version', dir: 'c2s', line: s.clientVersion }, 'client', 1, null, t0);
  if (s.serverVersion !== null) push({ type: 'version', dir: 's2c', line: s.serverVersion, ...(s.serverBanner.length ? { preamble: s.serverBanner } : {}) }, 'server', 1, null, t0);

  let phaseNow: Phase = 2;
  let authDone = false;
  let kexDone = 0;
  const kexinits = { c2s: 0, s2c: 0 };
  let lastAuth: { method: string; user: string } | null = null;
  const compression = { c2s: s.rounds[0]?.negotiated?.compressionC2S ?? 'none', s2c: s.rounds[0]?.negotiated?.compressionS2C ?? 'none' };

  for (const p of s.packets) {
    const id = p.msg ?? -1;
    const name = p.name ?? (p.error ? 'encrypted (not decrypted)' : 'encrypted (no key)');
    let phase: Phase = phaseNow;
    let background = false;
    if ((id >= 20 && id <= 49) || name === 'SSH_MSG_KEXINIT' || name === 'SSH_MSG_NEWKEYS') {
      if (authDone) {
        phase = 5;
        background = true;
      } else phase = kexDone > 0 && phaseNow >= 3 ? phaseNow : 2;
    } else if (name === 'SSH_MSG_SERVICE_REQUEST' || name === 'SSH_MSG_SERVICE_ACCEPT' || (id >= 50 && id <= 79)) phase = 3;
    else if (id >= 80 && id <= 100) {
      const setup = /CHANNEL_OPEN|GLOBAL_REQUEST|REQUEST_SUCCESS|REQUEST_FAILURE/.test(name) || (name === 'SSH_MSG_CHANNEL_REQUEST' && ['pty-req', 'env', 'shell', 'exec', 'subsystem', 'x11-req', 'auth-agent-req@openssh.com'].includes(String(findValue(p.tree, 'requestType'))));
      phase = setup && phaseNow < 5 ? 4 : 5;
      if ((name === 'SSH_MSG_CHANNEL_SUCCESS' || name === 'SSH_MSG_CHANNEL_FAILURE') && phaseNow < 5) phase = 4;
    } else if (name === 'SSH_MSG_IGNORE' || name === 'SSH_MSG_PING' || name === 'SSH_MSG_PONG') background = authDone;
    if (!(name === 'SSH_MSG_EXT_INFO' && !authDone) && p.msg !== null && phase > phaseNow) phaseNow = phase;
    if (name === 'SSH_MSG_EXT_INFO' && !authDone) phase = 2;

    const wire = p.wire.slice();
    let body: Record<string, unknown>;
    if (p.plain && p.tree) {
      const plain = p.plain;
      const macLen = wire.length - plain.length;
      const pad = plain[4]!;
      const rawPayload = plain.slice(5, plain.length - pad);
      const macLabel = macLen === 0 ? 'mac' : `MAC / authentication tag`;
      const method = compression[p.dir];
      const tree = p.inflated
        ? packetTree(plain, macLen, { path: 'payload', label: `compressed payload (${method})`, kind: 'bytes', start: 5, end: 5, doc: 'The message, compressed with zlib (RFC 4253 §6.2); see the decompressed payload.' }, macLabel)
        : packetTree(plain, macLen, p.tree, macLabel);
      body = { type: 'packet', dir: p.dir, n: p.seq ?? -1, wire, payload: p.inflated ? p.inflated.slice() : rawPayload, msg: name, id, encrypted: p.decrypted, tree, ...(p.inflated ? { payloadTree: p.tree, compression: method } : {}) };
    } else {
      body = { type: 'packet', dir: p.dir, n: p.seq ?? -1, wire, payload: new Uint8Array(0), msg: name, id, encrypted: true, tree: opaqueTree(p) };
    }
    if (background) body['background'] = true;
    const t = p.time * 1000;
    push(body, p.dir === 'c2s' ? 'client' : 'server', phase, { frame: p.frame, time: p.time }, t);

    // what follows from this packet
    if (name === 'SSH_MSG_KEXINIT') {
      kexinits[p.dir]++;
      const n = Math.min(kexinits.c2s, kexinits.s2c) - 1;
      const round = s.rounds[n];
      if (kexinits[p.dir] === n + 1 && round?.rows) {
        push({ type: 'negotiated', rows: round.rows }, 'client', phase, null, t);
        if (round.negotiated) {
          compression.c2s = round.negotiated.compressionC2S;
          compression.s2c = round.negotiated.compressionS2C;
        }
      }
    } else if (p.dir === 's2c' && /^SSH_MSG_(KEX_ECDH_REPLY|KEXDH_REPLY|KEX_HYBRID_REPLY|KEX_DH_GEX_REPLY)$/.test(name)) {
      const round = s.rounds[kexDone];
      const keys = round?.keys;
      if (round && keys && round.negotiated) {
        const kex = round.negotiated.kex;
        const hash = KEX[kex]?.hash ?? HASH_BY_LENGTH[keys.H.length] ?? 'sha256';
        push({ type: 'exchange-hash', tree: keys.hInput.tree, H: keys.H.slice(), input: keys.hInput.bytes.slice(), hash }, 'client', phase, null, t);
        push({ type: 'keys', steps: keys.steps, kex, hash }, 'client', phase, null, t);
      } else if (round?.noKeys) push({ type: 'info', message: `key exchange ${round.n} not decrypted: ${round.noKeys}` }, 'client', phase, null, t);
    } else if (name === 'SSH_MSG_NEWKEYS' && p.dir === 's2c') kexDone++;
    else if (name === 'SSH_MSG_USERAUTH_REQUEST') {
      lastAuth = { method: String(findValue(p.tree, 'method') ?? ''), user: String(findValue(p.tree, 'user') ?? '') };
    } else if (name === 'SSH_MSG_USERAUTH_SUCCESS' && lastAuth) {
      authDone = true;
      push({ type: 'auth', method: lastAuth.method, result: 'success', user: lastAuth.user }, 'server', 3, null, t);
    } else if (name === 'SSH_MSG_USERAUTH_FAILURE' && lastAuth) {
      const methods = findValue(p.tree, 'methods');
      const partial = findValue(p.tree, 'partialSuccess') === true;
      push({ type: 'auth', method: lastAuth.method, result: partial ? 'partial' : 'failure', user: lastAuth.user, continue: Array.isArray(methods) ? methods : typeof methods === 'string' ? methods.split(',').filter(Boolean) : [] }, 'server', 3, null, t);
    } else if (name === 'SSH_MSG_USERAUTH_PK_OK' && lastAuth) {
      push({ type: 'auth', method: lastAuth.method, result: 'pk-ok', user: lastAuth.user }, 'server', 3, null, t);
    } else if (name === 'SSH_MSG_DISCONNECT') {
      const reason = findValue(p.tree, 'reasonCode');
      const desc = String(findValue(p.tree, 'description') ?? '');
      push({ type: 'closed', ...(typeof reason === 'number' ? { reason } : {}), message: `${p.dir === 'c2s' ? 'client' : 'server'} disconnected: ${desc}` }, p.dir === 'c2s' ? 'client' : 'server', phase, null, t);
    }
  }
  const tEnd = events.length ? events[events.length - 1]!.t : t0;
  for (const e of s.errors) push({ type: 'info', message: `capture: ${e}` }, 'client', phaseNow, null, tEnd);
  return { events, meta };
}
