// `sshscope serve`: a small SSH server for learning. One server Connection per TCP connection,
// password and publickey users from the command line, and cli/virtual-shell.ts behind every
// session channel's "exec" and "shell" requests (RFC 4254 §6.5; the wiring is cli/shell-channels.ts).

import * as net from 'node:net';
import { appendFileSync, createWriteStream, readFileSync, writeFileSync } from 'node:fs';
import { createServer, defaultEnv, generateEd25519, KEX, type ServerConfig, type ServerUser, type SshEvent, type SshPrivateKey } from '../engine/index.ts';
import { attachSocket, type SocketTimeouts } from '../engine/adapters/node-tcp.ts';
import { TraceNarrator } from '../engine/trace-text.ts';
import { fingerprintSha256 } from '../engine/keys/fingerprint.ts';
import { publicKeyOf } from '../engine/keys/private-key-types.ts';
import { nodeCryptoProvider } from './node-crypto.ts';
import { ALGORITHM_FLAGS, algorithmsFromFlags } from './algorithm-flags.ts';
import { ArgError, formatHelp, getAll, getValue, parseArgs, parseList, parsePort, type CommandSpec } from './args.ts';
import { JsonLog } from './json-log.ts';
import { keylogLines, keylogOf, legacyKeylogLines } from './keylog.ts';
import { SessionRecorder } from '../engine/capture/session-recorder.ts';
import { loadPrivateKeyFile, parseSize } from './connect.ts';
import { ShellChannels } from './shell-channels.ts';

export const SERVE_SPEC: CommandSpec = {
  name: 'serve',
  usage: 'serve [--host 127.0.0.1] [--port 2222] [--host-key FILE]… [--user NAME:PASSWORD]… [--authorized-keys NAME:FILE]… [--json FILE] [--keylog FILE] [--pcap FILE]',
  summary: 'Runs an SSH server written in TypeScript with a simulated shell (echo, cat, ls, whoami, exit N …). Listens on loopback unless told otherwise.',
  flags: [
    { name: 'host', value: true, valueName: 'ADDR', help: 'address to listen on (default 127.0.0.1)' },
    { name: 'port', short: 'p', value: true, valueName: 'PORT', help: 'port to listen on (default 2222; 0 picks a free port)' },
    { name: 'host-key', value: true, repeat: true, valueName: 'FILE', help: 'a host private key file (ed25519, ecdsa or rsa; repeat for several, like sshd HostKey; default: a new ed25519 key for this run)' },
    { name: 'user', value: true, repeat: true, valueName: 'NAME:PASSWORD', help: 'a user who may log in with this password' },
    { name: 'authorized-keys', value: true, repeat: true, valueName: 'NAME:FILE', help: "a user whose keys in this authorized_keys file may log in" },
    { name: 'json', value: true, valueName: 'FILE', help: 'write every event as a JSON line' },
    { name: 'trace', short: 'v', help: 'narrate every event on stderr' },
    { name: 'keylog', value: true, valueName: 'FILE', help: 'append Wireshark SSH key log lines for every key exchange' },
    { name: 'pcap', value: true, valueName: 'FILE', help: 'write every connection as a pcapng capture with its key log inside: FILE with the connection number before the extension (s.pcapng → s-1.pcapng, s-2.pcapng …)' },
    ...ALGORITHM_FLAGS,
    { name: 'compression', value: true, valueName: 'LIST', help: 'compression methods offered (default none,zlib@openssh.com,zlib, like sshd)' },
    { name: 'banner', value: true, valueName: 'TEXT', help: 'a banner shown before authentication' },
    { name: 'max-auth-tries', value: true, valueName: 'N', help: 'failed login attempts allowed per connection, like sshd MaxAuthTries (default 6); the last one is answered with DISCONNECT "Too many authentication failures"' },
    { name: 'rekey-limit', value: true, valueName: 'SIZE', help: 're-exchange keys after this much data, e.g. 1M (default 1G)' },
    { name: 'login-grace-time', value: true, valueName: 'SECONDS', help: 'disconnect a client not authenticated after this long, like sshd LoginGraceTime (default 120; 0 = never)' },
    { name: 'idle-timeout', value: true, valueName: 'SECONDS', help: 'disconnect a connection that sent nothing for this long (default 0 = never)' },
    { name: 'send-stall-timeout', value: true, valueName: 'SECONDS', help: 'disconnect a client that reads nothing of what we send for this long (default 60; 0 = never)' },
  ],
  notes: ['example:', '  sshscope serve --port 2222 --user alice:secret', '  ssh -p 2222 alice@127.0.0.1'],
};

