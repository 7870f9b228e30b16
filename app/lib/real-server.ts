// "Connect to a real server": our client engine runs in the page and reaches a real SSH server
// through the bridge of `sshscope start` (cli/bridge.ts, docs/bridge.md). This module is the
// logic behind ConnectForm.svelte, free of Svelte and DOM so it runs in Node tests too:
//   - loadPrivateKeyText: a key file opened locally (never sent anywhere), with its passphrase;
//   - startRealSession: client config from the form, the WebSocket adapter, the host-key
//     question checked against the browser's known_hosts, exec of one command (or a shell);
//   - viewEvents: the client's one-sided log shaped for the views, which keep the SENDER's copy
//     of each packet (app/lib/steps.ts): what the client received is what the server sent.

import { createClient, defaultEnv, type ClientConfig, type Env, type HostKeyInfo, type SshEvent, type SshPrivateKey } from '../../engine/index.ts';
import { attachWebSocket, bridgeUrl, BRIDGE_CLOSE_TEXT, type AttachedWebSocket, type WebSocketLike } from '../../engine/adapters/websocket.ts';
import { KeyFileError } from '../../engine/keys/errors.ts';
import { parsePrivateKeyFile } from '../../engine/keys/pem.ts';
import { publicKeyOf } from '../../engine/keys/private-key-types.ts';
import { formatPublicKeyLine } from '../../engine/keys/public-key.ts';
import { fingerprintSha256, keyRandomart } from '../../engine/keys/fingerprint.ts';
import { base64Encode } from '../../engine/keys/base64.ts';
import { SIGNATURES } from '../../engine/algorithms/signatures.ts';
import type { BrowserKnownHosts } from './browser-known-hosts.ts';
import type { HostFiles } from './scenario.ts';

// ---------------------------------------------------------------------------------------------
// key files

export type KeyLoad =
  | { ok: true; key: SshPrivateKey; publicLine: string; fingerprint: string; type: string }
  | { ok: false; needPassphrase: true; wrong: boolean; message: string }
  | { ok: false; needPassphrase: false; message: string };

/**
 * Reads a private key file's text (openssh-key-v1 or PEM). An encrypted openssh key asks for its
 * passphrase (bcrypt-pbkdf, PROTOCOL.key); a wrong one says so. Only key types the engine can
 * sign with are accepted.
 */
export function loadPrivateKeyText(text: string, passphrase?: string): KeyLoad {
  let key;
  try {
    key = parsePrivateKeyFile(text, passphrase !== undefined && passphrase !== '' ? { passphrase } : {});
  } catch (e) {
    if (e instanceof KeyFileError && (e.code === 'passphrase-required' || e.code === 'wrong-passphrase')) {
      return { ok: false, needPassphrase: true, wrong: e.code === 'wrong-passphrase', message: e.message };
    }
    return { ok: false, needPassphrase: false, message: e instanceof Error ? e.message : String(e) };
  }
  if (!Object.values(SIGNATURES).some((sig) => sig.keyType === key.type)) {
    return { ok: false, needPassphrase: false, message: `${key.type} keys cannot sign in this version` };
  }
  const pub = publicKeyOf(key);
  return { ok: true, key: key as SshPrivateKey, publicLine: formatPublicKeyLine(pub, key.comment || undefined), fingerprint: fingerprintSha256(pub.blob), type: key.type };
}

// ---------------------------------------------------------------------------------------------
// the form

export interface RealServerForm {
  host: string;
  port: number;
  user: string;
  /** Password to try ('' for none). */
  password: string;
  /** A loaded key to offer first (publickey), or null. */
  key: SshPrivateKey | null;
  /** Preferred algorithms ('' keeps the engine's default list). The choice goes first, the defaults follow. */
  kex: string;
  cipher: string;
  hostKey: string;
  /** Command to run (exec, RFC 4254 §6.5); '' opens a shell with a pty instead. */
  command: string;
}

export const DEFAULT_FORM: RealServerForm = { host: '127.0.0.1', port: 22, user: '', password: '', key: null, kex: '', cipher: '', hostKey: '', command: 'uname -a' };

