// `sshscope mitm`: a man in the middle for teaching. A real ssh client connects to us; OUR server
// engine answers it with OUR host key (so the client sees a key that is not the real server's:
// that is the lesson), and for each connection OUR client engine logs in to the real server with
// the password the client typed. Both legs are decoded and recorded (docs/mitm.md).
// Only loopback targets unless --allow-non-loopback.

import * as net from 'node:net';
import { lookup } from 'node:dns/promises';
import { createWriteStream } from 'node:fs';
import { generateEd25519, type SshEvent, type SshPrivateKey } from '../engine/index.ts';
import { fingerprintSha256 } from '../engine/keys/fingerprint.ts';
import { publicKeyOf } from '../engine/keys/private-key-types.ts';
import { formatEvent } from '../engine/trace-text.ts';
import { nodeCryptoProvider } from './node-crypto.ts';
import { ArgError, formatHelp, getValue, parseArgs, parsePort, type CommandSpec } from './args.ts';
import { JsonLog } from './json-log.ts';
import { loadPrivateKeyFile } from './connect.ts';
import { startMitmSession, type Leg, type MitmSession } from './mitm-session.ts';
import type { MitmUi } from './mitm-ui.ts';

export const MITM_SPEC: CommandSpec = {
  name: 'mitm',
  usage: 'mitm [--listen 127.0.0.1:2022] [--target 127.0.0.1:22] [--host-key FILE] [--json FILE] [-v] [--ui-port PORT] [--allow-non-loopback]',
  summary:
    'Stands between a real ssh client and a real SSH server, for teaching: the client gets OUR host key, its password is replayed to the server, and both legs are decoded. Loopback only unless --allow-non-loopback.',
  flags: [
    { name: 'listen', value: true, valueName: 'ADDR:PORT', help: 'where the real client connects (default 127.0.0.1:2022; port 0 picks a free one)' },
    { name: 'target', value: true, valueName: 'HOST:PORT', help: 'the real SSH server (default 127.0.0.1:22)' },
    { name: 'host-key', value: true, valueName: 'FILE', help: 'our host private key (default: a new ed25519 key for this run)' },
    { name: 'json', value: true, valueName: 'FILE', help: "write both legs' events as JSON lines {leg, conn, event}" },
    { name: 'trace', short: 'v', help: "print a short trace of both legs' events on stderr" },
    { name: 'ui-port', value: true, valueName: 'PORT', help: 'also serve the web app on 127.0.0.1:PORT, each session live as two lanes in its Classroom tab (0 picks a free port)' },
    { name: 'no-build', help: 'with --ui-port: serve dist/ as it is, without rebuilding it' },
    { name: 'allow-non-loopback', help: 'allow a target (and a listen address) that is not on this machine' },
  ],
  notes: [
    'example:',
    '  sshscope mitm --listen 127.0.0.1:2022 --target 127.0.0.1:22 -v',
    '  ssh -p 2022 you@127.0.0.1          # in another terminal: note the host key warning',
  ],
};

export interface MitmOptions {
  listen: { host: string; port: number };
  /** Already checked (loopback unless allowed); the address dialled for every connection. */
  target: { host: string; port: number };
  hostKeys: SshPrivateKey[];
  /** Build packet trees (the JSON and the trace want them). */
  trace: boolean;
  onEvent?: (leg: Leg, conn: number, e: SshEvent) => void;
  /** A connection's two legs are over. */
  onSessionEnd?: (conn: number) => void;
  /** A new connection from a real client. */
  onSessionStart?: (conn: number, peer: string) => void;
  log?: (line: string) => void;
}

export interface RunningMitm {
  host: string;
  port: number;
  /** Sessions open now. */
  readonly sessions: number;
  /** Channel data held in our engines across all sessions (flow control keeps it bounded). */
  buffered(): number;
  close(): Promise<void>;
}

/** Listens and relays; resolves once listening. */
export function startMitm(o: MitmOptions): Promise<RunningMitm> {
  let count = 0;
  const sessions = new Map<number, MitmSession>();
  const log = o.log ?? (() => {});
  const server = net.createServer((socket) => {
    const id = ++count;
    socket.setNoDelay(true);
    const peer = `${socket.remoteAddress}:${socket.remotePort}`;
    log(`#${id}: connection from ${peer}`);
    o.onSessionStart?.(id, peer);
    const s = startMitmSession({
      id,
      socket,
      target: o.target,
      hostKeys: o.hostKeys,
      crypto: nodeCryptoProvider,
      trace: o.trace,
      onEvent: (leg, e) => o.onEvent?.(leg, id, e),
      log,
      onEnd: () => {
        sessions.delete(id);
        log(`#${id}: both legs closed`);
        o.onSessionEnd?.(id);
      },
    });
    sessions.set(id, s);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.listen.port, o.listen.host, () => {
      server.off('error', reject);
      const addr = server.address() as net.AddressInfo;
      resolve({
        host: o.listen.host,
        port: addr.port,
        get sessions() {
          return sessions.size;
        },
        buffered: () => [...sessions.values()].reduce((n, s) => n + s.buffered(), 0),
        close: () =>
          new Promise<void>((res) => {
            for (const s of sessions.values()) s.close();
            server.close(() => res());
          }),
      });
    });
  });
}