export interface ServeOptions {
  host: string;
  port: number;
  /** Host keys, one per type at most (sshd HostKey); the client's preference picks one. */
  hostKeys: SshPrivateKey[];
  users: ServerUser[];
  algorithms?: ServerConfig['algorithms'];
  banner?: string;
  /** Failed authentication attempts allowed per connection (sshd MaxAuthTries, default 6). */
  maxAuthTries?: number;
  /** Start a key re-exchange after this many bytes (RFC 4253 §9). */
  rekeyBytes?: number;
  /** Every event of every connection. */
  onEvent?: (e: SshEvent, connection: number) => void;
  /** Build packet events with field trees (costly for bulk data; default false). */
  tracePackets?: boolean;
  /** One-line notes about connections (logins, disconnects). */
  log?: (line: string) => void;
  /**
   * Write each connection as a pcapng capture (engine/capture/pcapng-writer.ts) with its key log in
   * a Decryption Secrets Block, when it ends: to pcapPathFor(pcapFile, connection number).
   */
  pcapFile?: string;
  /** Login-grace, idle and send-stall timeouts in ms (engine/adapters/node-tcp.ts DEFAULT_TIMEOUTS). */
  timeouts?: SocketTimeouts;
}

/** `s.pcapng` → `s-3.pcapng`; `dir/s` → `dir/s-3`: the connection number before the extension. */
export function pcapPathFor(file: string, connection: number): string {
  const slash = Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\'));
  const dot = file.lastIndexOf('.');
  if (dot > slash + 1) return `${file.slice(0, dot)}-${connection}${file.slice(dot)}`;
  return `${file}-${connection}`;
}

export interface RunningServer {
  port: number;
  host: string;
  close(): Promise<void>;
}

/** Listens and serves; resolves once listening. */
export function startServer(o: ServeOptions): Promise<RunningServer> {
  let connectionCount = 0;
  const sockets = new Set<net.Socket>();
  const log = o.log ?? (() => {});
  const server = net.createServer((socket) => {
    const id = ++connectionCount;
    sockets.add(socket);
    socket.setNoDelay(true);
    const peer = `${socket.remoteAddress}:${socket.remotePort}`;
    log(`connection ${id} from ${peer}`);
    // manualWindow: a client's input is granted more window only while our output to it drains
    // (RFC 4254 §5.2), so a fast sender cannot make this process buffer without bound.
    const cfg: ServerConfig = { hostKeys: o.hostKeys, users: o.users, env: defaultEnv(nodeCryptoProvider), trace: o.tracePackets ?? false, manualWindow: true };
    if (socket.remoteAddress) cfg.peerAddress = socket.remoteAddress.replace(/^::ffff:/, '');
    const unconsumed = new Map<number, number>();
    const OUTPUT_HIGH_WATER = 1 << 20;
    /** Grants input window for channels whose output has drained; true when it did. */
    const releaseInput = (): boolean => {
      let released = false;
      for (const [ch, bytes] of unconsumed) {
        if (conn.bufferedAmount(ch) > OUTPUT_HIGH_WATER) continue;
        unconsumed.delete(ch);
        conn.command({ type: 'consume', channel: ch, bytes });
        released = true;
      }
      return released;
    };
    if (o.algorithms) cfg.algorithms = o.algorithms;
    if (o.banner) cfg.banner = o.banner;
    if (o.maxAuthTries !== undefined) cfg.maxAuthTries = o.maxAuthTries;
    if (o.rekeyBytes !== undefined) cfg.rekeyBytes = o.rekeyBytes;
    const conn = createServer(cfg);
    const recorder = o.pcapFile ? new SessionRecorder('server') : null;
    const clientEnd = { ip: socket.remoteAddress ?? '127.0.0.1', port: socket.remotePort ?? 0 };
    const serverEnd = { ip: socket.localAddress ?? '127.0.0.1', port: socket.localPort ?? 0 };
    let user = '?';
    const shells = new ShellChannels({
      server: conn,
      user: () => user,
      onStart: (_ch, start) => {
        if (start.forced) log(`connection ${id}: forced command ${JSON.stringify(start.command)}`);
        else if (start.request === 'exec') log(`connection ${id}: exec ${JSON.stringify(start.command)}`);
        else log(`connection ${id}: shell${start.pty ? ' with a pty' : ''}`);
      },
    });
    const onEvent = (e: SshEvent) => {
      o.onEvent?.(e, id);
      if (recorder && e.type === 'keys') {
        const info = keylogOf(e);
        // the modern lines, and the old two-field one Wireshark ≤ 4.0 reads (curve25519 only)
        if (info) recorder.addKeylog([...keylogLines(info, 'server', KEX[e.kex]?.kEncoding ?? 'mpint'), ...(e.kex.startsWith('curve25519') ? legacyKeylogLines(info, 'server') : [])]);
      }
      if (recorder && e.type === 'closed' && o.pcapFile) {
        const path = pcapPathFor(o.pcapFile, id);
        try {
          writeFileSync(path, recorder.toPcapng(clientEnd, serverEnd));
          log(`connection ${id}: capture written to ${path}`);
        } catch (err) {
          log(`connection ${id}: --pcap ${path}: ${(err as Error).message}`);
        }
      }
      if (e.type === 'auth' && e.result === 'success') {
        if (e.user) user = e.user;
        log(`connection ${id}: ${user} logged in (${e.method})`);
      } else if (e.type === 'channel') {
        const d = (e.detail ?? {}) as Record<string, unknown>;
        if (e.change === 'request' && d.request === 'subsystem' && d.accepted !== false && shells.has(e.id)) {
          d.name = d.subsystemName ?? d.name;
          // RFC 4254 §6.5: no subsystems (sftp …) here; say so and end the channel as a failed
          // command would
          log(`connection ${id}: subsystem ${JSON.stringify(String(d.name))} refused`);
          conn.command({ type: 'data', channel: e.id, data: new TextEncoder().encode(`sshscope serve: subsystem ${String(d.name)} is not available\n`), stream: 'stderr' });
          conn.command({ type: 'exit-status', channel: e.id, status: 1 });
          conn.command({ type: 'eof', channel: e.id });
          conn.command({ type: 'close', channel: e.id });
          return;
        }
        if (!shells.handle(e)) return;
        if (e.change === 'data' && d.data instanceof Uint8Array) {
          unconsumed.set(e.id, (unconsumed.get(e.id) ?? 0) + d.data.length);
          releaseInput();
        } else if (e.change === 'close' || e.change === 'closed') unconsumed.delete(e.id);
      } else if (e.type === 'closed') {
        log(`connection ${id} closed: ${e.message}`);
        sockets.delete(socket);
      }
    };
    const attached = attachSocket(recorder ? recorder.tap(conn) : conn, socket, onEvent, { side: 'server', onPumped: () => releaseInput() && attached.pump(), ...(o.timeouts ? { timeouts: o.timeouts } : {}) });
    attached.pump();
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => {
      server.off('error', reject);
      const addr = server.address() as net.AddressInfo;
      resolve({
        port: addr.port,
        host: o.host,
        close: () =>
          new Promise<void>((res) => {
            for (const s of sockets) s.destroy();
            server.close(() => res());
          }),
      });
    });
  });
}

