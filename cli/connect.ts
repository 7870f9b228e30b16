// `sshscope connect`: an ssh(1)-like client on top of our engine. stdin → channel data (binary
// transparent; EOF on stdin → channel EOF), remote stdout → stdout, extended data 1 → stderr, exit
// code = the remote exit status (255 when the connection fails, like ssh). With a command: exec;
// without one: a shell, with a pty when stdin is a terminal (raw mode, window-change on resize).

import { appendFileSync, createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { createClient, defaultEnv, KEX, SIGNATURES, type ClientConfig, type Connection, type HostKeyInfo, type SshEvent, type SshPrivateKey } from '../engine/index.ts';
import { attachSocket, connectTcp, type AttachedSocket } from '../engine/adapters/node-tcp.ts';
import { TraceNarrator } from '../engine/trace-text.ts';
import { parseOpensshPrivateKey } from '../engine/keys/openssh-private-key.ts';
import { KeyFileError } from '../engine/keys/errors.ts';
import { nodeCryptoProvider } from './node-crypto.ts';
import { ALGORITHM_FLAGS, algorithmsFromFlags } from './algorithm-flags.ts';
import { ArgError, countSwitch, formatHelp, getAll, getValue, parseArgs, parseDestination, parseList, parsePort, type CommandSpec } from './args.ts';
import { JsonLog } from './json-log.ts';
import { keylogLines, keylogOf, legacyKeylogLines } from './keylog.ts';
import { SessionRecorder } from '../engine/capture/session-recorder.ts';
import { commandInput } from './stdin-stream.ts';
import { view } from './node-buffers.ts';

export const CONNECT_SPEC: CommandSpec = {
  name: 'connect',
  usage: 'connect [-p PORT] [-i KEYFILE] [--password-env VAR] [--known-hosts FILE] [--accept-new] [--kex L] [--hostkey-algs L] [--ciphers L] [--macs L] [--trace] [--json FILE] [--keylog FILE] [--pcap FILE] user@host [command…]',
  summary: 'Logs in to an SSH server like ssh(1) does, with our own TypeScript client, and can narrate every step of the protocol (--trace).',
  stopAfterPositionals: 1,
  flags: [
    { name: 'port', short: 'p', value: true, valueName: 'PORT', help: 'port to connect to (default 22)' },
    { name: 'login', short: 'l', value: true, valueName: 'USER', help: 'user to log in as (or user@host)' },
    { name: 'identity', short: 'i', value: true, repeat: true, valueName: 'KEYFILE', help: 'unencrypted OpenSSH ed25519 private key (default ~/.ssh/id_ed25519 when present)' },
    { name: 'passphrase-env', value: true, valueName: 'VAR', help: 'read the passphrase of encrypted key files from this environment variable (else it is asked on the terminal)' },
    { name: 'password-env', value: true, valueName: 'VAR', help: 'read the password from this environment variable' },
    { name: 'known-hosts', value: true, valueName: 'FILE', help: 'known_hosts file (default ~/.ssh/known_hosts)' },
    { name: 'accept-new', help: 'trust an unknown host key on first use and add it to known_hosts (a changed key is always refused)' },
    ...ALGORITHM_FLAGS,
    { name: 'compression', value: true, valueName: 'LIST', help: 'compression methods, e.g. zlib@openssh.com,zlib,none (default none)' },
    { name: 'compress', short: 'C', help: 'ask for compression, like ssh -C (zlib@openssh.com,zlib,none)' },
    { name: 'trace', short: 'v', help: 'narrate every protocol event on stderr' },
    { name: 'json', value: true, valueName: 'FILE', help: 'write every event as a JSON line' },
    { name: 'keylog', value: true, valueName: 'FILE', help: 'append Wireshark SSH key log lines for every key exchange' },
    { name: 'pcap', value: true, valueName: 'FILE', help: 'write the session as a pcapng capture (synthetic TCP/IP headers, the key log in a Decryption Secrets Block) that sshscope inspect and Wireshark open decrypted' },
    { name: 'keylog-legacy', help: "write the key log in the old '<cookie> <private key>' form that tshark 4.0 reads (curve25519 only)" },
    { name: 'rekey-limit', value: true, valueName: 'BYTES', help: 're-exchange keys after this many bytes (K, M, G suffixes; default 1G, RFC 4253 §9)' },
    { name: 'tty', short: 't', repeat: true, help: 'request a pty even for a command (-tt: even when stdin is not a terminal)' },
    { name: 'no-tty', short: 'T', help: 'never request a pty' },
  ],
  notes: ['examples:', '  sshscope connect --trace -p 2222 alice@127.0.0.1 echo hi', '  sshscope connect --accept-new --keylog keys.log user@example.org'],
};

/** A key file that needs a passphrase we were not given. */
export class PassphraseNeeded extends ArgError {
  readonly file: string;
  constructor(file: string, message: string) {
    super(message);
    this.file = file;
  }
}

/**
 * Reads an OpenSSH private key file (engine/keys/openssh-private-key.ts): unencrypted, or encrypted
 * (bcrypt-pbkdf + aes256-ctr …) when `passphrase` is given. Any key type the engine can sign with.
 */
export function loadPrivateKeyFile(file: string, passphrase?: string): SshPrivateKey {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ArgError(`cannot read key file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let key: { type: string };
  try {
    key = parseOpensshPrivateKey(text, passphrase !== undefined ? { passphrase } : {}) as { type: string };
  } catch (e) {
    if (e instanceof KeyFileError && e.code === 'passphrase-required') throw new PassphraseNeeded(file, `${file}: ${e.message}`);
    throw new ArgError(`${file}: ${(e as Error).message}`);
  }
  // usable when the engine has a signature algorithm for this key type (ed25519 today)
  if (!Object.values(SIGNATURES).some((sig) => sig.keyType === key.type)) {
    throw new ArgError(`${file}: ${key.type} keys cannot sign in this version yet (supported: ${[...new Set(Object.values(SIGNATURES).map((sig) => sig.keyType))].join(', ')})`);
  }
  return key as SshPrivateKey;
}

/** "1048576", "512K", "1M", "1G" → bytes. */
export function parseSize(s: string, what: string): number {
  const m = /^(\d+)([KMG]?)$/i.exec(s);
  if (!m) throw new ArgError(`${what} wants a byte count such as 512K, 1M or 1G, not ${JSON.stringify(s)}`);
  const n = Number(m[1]) * ({ '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 } as Record<string, number>)[m[2]!.toUpperCase()]!;
  if (n < 16 * 1024) throw new ArgError(`${what} must be at least 16K`);
  return n;
}

/** Host as known_hosts names it: "host" for port 22, "[host]:port" otherwise. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

const MiB = 1024 * 1024;

/** Reads a password from the terminal without echo. Null when there is no terminal or on ^C. */
function promptPassword(prompt: string): Promise<string | null> {
  const stdin = process.stdin;
  if (!stdin.isTTY) return Promise.resolve(null);
  return new Promise((resolve) => {
    const wasRaw = stdin.isRaw;
    // echo off BEFORE the prompt shows: what is typed after seeing it must never be echoed
    stdin.setRawMode(true);
    process.stderr.write(prompt);
    stdin.resume();
    let buf = '';
    const done = (v: string | null) => {
      stdin.off('data', onData);
      stdin.setRawMode(wasRaw);
      stdin.pause();
      process.stderr.write('\n');
      resolve(v);
    };
    const onData = (d: Buffer) => {
      for (const ch of d.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done(buf);
        if (ch === '\x03' || ch === '\x04') return done(null);
        if (ch === '\x7f' || ch === '\b') buf = buf.slice(0, -1);
        else buf += ch;
      }
    };
    stdin.on('data', onData);
  });
}

interface ConnectPlan {
  host: string;
  port: number;
  cfg: ClientConfig;
  command: string | null;
  pty: boolean;
  trace: boolean;
  json: JsonLog | null;
  keylogFile: string | null;
  keylogLegacy: boolean;
  pcapFile: string | null;
  knownHostsFile: string;
  acceptNew: boolean;
  keyFiles: string[];
  /** -i given: a key that cannot be loaded is an error (a default key is skipped instead). */
  explicitKeys: boolean;
  passphrase?: string;
}

/** Loads the identity files, asking for passphrases on the terminal when needed. */
async function loadKeys(pl: ConnectPlan): Promise<SshPrivateKey[]> {
  const keys: SshPrivateKey[] = [];
  for (const file of pl.keyFiles) {
    try {
      try {
        keys.push(loadPrivateKeyFile(file, pl.passphrase));
      } catch (e) {
        if (!(e instanceof PassphraseNeeded) || pl.passphrase !== undefined) throw e;
        const pp = await promptPassword(`Enter passphrase for key '${file}': `);
        if (pp === null) throw e;
        keys.push(loadPrivateKeyFile(file, pp));
      }
    } catch (e) {
      if (pl.explicitKeys) throw e;
      // a default key we cannot use is skipped, as ssh skips keys it cannot load
    }
  }
  return keys;
}

function plan(argv: string[]): ConnectPlan | { help: string } {
  const p = parseArgs(CONNECT_SPEC, argv);
  if (p.help) return { help: formatHelp(CONNECT_SPEC) };
  if (p.positionals.length === 0) throw new ArgError('missing destination user@host');
  const dest = parseDestination(p.positionals[0]!);
  const command = p.positionals.length > 1 ? p.positionals.slice(1).join(' ') : null;
  const portFlag = getValue(p, 'port');
  const port = portFlag !== undefined ? parsePort(portFlag) : (dest.port ?? 22);
  const username = getValue(p, 'login') ?? dest.user ?? process.env.USER ?? userInfo().username;

  // manualWindow: window is granted only once our stdout/stderr took the data (back-pressure, RFC 4254 §5.2).
  const cfg: ClientConfig = { username, env: defaultEnv(nodeCryptoProvider), manualWindow: true };
  const keyFiles = getAll(p, 'identity');
  const passVar = getValue(p, 'passphrase-env');
  let passphrase: string | undefined;
  if (passVar !== undefined) {
    passphrase = process.env[passVar];
    if (passphrase === undefined) throw new ArgError(`--passphrase-env: environment variable ${passVar} is not set`);
  }
  const defaultKey = join(homedir(), '.ssh', 'id_ed25519');
  const pwVar = getValue(p, 'password-env');
  if (pwVar !== undefined) {
    const pw = process.env[pwVar];
    if (pw === undefined) throw new ArgError(`--password-env: environment variable ${pwVar} is not set`);
    cfg.password = pw;
  }
  const algorithms = algorithmsFromFlags(p);
  if (!algorithms.compression && p.switches.has('compress')) algorithms.compression = ['zlib@openssh.com', 'zlib', 'none'];
  if (Object.keys(algorithms).length) cfg.algorithms = algorithms;

  const rekey = getValue(p, 'rekey-limit');
  if (rekey !== undefined) cfg.rekeyBytes = parseSize(rekey, '--rekey-limit');

  const tty = countSwitch(p, 'tty');
  const noTty = p.switches.has('no-tty');
  const stdinTty = !!process.stdin.isTTY;
  // ssh(1): a pty for an interactive shell on a terminal; -t forces one for a command (when
  // stdin is a terminal), -tt even without a terminal; -T never.
  const pty = !noTty && (tty >= 2 || (tty === 1 && stdinTty) || (command === null && stdinTty));
  if (tty === 1 && !stdinTty && !noTty) process.stderr.write('Pseudo-terminal will not be allocated because stdin is not a terminal (use -tt to force one).\n');

  const jsonFile = getValue(p, 'json');
  // packet events with field trees cost time on bulk data: build them only when someone reads them
  cfg.trace = p.switches.has('trace') || jsonFile !== undefined;
  return {
    host: dest.host,
    port,
    cfg,
    command,
    pty,
    trace: p.switches.has('trace'),
    json: jsonFile ? new JsonLog(createWriteStream(jsonFile, { flags: 'w' })) : null,
    keylogFile: getValue(p, 'keylog') ?? null,
    keylogLegacy: p.switches.has('keylog-legacy'),
    pcapFile: getValue(p, 'pcap') ?? null,
    knownHostsFile: getValue(p, 'known-hosts') ?? join(homedir(), '.ssh', 'known_hosts'),
    acceptNew: p.switches.has('accept-new'),
    keyFiles: keyFiles.length ? keyFiles : existsSync(defaultKey) ? [defaultKey] : [],
    explicitKeys: keyFiles.length > 0,
    ...(passphrase !== undefined ? { passphrase } : {}),
  };
}

/** The known_hosts policy: look the key up; on first use with --accept-new, append the line. */
async function hostKeyPolicy(pl: ConnectPlan, say: (s: string) => void): Promise<(info: HostKeyInfo) => 'known' | 'unknown' | 'changed'> {
  // loaded here so that `serve` (which shares loadPrivateKeyFile) does not need it
  const { formatKnownHostsLine, lookupHost, parseKnownHosts } = await import('../engine/keys/known-hosts.ts');
  return (info) => {
    let text = '';
    try {
      text = readFileSync(pl.knownHostsFile, 'utf8');
    } catch {
      // no file yet: every host is unknown
    }
    const entries = parseKnownHosts(text);
    const found = lookupHost(entries, pl.host, pl.port, info.blob);
    const name = knownHostsName(pl.host, pl.port);
    if (found.result === 'known') return 'known';
    if (found.result === 'changed' || found.result === 'revoked') {
      const where = found.line !== undefined ? `${pl.knownHostsFile}:${found.line}` : pl.knownHostsFile;
      say(
        [
          '@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@',
          found.result === 'revoked' ? '@  THE HOST KEY OF THIS SERVER HAS BEEN REVOKED!           @' : '@  WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!        @',
          '@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@',
          `The ${info.algorithm} key that ${name} presented now is not the one recorded for it.`,
          'Someone may be intercepting this connection (a man-in-the-middle), or the server was',
          're-installed and got a new host key. We refuse to continue either way.',
          `The server's key fingerprint is ${info.fingerprint}.`,
          `The recorded key is at ${where}; remove that line if you are sure the change is legitimate.`,
          'Host key verification failed.',
        ].join('\n'),
      );
      return 'changed';
    }
    if (!pl.acceptNew) {
      say(`The authenticity of host ${name} can't be established: it is not in ${pl.knownHostsFile}.\n${info.algorithm} key fingerprint is ${info.fingerprint}.\nRun again with --accept-new to trust it on first use.\nHost key verification failed.`);
      return 'unknown';
    }
    const line = formatKnownHostsLine(pl.host, pl.port, info.blob);
    mkdirSync(dirname(pl.knownHostsFile), { recursive: true });
    const needsNewline = text.length > 0 && !text.endsWith('\n');
    appendFileSync(pl.knownHostsFile, (needsNewline ? '\n' : '') + line + '\n');
    say(`Warning: permanently added '${name}' (${info.algorithm}) to the list of known hosts.`);
    return 'unknown';
  };
}

