// Real in-memory sessions for the fuzzer: a few recipes (KEX × cipher × auth × compression ×
// rekey), each recorded once as the chunks each side received, then replayed into ONE engine
// with a mutation at chunk k (so a mutation lands in the version exchange, KEXINIT, the KEX
// messages, NEWKEYS, encrypted auth or the channel phase, depending on k). Replays are
// byte-identical up to the mutation because every Env is seeded (DESIGN.md "Sans-IO").

import { createClient, createServer, type Connection } from '../../engine/core/connection.ts';
import type { ClientConfig, ServerConfig } from '../../engine/core/config.ts';
import type { SshEvent, Side } from '../../engine/events.ts';
import { seededEnv } from '../../engine/env.ts';
import { generateEd25519, publicKeyBlob } from '../../engine/algorithms/signatures.ts';
import { formatPublicKeyLine } from '../../engine/keys/public-key.ts';
import type { SshPrivateKey, CryptoProvider } from '../../engine/algorithms/types.ts';
import { respondToExec } from '../../engine/core/session-harness.ts';
import { nodeCryptoProvider } from '../../cli/node-crypto.ts';
import { ecdsaFromScalar } from '../../engine/keys/private-key-types.ts';
import { memoProvider } from './memo-provider.ts';

export type { Side };

export interface Recipe {
  name: string;
  kex: string;
  cipher: string;
  mac?: string;
  hostKey?: string;
  auth: ('none' | 'password' | 'publickey')[];
  compression?: string;
  strictKex?: boolean;
  rekeyBytes?: number;
  command: string;
  input?: number;
  /** node:crypto behind the CryptoProvider (the CLI's path) instead of noble. */
  native?: boolean;
  trace?: boolean;
}

/** RFC 4253 §7.1 / RFC 4252 / RFC 4254: a spread of what the engines negotiate and do. */
export const RECIPES: Recipe[] = [
  { name: 'x25519-chacha-password', kex: 'curve25519-sha256', cipher: 'chacha20-poly1305@openssh.com', auth: ['password'], command: 'echo hi' },
  { name: 'x25519-chacha-none-then-pk-cat', kex: 'curve25519-sha256', cipher: 'chacha20-poly1305@openssh.com', auth: ['none', 'publickey'], command: 'cat', input: 3000, native: true },
  { name: 'p256-gcm-publickey-cat', kex: 'ecdh-sha2-nistp256', cipher: 'aes128-gcm@openssh.com', auth: ['publickey'], command: 'cat', input: 2000, native: true },
  { name: 'x25519-ctr-etm-zlib-cat', kex: 'curve25519-sha256', cipher: 'aes128-ctr', mac: 'hmac-sha2-256-etm@openssh.com', auth: ['password'], compression: 'zlib@openssh.com', command: 'cat', input: 4000, native: true },
  { name: 'mlkem-ctr-hmac512-nostrict', kex: 'mlkem768x25519-sha256', cipher: 'aes256-ctr', mac: 'hmac-sha2-512', auth: ['publickey'], strictKex: false, command: 'echo x', native: true },
  { name: 'x25519-chacha-rekey-cat', kex: 'curve25519-sha256', cipher: 'chacha20-poly1305@openssh.com', auth: ['password'], rekeyBytes: 3000, command: 'cat', input: 6000, native: true, trace: false },
  { name: 'x25519-gcm-zlib-exit', kex: 'curve25519-sha256@libssh.org', cipher: 'aes256-gcm@openssh.com', auth: ['password'], compression: 'zlib', command: 'exit 3', trace: false },
  { name: 'dh14-chacha-p256hostkey', kex: 'diffie-hellman-group14-sha256', cipher: 'chacha20-poly1305@openssh.com', hostKey: 'ecdsa-sha2-nistp256', auth: ['password'], command: 'nosuch', native: true },
];

/** Recipes whose cipher is the one InterceptedPair can seal with (deep mode). */
export const DEEP_RECIPES = RECIPES.filter((r) => r.cipher === 'chacha20-poly1305@openssh.com');

const keyCache = new Map<string, { host: SshPrivateKey; user: SshPrivateKey }>();

function keysOf(r: Recipe): { host: SshPrivateKey; user: SshPrivateKey } {
  let k = keyCache.get(r.name);
  if (!k) {
    const hk = seededEnv(`${r.name}/host`);
    const uk = seededEnv(`${r.name}/user`);
    let host: SshPrivateKey = generateEd25519((n) => hk.randomBytes(n));
    if (r.hostKey === 'ecdsa-sha2-nistp256') host = ecdsaHostKey(hk.randomBytes(32));
    k = { host, user: generateEd25519((n) => uk.randomBytes(n)) };
    keyCache.set(r.name, k);
  }
  return k;
}

function ecdsaHostKey(seed: Uint8Array): SshPrivateKey {
  // A P-256 scalar from the seed (reduced well inside the group order).
  let d = 0n;
  for (const b of seed) d = (d << 8n) | BigInt(b);
  d = (d % (2n ** 255n)) + 1n;
  return ecdsaFromScalar('nistp256', d) as unknown as SshPrivateKey;
}

/** node:crypto (the CLI's path) or the engine's noble defaults, with public-key results remembered across inputs. */
export const MEMO_NODE = memoProvider(nodeCryptoProvider);
export const MEMO_NOBLE = memoProvider(undefined);