/** Whole or fractional seconds (0 = off) → milliseconds. */
export function parseSeconds(v: string, flag: string): number {
  if (!/^\d+(\.\d+)?$/.test(v)) throw new ArgError(`${flag} wants a number of seconds, not ${JSON.stringify(v)}`);
  return Math.round(Number(v) * 1000);
}

function parseUserPassword(s: string): ServerUser {
  const i = s.indexOf(':');
  if (i <= 0) throw new ArgError(`--user wants NAME:PASSWORD, not ${JSON.stringify(s)}`);
  return { name: s.slice(0, i), password: s.slice(i + 1) };
}

export async function serve(argv: string[]): Promise<number> {
  let p;
  try {
    p = parseArgs(SERVE_SPEC, argv);
  } catch (e) {
    if (e instanceof ArgError) {
      process.stderr.write(`sshscope serve: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  if (p.help) {
    process.stdout.write(formatHelp(SERVE_SPEC));
    return 0;
  }
  try {
    if (p.positionals.length) throw new ArgError(`unexpected argument ${JSON.stringify(p.positionals[0])}`);
    const host = getValue(p, 'host') ?? '127.0.0.1';
    const port = parsePort(getValue(p, 'port') ?? '2222');
    const users = new Map<string, ServerUser>();
    for (const u of getAll(p, 'user')) {
      const pu = parseUserPassword(u);
      users.set(pu.name, { ...(users.get(pu.name) ?? {}), ...pu });
    }
    for (const a of getAll(p, 'authorized-keys')) {
      const i = a.indexOf(':');
      if (i <= 0) throw new ArgError(`--authorized-keys wants NAME:FILE, not ${JSON.stringify(a)}`);
      const name = a.slice(0, i);
      const file = a.slice(i + 1);
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (err) {
        throw new ArgError(`cannot read ${file}: ${(err as Error).message}`);
      }
      const prev = users.get(name);
      users.set(name, { ...(prev ?? { name }), name, authorizedKeys: (prev?.authorizedKeys ?? '') + text + (text.endsWith('\n') ? '' : '\n') });
    }
    if (users.size === 0) {
      const pw = Array.from(crypto.getRandomValues(new Uint8Array(6)), (b) => b.toString(16).padStart(2, '0')).join('');
      users.set('demo', { name: 'demo', password: pw });
      process.stdout.write(`no --user given: log in as demo with password ${pw}\n`);
    }
    const hostKeyFiles = getAll(p, 'host-key');
    const hostKeys = hostKeyFiles.length ? hostKeyFiles.map((f) => loadPrivateKeyFile(f)) : [generateEd25519((n) => crypto.getRandomValues(new Uint8Array(n)), 'sshscope serve')];
    hostKeys.forEach((k, i) => {
      const fp = fingerprintSha256(publicKeyOf(k).blob);
      process.stdout.write(`host key ${k.type} ${fp}${hostKeyFiles[i] ? ` (${hostKeyFiles[i]})` : ' (generated for this run)'}\n`);
    });

    const algorithms = algorithmsFromFlags(p);
    // Like sshd's default (Compression yes): offer compression, the client decides.
    algorithms.compression ??= ['none', 'zlib@openssh.com', 'zlib'];

    const trace = p.switches.has('trace');
    const jsonFile = getValue(p, 'json');
    const json = jsonFile ? new JsonLog(createWriteStream(jsonFile, { flags: 'a' })) : null;
    const keylogFile = getValue(p, 'keylog');
    const pcapFile = getValue(p, 'pcap');
    const narrators = new Map<number, TraceNarrator>();
    const timeouts: SocketTimeouts = {};
    for (const [flag, key] of [['login-grace-time', 'handshake'], ['idle-timeout', 'idle'], ['send-stall-timeout', 'sendStall']] as const) {
      const v = getValue(p, flag);
      if (v !== undefined) timeouts[key] = parseSeconds(v, `--${flag}`);
    }

    const opts: ServeOptions = {
      host,
      port,
      hostKeys,
      users: [...users.values()],
      tracePackets: trace || json !== null,
      ...(pcapFile !== undefined ? { pcapFile } : {}),
      ...(Object.keys(timeouts).length ? { timeouts } : {}),
      ...(getValue(p, 'rekey-limit') !== undefined ? { rekeyBytes: parseSize(getValue(p, 'rekey-limit')!, '--rekey-limit') } : {}),
      log: (line) => process.stderr.write(`sshscope serve: ${line}\n`),
      onEvent: (e, id) => {
        if (trace) {
          let n = narrators.get(id);
          if (!n) narrators.set(id, (n = new TraceNarrator({ ansi: !!process.stderr.isTTY && !process.env.NO_COLOR })));
          process.stderr.write(`${n.next(e).replace(/^/gm, `#${id} `)}\n`);
          if (e.type === 'closed') narrators.delete(id);
        }
        json?.write({ connection: id, ...e });
        if (keylogFile && e.type === 'keys') {
          const info = keylogOf(e);
          if (info) appendFileSync(keylogFile, keylogLines(info, 'server', KEX[e.kex]?.kEncoding ?? 'mpint').join('\n') + '\n');
        }
      },
    };
    if (Object.keys(algorithms).length) opts.algorithms = algorithms;
    const banner = getValue(p, 'banner');
    if (banner) opts.banner = banner.endsWith('\n') ? banner : banner + '\n';
    const maxAuthTries = getValue(p, 'max-auth-tries');
    if (maxAuthTries !== undefined) {
      if (!/^[1-9]\d{0,3}$/.test(maxAuthTries)) throw new ArgError(`--max-auth-tries wants a whole number from 1 to 9999, not ${JSON.stringify(maxAuthTries)}`);
      opts.maxAuthTries = Number(maxAuthTries);
    }
    const running = await startServer(opts);
    if (!/^(127\.|::1$|localhost$)/.test(running.host)) {
      process.stderr.write(`sshscope serve: warning: listening on ${running.host}, not only loopback: anyone who can reach this port may try these passwords\n`);
    }
    process.stdout.write(`sshscope serve listening on ${running.host.includes(':') ? `[${running.host}]` : running.host}:${running.port}\n`);
    return await new Promise<number>((resolve) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        void running.close().then(() => {
          json?.close();
          resolve(0);
        });
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
  } catch (e) {
    if (e instanceof ArgError) {
      process.stderr.write(`sshscope serve: ${e.message}\n`);
      return 2;
    }
    process.stderr.write(`sshscope serve: ${(e as Error).message}\n`);
    return 1;
  }
}
