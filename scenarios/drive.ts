// One scripted ssh login in memory: a client engine and a server engine pumped against each
// other, password prompts answered from a script, the session command answered by a tiny server
// responder, and optionally one byte flipped on the wire (RFC 4253 §6.4: the MAC must catch it),
// a Terrapin man in the middle (CVE-2023-48795), or a direct-tcpip forward (RFC 4254 §7.2) to a
// small service the host program "connects".

import { createClient, createServer, type Connection } from '../engine/core/connection.ts';
import type { ClientConfig, PermitOpen, ServerConfig } from '../engine/core/config.ts';
import { respondToExec } from '../engine/core/session-harness.ts';
import type { SshEvent } from '../engine/events.ts';
import type { ServiceSpec } from './types.ts';
import { ShellChannels } from '../cli/shell-channels.ts';

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
  /** Terrapin: inject SSH_MSG_IGNORE before the server's NEWKEYS, delete the server's next packet. */
  mitm?: 'terrapin';
  /** Instead of a session: open direct-tcpip to target and send `send` through it, then EOF. */
  forward?: { host: string; port: number; originatorHost: string; originatorPort: number; send: Uint8Array };
  /** The server's PermitOpen policy (given with the permit-open command once the user is authenticated). */
  permitOpen?: PermitOpen;
  /** The services the server's host can connect to, by "host:port". */
  services?: Record<string, ServiceSpec>;
  /** Ask for a pty before the command or shell (ssh -t; RFC 4254 §6.2 "pty-req"). */
  tty?: boolean;
  /** Ask for a shell instead of exec'ing `command` (ssh without a command; RFC 4254 §6.5). */
  shell?: boolean;
  /**
   * The server runs exec and shell requests in the pretend shell of `sshscope serve`
   * (cli/virtual-shell.ts: a line discipline when a pty was granted, binary-transparent without).
   */
  virtualShell?: boolean;
}

export interface TerrapinResult {
  /** The IGNORE went to the client before the server's NEWKEYS. */
  injected: boolean;
  /** The name of the server packet that was deleted (the man in the middle only sees ciphertext). */
  deleted: string | null;
  /** Its sequence number as the server counted it. */
  deletedSeq: number | null;
}

export interface ForwardResult {
  opened: boolean;
  reasonCode?: number;
  description?: string;
  /** What came back through the channel. */
  response: string;
}

export interface DriveResult {
  events: SshEvent[];
  authenticated: boolean;
  stdout: string;
  /** The same output as received, byte for byte. */
  stdoutBytes: Uint8Array;
  stderr: string;
  exitStatus: number | null;
  /** Bytes a `cat >> FILE` command received on the server (what ssh-copy-id sends). */
  appended: Uint8Array;
  /** The wire offset flipped, when tamper was asked and done. */
  tamperedAt: number | null;
  terrapin?: TerrapinResult;
  forward?: ForwardResult;
}

/**
 * An unencrypted SSH_MSG_IGNORE with an empty string (RFC 4253 §11.2) in a binary packet
 * (RFC 4253 §6): packet_length 12, padding_length 6, payload 02 00000000, six padding bytes.
 */
