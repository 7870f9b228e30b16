// Test helper (imported only by *.test.ts and the benchmark): runs an in-memory session of our own
// client and server and returns what crossed the wire, in order, as writer chunks, plus the client's
// key log (cli/keylog.ts lines). The client's version and packet events carry the exact wire bytes.

import { seededEnv } from '../env.ts';
import { generateEd25519 } from '../algorithms/signatures.ts';
import { KEX } from '../algorithms/kex.ts';
import type { ClientConfig, ServerConfig } from '../core/config.ts';
import { runExec } from '../core/session-harness.ts';
import type { SshEvent } from '../events.ts';
import { keylogLines, keylogOf } from '../../cli/keylog.ts';
import type { SessionChunk } from './pcapng-writer.ts';

export interface TestSession {
  chunks: SessionChunk[];
  keylog: string;
  stdout: Uint8Array;
  events: SshEvent[];
}

export function testSession(seed: string, algorithms: ClientConfig['algorithms'], command: string, input?: Uint8Array, extra: Partial<ClientConfig> = {}): TestSession {
  const hostKeyEnv = seededEnv(`${seed}/hostkey`);
  const hostKey = generateEd25519((n) => hostKeyEnv.randomBytes(n));
  const server: ServerConfig = { env: seededEnv(`${seed}/server`), hostKeys: [hostKey], ...(algorithms ? { algorithms } : {}), users: [{ name: 'alice', password: 'pw' }] };
  const client: ClientConfig = { env: seededEnv(`${seed}/client`), username: 'alice', password: 'pw', hostKeyCheck: () => 'unknown', acceptUnknownHostKey: true, ...(algorithms ? { algorithms } : {}), ...extra };
  const events: SshEvent[] = [];
  const r = runExec(client, server, command, input, { onEvent: (e) => void (e.side === 'client' && events.push(e)) });
  const chunks: SessionChunk[] = [];
  const lines: string[] = [];
  const t0 = 1_764_300_000_000;
  for (const e of events) {
    const timeMs = t0 + chunks.length * 1.5;
    if (e.type === 'version') chunks.push({ dir: e.dir, bytes: new TextEncoder().encode(`${e.line}\r\n`), timeMs });
    else if (e.type === 'packet') chunks.push({ dir: e.dir, bytes: e.wire, timeMs });
    else if (e.type === 'keys') {
      const info = keylogOf(e);
      if (info) lines.push(...keylogLines(info, 'client', KEX[(e as { kex: string }).kex]?.kEncoding ?? 'mpint'));
    }
  }
  return { chunks, keylog: lines.join('\n') + '\n', stdout: r.stdout, events };
}
