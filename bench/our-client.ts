// Our engine as an SSH client over TCP against the real sshd: one exec (target 2) and one bulk
// upload into `cat > /dev/null` (target 3). The Node configuration a user gets: node:crypto
// behind the synchronous CryptoProvider (cli/node-crypto.ts) and no per-packet trees (trace off,
// as `sshscope connect` does without --trace).

import { createClient, defaultEnv, type Connection, type SshEvent } from '../engine/index.ts';
import { attachSocket, connectTcp, type AttachedSocket } from '../engine/adapters/node-tcp.ts';
import { equalBytes } from '../engine/wire/codec.ts';
import { nodeCryptoProvider } from '../cli/node-crypto.ts';
import { BENCH_HOST_KEY, BENCH_KEX, type BulkSample, type ExecSample, type Negotiated } from './common.ts';
import type { Peer } from './peer.ts';

/** Data handed to the engine per `data` command (two 32 KiB channel packets at sshd's max packet). */
export const CHUNK = 64 * 1024;
/** Stop feeding while this much channel data waits for window (RFC 4254 §5.2). */
const HIGH_WATER = 1024 * 1024;

function clientFor(peer: Peer, cipher: string, kex: string): Connection {
  return createClient({
    env: defaultEnv(nodeCryptoProvider),
    username: peer.user,
    keys: [peer.key],
    authMethods: ['publickey'],
    hostKeyCheck: (info) => (equalBytes(info.blob, peer.hostKeyBlob) ? 'known' : 'changed'),
    trace: false,
    algorithms: { kex: [kex], hostKey: [BENCH_HOST_KEY], cipher: [cipher] },
  });
}

/** The negotiated algorithms from the engine's 'negotiated' event (RFC 4253 §7.1 rows). */
export function negotiatedOf(e: SshEvent): Negotiated | null {
  if (e.type !== 'negotiated') return null;
  const pick = (c: string) => e.rows.find((r) => r.category === c)?.chosen ?? '';
  return { kex: pick('kex'), hostKey: pick('host key'), cipherC2S: pick('encryption c2s'), cipherS2C: pick('encryption s2c') };
}

interface Started {
  conn: Connection;
  link: AttachedSocket;
  channel: number;
}

interface SessionHooks {
  /** The exec request was accepted (CHANNEL_SUCCESS): the command runs. */
  onStarted?: (s: Started) => void;
  /** After every pump and every socket drain. */
  onPumped?: (s: Started) => void;
  onExitStatus?: () => void;
}

interface SessionResult {
  exitStatus: number | null;
  negotiated: Negotiated | null;
  errors: string[];
}

/** Connect, publickey auth, exec `command`, run the hooks, close; resolves when the TCP connection closed. */
async function session(peer: Peer, cipher: string, command: string, hooks: SessionHooks = {}, kex: string = BENCH_KEX): Promise<SessionResult> {
  const socket = await connectTcp(peer.host, peer.port);
  const conn = clientFor(peer, cipher, kex);
  let exitStatus: number | null = null;
  let negotiated: Negotiated | null = null;
  const errors: string[] = [];
  let started: Started | null = null;
  let channel = -1;
  return new Promise((resolve) => {
    const link = attachSocket(
      conn,
      socket,
      (e) => {
        if (e.type === 'negotiated') negotiated = negotiatedOf(e);
        else if (e.type === 'error') errors.push(e.message);
        else if (e.type === 'auth' && e.result === 'success') channel = conn.command({ type: 'open-session' });
        else if (e.type === 'channel' && e.id === channel) {
          if (e.change === 'open') conn.command({ type: 'exec', channel, command });
          else if (e.change === 'request-success' && (e.detail as { request: string }).request === 'exec') {
            started = { conn, link, channel };
            hooks.onStarted?.(started);
          } else if (e.change === 'request-failure') errors.push(`exec ${command} refused`);
          else if (e.change === 'exit-status') {
            exitStatus = (e.detail as { status: number }).status;
            hooks.onExitStatus?.();
          } else if (e.change === 'closed') conn.command({ type: 'disconnect', description: 'bench run done' });
        }
      },
      {
        onPumped: () => started && hooks.onPumped?.(started),
        onDrain: () => started && hooks.onPumped?.(started),
      },
    );
    socket.once('close', () => resolve({ exitStatus, negotiated, errors }));
    link.pump();
  });
}

/** Target 2: connect → exec `true` → close, wall time from before connect() to the closed socket. */
export async function ourExec(peer: Peer, cipher: string, command = 'true', kex: string = BENCH_KEX): Promise<ExecSample> {
  const t0 = performance.now();
  const r = await session(peer, cipher, command, {}, kex);
  const ms = performance.now() - t0;
  if (r.errors.length) throw new Error(`our client: ${r.errors.join('; ')}`);
  return { ms, exitStatus: r.exitStatus, negotiated: r.negotiated };
}

/**
 * Target 3: `data` through `cat > /dev/null` in CHUNK pieces with back-pressure — stop while the
 * channel holds HIGH_WATER bytes the window does not allow yet, or while the socket's buffer is
 * full (socket.write returned false; resumed on 'drain'). Timed from the first data byte to
 * exit-status.
 */
export async function ourBulk(peer: Peer, cipher: string, data: Uint8Array): Promise<BulkSample> {
  let t0 = 0;
  let t1 = 0;
  let off = 0;
  let feeding = false;
  const feed = (s: Started): void => {
    if (feeding || off >= data.length) return;
    feeding = true;
    try {
      while (off < data.length && s.conn.bufferedAmount(s.channel) < HIGH_WATER && !s.link.congested) {
        const end = Math.min(data.length, off + CHUNK);
        s.conn.command({ type: 'data', channel: s.channel, data: data.subarray(off, end) });
        off = end;
        if (off >= data.length) s.conn.command({ type: 'eof', channel: s.channel });
        s.link.pump();
      }
    } finally {
      feeding = false;
    }
  };
  const r = await session(peer, cipher, 'cat > /dev/null', {
    onStarted: (s) => {
      t0 = performance.now();
      feed(s);
    },
    onPumped: feed,
    onExitStatus: () => {
      t1 = performance.now();
    },
  });
  if (r.errors.length) throw new Error(`our client: ${r.errors.join('; ')}`);
  if (off < data.length) throw new Error(`our client: only ${off} of ${data.length} bytes were sent`);
  return { bytes: data.length, ms: t1 - t0, exitStatus: r.exitStatus, negotiated: r.negotiated };
}
