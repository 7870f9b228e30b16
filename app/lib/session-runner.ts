// Runs one whole client ⇄ server session in memory, like engine/core/session-harness.ts runExec,
// but it records the byte stream of each direction and can flip one byte of it in transit (the
// tamper experiment: a changed byte before NEWKEYS breaks the exchange hash and the host key
// signature, RFC 4253 §8; after NEWKEYS the MAC or AEAD tag, RFC 4253 §6.4).

import { createClient, createServer, type ClientConfig, type Connection, type Dir, type ServerConfig, type SshEvent } from '../../engine/index.ts';
import { respondToExec } from '../../engine/core/session-harness.ts';
import { concatBytes } from '../../engine/wire/codec.ts';

export interface Tamper {
  dir: Dir;
  /** Offset in that direction's byte stream (version line included). */
  offset: number;
  /** XOR mask applied to the byte (default 0x01). */
  mask?: number;
}

export interface SessionResult {
  events: SshEvent[];
  stdout: Uint8Array;
  stderr: Uint8Array;
  exitStatus: number | null;
  /** Every byte each side transmitted, in order (before tampering). */
  streams: Record<Dir, Uint8Array>;
}


export function runSession(clientCfg: ClientConfig, serverCfg: ServerConfig, command: string, tamper?: Tamper | null): SessionResult {
  const client = createClient(clientCfg);
  const server = createServer(serverCfg);
  const events: SshEvent[] = [];
  const sent: Record<Dir, Uint8Array[]> = { c2s: [], s2c: [] };
  const position: Record<Dir, number> = { c2s: 0, s2c: 0 };
  const stdout: Uint8Array[] = [];
  const stderr: Uint8Array[] = [];
  let exitStatus: number | null = null;
  let channel = -1;

  const onEvent = (e: SshEvent, from: Connection): void => {
    if (from === server) return respondToExec(server, e);
    if (e.type === 'auth' && e.result === 'success') channel = client.command({ type: 'open-session' });
    if (e.type === 'channel' && e.id === channel) {
      const d = e.detail as { data?: Uint8Array; status?: number };
      if (e.change === 'open') {
        client.command({ type: 'exec', channel, command });
        client.command({ type: 'eof', channel });
      } else if (e.change === 'data' && d.data) stdout.push(d.data);
      else if (e.change === 'extended-data' && d.data) stderr.push(d.data);
      else if (e.change === 'exit-status' && d.status !== undefined) exitStatus = d.status;
      else if (e.change === 'closed') client.command({ type: 'disconnect', description: 'session finished' });
    }
  };

  for (let round = 0; round < 100_000; round++) {
    let moved = false;
    for (const [from, to, dir] of [
      [client, server, 'c2s'],
      [server, client, 's2c'],
    ] as const) {
      let e: SshEvent | null;
      while ((e = from.pollEvent())) {
        events.push(e);
        onEvent(e, from);
        moved = true;
      }
      const out = from.pollTransmit();
      if (!out) continue;
      moved = true;
      sent[dir].push(out.slice());
      const start = position[dir];
      position[dir] += out.length;
      let bytes = out;
      if (tamper && tamper.dir === dir && tamper.offset >= start && tamper.offset < start + out.length) {
        bytes = out.slice();
        bytes[tamper.offset - start]! ^= tamper.mask ?? 0x01;
      }
      to.receive(bytes);
    }
    if (!moved) break;
  }
  return { events, stdout: concatBytes(...stdout), stderr: concatBytes(...stderr), exitStatus, streams: { c2s: concatBytes(...sent.c2s), s2c: concatBytes(...sent.s2c) } };
}

/**
 * Where a packet's byte sits in its direction's stream: the identification line (with CRLF)
 * comes first (RFC 4253 §4.2), then every packet's wire bytes in order.
 */
export function streamOffset(events: readonly SshEvent[], dir: Dir, packetN: number, byte: number): number | null {
  const sender = dir === 'c2s' ? 'client' : 'server';
  let offset = 0;
  let rekeyed = 0;
  for (const e of events) {
    if (e.side !== sender) continue;
    if (e.type === 'version' && e.dir === dir) offset += new TextEncoder().encode(`${e.line}\r\n`).length + (e.preamble ?? []).reduce((n, l) => n + l.length + 2, 0);
    if (e.type === 'packet' && e.dir === dir) {
      // sequence numbers restart under strict KEX: count packets instead of trusting n
      if (rekeyed === packetN) return offset + byte;
      rekeyed++;
      offset += e.wire.length;
    }
  }
  return null;
}