/** 127.0.0.0/8, ::1 and the IPv4-mapped form of 127.x. */
export function isLoopbackAddress(addr: string): boolean {
  const a = addr.replace(/^\[|\]$/g, '').toLowerCase();
  if (a === '::1' || a === '0:0:0:0:0:0:0:1') return true;
  const v4 = a.startsWith('::ffff:') ? a.slice(7) : a;
  return net.isIPv4(v4) && v4.startsWith('127.');
}

/** "HOST:PORT", "[v6]:PORT"; a bare host takes the default port. */
export function parseHostPort(s: string, defaultPort: number, what: string): { host: string; port: number } {
  let host = s;
  let port = String(defaultPort);
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(s);
  if (v6) {
    host = v6[1]!;
    if (v6[2] !== undefined) port = v6[2];
  } else {
    const i = s.lastIndexOf(':');
    if (i >= 0 && s.indexOf(':') === i) {
      host = s.slice(0, i);
      port = s.slice(i + 1);
    } else if (i >= 0) {
      host = s; // a bare IPv6 address
    }
  }
  if (!host) throw new ArgError(`${what}: no host in ${JSON.stringify(s)}`);
  if (!/^\d+$/.test(port) || Number(port) > 65535) throw new ArgError(`${what}: bad port in ${JSON.stringify(s)}`);
  return { host, port: Number(port) };
}

/**
 * Resolves the target and refuses it when any of its addresses is off this machine (unless
 * allowed). Returns the address to dial, so what was checked is what is dialled.
 */
export async function checkTarget(host: string, allowNonLoopback: boolean): Promise<string> {
  const addrs = net.isIP(host) ? [host] : (await lookup(host, { all: true, verbatim: true }).catch(() => [])).map((a) => a.address);
  if (addrs.length === 0) throw new ArgError(`cannot resolve ${host}`);
  if (!allowNonLoopback) {
    const off = addrs.filter((a) => !isLoopbackAddress(a));
    if (off.length) {
      throw new ArgError(
        `refusing target ${host} (${off.join(', ')}): it is not on this machine's loopback. Intercepting other people's connections is an attack; for a lab you control, add --allow-non-loopback`,
      );
    }
  }
  return addrs[0]!;
}

const LEG_LABEL: Record<Leg, string> = { 'client-side': 'client ⇄ mitm', 'server-side': 'mitm ⇄ server' };

/** The short -v trace: one line per event, without channel data bytes and per-packet noise. */
export function traceLine(leg: Leg, conn: number, e: SshEvent): string | null {
  if (e.type === 'packet' && (e.msg === 'SSH_MSG_CHANNEL_DATA' || e.msg === 'SSH_MSG_CHANNEL_EXTENDED_DATA' || e.msg === 'SSH_MSG_CHANNEL_WINDOW_ADJUST' || e.msg === 'SSH_MSG_IGNORE')) return null;
  if (e.type === 'keys' || e.type === 'exchange-hash') return `#${conn} ${LEG_LABEL[leg]} │ ${e.type === 'keys' ? `keys derived (${e.kex})` : `exchange hash H computed`}`;
  if (e.type === 'negotiated') return `#${conn} ${LEG_LABEL[leg]} │ negotiated ${e.rows.filter((r) => !r.category.startsWith('language') && r.chosen).map((r) => `${r.category}=${r.chosen}`).join(' ')}`;
  const text = formatEvent(e, { hexChars: 16 }).split('\n')[0]!;
  return `#${conn} ${LEG_LABEL[leg]} │ ${text}`;
}

