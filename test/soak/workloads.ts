// Fault and load workloads against real OpenSSH peers (issue 8), shared by the short interop tests
// (test/interop/reliability-*.test.ts, part of `npm test`) and the long soak (`npm run soak`).
// Every workload checks its own result (exit codes, sha256 of what came back) and reports numbers.

import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as net from 'node:net';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { createClient } from '../../engine/core/connection.ts';
import type { ClientConfig } from '../../engine/core/config.ts';
import { attachSocket, connectTcp, type SocketTimeouts } from '../../engine/adapters/node-tcp.ts';
import { defaultEnv } from '../../engine/env.ts';
import type { SshEvent } from '../../engine/events.ts';
import type { SshPrivateKey } from '../../engine/algorithms/types.ts';
import { nodeCryptoProvider } from '../../cli/node-crypto.ts';
import { PEER_PATHS } from '../helpers/peers.ts';

export const MiB = 1024 * 1024;

/** A full garbage collection (V8's gc exposed at run time), so heap figures mean live memory. */
export function fullGc(): void {
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
}

export function liveHeap(): number {
  fullGc();
  fullGc();
  return process.memoryUsage().heapUsed;
}

/**
 * Samples live memory (heap + ArrayBuffers, where packet bytes live) after a full GC every
 * `everyMs`: garbage not yet collected does not count, so the peak is what was really held.
 * Returns a function that stops sampling and gives the peak in bytes.
 */
export function sampleLiveMemory(everyMs = 250): () => number {
  let peak = 0;
  const take = () => {
    fullGc();
    const m = process.memoryUsage();
    peak = Math.max(peak, m.heapUsed + m.arrayBuffers);
  };
  const timer = setInterval(take, everyMs);
  return () => {
    clearInterval(timer);
    return peak;
  };
}

/** Counts of the live handles a leak would show: sockets, servers, timers, child processes. */
export function handles(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of process.getActiveResourcesInfo()) out[r] = (out[r] ?? 0) + 1;
  return out;
}

/** A deterministic byte stream (SHA-256 in counter mode): the same `seed` gives the same bytes. */
export function patternChunk(seed: string, index: number, size: number): Uint8Array {
  const out = new Uint8Array(size);
  let o = 0;
  let k = 0;
  while (o < size) {
    const h = createHash('sha256').update(`${seed}/${index}/${k++}`).digest();
    out.set(h.subarray(0, Math.min(32, size - o)), o);
    o += 32;
  }
  return out;
}

/** `total` bytes as 256 KiB chunks (the last one shorter), reusing a few distinct blocks. */
export function* patternStream(seed: string, total: number, chunk = 256 * 1024): Generator<Uint8Array> {
  const blocks = Array.from({ length: 7 }, (_, i) => patternChunk(seed, i, chunk));
  let sent = 0;
  for (let i = 0; sent < total; i++) {
    const b = blocks[i % blocks.length]!;
    const n = Math.min(b.length, total - sent);
    yield n === b.length ? b : b.subarray(0, n);
    sent += n;
  }
}

export function sha256Of(total: number, seed: string): string {
  const h = createHash('sha256');
  for (const c of patternStream(seed, total)) h.update(c);
  return h.digest('hex');
}

export interface ClientRun {
  ok: boolean;
  error: string | null;
  exitStatus: number | null;
  /** sha256 of what came back on stdout, and how many bytes. */
  stdoutSha: string;
  stdoutBytes: number;
  /** Key exchanges completed (the first one included). */
  kexes: number;
  /** The closed event's message. */
  closed: string | null;
  closedReason: number | null;
  /** Largest heapUsed seen during the run (sampled every pump), bytes. */
  peakHeap: number;
  events: number;
}

export interface ClientRunOptions {
  port: number;
  username: string;
  key: SshPrivateKey;
  command: string;
  /** Bytes written to the command's stdin (a pattern stream), then EOF. */
  upload?: number;
  seed?: string;
  rekeyBytes?: number;
  cipher?: string;
  mac?: string;
  /** Connect through another port (a proxy) instead. */
  via?: number;
  /** Called with the number of bytes uploaded so far, after each chunk. */
  onProgress?: (sent: number, received: number) => void;
  /** Sees every event of the connection, after the run's own handling. */
  onEvent?: (e: SshEvent) => void;
  timeouts?: SocketTimeouts;
  /** Give up after this long (a hang). */
  deadlineMs?: number;
}

/**
 * Our client engine over TCP to a real sshd: publickey login, exec, stream `upload` bytes to stdin
 * with back-pressure (bufferedAmount and the socket's congestion), hash stdout as it comes.
 */
