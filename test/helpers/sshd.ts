// A private OpenSSH sshd on loopback for one test file (recipe: ../../shared/peers.md).
// Everything of one sshd lives in its own temp dir: config, authorized_keys, pid file, log.
// Host keys are generated once (cached in the temp dir) and shared by every sshd we start.

import { spawn, type ChildProcess } from 'node:child_process';
import {
  appendFileSync,
  chmodSync,
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PEER_PATHS } from './peers.ts';

export const TEST_USER = 'sshscope-test';
/** Fixed so that parallel processes agree on it; the account only accepts loopback logins to our sshd. */
export const TEST_PASSWORD = 'sshscope-test-Pw-4253';

export type HostKeyType = 'ed25519' | 'ecdsa' | 'rsa';
const HOST_KEY_TYPES: HostKeyType[] = ['ed25519', 'ecdsa', 'rsa'];

export interface SshdOptions {
  /**
   * sshd_config lines. They are placed BEFORE our defaults (sshd keeps the first value it reads
   * for a keyword, so these override), except a trailing `Match` block, which goes last.
   */
  extraConfig?: string;
  /** authorized_keys lines for the test user (more can be added later with addAuthorizedKey). */
  authorizedKeys?: string[];
  /** Extra `-o Key=Value` arguments on sshd's command line (they override the config file). */
  args?: string[];
}

export interface Sshd {
  port: number;
  host: '127.0.0.1';
  dir: string;
  user: string;
  password: string;
  /** Public host key lines, "type base64" (no comment). */
  hostKeys: Record<HostKeyType, string>;
  /** Paths of the private host key files. */
  hostKeyPaths: Record<HostKeyType, string>;
  configPath: string;
  authorizedKeysPath: string;
  /** known_hosts line(s) for this sshd: one type, or all three joined by "\n". */
  knownHostsLine(type?: HostKeyType): string;
  /** Everything sshd logged so far (LogLevel DEBUG3). */
  logText(): string;
  addAuthorizedKey(line: string): void;
  /** Kills sshd and removes its dir. Safe to call twice. */
  stop(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// process-wide cleanup

const liveChildren = new Set<ChildProcess>();
const liveDirs = new Set<string>();
let exitHookInstalled = false;

function cleanupNow(): void {
  for (const child of liveChildren) {
    try {
      child.kill('SIGTERM');
    } catch {
      /* already gone */
    }
  }
  liveChildren.clear();
  for (const dir of liveDirs) rmSync(dir, { recursive: true, force: true });
  liveDirs.clear();
}

/**
 * Kills our sshds and removes our temp dirs when the process ends. Vitest ends its fork workers
 * with SIGTERM, which skips 'exit' handlers: clean up then too, and exit as SIGTERM would.
 */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', cleanupNow);
  process.once('SIGTERM', () => {
    cleanupNow();
    process.exit(143);
  });
}

/** A temp dir removed when the process exits (unless removed before). */
export function tempDir(prefix = 'sshscope-'): string {
  installExitHook();
  const dir = mkdtempSync(join(tmpdir(), prefix));
  liveDirs.add(dir);
  return dir;
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  liveDirs.delete(dir);
}

// ---------------------------------------------------------------------------------------------
// small process helpers

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a program to completion, collecting its output as text. `env` is added to ours. */
export function runCommand(cmd: string, args: string[], input?: string, opts: { env?: Record<string, string>; cwd?: string } = {}): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const env = opts.env ? { ...process.env, ...opts.env } : process.env;
    // no input: stdin is /dev/null (a pipe would EPIPE when the program exits without reading it)
    const child = spawn(cmd, args, { stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'], env, cwd: opts.cwd });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    if (child.stdin) {
      child.stdin.on('error', () => {
        /* the program exited before reading all of its input: its exit code tells the story */
      });
      child.stdin.end(input);
    }
  });
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------
// ports

/** A port that was free a moment ago on 127.0.0.1 (bind port 0, read it, close). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Resolves true once something accepts TCP connections on 127.0.0.1:port. */
export function portAccepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ host: '127.0.0.1', port });
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => resolve(false));
  });
}

// ---------------------------------------------------------------------------------------------
// keys

export interface KeyPair {
  /** Private key file (OpenSSH format, no passphrase unless given). */
  path: string;
  /** The public key line "type base64 comment". */
  pub: string;
}

