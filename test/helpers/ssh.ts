// Runs the real OpenSSH client (/usr/bin/ssh) with defaults suited to tests: no user config, a
// fresh known_hosts per call (trust on first use), no tty, and password auth through an askpass
// helper (recipe: ../../shared/peers.md "The real client").

import { spawn } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PEER_PATHS } from './peers.ts';
import { removeDir, tempDir } from './sshd.ts';

export interface RunSshOptions {
  /** Bytes or text written to ssh's stdin (then closed). Default: nothing. */
  input?: Uint8Array | string;
  /** Extra environment variables. */
  env?: Record<string, string>;
  /** Kill ssh (its whole process group) after this long. Default 30 s. */
  timeoutMs?: number;
  /** Log in with this password via SSH_ASKPASS (turns off BatchMode and publickey auth). */
  password?: string;
  /** Use (and keep) this known_hosts file instead of a fresh one. */
  knownHostsFile?: string;
  /** The binary to run (default /usr/bin/ssh). */
  sshPath?: string;
}

export interface SshResult {
  /** Exit code; null when killed by a signal. ssh itself exits 255 on its own errors. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Uint8Array;
  stderr: string;
  timedOut: boolean;
  /** The full argument list ssh was run with (for failure messages). */
  args: string[];
}

/** `-o Key=Value` options the caller gave, lower-cased keys. */
function callerOptionKeys(args: string[]): Set<string> {
  const keys = new Set<string>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    let opt: string | undefined;
    if (a === '-o') opt = args[++i];
    else if (a.startsWith('-o')) opt = a.slice(2);
    if (opt) keys.add(opt.split(/[=\s]/, 1)[0]!.toLowerCase());
  }
  return keys;
}

/**
 * Runs `ssh` with test defaults followed by `args` (which end with the destination and the remote
 * command, e.g. `['-p', '2222', '-i', key, 'sshscope-test@127.0.0.1', 'echo', 'hi']`). A `-o` the
 * caller gives replaces our default for that keyword (ssh keeps the first value it sees).
 */
export function runSsh(args: string[], opts: RunSshOptions = {}): Promise<SshResult> {
  const dir = tempDir('sshscope-ssh-');
  const env: Record<string, string> = { ...(process.env as Record<string, string>), ...opts.env };
  const defaults: [string, string][] = [
    ['UserKnownHostsFile', opts.knownHostsFile ?? join(dir, 'known_hosts')],
    ['GlobalKnownHostsFile', '/dev/null'],
    ['StrictHostKeyChecking', 'accept-new'],
    ['ConnectTimeout', '10'],
    ['IdentitiesOnly', 'yes'],
    ['ServerAliveInterval', '0'],
  ];
  if (opts.password !== undefined) {
    const pwFile = join(dir, 'password');
    writeFileSync(pwFile, `${opts.password}\n`, { mode: 0o600 });
    const askpass = join(dir, 'askpass');
    writeFileSync(askpass, `#!/bin/sh\ncat '${pwFile}'\n`);
    chmodSync(askpass, 0o700);
    env['SSH_ASKPASS'] = askpass;
    env['SSH_ASKPASS_REQUIRE'] = 'force';
    env['DISPLAY'] ??= ':0';
    defaults.push(
      ['BatchMode', 'no'],
      ['PreferredAuthentications', 'password'],
      ['PubkeyAuthentication', 'no'],
      ['NumberOfPasswordPrompts', '1'],
    );
  } else {
    defaults.push(['BatchMode', 'yes']);
  }
  const given = callerOptionKeys(args);
  const fullArgs = ['-F', '/dev/null'];
  for (const [k, v] of defaults) if (!given.has(k.toLowerCase())) fullArgs.push('-o', `${k}=${v}`);
  fullArgs.push(...args);

  return new Promise((resolve, reject) => {
    // detached: a new session (setsid), so ssh has no controlling terminal and must use askpass.
    const child = spawn(opts.sshPath ?? PEER_PATHS.ssh, fullArgs, { env, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Uint8Array[] = [];
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (d: Uint8Array) => out.push(new Uint8Array(d)));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, opts.timeoutMs ?? 30_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      removeDir(dir);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      removeDir(dir); // a caller's knownHostsFile lives elsewhere and is kept
      let n = 0;
      for (const c of out) n += c.length;
      const stdout = new Uint8Array(n);
      let o = 0;
      for (const c of out) {
        stdout.set(c, o);
        o += c.length;
      }
      resolve({ code, signal, stdout, stderr, timedOut, args: fullArgs });
    });
    child.stdin.on('error', () => {
      /* ssh may exit before reading its stdin */
    });
    child.stdin.end(opts.input ?? '');
  });
}

/** `['-p', port, 'user@127.0.0.1']` for a started sshd (or anything with port and user). */
export function sshTarget(peer: { port: number; user: string; host?: string }): string[] {
  return ['-p', String(peer.port), `${peer.user}@${peer.host ?? '127.0.0.1'}`];
}

export function text(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes);
}
