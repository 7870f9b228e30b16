// One connection through `sshscope mitm`: the real client talks to OUR server engine (behind the
// AuthGate), and OUR client engine talks to the real server. The password the client types is
// replayed to the real server (RFC 4252 §8 — that is exactly what a real attacker in the middle
// gains); publickey cannot be relayed, because the client's signature covers the session
// identifier of ITS connection to us (RFC 4252 §7), not the one of ours to the server, so our
// server engine refuses every key and the client falls back to its password. Session channels are
// relayed request by request (RFC 4254 §6: pty-req, env, shell, exec, subsystem, window-change,
// signal, exit-status, exit-signal) with data both ways under flow control (§5.2), EOF and CLOSE
// (§5.3).

import type * as net from 'node:net';
import { createClient, createServer, defaultEnv, type AlgorithmPrefs, type Connection, type HostKeyInfo, type ServerUser, type SshEvent, type SshPrivateKey } from '../engine/index.ts';
import type { CryptoProvider } from '../engine/algorithms/types.ts';
import { attachSocket, connectTcp, type AttachedSocket } from '../engine/adapters/node-tcp.ts';
import { AuthGate, type PasswordAttempt } from './mitm-gate.ts';

/** client-side: the real client ⇄ us (our server engine); server-side: us (our client engine) ⇄ the real server. */
export type Leg = 'client-side' | 'server-side';

export interface MitmSessionOptions {
  id: number;
  /** The accepted socket of the real client. */
  socket: net.Socket;
  target: { host: string; port: number };
  /** OUR host keys: the real client sees these, not the real server's. */
  hostKeys: SshPrivateKey[];
  crypto?: CryptoProvider;
  /** Build packet events with field trees (for --json, -v and the live view). */
  trace: boolean;
  /** Algorithm preferences for the client-side leg (our server engine) and the server-side leg. */
  clientSideAlgorithms?: Partial<AlgorithmPrefs>;
  serverSideAlgorithms?: Partial<AlgorithmPrefs>;
  onEvent: (leg: Leg, e: SshEvent) => void;
  /** One-line notes (logins relayed, host keys, refusals). */
  log: (line: string) => void;
  /** Both legs are over. */
  onEnd?: () => void;
}

export interface MitmSession {
  readonly id: number;
  /** The real server's host key as our client engine saw it, once known. */
  readonly serverHostKey: HostKeyInfo | null;
  /** Channel data our two engines hold, not yet sent (bounded by the flow control). */
  buffered(): number;
  /** Ends both legs. */
  close(): void;
}

/** Stop granting window on one leg while the other leg holds this much unsent channel data. */
const HIGH_WATER = 1 << 20;

interface Pair {
  /** Channel id on our server engine (the real client's channel) and on our client engine. */
  s: number;
  c: number;
  sClosed: boolean;
  cClosed: boolean;
  cOpen: boolean;
}

