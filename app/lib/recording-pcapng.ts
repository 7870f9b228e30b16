// "Export pcapng": the session on screen as a capture file that Wireshark, tshark and our own reader
// open, with its SSH key log inside (a pcapng Decryption Secrets Block, pcapng §4.7, type
// 0x5353484b) so every encrypted packet decrypts. The TCP bytes are exactly what each side sent:
// the identification line with CR LF (RFC 4253 §4.2), then every binary packet's wire bytes
// (RFC 4253 §6), in the order the sender sent them. Loaded lazily (only this button needs it).

import type { SshEvent } from '../../engine/index.ts';
import { KEX } from '../../engine/algorithms/kex.ts';
import { writeSessionPcapng, type SessionChunk } from '../../engine/capture/pcapng-writer.ts';
import { keylogLines, keylogOf } from '../../cli/keylog.ts';

/** Event times under 10^12 ms are relative (the seeded clock counts from 0): put them on this date. */
const BASE_MS = Date.UTC(2026, 0, 1);

/** The bytes each side put on the wire, in the order sent, with times (ms since the epoch). */
export function sessionChunks(events: readonly SshEvent[]): SessionChunk[] {
  const chunks: SessionChunk[] = [];
  let last = 0;
  const enc = new TextEncoder();
  for (const e of events) {
    if (e.type !== 'version' && e.type !== 'packet') continue;
    // the sender's copy (a memory pair logs each packet twice)
    if ((e.dir === 'c2s') !== (e.side === 'client')) continue;
    const t = Math.max(last, e.t < 1e12 ? BASE_MS + e.t : e.t);
    last = t;
    if (e.type === 'version') {
      const pre = e.preamble?.length ? e.preamble.map((l) => `${l}\r\n`).join('') : '';
      chunks.push({ dir: e.dir, bytes: enc.encode(`${pre}${e.line}\r\n`), timeMs: t });
    } else chunks.push({ dir: e.dir, bytes: e.wire, timeMs: t });
  }
  return chunks;
}

/** Wireshark SSH key log lines for every key exchange in the log (cli/keylog.ts explains the format). */
export function sessionKeylog(events: readonly SshEvent[]): string {
  const lines: string[] = [];
  // our client's view when the log has one (its private key and K), else the server's
  const keys = events.filter((e): e is Extract<SshEvent, { type: 'keys' }> => e.type === 'keys');
  const side = keys.some((e) => e.side === 'client') ? 'client' : 'server';
  for (const e of keys) {
    if (e.side !== side) continue;
    const info = keylogOf(e);
    if (!info) continue;
    const out = keylogLines(info, e.side, KEX[e.kex]?.kEncoding ?? 'mpint');
    for (const l of out) if (!lines.includes(l)) lines.push(l);
  }
  return lines.length ? lines.join('\n') + '\n' : '';
}

/** The whole session as pcapng bytes, key log included (client 10.0.0.1:50022 → server 10.0.0.2:22). */
export function sessionPcapng(events: readonly SshEvent[], endpoints = { client: { ip: '10.0.0.1', port: 50022 }, server: { ip: '10.0.0.2', port: 22 } }): Uint8Array {
  const keylog = sessionKeylog(events);
  return writeSessionPcapng({ ...endpoints, chunks: sessionChunks(events), ...(keylog ? { keylog } : {}) });
}
