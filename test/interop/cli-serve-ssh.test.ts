// The real OpenSSH client (/usr/bin/ssh) logs in to `sshscope serve` (our server engine + the
// virtual shell) with a password and with a key made by ssh-keygen, for every cipher × MAC pair.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { PEER_PATHS, requirePeers } from '../helpers/peers.ts';
import { runSsh, text } from '../helpers/ssh.ts';
import { removeDir, sshKeygen, tempDir, type KeyPair } from '../helpers/sshd.ts';
import { spawnServe, type ServeProcess } from '../helpers/serve.ts';

const ready = requirePeers([
  ['ssh', PEER_PATHS.ssh],
  ['ssh-keygen', PEER_PATHS.sshKeygen],
]);

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PASSWORD = 'correct horse battery staple';

const CIPHERS = ['chacha20-poly1305@openssh.com', 'aes128-gcm@openssh.com', 'aes256-gcm@openssh.com', 'aes128-ctr', 'aes256-ctr'];
const MACS = ['hmac-sha2-256', 'hmac-sha2-512', 'hmac-sha2-256-etm@openssh.com', 'hmac-sha2-512-etm@openssh.com'];
const AEAD = new Set(['chacha20-poly1305@openssh.com', 'aes128-gcm@openssh.com', 'aes256-gcm@openssh.com']);