export async function mitm(argv: string[]): Promise<number> {
  let p;
  try {
    p = parseArgs(MITM_SPEC, argv);
  } catch (e) {
    if (e instanceof ArgError) {
      process.stderr.write(`sshscope mitm: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  if (p.help) {
    process.stdout.write(formatHelp(MITM_SPEC));
    return 0;
  }
  let opts: MitmOptions;
  let json: JsonLog | null = null;
  let uiPort: number | null = null;
  let ourKeys: { type: string; fingerprint: string }[] = [];
  try {
    if (p.positionals.length) throw new ArgError(`unexpected argument ${JSON.stringify(p.positionals[0])}`);
    const allow = p.switches.has('allow-non-loopback');
    const listen = parseHostPort(getValue(p, 'listen') ?? '127.0.0.1:2022', 2022, '--listen');
    if (!allow && !isLoopbackAddress(listen.host) && listen.host !== 'localhost') {
      throw new ArgError(`refusing to listen on ${listen.host}: only loopback unless --allow-non-loopback`);
    }
    const t = parseHostPort(getValue(p, 'target') ?? '127.0.0.1:22', 22, '--target');
    const target = { host: await checkTarget(t.host, allow), port: t.port };
    const keyFile = getValue(p, 'host-key');
    const hostKey = keyFile ? loadPrivateKeyFile(keyFile) : generateEd25519((n) => crypto.getRandomValues(new Uint8Array(n)), 'sshscope mitm');
    process.stdout.write(`our host key ${hostKey.type} ${fingerprintSha256(publicKeyOf(hostKey).blob)}${keyFile ? ` (${keyFile})` : ' (generated for this run)'}: the client sees this one, not the real server's\n`);
    ourKeys = [{ type: hostKey.type, fingerprint: fingerprintSha256(publicKeyOf(hostKey).blob) }];
    const ui = getValue(p, 'ui-port');
    if (ui !== undefined) uiPort = parsePort(ui);
    const trace = p.switches.has('trace');
    const jsonFile = getValue(p, 'json');
    json = jsonFile ? new JsonLog(createWriteStream(jsonFile, { flags: 'w' })) : null;
    const j = json;
    opts = {
      listen,
      target,
      hostKeys: [hostKey],
      trace: trace || j !== null || uiPort !== null,
      log: (line) => process.stderr.write(`sshscope mitm: ${line}\n`),
      onEvent: (leg, conn, e) => {
        j?.write({ leg, conn, event: e });
        if (trace) {
          const line = traceLine(leg, conn, e);
          if (line) process.stderr.write(line + '\n');
        }
      },
    };
  } catch (e) {
    if (e instanceof ArgError) {
      process.stderr.write(`sshscope mitm: ${e.message}\n`);
      json?.close();
      return 2;
    }
    throw e;
  }
  let running: RunningMitm;
  try {
    running = await startMitm(opts);
  } catch (e) {
    process.stderr.write(`sshscope mitm: cannot listen on ${opts.listen.host}:${opts.listen.port}: ${(e as Error).message}\n`);
    json?.close();
    return 1;
  }
  const shown = running.host.includes(':') ? `[${running.host}]` : running.host;
  const targetText = `${opts.target.host.includes(':') ? `[${opts.target.host}]` : opts.target.host}:${opts.target.port}`;
  let ui: MitmUi | null = null;
  if (uiPort !== null) {
    const { startMitmUi } = await import('./mitm-ui.ts');
    try {
      ui = await startMitmUi({
        port: uiPort,
        target: targetText,
        listen: `${shown}:${running.port}`,
        listenHost: running.host,
        listenPort: running.port,
        hostKeys: ourKeys,
        build: !p.switches.has('no-build'),
        log: (line) => process.stderr.write(`sshscope mitm: ui: ${line}\n`),
      });
    } catch (e) {
      process.stderr.write(`sshscope mitm: --ui-port: ${(e as Error).message}\n`);
      await running.close();
      json?.close();
      return 1;
    }
    const u = ui;
    const prev = opts.onEvent;
    // sessions are only announced from now on: nobody could connect before the line below
    opts.onSessionStart = (conn, peer) => u.sessionStart(conn, peer);
    opts.onSessionEnd = (conn) => u.sessionEnd(conn);
    opts.onEvent = (leg, conn, e) => {
      prev?.(leg, conn, e);
      u.publish(leg, conn, e);
    };
    process.stdout.write(`sshscope mitm live view at ${u.url} (Classroom tab)\n`);
  }
  process.stdout.write(`sshscope mitm listening on ${shown}:${running.port}, relaying to ${targetText}\n`);
  process.stdout.write(`try: ssh -p ${running.port} USER@${running.host}   (ssh will warn about the host key: read docs/mitm.md)\n`);
  return new Promise<number>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void running.close().then(async () => {
        await ui?.close();
        json?.close();
        resolve(0);
      });
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
