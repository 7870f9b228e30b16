// The demo session the page runs: an in-memory client ⇄ server handshake with the real engine
// (no network), password authentication, one `exec` request, and a clean close. Pure logic, no
// DOM, so it runs (and is tested) in Node as well as in the browser.

import { createClient, createServer, generateEd25519, pumpPair, seededEnv } from '../engine/index.ts';
import type { Connection, SshEvent } from '../engine/index.ts';

export interface DemoOptions {
  /** Same seed, same bytes: cookies, ephemeral keys, padding (DESIGN.md "Engine"). */
  seed: string;
  /** What the client logs in as and with. The demo server knows alice / wonderland. */
  user: string;
  password: string;
  /** The command the client asks the server to run (the demo server only knows `echo …`). */
  command: string;
}

export interface DemoResult {
  events: SshEvent[];
  stdout: string;
  stderr: string;
  exitStatus: number | null;
}

export const DEMO_USER = { name: 'alice', password: 'wonderland' } as const;

export const DEFAULT_DEMO: DemoOptions = { seed: 'sshscope', user: DEMO_USER.name, password: DEMO_USER.password, command: 'echo hello from sshscope' };

const enc = new TextEncoder();
const dec = new TextDecoder();

interface ChannelDetail {
  request?: string;
  command?: string;
  data?: Uint8Array;
  status?: number;
}

/** The demo server's whole "shell": `echo …` prints, anything else is "command not found". */
function serverReacts(server: Connection, e: SshEvent): void {
  if (e.type !== 'channel' || e.change !== 'request') return;
  const d = (e.detail ?? {}) as ChannelDetail;
  if (d.request !== 'exec') return;
  const cmd = d.command ?? '';
  let status = 0;
  if (cmd === 'echo' || cmd.startsWith('echo ')) {
    server.command({ type: 'data', channel: e.id, data: enc.encode(`${cmd.slice(5)}\n`) });
  } else {
    server.command({ type: 'data', channel: e.id, data: enc.encode(`demo: ${cmd}: command not found (try echo …)\n`), stream: 'stderr' });
    status = 127;
  }
  server.command({ type: 'exit-status', channel: e.id, status });
  server.command({ type: 'eof', channel: e.id });
  server.command({ type: 'close', channel: e.id });
}

export function runDemo(opts: DemoOptions = DEFAULT_DEMO): DemoResult {
  const serverEnv = seededEnv(`${opts.seed}/server`);
  const clientEnv = seededEnv(`${opts.seed}/client`);
  const hostKey = generateEd25519(serverEnv.randomBytes, 'demo host key');
  const server = createServer({ env: serverEnv, hostKeys: [hostKey], users: [{ name: DEMO_USER.name, password: DEMO_USER.password }] });
  const client = createClient({
    env: clientEnv,
    username: opts.user,
    password: opts.password,
    authMethods: ['password'],
    // trust on first use: the page has no known_hosts yet
    hostKeyCheck: () => 'unknown',
    acceptUnknownHostKey: true,
  });

  let channel = -1;
  const stdout: Uint8Array[] = [];
  const stderr: Uint8Array[] = [];
  let exitStatus: number | null = null;
  const { events } = pumpPair(client, server, (e, from) => {
    if (from === server) return serverReacts(server, e);
    if (e.type === 'decision') {
      // not expected with hostKeyCheck and a password, but never leave the engine waiting
      client.answer(e.id, e.kind === 'host-key' ? true : opts.password);
    } else if (e.type === 'auth' && e.result === 'success') {
      channel = client.command({ type: 'open-session' });
    } else if (e.type === 'channel' && e.id === channel) {
      const d = (e.detail ?? {}) as ChannelDetail;
      if (e.change === 'open') client.command({ type: 'exec', channel, command: opts.command });
      else if (e.change === 'data' && d.data) stdout.push(d.data);
      else if (e.change === 'extended-data' && d.data) stderr.push(d.data);
      else if (e.change === 'exit-status' && d.status !== undefined) exitStatus = d.status;
      else if (e.change === 'closed') client.command({ type: 'disconnect', description: 'demo finished' });
    }
  });
  const text = (parts: Uint8Array[]) => parts.map((p) => dec.decode(p, { stream: true })).join('') + dec.decode();
  return { events, stdout: text(stdout), stderr: text(stderr), exitStatus };
}