describe.skipIf(!ready)('real ssh → sshscope serve', () => {
  let serve: ServeProcess;
  let dir: string;
  let key: KeyPair;
  let forcedKey: KeyPair;
  const target = () => ['-p', String(serve.port), 'alice@127.0.0.1'];
  const withKey = () => ['-i', key.path, '-o', 'PreferredAuthentications=publickey'];

  beforeAll(async () => {
    dir = tempDir('sshscope-serve-');
    key = await sshKeygen(dir, 'id_ed25519', 'ed25519');
    forcedKey = await sshKeygen(dir, 'id_forced', 'ed25519');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(`${dir}/authorized_keys`, `${key.pub}\ncommand="echo forced: $SSH_ORIGINAL_COMMAND" ${forcedKey.pub}\n`);
    serve = await spawnServe(['--user', `alice:${PASSWORD}`, '--authorized-keys', `alice:${dir}/authorized_keys`]);
  });

  afterAll(async () => {
    await serve?.stop();
    if (dir) removeDir(dir);
  });

  it('password login: echo hi', async () => {
    const r = await runSsh([...target(), 'echo', 'hi'], { password: PASSWORD });
    expect(r.stderr).not.toMatch(/Permission denied/);
    expect(text(r.stdout)).toBe('hi\n');
    expect(r.code).toBe(0);
  });

  it('a wrong password is refused', async () => {
    const r = await runSsh([...target(), 'echo', 'hi'], { password: 'wrong' });
    expect(r.code).toBe(255);
    expect(r.stderr).toMatch(/Permission denied/);
  });

  it('publickey login with an ssh-keygen key: echo hi', async () => {
    const r = await runSsh([...withKey(), ...target(), 'echo', 'hi']);
    expect(r.stderr).not.toMatch(/Permission denied/);
    expect(text(r.stdout)).toBe('hi\n');
    expect(r.code).toBe(0);
  });

  it('exit 3 becomes ssh exit status 3; unknown command 127 with stderr', async () => {
    const r = await runSsh([...withKey(), ...target(), 'exit 3']);
    expect(r.code).toBe(3);
    const u = await runSsh([...withKey(), ...target(), 'no-such-command']);
    expect(u.code).toBe(127);
    expect(u.stderr).toContain('sh: no-such-command: command not found');
    expect(text(u.stdout)).toBe('');
  });

  it('subsystems are refused with a message; env requests reach the shell', async () => {
    const r = await runSsh([...withKey(), '-s', ...target(), 'sftp']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('subsystem sftp is not available');
    const e = await runSsh([...withKey(), '-o', 'SendEnv=SSHSCOPE_TEST_VAR', ...target(), 'echo $SSHSCOPE_TEST_VAR'], { env: { SSHSCOPE_TEST_VAR: 'from-env' } });
    expect(text(e.stdout)).toBe('from-env\n');
  });

  it('authorized_keys command="…" replaces the command; the original is in SSH_ORIGINAL_COMMAND', async () => {
    const r = await runSsh(['-i', forcedKey.path, '-o', 'PreferredAuthentications=publickey', ...target(), 'ls']);
    expect(text(r.stdout)).toBe('forced: ls\n');
    expect(r.code).toBe(0);
  });

  for (const cipher of CIPHERS) {
    for (const mac of AEAD.has(cipher) ? MACS.slice(0, 1) : MACS) {
      it(`cat of 8 MiB random bytes round-trips with ${cipher} + ${mac}`, async () => {
        const input = new Uint8Array(randomBytes(8 * 1024 * 1024));
        const r = await runSsh(['-v', '-c', cipher, '-m', mac, ...withKey(), ...target(), 'cat'], { input, timeoutMs: 90_000 });
        expect(r.code, r.stderr.slice(-2000)).toBe(0);
        // ssh -v says what was negotiated: prove this pair was really used
        expect(r.stderr).toContain(`kex: server->client cipher: ${cipher} MAC: ${AEAD.has(cipher) ? '<implicit>' : mac}`);
        expect(r.stdout.length).toBe(input.length);
        expect(createHash('sha256').update(r.stdout).digest('hex')).toBe(createHash('sha256').update(input).digest('hex'));
      });
    }
  }

  it('ssh -C: delayed compression (zlib@openssh.com) against our server, 4 MiB of mixed data intact', async () => {
    const text = Buffer.from('the quick brown fox jumps over the lazy dog\n'.repeat(50_000));
    const input = new Uint8Array(Buffer.concat([text, randomBytes(2 * 1024 * 1024)]));
    const r = await runSsh(['-v', '-C', ...withKey(), ...target(), 'cat'], { input, timeoutMs: 90_000 });
    expect(r.code, r.stderr.slice(-2000)).toBe(0);
    expect(r.stderr).toContain('compression: zlib@openssh.com');
    expect(createHash('sha256').update(r.stdout).digest('hex')).toBe(createHash('sha256').update(input).digest('hex'));
  });

  it('shell with -tt: prompt, echo, CRLF, exit status', async () => {
    const r = await runSsh(['-tt', ...withKey(), ...target()], { input: 'whoami\nexit 5\n' });
    const out = text(r.stdout);
    expect(out).toContain('alice@sshscope:~$ ');
    expect(out).toContain('whoami\r\nalice\r\n');
    expect(r.code).toBe(5);
  });

  it('shell without a pty reads lines without echo or prompt', async () => {
    const r = await runSsh(['-T', ...withKey(), ...target()], { input: 'echo a\nexit 4\n' });
    expect(text(r.stdout)).toBe('a\n');
    expect(r.code).toBe(4);
  });
});

describe.skipIf(!ready)('sshscope serve --host-key and --json', () => {
  it('serves the ssh-keygen host key it was given: ssh verifies it against a known_hosts line made from the .pub', async () => {
    const dir = tempDir('sshscope-hostkey-');
    const hk = await sshKeygen(dir, 'host_ed25519', 'ed25519');
    const json = `${dir}/events.jsonl`;
    const serve = await spawnServe(['--host-key', hk.path, '--user', `carol:${PASSWORD}`, '--json', json]);
    try {
      const [type, b64] = hk.pub.split(' ');
      const kh = `${dir}/known_hosts`;
      const { writeFileSync, readFileSync } = await import('node:fs');
      writeFileSync(kh, `[127.0.0.1]:${serve.port} ${type} ${b64}\n`);
      const r = await runSsh(['-o', 'StrictHostKeyChecking=yes', '-p', String(serve.port), 'carol@127.0.0.1', 'whoami'], { password: PASSWORD, knownHostsFile: kh });
      expect(r.stderr).not.toMatch(/IDENTIFICATION HAS CHANGED|verification failed/);
      expect(text(r.stdout)).toBe('carol\n');
      // the fingerprint serve printed is the one ssh-keygen computes
      const { runCommand } = await import('../helpers/sshd.ts');
      const fp = (await runCommand(PEER_PATHS.sshKeygen, ['-l', '-f', `${hk.path}.pub`])).stdout.split(' ')[1]!;
      expect(serve.stdout()).toContain(`host key ssh-ed25519 ${fp}`);
      await serve.stop();
      const events = readFileSync(json, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { connection: number; type: string; side: string; result?: string });
      expect(events.every((e) => e.connection === 1 && e.side === 'server')).toBe(true);
      expect(events.some((e) => e.type === 'auth' && e.result === 'success')).toBe(true);
      expect(events.some((e) => e.type === 'packet')).toBe(true);
      // the end of an exec, as OpenSSH does it: exit-status, then EOF, then CLOSE (RFC 4254 §6.10)
      const sent = (events as { type: string; dir?: string; msg?: string; tree?: unknown }[]).filter((e) => e.type === 'packet' && e.dir === 's2c').map((e) => (e.msg === 'SSH_MSG_CHANNEL_REQUEST' ? `${e.msg}:${JSON.stringify(e.tree).includes('exit-status') ? 'exit-status' : '?'}` : e.msg));
      const tail = sent.filter((m) => /EXIT|exit-status|CHANNEL_EOF|CHANNEL_CLOSE/.test(m!));
      expect(tail).toEqual(['SSH_MSG_CHANNEL_REQUEST:exit-status', 'SSH_MSG_CHANNEL_EOF', 'SSH_MSG_CHANNEL_CLOSE']);
    } finally {
      await serve.stop();
      removeDir(dir);
    }
  });
});

describe('sshscope connect → sshscope serve', () => {
  let serve: ServeProcess;
  let dir: string;
  beforeAll(async () => {
    dir = tempDir('sshscope-self-');
    serve = await spawnServe(['--user', `dan:${PASSWORD}`]);
  });
  afterAll(async () => {
    await serve?.stop();
    if (dir) removeDir(dir);
  });

  it('a reader that goes away (| head) ends the session quietly', async () => {
    const child = spawn(process.execPath, ['bin/sshscope.js', 'connect', '-p', String(serve.port), '--known-hosts', `${dir}/kh`, '--accept-new', '--password-env', 'SSHSCOPE_PW', 'dan@127.0.0.1', 'seq 1 2000000'], {
      cwd: ROOT,
      env: { ...process.env, SSHSCOPE_PW: PASSWORD },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const first = await new Promise<string>((res) => {
      let acc = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        acc += d;
        if (acc.includes('\n2\n')) {
          child.stdout.destroy();
          res(acc);
        }
      });
    });
    expect(first.startsWith('1\n2\n')).toBe(true);
    const code = await new Promise<number | null>((res) => child.on('close', res));
    expect(code).toBe(255);
    expect(err).not.toMatch(/Error|at .*\.ts:\d+/);
  });
});

// Our client against our server over TCP, in a terminal: `script` gives `sshscope connect` a pty,
// so it asks for one (pty-req), puts the terminal in raw mode and runs a shell.
const scriptReady = requirePeers([['script', '/usr/bin/script']]);

describe.skipIf(!scriptReady)('sshscope connect → sshscope serve in a terminal', () => {
  let serve: ServeProcess;
  let dir: string;
  beforeAll(async () => {
    dir = tempDir('sshscope-pty-');
    serve = await spawnServe(['--user', `bob:${PASSWORD}`]);
  });
  afterAll(async () => {
    await serve?.stop();
    if (dir) removeDir(dir);
  });

  it('interactive shell with a pty: password prompt without echo, shell prompt, echo, exit status', async () => {
    const cmd = `${JSON.stringify(process.execPath)} bin/sshscope.js connect -p ${serve.port} --known-hosts ${dir}/kh --accept-new bob@127.0.0.1`;
    const child = spawn('/usr/bin/script', ['-qfec', cmd, '/dev/null'], { cwd: ROOT, env: { ...process.env, SSHSCOPE_PW: PASSWORD, TERM: 'xterm' }, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    const waitFor = (s: string) =>
      new Promise<void>((res, rej) => {
        const timer = setTimeout(() => rej(new Error(`timed out waiting for ${JSON.stringify(s)}; got ${JSON.stringify(out)}`)), 20_000);
        const check = () => {
          if (!out.includes(s)) return;
          clearTimeout(timer);
          child.stdout.off('data', check);
          res();
        };
        child.stdout.on('data', check);
        check();
      });
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stdin.on('error', () => {});
    const exited = new Promise<number | null>((res) => child.on('close', res));
    // no --password-env: the password is asked on the terminal, without echo
    await waitFor("bob@127.0.0.1's password: ");
    child.stdin.write(`${PASSWORD}\r`);
    await waitFor('bob@sshscope:~$ ');
    expect(out).not.toContain(PASSWORD);
    child.stdin.write('whoami\r');
    await waitFor('whoami');
    await waitFor('\nbob\r');
    child.stdin.write('exit 6\r');
    const code = await exited;
    expect(code).toBe(6);
    // the server echoed what we typed (we sent no echo ourselves: the terminal is raw)
    expect(out).toMatch(/bob@sshscope:~\$ whoami\r+\nbob\r+\n/);
  });
});


describe.skipIf(!ready)('re-keying in the middle of a transfer (RFC 4253 §9)', () => {
  for (const cipher of ['chacha20-poly1305@openssh.com', 'aes128-gcm@openssh.com']) {
    it(`8 MiB through cat with both sides re-keying every MiB, ${cipher}`, async () => {
      const dir = tempDir('sshscope-rekey-');
      const json = `${dir}/events.jsonl`;
      const serve = await spawnServe(['--user', `dave:${PASSWORD}`, '--rekey-limit', '1M', '--json', json]);
      try {
        const input = new Uint8Array(randomBytes(8 * 1024 * 1024));
        const r = await runSsh(['-c', cipher, '-o', 'RekeyLimit=1M', '-p', String(serve.port), 'dave@127.0.0.1', 'cat'], { input, password: PASSWORD, timeoutMs: 90_000 });
        expect(r.code, r.stderr.slice(-2000)).toBe(0);
        expect(createHash('sha256').update(r.stdout).digest('hex')).toBe(createHash('sha256').update(input).digest('hex'));
        const { readFileSync } = await import('node:fs');
        const keys = readFileSync(json, 'utf8').split('\n').filter((l) => l.includes('"type":"keys"'));
        // 16 MiB crossed the wire in all: several re-exchanges beyond the first key exchange.
        expect(keys.length).toBeGreaterThanOrEqual(4);
      } finally {
        await serve.stop();
        removeDir(dir);
      }
    });
  }
});

describe.skipIf(!ready)('sshscope serve with several host keys (like sshd HostKey lines)', () => {
  it('the client picks the host key algorithm; each key is the one ssh-keygen made', async () => {
    const dir = tempDir('sshscope-hostkeys-');
    const keys = await Promise.all([sshKeygen(dir, 'host_ed25519', 'ed25519'), sshKeygen(dir, 'host_ecdsa', 'ecdsa'), sshKeygen(dir, 'host_rsa', 'rsa', { bits: 2048 })]);
    const serve = await spawnServe([...keys.flatMap((k) => ['--host-key', k.path]), '--user', `erin:${PASSWORD}`]);
    try {
      const { writeFileSync } = await import('node:fs');
      const kh = `${dir}/known_hosts`;
      writeFileSync(kh, keys.map((k) => `[127.0.0.1]:${serve.port} ${k.pub.split(' ').slice(0, 2).join(' ')}`).join('\n') + '\n');
      for (const alg of ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'rsa-sha2-512', 'rsa-sha2-256']) {
        const r = await runSsh(['-v', '-o', 'StrictHostKeyChecking=yes', '-o', `HostKeyAlgorithms=${alg}`, '-p', String(serve.port), 'erin@127.0.0.1', 'echo', alg], { password: PASSWORD, knownHostsFile: kh });
        expect(r.code, r.stderr.slice(-1500)).toBe(0);
        expect(text(r.stdout)).toBe(`${alg}\n`);
        expect(r.stderr).toContain(`kex: host key algorithm: ${alg}`);
      }
    } finally {
      await serve.stop();
      removeDir(dir);
    }
  });
});

describe.skipIf(!ready)('the real ssh against sshscope serve, one key exchange method at a time', () => {
  // Every method OpenSSH 9.2's client knows (ssh -Q kex); the SHA-1 ones only when both sides opt in.
  const KEXES = [
    'sntrup761x25519-sha512@openssh.com',
    'sntrup761x25519-sha512',
    'curve25519-sha256',
    'curve25519-sha256@libssh.org',
    'ecdh-sha2-nistp256',
    'ecdh-sha2-nistp384',
    'ecdh-sha2-nistp521',
    'diffie-hellman-group-exchange-sha256',
    'diffie-hellman-group16-sha512',
    'diffie-hellman-group18-sha512',
    'diffie-hellman-group14-sha256',
    'diffie-hellman-group14-sha1',
    'diffie-hellman-group-exchange-sha1',
    'diffie-hellman-group1-sha1',
  ];
  let serve: ServeProcess;
  beforeAll(async () => {
    serve = await spawnServe(['--user', `frank:${PASSWORD}`, '--kex', KEXES.join(','), '--ciphers', 'aes192-ctr,aes128-ctr,chacha20-poly1305@openssh.com', '--macs', 'hmac-sha1-etm@openssh.com,hmac-sha1,hmac-sha2-256']);
  });
  afterAll(async () => serve?.stop());

  for (const kex of KEXES) {
    it(kex, async () => {
      const r = await runSsh(['-v', '-o', `KexAlgorithms=${kex}`, '-p', String(serve.port), 'frank@127.0.0.1', 'echo', kex], { password: PASSWORD, timeoutMs: 60_000 });
      expect(r.code, r.stderr.slice(-1500)).toBe(0);
      expect(r.stderr).toContain(`kex: algorithm: ${kex}`);
      expect(text(r.stdout)).toBe(`${kex}\n`);
    });
  }

  for (const [cipher, mac] of [['aes192-ctr', 'hmac-sha1'], ['aes192-ctr', 'hmac-sha1-etm@openssh.com']] as const) {
    it(`${cipher} with ${mac}`, async () => {
      const r = await runSsh(['-v', '-c', cipher, '-m', mac, '-p', String(serve.port), 'frank@127.0.0.1', 'echo ok'], { password: PASSWORD });
      expect(r.code, r.stderr.slice(-1500)).toBe(0);
      expect(r.stderr).toContain(`kex: server->client cipher: ${cipher} MAC: ${mac}`);
      expect(text(r.stdout)).toBe('ok\n');
    });
  }
});

describe('sshscope serve timeouts', () => {
  it('--login-grace-time 1: a client that connects and never logs in is disconnected after a second', async () => {
    const serve = await spawnServe(['--user', `erin:${PASSWORD}`, '--login-grace-time', '1']);
    try {
      const { connect } = await import('node:net');
      const sock = connect(serve.port, '127.0.0.1');
      let received = '';
      sock.setEncoding('latin1').on('data', (d: string) => (received += d));
      sock.on('error', () => {});
      sock.on('connect', () => sock.write('SSH-2.0-silent\r\n'));
      const started = Date.now();
      await new Promise<void>((resolve) => sock.once('close', () => resolve()));
      const took = Date.now() - started;
      expect(received.startsWith('SSH-2.0-')).toBe(true);
      expect(took).toBeGreaterThanOrEqual(900);
      // before NEWKEYS the SSH_MSG_DISCONNECT (reason 11, BY_APPLICATION) is in the clear
      expect(received).toContain('\x01\x00\x00\x00\x0b\x00\x00\x00');
      expect(received).toContain('login grace time exceeded');
      for (let i = 0; i < 100 && !serve.stderr().includes('login grace time'); i++) await new Promise((r) => setTimeout(r, 50));
      expect(serve.stderr()).toContain('login grace time exceeded');
    } finally {
      await serve.stop();
    }
  });

  it('refuses a timeout that is not a number of seconds', async () => {
    await expect(spawnServe(['--idle-timeout', 'soon'])).rejects.toThrow(/--idle-timeout wants a number of seconds/);
  });
});