/** Generates a key with the real ssh-keygen. `type`: ed25519 | ecdsa | rsa; `bits` for rsa/ecdsa. */
export async function sshKeygen(
  dir: string,
  name: string,
  type: HostKeyType = 'ed25519',
  opts: { bits?: number; comment?: string; passphrase?: string } = {},
): Promise<KeyPair> {
  const path = join(dir, name);
  const args = ['-q', '-t', type, '-N', opts.passphrase ?? '', '-f', path, '-C', opts.comment ?? `sshscope-test-${name}`];
  const bits = opts.bits ?? (type === 'rsa' ? 3072 : undefined);
  if (bits) args.push('-b', String(bits));
  const r = await runCommand(PEER_PATHS.sshKeygen, args);
  if (r.code !== 0) throw new Error(`ssh-keygen ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return { path, pub: readFileSync(`${path}.pub`, 'utf8').trim() };
}

let hostKeysPromise: Promise<{ paths: Record<HostKeyType, string>; pubs: Record<HostKeyType, string> }> | null = null;

/** Where host keys are cached across test processes: generating rsa 3072 takes a while. */
function hostKeyCacheDir(): string {
  const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
  return join(tmpdir(), `sshscope-hostkeys-v1-${uid}`);
}

function readHostKeys(dir: string) {
  const paths = {} as Record<HostKeyType, string>;
  const pubs = {} as Record<HostKeyType, string>;
  for (const t of HOST_KEY_TYPES) {
    paths[t] = join(dir, `host_${t}`);
    pubs[t] = readFileSync(`${paths[t]}.pub`, 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');
  }
  return { paths, pubs };
}

/** A cache dir is usable when it is ours, not writable by others, and holds every key. */
function usableCache(dir: string): boolean {
  try {
    const st = statSync(dir);
    const uid = typeof process.getuid === 'function' ? process.getuid() : st.uid;
    if (!st.isDirectory() || st.uid !== uid || (st.mode & 0o022) !== 0) return false;
    return HOST_KEY_TYPES.every((t) => existsSync(join(dir, `host_${t}`)) && existsSync(join(dir, `host_${t}.pub`)));
  } catch {
    return false;
  }
}

/**
 * ed25519, ecdsa (P-256) and rsa 3072 host keys, generated once and cached in the temp dir for
 * later test processes (made in a scratch dir, then renamed into place atomically).
 */
function processHostKeys() {
  hostKeysPromise ??= (async () => {
    const cache = hostKeyCacheDir();
    if (usableCache(cache)) return readHostKeys(cache);
    const scratch = mkdtempSync(join(tmpdir(), 'sshscope-hostkeys-new-'));
    chmodSync(scratch, 0o755);
    await Promise.all(HOST_KEY_TYPES.map((t) => sshKeygen(scratch, `host_${t}`, t, { comment: '' })));
    try {
      if (existsSync(cache) && !usableCache(cache)) rmSync(cache, { recursive: true, force: true });
      renameSync(scratch, cache);
    } catch {
      // another process won the race (or the cache is not ours): use what is there, else ours
      if (usableCache(cache)) {
        rmSync(scratch, { recursive: true, force: true });
        return readHostKeys(cache);
      }
      liveDirs.add(scratch);
      return readHostKeys(scratch);
    }
    return readHostKeys(cache);
  })();
  return hostKeysPromise;
}

// ---------------------------------------------------------------------------------------------
// the test user

let userReady: Promise<void> | null = null;

/**
 * Creates `sshscope-test` (with a home and bash) when missing and sets its password. A password
 * is needed even for publickey logins: with `UsePAM no`, sshd refuses a locked account.
 */
export function ensureTestUser(): Promise<void> {
  userReady ??= (async () => {
    if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
      throw new Error(`the sshd test harness must run as root: it creates the user ${TEST_USER} (useradd + chpasswd)`);
    }
    const id = await runCommand('id', ['-u', TEST_USER]);
    if (id.code !== 0) {
      const add = await runCommand('useradd', ['-m', '-s', '/bin/bash', TEST_USER]);
      // 9: the user exists (another test process made it meanwhile)
      if (add.code !== 0 && add.code !== 9) throw new Error(`useradd ${TEST_USER} failed (${add.code}): ${add.stderr}`);
    }
    // chpasswd takes a lock on /etc/shadow: parallel test processes may collide, so retry.
    let last: Ran | null = null;
    for (let i = 0; i < 20; i++) {
      last = await runCommand('chpasswd', [], `${TEST_USER}:${TEST_PASSWORD}\n`);
      if (last.code === 0) return;
      await sleep(100 + 50 * i);
    }
    throw new Error(`chpasswd for ${TEST_USER} failed (${last?.code}): ${last?.stderr}`);
  })();
  userReady.catch(() => (userReady = null));
  return userReady;
}

// ---------------------------------------------------------------------------------------------
// sshd

function splitMatch(extra: string): { head: string; match: string } {
  const lines = extra.split('\n');
  const i = lines.findIndex((l) => /^\s*Match\s/i.test(l));
  if (i < 0) return { head: extra, match: '' };
  return { head: lines.slice(0, i).join('\n'), match: lines.slice(i).join('\n') };
}

function configText(dir: string, port: number, hostKeyPaths: Record<HostKeyType, string>, extra: string): string {
  const { head, match } = splitMatch(extra);
  return [
    '# written by test/helpers/sshd.ts',
    head,
    `Port ${port}`,
    'ListenAddress 127.0.0.1',
    ...HOST_KEY_TYPES.map((t) => `HostKey ${hostKeyPaths[t]}`),
    `PidFile ${join(dir, 'sshd.pid')}`,
    'UsePAM no',
    'PasswordAuthentication yes',
    'KbdInteractiveAuthentication no',
    'PubkeyAuthentication yes',
    `AllowUsers ${TEST_USER}`,
    `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
    'StrictModes no',
    'LogLevel DEBUG3',
    'PrintMotd no',
    'PrintLastLog no',
    'UseDNS no',
    'MaxStartups 100:30:200',
    match,
    '',
  ].join('\n');
}

