// One scripted ssh login in memory: a client engine and a server engine pumped against each
// other, password prompts answered from a script, the session command answered by a tiny server
// responder, and optionally one byte flipped on the wire (RFC 4253 §6.4: the MAC must catch it).

import { createClient, createServer, type Connection } from '../engine/core/connection.ts';
import type { ClientConfig, ServerConfig } from '../engine/core/config.ts';
import { respondToExec } from '../engine/core/session-harness.ts';
import type { SshEvent } from '../engine/events.ts';

export interface DriveOptions {
  client: ClientConfig;
  server: ServerConfig;
  command: string;
  /** Sent on the channel after exec, then EOF. */
  input?: Uint8Array;
  /** Answers to the client's password prompts, in order; when they run out the user gives up. */
  passwords?: string[];
  /** Flip one byte of the first encrypted client→server packet. */
  tamper?: boolean;
}

export interface DriveResult {
  events: SshEvent[];
  authenticated: boolean;
  stdout: string;
  stderr: string;
  exitStatus: number | null;
  /** Bytes a `cat >> FILE` command received on the server (what ssh-copy-id sends). */
  appended: Uint8Array;
  /** The wire offset flipped, when tamper was asked and done. */
  tamperedAt: number | null;
}

/** Commands of the form `… cat >> FILE` collect their input on the server (ssh-copy-id's remote side). */
export const APPEND_COMMAND = /cat >> \S+$/;

export function drive(o: DriveOptions): DriveResult {
  const client = createClient(o.client);
  const server = createServer(o.server);
  const events: SshEvent[] = [];
  const dec = new TextDecoder();
  const passwords = [...(o.passwords ?? [])];
  const sinks = new Set<number>();
  const appended: Uint8Array[] = [];
  let stdout = '';
  let stderr = '';
  let exitStatus: number | null = null;
  let authenticated = false;
  let channel = -1;
  let tamperedAt: number | null = null;

  const onClient = (e: SshEvent) => {
    if (e.type === 'decision' && e.kind === 'password') client.answer(e.id, passwords.length ? passwords.shift()! : null);
    if (e.type === 'auth' && e.result === 'success') {
      authenticated = true;
      channel = client.command({ type: 'open-session' });
    }
    if (e.type !== 'channel' || e.id !== channel) return;
    const d = e.detail as { data?: Uint8Array; status?: number };
    if (e.change === 'open') {
      client.command({ type: 'exec', channel, command: o.command });
      if (o.input) client.command({ type: 'data', channel, data: o.input });
      client.command({ type: 'eof', channel });
    } else if (e.change === 'data') stdout += dec.decode(d.data);
    else if (e.change === 'extended-data') stderr += dec.decode(d.data);
    else if (e.change === 'exit-status') exitStatus = d.status ?? null;
    else if (e.change === 'closed') client.command({ type: 'disconnect', description: 'session finished' });
  };

  const onServer = (e: SshEvent) => {
    if (e.type !== 'channel') return;
    if (e.change === 'request') {
      const d = e.detail as { request: string; command?: string };
      if (d.request === 'exec' && d.command && APPEND_COMMAND.test(d.command)) {
        sinks.add(e.id);
        return;
      }
      respondToExec(server, e);
    } else if (e.change === 'data' && sinks.has(e.id)) {
      appended.push((e.detail as { data: Uint8Array }).data);
    } else if (e.change === 'eof' && sinks.has(e.id)) {
      server.command({ type: 'exit-status', channel: e.id, status: 0 });
      server.command({ type: 'eof', channel: e.id });
      server.command({ type: 'close', channel: e.id });
    }
  };

  const pairs: [Connection, Connection][] = [
    [client, server],
    [server, client],
  ];
  for (let round = 0; round < 100_000; round++) {
    let moved = false;
    for (const [from, to] of pairs) {
      let e: SshEvent | null;
      while ((e = from.pollEvent())) {
        events.push(e);
        if (from === client) onClient(e);
        else onServer(e);
        moved = true;
      }
      let out = from.pollTransmit();
      if (out) {
        // After NEWKEYS the client has a session id and its packets are encrypted and MACed.
        if (o.tamper && tamperedAt === null && from === client && client.sessionId && out.length > 40) {
          out = out.slice();
          tamperedAt = out.length - 20;
          out[tamperedAt]! ^= 0x01;
        }
        to.receive(out);
        moved = true;
      }
    }
    if (!moved) break;
  }

  let n = 0;
  for (const a of appended) n += a.length;
  const all = new Uint8Array(n);
  n = 0;
  for (const a of appended) {
    all.set(a, n);
    n += a.length;
  }
  return { events, authenticated, stdout, stderr, exitStatus, appended: all, tamperedAt };
}