/** "host:port" as the bridge and the top bar name it ("[::1]:22" for IPv6). */
export function targetLabel(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Why the form cannot be sent yet, as string keys of app/lib/strings/real-server.ts; [] when it can. */
export function formProblems(f: RealServerForm): ('real.err.host' | 'real.err.port' | 'real.err.user' | 'real.err.auth')[] {
  const out: ('real.err.host' | 'real.err.port' | 'real.err.user' | 'real.err.auth')[] = [];
  if (!/^[A-Za-z0-9._:-]+$/.test(f.host.trim())) out.push('real.err.host');
  if (!Number.isInteger(f.port) || f.port < 1 || f.port > 65535) out.push('real.err.port');
  if (f.user.trim() === '' || /\s/.test(f.user)) out.push('real.err.user');
  if (f.password === '' && !f.key) out.push('real.err.auth');
  return out;
}

/** Puts `first` in front of the defaults (RFC 4253 §7.1: the client's first choice the server supports wins). */
function prefer(first: string, defaults: readonly string[]): string[] {
  return first ? [first, ...defaults.filter((a) => a !== first)] : [...defaults];
}

/** The engine's ClientConfig for a form (no hostKeyCheck: the engine asks a 'host-key' decision). */
export async function clientConfigFor(f: RealServerForm, env: Env = defaultEnv()): Promise<ClientConfig> {
  const { DEFAULT_KEX, DEFAULT_CIPHERS, DEFAULT_HOST_KEY } = await import('../../engine/algorithms/defaults.ts');
  const cfg: ClientConfig = { username: f.user.trim(), env };
  const methods: ('publickey' | 'password')[] = [];
  if (f.key) {
    cfg.keys = [f.key];
    methods.push('publickey');
  }
  if (f.password !== '') {
    cfg.password = f.password;
    methods.push('password');
  }
  cfg.authMethods = methods;
  const algorithms: ClientConfig['algorithms'] = {};
  if (f.kex) algorithms.kex = prefer(f.kex, DEFAULT_KEX);
  if (f.cipher) algorithms.cipher = prefer(f.cipher, DEFAULT_CIPHERS);
  if (f.hostKey) algorithms.hostKey = prefer(f.hostKey, DEFAULT_HOST_KEY);
  if (Object.keys(algorithms).length) cfg.algorithms = algorithms;
  return cfg;
}

// ---------------------------------------------------------------------------------------------
// the host-key question

export type HostKeyVerdict = 'known' | 'unknown' | 'changed' | 'revoked';

export interface HostKeyQuestion {
  host: string;
  port: number;
  /** "host" or "[host]:port", the name known_hosts uses. */
  name: string;
  algorithm: string;
  blob: Uint8Array;
  /** "SHA256:…" */
  fingerprint: string;
  randomart: string;
  verdict: HostKeyVerdict;
  /** The known_hosts line that matched (known) or that holds the other key (changed/revoked). */
  line?: number;
  /** The line "accept and save" appends. */
  newLine: string;
}

/** once: trust for this connection; save: also add to the browser's known_hosts; refuse: disconnect. */
export type HostKeyAnswer = 'once' | 'save' | 'refuse';

// ---------------------------------------------------------------------------------------------
// the session

export type RealState = 'connecting' | 'handshake' | 'host-key' | 'auth' | 'session' | 'closed';

export interface RealSessionOptions {
  /** ws(s)://<page host>/bridge (engine/adapters/websocket.ts pageBridgeEndpoint). */
  endpoint: string;
  form: RealServerForm;
  knownHosts: BrowserKnownHosts;
  /** Makes the WebSocket (the browser's `new WebSocket(url)`, or the `ws` package in Node). */
  makeWebSocket: (url: string) => WebSocketLike;
  /** Asks the person (unknown or changed host key). Not called for a known key. */
  askHostKey: (q: HostKeyQuestion) => Promise<HostKeyAnswer>;
  /** Called after every batch of events (throttle rendering yourself). */
  onUpdate?: (s: RealSession) => void;
  /** Called once when the connection is over. */
  onEnd?: (s: RealSession) => void;
  env?: Env;
  /** Terminal size for a shell. */
  cols?: number;
  rows?: number;
}

export class RealSession {
  /** The client's events, as the engine emitted them. */
  readonly events: SshEvent[] = [];
  state: RealState = 'connecting';
  stdout = '';
  stderr = '';
  exitStatus: number | null = null;
  /** The bridge's refusal or the disconnect reason, once closed. */
  endReason = '';
  closeCode: number | null = null;
  /** Set once authentication succeeded. */
  authenticated = false;
  /** The host key the server presented, as a public key line. */
  hostKeyLine = '';
  knownHostsLine = '';
  /** Every output chunk so far (stdout and stderr, in order), to redraw a terminal. */
  readonly output: Uint8Array[] = [];
  /** Output chunks for a terminal (shell mode), as they arrive. */
  onOutput: ((data: Uint8Array) => void) | null = null;
  readonly target: string;
  private channel = -1;
  private attached: AttachedWebSocket | null = null;
  private conn: ReturnType<typeof createClient> | null = null;
  private readonly decoder = new TextDecoder();
  private readonly errDecoder = new TextDecoder();
  private ended = false;

  constructor(private readonly o: RealSessionOptions) {
    this.target = targetLabel(o.form.host.trim(), o.form.port);
  }

  /** Opens the WebSocket and starts the handshake. */
  async start(): Promise<void> {
    const cfg = await clientConfigFor(this.o.form, this.o.env);
    const conn = createClient(cfg);
    this.conn = conn;
    const ws = this.o.makeWebSocket(bridgeUrl(this.o.endpoint, this.o.form.host.trim(), this.o.form.port));
    this.attached = attachWebSocket(conn, ws, (e) => this.onEvent(e), {
      onOpen: () => {
        if (this.state === 'connecting') this.state = 'handshake';
      },
      onPumped: () => this.o.onUpdate?.(this),
    });
  }

  /** Keystrokes for the shell. */
  send(text: string): void {
    if (!this.conn || this.channel < 0 || this.ended) return;
    this.conn.command({ type: 'data', channel: this.channel, data: new TextEncoder().encode(text) });
    this.attached?.pump();
  }

  resize(cols: number, rows: number): void {
    if (!this.conn || this.channel < 0 || this.ended) return;
    this.conn.command({ type: 'window-change', channel: this.channel, cols, rows });
    this.attached?.pump();
  }

  /** Disconnects (SSH_MSG_DISCONNECT, then the WebSocket closes). */
  stop(): void {
    if (!this.conn || this.ended) return;
    if (!this.conn.closed) this.conn.command({ type: 'disconnect', description: 'closed by the page' });
    this.attached?.pump();
    this.attached?.end();
  }

  /** The command this session runs (exec), or null for a shell. */
  get execCommand(): string | null {
    return this.o.form.command.trim() || null;
  }

  get ws(): AttachedWebSocket | null {
    return this.attached;
  }

  private onEvent(e: SshEvent): void {
    this.events.push(e);
    const conn = this.conn!;
    switch (e.type) {
      case 'decision':
        if (e.kind === 'host-key') this.hostKeyDecision(e, e.detail as HostKeyInfo);
        else conn.answer(e.id, null); // a password we were not given: give up on that method
        break;
      case 'auth':
        if (e.result === 'success') {
          this.authenticated = true;
          this.state = 'session';
          this.channel = conn.command({ type: 'open-session' });
        } else this.state = 'auth';
        break;
      case 'host-key-check':
        if (e.result === 'accepted' || e.result === 'known') this.state = 'auth';
        break;
      case 'channel':
        if (e.id === this.channel) this.onChannel(e.change, (e.detail ?? {}) as { data?: Uint8Array; status?: number });
        break;
      case 'closed':
        this.finish(e.message);
        break;
    }
  }

  private onChannel(change: string, d: { data?: Uint8Array; status?: number }): void {
    const conn = this.conn!;
    const f = this.o.form;
    if (change === 'open') {
      if (f.command.trim()) {
        conn.command({ type: 'exec', channel: this.channel, command: f.command.trim() });
        conn.command({ type: 'eof', channel: this.channel });
      } else {
        conn.command({ type: 'pty', channel: this.channel, term: 'xterm-256color', cols: this.o.cols ?? 80, rows: this.o.rows ?? 24 });
        conn.command({ type: 'shell', channel: this.channel });
      }
    } else if (change === 'data' && d.data) {
      this.stdout += this.decoder.decode(d.data, { stream: true });
      this.output.push(d.data);
      this.onOutput?.(d.data);
    } else if (change === 'extended-data' && d.data) {
      this.stderr += this.errDecoder.decode(d.data, { stream: true });
      this.output.push(d.data);
      this.onOutput?.(d.data);
    } else if (change === 'exit-status' && d.status !== undefined) this.exitStatus = d.status;
    else if (change === 'closed') conn.command({ type: 'disconnect', description: 'session finished' });
  }

  private hostKeyDecision(e: Extract<SshEvent, { type: 'decision' }>, info: HostKeyInfo): void {
    const f = this.o.form;
    const host = f.host.trim();
    const found = this.o.knownHosts.check(host, f.port, info.blob);
    const newLine = this.o.knownHosts.lineFor(host, f.port, info.blob);
    this.hostKeyLine = `${keyTypeOfBlob(info.blob)} ${base64Encode(info.blob)}`;
    this.knownHostsLine = newLine;
    // the verdict ssh would reach, recorded in the log like the engine's own check (RFC 4251 §4.1)
    const verdict: HostKeyVerdict = found.result;
    this.events.push({ ...e, type: 'host-key-check', result: verdict === 'revoked' ? 'changed' : verdict, fingerprint: info.fingerprint, algorithm: info.algorithm } as SshEvent);
    if (verdict === 'known') {
      this.conn!.answer(e.id, true);
      return;
    }
    this.state = 'host-key';
    const q: HostKeyQuestion = {
      host,
      port: f.port,
      name: newLine.split(' ')[0]!,
      algorithm: info.algorithm,
      blob: info.blob,
      fingerprint: info.fingerprint,
      randomart: keyRandomart(info.blob),
      verdict,
      ...(found.line !== undefined ? { line: found.line } : {}),
      newLine,
    };
    void this.o.askHostKey(q).then(
      (answer) => this.answerHostKey(e.id, q, answer),
      () => this.answerHostKey(e.id, q, 'refuse'),
    );
  }

  private answerHostKey(id: number, q: HostKeyQuestion, answer: HostKeyAnswer): void {
    if (this.ended || !this.conn) return;
    // a changed or revoked key is never accepted (ssh refuses: "Host key verification failed")
    const accept = answer !== 'refuse' && q.verdict === 'unknown';
    if (accept && answer === 'save') this.o.knownHosts.add(q.host, q.port, q.blob);
    this.state = accept ? 'auth' : this.state;
    this.conn.answer(id, accept);
    this.attached?.pump();
  }

  private finish(message: string): void {
    if (this.ended) return;
    this.ended = true;
    this.state = 'closed';
    this.stdout += this.decoder.decode();
    const code = this.attached?.closeCode ?? null;
    this.closeCode = code;
    const bridgeReason = this.attached?.closeReason || (code !== null ? BRIDGE_CLOSE_TEXT[code] : undefined);
    this.endReason = code !== null && (code >= 4000 || code === 1006) && bridgeReason ? bridgeReason : message;
    // the WebSocket may close a moment after the engine's 'closed' event: read its reason then
    queueMicrotask(() => this.o.onEnd?.(this));
  }

  /** The bridge's refusal text, when the bridge closed with a 44xx/45xx code or could not be reached (1006), read after onEnd. */
  get bridgeRefusal(): string | null {
    const code = this.attached?.closeCode ?? null;
    if (code === null || (code < 4000 && !(code === 1006 && !this.events.some((e) => e.type === 'version' && e.dir === 's2c')))) return null;
    return this.attached?.closeReason || BRIDGE_CLOSE_TEXT[code] || `closed (${code})`;
  }

  /** What the views need: the log shaped for buildSteps and the files the Hosts view shows. */
  run(): { events: SshEvent[]; files: Partial<HostFiles>; stdout: string; exitStatus: number | null } {
    return {
      events: viewEvents(this.events),
      files: {
        knownHostsLine: this.knownHostsLine,
        hostPublicKey: this.hostKeyLine,
        clientPublicKey: this.o.form.key ? formatPublicKeyLine(publicKeyOf(this.o.form.key as never)) : null,
        authorizedKeys: '',
      },
      stdout: this.stdout + this.stderr,
      exitStatus: this.exitStatus,
    };
  }
}

function keyTypeOfBlob(blob: Uint8Array): string {
  const n = ((blob[0]! << 24) | (blob[1]! << 16) | (blob[2]! << 8) | blob[3]!) >>> 0;
  return new TextDecoder().decode(blob.subarray(4, 4 + Math.min(n, 64)));
}

/**
 * A client-only log shaped for the views (app/lib/steps.ts keeps each packet as logged by its
 * sender, and the server's verdicts on authentication): what the client received from the server
 * is exactly what the server sent, so those events are relabelled as the server's.
 */
export function viewEvents(events: readonly SshEvent[]): SshEvent[] {
  return events.map((e) => {
    if ((e.type === 'packet' || e.type === 'version') && e.side === 'client' && e.dir === 's2c') return { ...e, side: 'server' };
    if (e.type === 'auth' && e.side === 'client') return { ...e, side: 'server' };
    return e;
  });
}

/** Starts a session (see RealSessionOptions). */
export async function startRealSession(o: RealSessionOptions): Promise<RealSession> {
  const s = new RealSession(o);
  await s.start();
  return s;
}