/** Starts a private sshd on a free loopback port and waits until it listens (it logs so). */
export async function startSshd(opts: SshdOptions = {}): Promise<Sshd> {
  installExitHook();
  await ensureTestUser();
  const keys = await processHostKeys();
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  chmodSync('/run/sshd', 0o755);

  const dir = tempDir('sshscope-sshd-');
  chmodSync(dir, 0o755);
  const configPath = join(dir, 'sshd_config');
  const authorizedKeysPath = join(dir, 'authorized_keys');
  const logPath = join(dir, 'sshd.log');
  writeFileSync(authorizedKeysPath, (opts.authorizedKeys ?? []).map((l) => `${l.trim()}\n`).join(''), { mode: 0o644 });

  let lastLog = '';
  for (let attempt = 0; attempt < 8; attempt++) {
    const port = await freePort();
    writeFileSync(configPath, configText(dir, port, keys.paths, opts.extraConfig ?? ''));
    writeFileSync(logPath, '');
    const check = await runCommand(PEER_PATHS.sshd, ['-t', '-f', configPath, ...(opts.args ?? [])]);
    if (check.code !== 0) {
      removeDir(dir);
      throw new Error(`sshd -t rejected the config (${check.code}): ${check.stderr}\n--- config ---\n${readFileSync(configPath, 'utf8')}`);
    }
    const logFd = openSync(logPath, 'a');
    const child = spawn(PEER_PATHS.sshd, ['-D', '-e', '-f', configPath, ...(opts.args ?? [])], {
      stdio: ['ignore', logFd, logFd],
    });
    closeSync(logFd);
    liveChildren.add(child);
    let exited = false;
    const exitPromise = new Promise<void>((resolve) => {
      child.once('exit', () => {
        exited = true;
        liveChildren.delete(child);
        resolve();
      });
      child.once('error', () => {
        exited = true;
        liveChildren.delete(child);
        resolve();
      });
    });

    const ready = await waitReady(port, logPath, () => exited);
    if (ready) return makeHandle({ port, dir, keys, configPath, authorizedKeysPath, logPath, child, exitPromise, isExited: () => exited });
    lastLog = readFileSync(logPath, 'utf8');
    if (!exited) child.kill('SIGKILL');
    await exitPromise;
    if (!/Address already in use|Cannot bind any address/i.test(lastLog)) break;
  }
  removeDir(dir);
  throw new Error(`sshd did not start; its log:\n${lastLog.slice(-4000)}`);
}

async function waitReady(port: number, logPath: string, exited: () => boolean): Promise<boolean> {
  const deadline = Date.now() + 15_000;
  const listening = new RegExp(`Server listening on 127\\.0\\.0\\.1 port ${port}\\b`);
  while (Date.now() < deadline) {
    if (exited()) return false;
    // No test connection: sshd logs this line after listen(), so connections are accepted from
    // now on — and a probe would show up in captures (sshd answers it with its banner).
    if (listening.test(readFileSync(logPath, 'utf8'))) return !exited();
    await sleep(25);
  }
  return false;
}

function makeHandle(s: {
  port: number;
  dir: string;
  keys: { paths: Record<HostKeyType, string>; pubs: Record<HostKeyType, string> };
  configPath: string;
  authorizedKeysPath: string;
  logPath: string;
  child: ChildProcess;
  exitPromise: Promise<void>;
  isExited: () => boolean;
}): Sshd {
  let stopped = false;
  let finalLog: string | null = null;
  return {
    port: s.port,
    host: '127.0.0.1',
    dir: s.dir,
    user: TEST_USER,
    password: TEST_PASSWORD,
    hostKeys: { ...s.keys.pubs },
    hostKeyPaths: { ...s.keys.paths },
    configPath: s.configPath,
    authorizedKeysPath: s.authorizedKeysPath,
    knownHostsLine(type?: HostKeyType) {
      const types = type ? [type] : HOST_KEY_TYPES;
      return types.map((t) => `[127.0.0.1]:${s.port} ${s.keys.pubs[t]}`).join('\n');
    },
    logText() {
      if (finalLog !== null) return finalLog;
      return existsSync(s.logPath) ? readFileSync(s.logPath, 'utf8') : '';
    },
    addAuthorizedKey(line: string) {
      appendFileSync(s.authorizedKeysPath, `${line.trim()}\n`);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      if (!s.isExited()) {
        s.child.kill('SIGTERM');
        const timer = setTimeout(() => s.child.kill('SIGKILL'), 3000);
        await s.exitPromise;
        clearTimeout(timer);
      }
      finalLog = existsSync(s.logPath) ? readFileSync(s.logPath, 'utf8') : '';
      removeDir(s.dir);
    },
  };
}