export async function connect(argv: string[]): Promise<number> {
  let pl: ConnectPlan;
  try {
    const r = plan(argv);
    if ('help' in r) {
      process.stdout.write(r.help);
      return 0;
    }
    pl = r;
  } catch (e) {
    if (e instanceof ArgError) {
      process.stderr.write(`sshscope connect: ${e.message}\n`);
      return 255;
    }
    throw e;
  }
  const say = (s: string) => process.stderr.write(s + '\n');
  try {
    const keys = await loadKeys(pl);
    if (keys.length) pl.cfg.keys = keys;
  } catch (e) {
    say(`sshscope connect: ${(e as Error).message}`);
    pl.json?.close();
    return 255;
  }
  pl.cfg.hostKeyCheck = await hostKeyPolicy(pl, say);
  pl.cfg.acceptUnknownHostKey = pl.acceptNew;

  let socket;
  try {
    socket = await connectTcp(pl.host, pl.port);
  } catch (e) {
    say(`sshscope: ${(e as Error).message}`);
    pl.json?.close();
    return 255;
  }
  const conn = createClient(pl.cfg);
  return runSession(conn, socket, pl, say);
}

function runSession(conn: Connection, socket: import('node:net').Socket, pl: ConnectPlan, say: (s: string) => void): Promise<number> {
  return new Promise((resolve) => {
    // raw mode and window size belong to the terminal; the command's input may be our own stream
    // on fd 0 (a regular file read 1 MiB at a time, stdin-stream.ts), else process.stdin itself
    const stdin = process.stdin;
    const input = commandInput();
    let channel = -1;
    let exitStatus: number | null = null;
    let stdinStarted = false;
    let stdinPaused = false;
    let stdinEnded = false;
    let finished = false;
    let rawMode = false;
    let lastError: string | null = null;
    let authed = false;
    let quiet = false;
    let attached: AttachedSocket;
    // --pcap: everything that crosses the socket, with the endpoints as the socket sees them
    const recorder = pl.pcapFile ? new SessionRecorder('client') : null;
    const localEnd = { ip: socket.localAddress ?? '127.0.0.1', port: socket.localPort ?? 0 };
    const remoteEnd = { ip: socket.remoteAddress ?? pl.host, port: socket.remotePort ?? pl.port };
    const narrator = new TraceNarrator({ ansi: !!process.stderr.isTTY && !process.env.NO_COLOR });

    const cleanup = () => {
      if (rawMode && stdin.isTTY) stdin.setRawMode(false);
      rawMode = false;
      input.off('data', onStdin);
      input.off('end', onStdinEnd);
      process.stdout.off('resize', onResize);
      process.stdout.off('error', onOutputError);
      input.pause();
      if (stdinStarted && !input.isTTY) input.destroy();
    };
    const finish = (code: number) => {
      if (finished) return;
      finished = true;
      cleanup();
      pl.json?.close();
      if (recorder && pl.pcapFile) {
        try {
          writeFileSync(pl.pcapFile, recorder.toPcapng(localEnd, remoteEnd));
        } catch (e) {
          say(`sshscope: --pcap ${pl.pcapFile}: ${(e as Error).message}`);
        }
      }
      resolve(code);
    };

    const flowCheck = () => {
      if (!stdinStarted || stdinEnded || channel < 0) return;
      const busy = conn.bufferedAmount(channel) > MiB || attached.congested;
      if (busy && !stdinPaused) {
        stdinPaused = true;
        input.pause();
      } else if (!busy && stdinPaused) {
        stdinPaused = false;
        input.resume();
      }
    };
    const onStdin = (d: Buffer) => {
      if (channel < 0 || conn.closed) return;
      // no copy: a stream hands each chunk over for good (Node allocates a new one per read)
      conn.command({ type: 'data', channel, data: view(d) });
      attached.pump();
    };
    const onStdinEnd = () => {
      stdinEnded = true;
      if (channel >= 0 && !conn.closed) {
        conn.command({ type: 'eof', channel });
        attached.pump();
      }
    };
    const onResize = () => {
      if (channel < 0 || conn.closed) return;
      conn.command({ type: 'window-change', channel, cols: process.stdout.columns ?? 80, rows: process.stdout.rows ?? 24 });
      attached.pump();
    };
    const startStdin = () => {
      if (stdinStarted) return;
      stdinStarted = true;
      if (pl.pty && stdin.isTTY) {
        stdin.setRawMode(true);
        rawMode = true;
        process.stdout.on('resize', onResize);
      }
      input.on('data', onStdin);
      input.on('end', onStdinEnd);
      input.resume();
    };

    const onEvent = (e: SshEvent) => {
      if (pl.trace) say(narrator.next(e));
      pl.json?.write(e);
      switch (e.type) {
        case 'keys': {
          if (recorder) {
            const info = keylogOf(e);
            // the modern lines for us, the old two-field one for Wireshark ≤ 4.0 (curve25519)
            if (info) recorder.addKeylog([...keylogLines(info, 'client', KEX[e.kex]?.kEncoding ?? 'mpint'), ...(e.kex.startsWith('curve25519') ? legacyKeylogLines(info, 'client') : [])]);
          }
          if (!pl.keylogFile) break;
          const info = keylogOf(e);
          if (info) {
            const lines = pl.keylogLegacy ? legacyKeylogLines(info, 'client') : keylogLines(info, 'client', KEX[e.kex]?.kEncoding ?? 'mpint');
            if (lines.length) appendFileSync(pl.keylogFile, lines.join('\n') + '\n');
            else say(`sshscope: --keylog-legacy: ${e.kex} has no ephemeral private key to log`);
          }
          break;
        }
        case 'decision':
          if (e.kind === 'password') {
            const id = e.id;
            const d = (e.detail ?? {}) as { user?: string };
            void promptPassword(`${d.user ?? pl.cfg.username}@${pl.host}'s password: `).then((pw) => {
              conn.answer(id, pw);
              attached.pump();
            });
          } else conn.answer(e.id, false); // host keys are decided by the known_hosts policy
          break;
        case 'banner':
          if (!pl.trace) process.stderr.write(e.message);
          break;
        case 'auth':
          if (e.result === 'success' && !authed) {
            authed = true;
            channel = conn.command({ type: 'open-session' });
          }
          break;
        case 'channel':
          if (e.id !== channel) break;
          handleChannel(e);
          break;
        case 'error':
          // the first error is the cause; a disconnect that follows repeats it in other words
          if (lastError === null && !(e.local && e.reason === 11)) lastError = e.message;
          break;
        case 'closed':
          if (exitStatus === null) {
            const msg = lastError ?? e.message;
            if (!pl.trace && !quiet && msg) say(`sshscope: ${msg}`);
          }
          attached.destroy();
          finish(exitStatus ?? 255);
          break;
      }
    };

    const handleChannel = (e: Extract<SshEvent, { type: 'channel' }>) => {
      const d = (e.detail ?? {}) as Record<string, unknown>;
      switch (e.change) {
        case 'open':
          if (pl.pty) conn.command({ type: 'pty', channel, term: process.env.TERM ?? 'xterm-256color', cols: process.stdout.columns ?? 80, rows: process.stdout.rows ?? 24 });
          if (pl.command !== null) conn.command({ type: 'exec', channel, command: pl.command });
          else conn.command({ type: 'shell', channel });
          startStdin();
          break;
        case 'open-failed':
          say(`sshscope: the server refused to open a session: ${JSON.stringify(d.description ?? d.reasonCode ?? '')}`);
          conn.command({ type: 'disconnect', description: 'session refused' });
          break;
        case 'data':
        case 'extended-data':
          if (d.data instanceof Uint8Array) {
            const bytes = d.data.length;
            (e.change === 'data' ? process.stdout : process.stderr).write(d.data, () => {
              conn.command({ type: 'consume', channel: e.id, bytes });
              attached?.pump();
            });
          }
          break;
        case 'exit-status':
          exitStatus = Number(d.status) & 0xff;
          break;
        case 'exit-signal':
          say(`sshscope: remote command killed by signal ${String(d.signal)}${d.message ? `: ${String(d.message)}` : ''}`);
          exitStatus = 255;
          break;
        case 'request-failure':
          if (d.request === 'pty-req') say('sshscope: PTY allocation request failed');
          else if (d.request === 'exec' || d.request === 'shell') {
            say(`sshscope: the server refused the ${String(d.request)} request`);
            conn.command({ type: 'close', channel });
          }
          break;
        case 'close':
        case 'closed':
          if (!conn.closed) conn.command({ type: 'disconnect', description: 'disconnected by user' });
          break;
      }
    };

    // Our reader went away (`… | head -1`): end the session quietly, as ssh does on SIGPIPE.
    const onOutputError = () => {
      quiet = true;
      if (!conn.closed) conn.command({ type: 'disconnect', description: 'local output closed' });
      attached.pump();
      attached.destroy();
      finish(exitStatus ?? 255);
    };
    process.stdout.once('error', onOutputError);

    attached = attachSocket(recorder ? recorder.tap(conn) : conn, socket, onEvent, { side: 'client', onPumped: flowCheck, onDrain: flowCheck });
    attached.pump();
  });
}