export function configsOf(r: Recipe): { client: ClientConfig; server: ServerConfig } {
  const { host, user } = keysOf(r);
  const provider: CryptoProvider = r.native ? MEMO_NODE : MEMO_NOBLE;
  const algorithms = {
    kex: [r.kex],
    cipher: [r.cipher],
    ...(r.mac ? { mac: [r.mac] } : {}),
    ...(r.compression ? { compression: [r.compression] } : {}),
    ...(r.hostKey ? { hostKey: [r.hostKey] } : {}),
  };
  const common = {
    algorithms,
    trace: r.trace ?? true,
    ...(r.rekeyBytes ? { rekeyBytes: r.rekeyBytes } : {}),
    ...(r.strictKex === false ? { strictKex: false } : {}),
  };
  const server: ServerConfig = {
    ...common,
    env: seededEnv(`${r.name}/server`, provider),
    hostKeys: [host],
    users: [{ name: 'alice', password: 'pw', authorizedKeys: formatPublicKeyLine(publicKeyBlob(user)) }],
  };
  const client: ClientConfig = {
    ...common,
    env: seededEnv(`${r.name}/client`, provider),
    username: 'alice',
    password: 'pw',
    keys: [user],
    authMethods: r.auth,
    hostKeyCheck: () => 'known',
  };
  return { client, server };
}

export function connectionOf(r: Recipe, side: Side): Connection {
  const c = configsOf(r);
  return side === 'client' ? createClient(c.client) : createServer(c.server);
}

/**
 * The application around one side (what runExec does): the client opens a session after
 * authentication, runs the command, sends its input and EOF, and disconnects when the channel
 * closes; the server answers exec with echo / exit / cat (engine/core/session-harness.ts).
 */
export function driverOf(r: Recipe, side: Side, conn: Connection): (e: SshEvent) => void {
  if (side === 'server') {
    const cat = new Set<number>();
    return (e) => {
      // a mutated exec command may arrive as bytes (not UTF-8): respondToExec takes those too
      // (corpus/regressions/non-utf8-exec-*.json)
      respondToExec(conn, e);
      if (e.type !== 'channel') return;
      if (e.change === 'request' && (e.detail as { command?: string }).command === 'cat') cat.add(e.id);
      if (e.change === 'data' && cat.has(e.id)) conn.command({ type: 'data', channel: e.id, data: (e.detail as { data: Uint8Array }).data });
      if (e.change === 'eof' && cat.has(e.id)) {
        conn.command({ type: 'exit-status', channel: e.id, status: 0 });
        conn.command({ type: 'eof', channel: e.id });
        conn.command({ type: 'close', channel: e.id });
      }
    };
  }
  let channel = -1;
  const input = new Uint8Array(r.input ?? 0).map((_, i) => (i * 7 + 3) & 0xff);
  return (e) => {
    if (e.type === 'auth' && e.result === 'success') channel = conn.command({ type: 'open-session' });
    if (e.type === 'channel' && e.id === channel) {
      if (e.change === 'open') {
        conn.command({ type: 'exec', channel, command: r.command });
        if (input.length) {
          // in two pieces, so a rekey can start between them
          conn.command({ type: 'data', channel, data: input.subarray(0, input.length >> 1) });
          conn.command({ type: 'data', channel, data: input.subarray(input.length >> 1) });
        }
        conn.command({ type: 'eof', channel });
      } else if (e.change === 'closed') conn.command({ type: 'disconnect', description: 'session finished' });
    }
  };
}

export interface Recording {
  recipe: Recipe;
  /** The chunks each side received, in order (one pollTransmit of the other side each). */
  received: Record<Side, Uint8Array[]>;
  events: SshEvent[];
  /** Payloads each side sent (donors for splices). */
  payloads: Uint8Array[];
}

/** Runs a recipe's whole session and records what crossed the wire in each direction. */
export function record(r: Recipe): Recording {
  const client = connectionOf(r, 'client');
  const server = connectionOf(r, 'server');
  const drive = { client: driverOf(r, 'client', client), server: driverOf(r, 'server', server) };
  const received: Record<Side, Uint8Array[]> = { client: [], server: [] };
  const events: SshEvent[] = [];
  const payloads: Uint8Array[] = [];
  for (let round = 0; round < 100_000; round++) {
    let moved = false;
    for (const [side, from, to] of [
      ['client', client, server],
      ['server', server, client],
    ] as const) {
      let e: SshEvent | null;
      while ((e = from.pollEvent())) {
        events.push(e);
        if (e.type === 'packet' && e.dir === (side === 'client' ? 'c2s' : 's2c')) payloads.push(e.payload);
        drive[side](e);
        moved = true;
      }
      const out = from.pollTransmit();
      if (out) {
        received[side === 'client' ? 'server' : 'client'].push(out);
        to.receive(out);
        moved = true;
      }
    }
    if (!moved) break;
  }
  return { recipe: r, received, events, payloads };
}

/** Events of one connection, handed to its driver; returns the number of events. */
export function settle(conn: Connection, drive: (e: SshEvent) => void, sink?: SshEvent[]): number {
  let n = 0;
  let e: SshEvent | null;
  while ((e = conn.pollEvent())) {
    n++;
    sink?.push(e);
    drive(e);
    if (n > 200_000) throw new Error('fuzz: more than 200 000 events from one input');
  }
  conn.pollTransmitParts();
  return n;
}
