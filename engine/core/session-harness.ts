// Drives an in-memory client ⇄ server session to the end of one command: used by tests, golden
// transcripts, the demo page and scenarios. The server side answers exec requests with a tiny
// responder (echo / exit N / cat) so that the whole five-phase story is real engine traffic.

import { createClient, createServer, type Connection } from './connection.ts';
import type { ClientConfig, ServerConfig } from './config.ts';
import { pumpPair } from '../adapters/memory-pair.ts';
import type { SshEvent } from '../events.ts';
import { concatBytes } from '../wire/codec.ts';

export interface ExecResult {
  events: SshEvent[];
  stdout: Uint8Array;
  stderr: Uint8Array;
  exitStatus: number | null;
  client: Connection;
  server: Connection;
}

const enc = new TextEncoder();

/** The server side of a one-command session: `echo …`, `exit N`, `cat` (echoes its input). */
export function respondToExec(server: Connection, e: SshEvent): void {
  if (e.type !== 'channel' || e.change !== 'request') return;
  const d = e.detail as { request: string; command?: string | Uint8Array; forcedCommand?: string };
  if (d.request !== 'exec') return;
  // authorized_keys command="…" replaces whatever the client asked for; a command that is not
  // valid UTF-8 arrives as bytes and is shown with replacement characters.
  const raw = d.forcedCommand ?? d.command ?? '';
  const cmd = typeof raw === 'string' ? raw : new TextDecoder().decode(raw);
  const finish = (status: number) => {
    server.command({ type: 'exit-status', channel: e.id, status });
    server.command({ type: 'eof', channel: e.id });
    server.command({ type: 'close', channel: e.id });
  };
  if (cmd.startsWith('echo ')) {
    server.command({ type: 'data', channel: e.id, data: enc.encode(`${cmd.slice(5)}\n`) });
    finish(0);
  } else if (/^exit \d+$/.test(cmd)) {
    finish(Number(cmd.slice(5)));
  } else if (cmd !== 'cat') {
    server.command({ type: 'data', channel: e.id, data: enc.encode(`sh: ${cmd}: command not found\n`), stream: 'stderr' });
    finish(127);
  }
}

/** Runs a whole session: connect, authenticate, exec `command` (feeding `input` to it), close. */
export function runExec(clientCfg: ClientConfig, serverCfg: ServerConfig, command: string, input?: Uint8Array, opts: { onEvent?: (e: SshEvent, from: Connection) => void } = {}): ExecResult {
  const client = createClient(clientCfg);
  const server = createServer(serverCfg);
  const stdout: Uint8Array[] = [];
  const stderr: Uint8Array[] = [];
  let exitStatus: number | null = null;
  let channel = -1;
  const catChannels = new Set<number>();
  const result = pumpPair(client, server, (e, from) => {
    opts.onEvent?.(e, from);
    if (from === server) {
      respondToExec(server, e);
      if (e.type === 'channel' && e.change === 'request' && (e.detail as { command?: string }).command === 'cat') catChannels.add(e.id);
      if (e.type === 'channel' && e.change === 'data' && catChannels.has(e.id)) server.command({ type: 'data', channel: e.id, data: (e.detail as { data: Uint8Array }).data });
      if (e.type === 'channel' && e.change === 'eof' && catChannels.has(e.id)) {
        server.command({ type: 'exit-status', channel: e.id, status: 0 });
        server.command({ type: 'eof', channel: e.id });
        server.command({ type: 'close', channel: e.id });
      }
      return;
    }
    if (e.type === 'auth' && e.result === 'success') channel = client.command({ type: 'open-session' });
    if (e.type === 'channel' && e.id === channel) {
      if (e.change === 'open') {
        client.command({ type: 'exec', channel, command });
        if (input) client.command({ type: 'data', channel, data: input });
        client.command({ type: 'eof', channel });
      } else if (e.change === 'data') stdout.push((e.detail as { data: Uint8Array }).data);
      else if (e.change === 'extended-data') stderr.push((e.detail as { data: Uint8Array }).data);
      else if (e.change === 'exit-status') exitStatus = (e.detail as { status: number }).status;
      else if (e.change === 'closed') client.command({ type: 'disconnect', description: 'session finished' });
    }
  });
  return { events: result.events, stdout: concatBytes(...stdout), stderr: concatBytes(...stderr), exitStatus, client, server };
}