export async function runOurClient(o: ClientRunOptions): Promise<ClientRun> {
  const socket = await connectTcp('127.0.0.1', o.via ?? o.port);
  const cfg: ClientConfig = {
    env: defaultEnv(nodeCryptoProvider),
    username: o.username,
    keys: [o.key],
    authMethods: ['publickey'],
    hostKeyCheck: () => 'known',
    trace: false,
    ...(o.rekeyBytes ? { rekeyBytes: o.rekeyBytes } : {}),
    ...(o.cipher || o.mac ? { algorithms: { ...(o.cipher ? { cipher: [o.cipher] } : {}), ...(o.mac ? { mac: [o.mac] } : {}) } } : {}),
  };
  const conn = createClient(cfg);
  const hash = createHash('sha256');
  const res: ClientRun = { ok: false, error: null, exitStatus: null, stdoutSha: '', stdoutBytes: 0, kexes: 0, closed: null, closedReason: null, peakHeap: 0, events: 0 };
  const upload = o.upload ?? 0;
  const stream = patternStream(o.seed ?? 'upload', upload);
  let sent = 0;
  let eofSent = false;
  let channel = -1;
  let open = false;
  let pumps = 0;
  return await new Promise<ClientRun>((resolve) => {
    const deadline = setTimeout(() => {
      res.error ??= `no end after ${o.deadlineMs ?? 120_000} ms (a hang)`;
      attached.destroy();
    }, o.deadlineMs ?? 120_000);
    let feedQueued = false;
    const canSend = (): boolean => open && !eofSent && !conn.closed && conn.bufferedAmount(channel) < MiB && !attached.congested;
    const schedule = (): void => {
      if (feedQueued || !canSend()) return;
      feedQueued = true;
      // a macrotask, not a microtask: the socket's own events must get their turn
      setImmediate(feed);
    };
    const feed = (): void => {
      feedQueued = false;
      if (!canSend()) return;
      let wrote = false;
      while (sent < upload && conn.bufferedAmount(channel) < MiB && !attached.congested) {
        const next = stream.next();
        if (next.done) break;
        conn.command({ type: 'data', channel, data: next.value });
        sent += next.value.length;
        wrote = true;
        o.onProgress?.(sent, res.stdoutBytes);
      }
      if (sent >= upload) {
        eofSent = true;
        conn.command({ type: 'eof', channel });
        wrote = true;
      }
      if (wrote) attached.pump();
    };
    const onEvent = (e: SshEvent): void => {
      res.events++;
      if (e.type === 'keys') res.kexes++;
      if (e.type === 'auth' && e.result === 'success') channel = conn.command({ type: 'open-session' });
      if (e.type === 'channel' && e.id === channel) {
        const d = (e.detail ?? {}) as { data?: Uint8Array; status?: number };
        if (e.change === 'open') {
          conn.command({ type: 'exec', channel, command: o.command });
          open = true;
          schedule();
        } else if (e.change === 'data' && d.data) {
          hash.update(d.data);
          res.stdoutBytes += d.data.length;
        } else if (e.change === 'exit-status') res.exitStatus = Number(d.status);
        else if ((e.change === 'close' || e.change === 'closed') && !conn.closed) conn.command({ type: 'disconnect', description: 'done' });
      }
      if (e.type === 'error' && res.error === null && !(e.local && e.reason === 11)) res.error = e.message;
      if (e.type === 'closed') {
        res.closed = e.message;
        res.closedReason = e.reason ?? null;
      }
      o.onEvent?.(e);
    };
    const attached = attachSocket(conn, socket, onEvent, {
      side: 'client',
      ...(o.timeouts ? { timeouts: o.timeouts } : {}),
      onPumped: () => {
        if ((++pumps & 63) === 0) res.peakHeap = Math.max(res.peakHeap, process.memoryUsage().heapUsed);
        schedule();
      },
      onDrain: () => schedule(),
    });
    socket.once('close', () => {
      clearTimeout(deadline);
      res.stdoutSha = hash.digest('hex');
      res.ok = res.error === null && res.exitStatus === 0;
      resolve(res);
    });
    attached.pump();
  });
}

export interface SshRun {
  code: number | null;
  stderr: string;
  stdoutSha: string;
  stdoutBytes: number;
  ms: number;
}

/**
 * The real ssh client: `ssh -p PORT -i KEY user@127.0.0.1 COMMAND`, with `upload` pattern bytes
 * streamed to its stdin and its stdout hashed as it streams (nothing held in memory).
 */
export function runRealSsh(o: { port: number; keyPath: string; user: string; command: string; upload?: number; seed?: string; knownHosts: string; extra?: string[]; timeoutMs?: number; connectTimeout?: number }): Promise<SshRun> {
  const args = [
    // ssh keeps the first value it reads for an option, so `extra` overrides the defaults below
    ...(o.extra ?? []),
    '-F', '/dev/null',
    '-o', `UserKnownHostsFile=${o.knownHosts}`,
    '-o', 'GlobalKnownHostsFile=/dev/null',
    '-o', 'StrictHostKeyChecking=no',
    '-o', 'BatchMode=yes',
    '-o', 'IdentitiesOnly=yes',
    // also bounds the banner exchange: generous, the machine may be shared and busy
    '-o', `ConnectTimeout=${o.connectTimeout ?? 60}`,
    '-o', 'LogLevel=ERROR',
    '-i', o.keyPath,
    '-p', String(o.port),
    `${o.user}@127.0.0.1`,
    o.command,
  ];
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(PEER_PATHS.ssh, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const hash = createHash('sha256');
    let bytes = 0;
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      hash.update(d);
      bytes += d.length;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 120_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, stdoutSha: hash.digest('hex'), stdoutBytes: bytes, ms: performance.now() - t0 });
    });
    child.stdin.on('error', () => {});
    const stream = patternStream(o.seed ?? 'upload', o.upload ?? 0);
    const write = (): void => {
      for (;;) {
        const next = stream.next();
        if (next.done) {
          child.stdin.end();
          return;
        }
        if (!child.stdin.write(next.value)) {
          child.stdin.once('drain', write);
          return;
        }
      }
    };
    write();
  });
}