export function startMitmSession(o: MitmSessionOptions): MitmSession {
  const users: ServerUser[] = [];
  const env = defaultEnv(o.crypto);
  const server = createServer({
    hostKeys: o.hostKeys,
    users, // filled only with a password the real server accepted
    env,
    trace: o.trace,
    manualWindow: true,
    algorithms: {
      ...o.clientSideAlgorithms,
      // zlib (not delayed) would compress the password request beyond the gate's reach
      compression: ['none', 'zlib@openssh.com'],
    },
  });
  let client: Connection | null = null;
  let clientLink: AttachedSocket | null = null;
  let serverLink: AttachedSocket | null = null;
  let dialFailed: string | null = null;
  let serverClosed = false;
  let clientClosed = false;
  let ended = false;
  let serverHostKey: HostKeyInfo | null = null;
  /** A password waiting for our client engine's prompt, the prompt waiting for a password, and the one in flight. */
  let pendingPassword: PasswordAttempt | null = null;
  let pendingDecision: number | null = null;
  let inflight: PasswordAttempt | null = null;
  const pairsByS = new Map<number, Pair>();
  const pairsByC = new Map<number, Pair>();
  /** Channel data delivered by one engine and handed to the other, not yet granted back as window. */
  const unconsumedS = new Map<number, number>();
  const unconsumedC = new Map<number, number>();
  const tag = `#${o.id}`;

  const pumpClient = () => clientLink?.pump();
  const pumpServer = () => serverLink?.pump();

  const maybeEnd = () => {
    if (ended || !clientClosed || (!serverClosed && client !== null && dialFailed === null)) return;
    ended = true;
    o.onEnd?.();
  };

  // ---- authentication ---------------------------------------------------------------------

  const gate = new AuthGate(server, {
    ...(o.crypto ? { crypto: o.crypto } : {}),
    onRequest: (user) => dial(user),
    onPassword: (a) => {
      if (a.change || dialFailed !== null || serverClosed) {
        // nothing to relay it to (or a password change, which our client engine does not do)
        return releaseLater();
      }
      if (client?.authenticated) {
        // the real server let us in without a password ("none"): accept what the client typed
        users.splice(0, users.length, { name: a.user, password: a.password });
        return releaseLater();
      }
      pendingPassword = a;
      answerPrompt();
    },
    onLost: (why) => o.log(`${tag}: cannot follow the client's packets any more (${why}); passwords will not be relayed`),
  });

  /** Releases the held request on the next tick, from outside the pump that found it. */
  const releaseLater = () => {
    queueMicrotask(() => {
      gate.release();
      pumpClient();
    });
  };

  const answerPrompt = () => {
    if (!client || pendingPassword === null || pendingDecision === null) return;
    const a = pendingPassword;
    const id = pendingDecision;
    pendingPassword = null;
    pendingDecision = null;
    inflight = a;
    o.log(`${tag}: replaying the password typed for ${a.user} to ${o.target.host}:${o.target.port}`);
    client.answer(id, a.password);
    pumpServer();
  };

  /** On the first USERAUTH_REQUEST we know the user name: dial the real server as that user. */
  const dial = (user: string) => {
    if (client) return;
    const c = createClient({
      username: user,
      authMethods: ['password'],
      env,
      trace: o.trace,
      manualWindow: true,
      ...(o.serverSideAlgorithms ? { algorithms: o.serverSideAlgorithms } : {}),
      // An attacker takes whatever key the real server shows; we only record it.
      hostKeyCheck: (info) => {
        serverHostKey = info;
        o.log(`${tag}: the real server's host key is ${info.algorithm} ${info.fingerprint}`);
        return 'unknown';
      },
      acceptUnknownHostKey: true,
    });
    client = c;
    o.log(`${tag}: user ${user}: connecting to ${o.target.host}:${o.target.port}`);
    connectTcp(o.target.host, o.target.port).then(
      (sock) => {
        if (clientClosed) {
          sock.destroy();
          serverClosed = true;
          maybeEnd();
          return;
        }
        serverLink = attachSocket(c, sock, onServerSide, { side: 'client', onPumped: flow, onDrain: flow });
        serverLink.pump();
      },
      (err: Error) => {
        dialFailed = err.message;
        o.log(`${tag}: ${err.message}`);
        if (gate.holding) releaseLater();
        server.command({ type: 'disconnect', reason: 2, description: `sshscope mitm: cannot reach the real server: ${err.message}` });
        pumpClient();
        maybeEnd();
      },
    );
  };

  // ---- events of the client-side leg (our server engine) -----------------------------------

  const onClientSide = (e: SshEvent) => {
    o.onEvent('client-side', e);
    if (e.type === 'auth' && e.result === 'success') {
      o.log(`${tag}: the real client logged in as ${e.user ?? '?'} (${e.method})`);
    } else if (e.type === 'channel') {
      clientSideChannel(e);
    } else if (e.type === 'closed') {
      clientClosed = true;
      if (client && !client.closed) {
        client.command({ type: 'disconnect', description: 'the client went away' });
        pumpServer();
      }
      maybeEnd();
    }
  };

  const clientSideChannel = (e: Extract<SshEvent, { type: 'channel' }>) => {
    const d = (e.detail ?? {}) as Record<string, unknown>;
    if (e.change === 'open') {
      if (!client || !client.authenticated) {
        server.command({ type: 'close', channel: e.id });
        return;
      }
      const c = client.command({ type: 'open-session' });
      const p: Pair = { s: e.id, c, sClosed: false, cClosed: false, cOpen: false };
      pairsByS.set(e.id, p);
      pairsByC.set(c, p);
      pumpServer();
      return;
    }
    const p = pairsByS.get(e.id);
    if (!p || !client) return;
    const cmd = (fn: (c: Connection) => void) => {
      if (p.cClosed || client!.closed) return;
      fn(client!);
      pumpServer();
    };
    switch (e.change) {
      case 'request': {
        if (d.accepted === false) return;
        const ch = p.c;
        switch (d.request) {
          case 'pty-req': {
            const modes = d.modes instanceof Uint8Array ? d.modes : undefined;
            return cmd((c) => c.command({ type: 'pty', channel: ch, term: asText(d.term), cols: Number(d.widthChars ?? 80), rows: Number(d.heightRows ?? 24), ...(modes ? { modes } : {}) }));
          }
          case 'env':
            return cmd((c) => c.command({ type: 'env', channel: ch, name: asText(d.variableName), value: asText(d.value) }));
          case 'shell':
            return cmd((c) => c.command({ type: 'shell', channel: ch }));
          case 'exec':
            o.log(`${tag}: exec ${JSON.stringify(asText(d.command))}`);
            return cmd((c) => c.command({ type: 'exec', channel: ch, command: asText(d.command) }));
          case 'subsystem':
            return cmd((c) => c.command({ type: 'subsystem', channel: ch, name: asText(d.subsystemName ?? d.name) }));
          case 'window-change':
            return cmd((c) => c.command({ type: 'window-change', channel: ch, cols: Number(d.widthChars), rows: Number(d.heightRows) }));
          case 'signal':
            return cmd((c) => c.command({ type: 'signal', channel: ch, signal: asText(d.signal) }));
        }
        return;
      }
      case 'data':
      case 'extended-data':
        if (d.data instanceof Uint8Array) {
          const data = d.data;
          unconsumedS.set(p.s, (unconsumedS.get(p.s) ?? 0) + data.length);
          cmd((c) => c.command({ type: 'data', channel: p.c, data }));
          flow();
        }
        return;
      case 'eof':
        return cmd((c) => c.command({ type: 'eof', channel: p.c }));
      case 'close':
        p.sClosed = true;
        return cmd((c) => c.command({ type: 'close', channel: p.c }));
      case 'closed':
        p.sClosed = true;
        pairsByS.delete(p.s);
        unconsumedS.delete(p.s);
        return;
    }
  };

  // ---- events of the server-side leg (our client engine) -----------------------------------

  const onServerSide = (e: SshEvent) => {
    o.onEvent('server-side', e);
    const c = client!;
    switch (e.type) {
      case 'decision':
        if (e.kind === 'password') {
          pendingDecision = e.id;
          answerPrompt();
        } else {
          c.answer(e.id, true);
          pumpServer();
        }
        return;
      case 'auth':
        if (e.method !== 'password' || e.result === 'attempt' || e.result === 'pk-ok') return;
        if (e.result === 'success' && inflight) {
          o.log(`${tag}: the real server accepted the password: the client is let in`);
          users.splice(0, users.length, { name: inflight.user, password: inflight.password });
        } else if (inflight) {
          o.log(`${tag}: the real server refused the password: so do we`);
        }
        inflight = null;
        if (gate.holding) releaseLater();
        return;
      case 'channel':
        return serverSideChannel(e);
      case 'closed':
        serverClosed = true;
        o.log(`${tag}: the real server's connection ended: ${e.message}`);
        if (gate.holding) releaseLater();
        if (!server.closed) {
          server.command({ type: 'disconnect', reason: 11, description: `sshscope mitm: the real server's connection ended: ${e.message}` });
          pumpClient();
        }
        maybeEnd();
        return;
    }
  };

  const serverSideChannel = (e: Extract<SshEvent, { type: 'channel' }>) => {
    const d = (e.detail ?? {}) as Record<string, unknown>;
    const p = pairsByC.get(e.id);
    if (!p) return;
    const cmd = (fn: (s: Connection) => void) => {
      if (p.sClosed || server.closed) return;
      fn(server);
      pumpClient();
    };
    const say = (text: string) => cmd((s) => s.command({ type: 'data', channel: p.s, data: new TextEncoder().encode(text), stream: 'stderr' }));
    switch (e.change) {
      case 'open':
        p.cOpen = true;
        return;
      case 'open-failed':
        p.cClosed = true;
        say(`sshscope mitm: the real server refused the session channel: ${asText(d.description ?? d.reasonCode)}\r\n`);
        return cmd((s) => s.command({ type: 'close', channel: p.s }));
      case 'request-failure':
        // we told the client "yes" before the real server answered: say what really happened
        if (d.request === 'pty-req') return say('sshscope mitm: the real server refused the pty request\r\n');
        if (d.request === 'exec' || d.request === 'shell' || d.request === 'subsystem') {
          say(`sshscope mitm: the real server refused the ${String(d.request)} request\r\n`);
          return cmd((s) => {
            s.command({ type: 'exit-status', channel: p.s, status: 255 });
            s.command({ type: 'close', channel: p.s });
          });
        }
        return;
      case 'data':
      case 'extended-data':
        if (d.data instanceof Uint8Array) {
          const data = d.data;
          unconsumedC.set(p.c, (unconsumedC.get(p.c) ?? 0) + data.length);
          cmd((s) => s.command({ type: 'data', channel: p.s, data, stream: e.change === 'data' ? 'stdout' : 'stderr' }));
          flow();
        }
        return;
      case 'exit-status':
        return cmd((s) => s.command({ type: 'exit-status', channel: p.s, status: Number(d.status) }));
      case 'exit-signal':
        return cmd((s) =>
          s.command({ type: 'exit-signal', channel: p.s, signal: asText(d.signal), coreDumped: d.coreDumped === true, ...(d.message ? { message: asText(d.message) } : {}) }),
        );
      case 'eof':
        return cmd((s) => s.command({ type: 'eof', channel: p.s }));
      case 'close':
        p.cClosed = true;
        return cmd((s) => s.command({ type: 'close', channel: p.s }));
      case 'closed':
        p.cClosed = true;
        pairsByC.delete(p.c);
        unconsumedC.delete(p.c);
        return;
    }
  };

  // ---- flow control: window is granted on one leg only while the other leg drains ----------

  // Runs after the current batch of events was delivered (a microtask later), so that a channel
  // whose CLOSE is still being delivered is not granted window it can no longer use.
  let flowQueued = false;
  function flow(): void {
    if (flowQueued) return;
    flowQueued = true;
    queueMicrotask(flowNow);
  }
  function flowNow(): void {
    flowQueued = false;
    {
      let grantS = false;
      for (const [s, bytes] of unconsumedS) {
        const p = pairsByS.get(s);
        if (!p || p.sClosed) {
          unconsumedS.delete(s); // a closed channel grants no more window
          continue;
        }
        const backlog = client ? client.bufferedAmount(p.c) : 0;
        if (backlog > HIGH_WATER || serverLink?.congested) continue;
        unconsumedS.delete(s);
        if (!server.closed) server.command({ type: 'consume', channel: s, bytes });
        grantS = true;
      }
      let grantC = false;
      for (const [c, bytes] of unconsumedC) {
        const p = pairsByC.get(c);
        if (!p || p.cClosed) {
          unconsumedC.delete(c);
          continue;
        }
        const backlog = server.bufferedAmount(p.s);
        if (backlog > HIGH_WATER || clientLink?.congested) continue;
        unconsumedC.delete(c);
        if (client && !client.closed) client.command({ type: 'consume', channel: c, bytes });
        grantC = true;
      }
      if (grantS) pumpClient();
      if (grantC) pumpServer();
    }
  }

  clientLink = attachSocket(gate, o.socket, onClientSide, { side: 'server', onPumped: flow, onDrain: flow });
  clientLink.pump();

  return {
    id: o.id,
    get serverHostKey() {
      return serverHostKey;
    },
    buffered() {
      let n = 0;
      for (const p of pairsByS.values()) {
        n += server.bufferedAmount(p.s);
        if (client) n += client.bufferedAmount(p.c);
      }
      return n;
    },
    close() {
      if (!server.closed) server.command({ type: 'disconnect', description: 'sshscope mitm is shutting down' });
      pumpClient();
      clientLink?.destroy();
      if (client && !client.closed) client.command({ type: 'disconnect', description: 'sshscope mitm is shutting down' });
      pumpServer();
      serverLink?.destroy();
    },
  };
}

/** A request field that is text, or raw bytes when it was not valid UTF-8. */
function asText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array) return new TextDecoder().decode(v);
  return v === undefined || v === null ? '' : String(v);
}