export const TERRAPIN_IGNORE = new Uint8Array([0, 0, 0, 12, 6, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);

function serviceReply(svc: ServiceSpec, request: string): string {
  if (svc.kind === 'echo') return request;
  const line = request.split('\r\n')[0] ?? '';
  return `HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${new TextEncoder().encode(svc.body).length}\r\n\r\n${svc.body}`.replace('200 OK', /^GET \S+ HTTP\/1\.[01]$/.test(line) ? '200 OK' : '400 Bad Request');
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
  const stdoutParts: Uint8Array[] = [];
  let stderr = '';
  // The server side of a session run by the pretend shell (as `sshscope serve` and the app's terminal do).
  const shells = o.virtualShell ? new ShellChannels({ server, user: () => o.client.username, hostname: 'server' }) : null;
  let exitStatus: number | null = null;
  let authenticated = false;
  let channel = -1;
  let tamperedAt: number | null = null;
  const terrapin: TerrapinResult = { injected: false, deleted: null, deletedSeq: null };
  let mitmState: 'version' | 'watch' | 'delete-next' | 'done' = 'version';
  const serverSent: Extract<SshEvent, { type: 'packet' }>[] = [];
  let forward: ForwardResult | undefined;
  const forwardIn = new Map<number, string>();
  const forwardOut: string[] = [];

  const onClient = (e: SshEvent) => {
    if (e.type === 'decision' && e.kind === 'password') client.answer(e.id, passwords.length ? passwords.shift()! : null);
    if (e.type === 'auth' && e.result === 'success') {
      authenticated = true;
      const f = o.forward;
      channel = f ? client.command({ type: 'open-direct-tcpip', host: f.host, port: f.port, originatorHost: f.originatorHost, originatorPort: f.originatorPort }) : client.command({ type: 'open-session' });
    }
    if (e.type !== 'channel' || e.id !== channel) return;
    const d = e.detail as { data?: Uint8Array; status?: number };
    if (o.forward) {
      if (e.change === 'open') {
        forward = { opened: true, response: '' };
        client.command({ type: 'data', channel, data: o.forward.send });
        client.command({ type: 'eof', channel });
      } else if (e.change === 'open-failed') {
        const f = e.detail as { reasonCode: number; description: string };
        forward = { opened: false, reasonCode: f.reasonCode, description: f.description, response: '' };
        client.command({ type: 'disconnect', description: 'forwarding failed' });
      } else if (e.change === 'data') forwardOut.push(dec.decode(d.data));
      else if (e.change === 'closed') client.command({ type: 'disconnect', description: 'session finished' });
      return;
    }
    if (e.change === 'open') {
      if (o.tty) client.command({ type: 'pty', channel, term: 'xterm-256color', cols: 80, rows: 24 });
      if (o.shell) client.command({ type: 'shell', channel });
      else client.command({ type: 'exec', channel, command: o.command });
      if (o.input) client.command({ type: 'data', channel, data: o.input });
      client.command({ type: 'eof', channel });
    } else if (e.change === 'data') {
      stdout += dec.decode(d.data, { stream: true });
      stdoutParts.push(d.data!.slice());
    }
    else if (e.change === 'extended-data') stderr += dec.decode(d.data);
    else if (e.change === 'exit-status') exitStatus = d.status ?? null;
    else if (e.change === 'closed') client.command({ type: 'disconnect', description: 'session finished' });
  };

  const onServer = (e: SshEvent) => {
    if (e.type === 'packet' && e.dir === 's2c') serverSent.push(e);
    // Until connection.ts passes ServerConfig.permitOpen to the channel layer, set it here.
    if (e.type === 'auth' && e.result === 'success' && o.permitOpen !== undefined) server.command({ type: 'permit-open', permit: o.permitOpen });
    if (e.type !== 'channel') return;
    if (e.change === 'open-request') {
      // The host program connects the target (sshd: channel_connect_to_port) — here, a service in the scenario.
      const t = e.detail as { host: string; port: number };
      const svc = o.services?.[`${t.host}:${t.port}`];
      if (!svc) server.command({ type: 'refuse-open', channel: e.id, description: 'Connection refused' });
      else {
        forwardIn.set(e.id, '');
        server.command({ type: 'confirm-open', channel: e.id });
      }
      return;
    }
    if (forwardIn.has(e.id)) {
      if (e.change === 'data') forwardIn.set(e.id, forwardIn.get(e.id)! + dec.decode((e.detail as { data: Uint8Array }).data));
      else if (e.change === 'eof') {
        const t = o.forward!;
        const reply = serviceReply(o.services![`${t.host}:${t.port}`]!, forwardIn.get(e.id)!);
        server.command({ type: 'data', channel: e.id, data: new TextEncoder().encode(reply) });
        server.command({ type: 'eof', channel: e.id });
        server.command({ type: 'close', channel: e.id });
      }
      return;
    }
    if (shells) {
      shells.handle(e);
      return;
    }
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

  /**
   * The Terrapin man in the middle on the server→client stream (Bäumer, Brinkmann, Schwenk 2023):
   * it sees whole packets (the plaintext ones before NEWKEYS it can read; after NEWKEYS only their
   * boundaries). It inserts one IGNORE before the server's NEWKEYS — the client's receive sequence
   * number is now one ahead — and deletes the server's next packet, which brings the numbers back
   * in line. Returns whether any bytes moved.
   */
  function terrapinForward(parts: Uint8Array[]): boolean {
    if (parts.length === 0) return false;
    for (const part of parts) {
      if (mitmState === 'version') {
        mitmState = 'watch';
        client.receive(part);
        continue;
      }
      const pkt = serverSent.shift();
      if (mitmState === 'watch' && pkt?.msg === 'SSH_MSG_NEWKEYS') {
        client.receive(TERRAPIN_IGNORE);
        terrapin.injected = true;
        client.receive(part);
        mitmState = 'delete-next';
      } else if (mitmState === 'delete-next') {
        // Nothing to hide once the client has hung up (strict KEX refused the IGNORE).
        if (!client.closed) {
          terrapin.deleted = pkt?.msg ?? null;
          terrapin.deletedSeq = pkt?.n ?? null;
        }
        mitmState = 'done';
      } else client.receive(part);
    }
    return true;
  }

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
      if (o.mitm === 'terrapin' && from === server) {
        if (terrapinForward(server.pollTransmitParts())) moved = true;
        continue;
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

  if (forward) forward.response = forwardOut.join('');
  return { events, authenticated, stdout, stdoutBytes: concat(stdoutParts), stderr, exitStatus, appended: concat(appended), tamperedAt, ...(o.mitm ? { terrapin } : {}), ...(forward ? { forward } : {}) };
}

function concat(parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  n = 0;
  for (const p of parts) {
    out.set(p, n);
    n += p.length;
  }
  return out;
}