export interface Proxy {
  port: number;
  /** Bytes relayed so far, client→server and server→client. */
  relayed(): { up: number; down: number };
  /** Cuts every connection: destroys the socket on `side` (with a TCP RST if `reset`), then the other. */
  cut(side: 'client' | 'server', reset?: boolean): void;
  /**
   * Flips the lowest bit of the byte at `offset` of one direction's stream (`up`: client→server),
   * counted over everything this proxy relayed in that direction: a man in the middle's tampering.
   */
  flip(dir: 'up' | 'down', offset: number): void;
  /** Whether the flip has happened. */
  flipped(): boolean;
  /** The first 64 KiB relayed in one direction, over all connections (for cleartext handshakes). */
  head(dir: 'up' | 'down'): Uint8Array;
  close(): Promise<void>;
}

/** A loopback TCP proxy we control, to cut a connection in the middle of a transfer. */
export function startProxy(targetPort: number): Promise<Proxy> {
  const pairs = new Set<{ a: net.Socket; b: net.Socket }>();
  let up = 0;
  let down = 0;
  const flipAt: { up: number | null; down: number | null } = { up: null, down: null };
  let didFlip = false;
  const HEAD_LIMIT = 64 * 1024;
  const heads: { up: Buffer[]; down: Buffer[] } = { up: [], down: [] };
  const keepHead = (dir: 'up' | 'down', d: Buffer, seen: number): void => {
    if (seen < HEAD_LIMIT) heads[dir].push(Buffer.from(d.subarray(0, HEAD_LIMIT - seen)));
  };
  /** `d` with the planned bit flipped when the byte at flipAt[dir] falls in it (`seen` bytes before it). */
  const tamper = (dir: 'up' | 'down', d: Buffer, seen: number): Buffer => {
    const at = flipAt[dir];
    if (at === null || at < seen || at >= seen + d.length) return d;
    const out = Buffer.from(d);
    out[at - seen]! ^= 1;
    didFlip = true;
    return out;
  };
  const server = net.createServer((a) => {
    const b = net.connect({ host: '127.0.0.1', port: targetPort });
    const pair = { a, b };
    pairs.add(pair);
    a.on('data', (d: Buffer) => {
      keepHead('up', d, up);
      const out = tamper('up', d, up);
      up += d.length;
      if (!b.write(out)) a.pause();
    });
    b.on('data', (d: Buffer) => {
      keepHead('down', d, down);
      const out = tamper('down', d, down);
      down += d.length;
      if (!a.write(out)) b.pause();
    });
    a.on('drain', () => b.resume());
    b.on('drain', () => a.resume());
    // One side closing ends the other gracefully: what is still queued for it (a DISCONNECT, say)
    // is written first. An error (a reset) tears the other side down at once.
    // The pair stays in `pairs` (so that close() can still destroy it) until both sides closed.
    const follow = (other: net.Socket) => (hadError: boolean) => {
      if (hadError) other.destroy();
      else other.end();
      if (a.closed && b.closed) pairs.delete(pair);
    };
    a.on('close', follow(b));
    b.on('close', follow(a));
    a.on('error', () => {});
    b.on('error', () => {});
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () =>
      resolve({
        port: (server.address() as net.AddressInfo).port,
        relayed: () => ({ up, down }),
        flip(dir, offset) {
          flipAt[dir] = offset;
        },
        flipped: () => didFlip,
        head: (dir) => new Uint8Array(Buffer.concat(heads[dir])),
        cut(side, reset = false) {
          for (const p of pairs) {
            const [first, second] = side === 'client' ? [p.a, p.b] : [p.b, p.a];
            if (reset) first.resetAndDestroy();
            else first.destroy();
            second.destroy();
          }
        },
        close: () =>
          new Promise<void>((r) => {
            for (const p of pairs) {
              p.a.destroy();
              p.b.destroy();
            }
            server.close(() => r());
          }),
      }),
    );
  });
}

/** Resolves when `pred()` holds (checked every 20 ms), or rejects after `ms`. */
export async function until(pred: () => boolean, ms: number, what: string): Promise<void> {
  const t0 = Date.now();
  while (!pred()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
