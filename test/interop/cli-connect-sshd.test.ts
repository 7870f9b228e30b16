// `sshscope connect` (our client engine over TCP) against a real OpenSSH sshd started by the test:
// password and publickey logins, exit status, 8 MiB through `cat` for every cipher × MAC pair,
// trust on first use (--accept-new writes known_hosts as OpenSSH would) and a changed key refused.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PEER_PATHS, requirePeers, requireRoot } from '../helpers/peers.ts';
import { removeDir, runCommand, sshKeygen, startSshd, tempDir, type KeyPair, type Sshd } from '../helpers/sshd.ts';

const ready =
  requirePeers([
    ['sshd', PEER_PATHS.sshd],
    ['ssh-keygen', PEER_PATHS.sshKeygen],
  ]) && requireRoot();

const captureReady = ready && requirePeers([
  ['tshark', PEER_PATHS.tshark],
  ['tcpdump', PEER_PATHS.tcpdump],
]);

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface Ran {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

/** Runs `sshscope connect ARGS` with stdin from `input` (then closed), or from the file `inputFile` (`< FILE`). */
function runConnect(args: string[], opts: { input?: Uint8Array | string; inputFile?: string; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const fileFd = opts.inputFile === undefined ? null : openSync(opts.inputFile, 'r');
    const child = spawn(process.execPath, ['bin/sshscope.js', 'connect', ...args], { cwd: ROOT, env: { ...process.env, ...opts.env }, stdio: [fileFd ?? 'pipe', 'pipe', 'pipe'] });
    if (fileFd !== null) closeSync(fileFd); // the child has its own copy
    const out: Buffer[] = [];
    let err = '';
    child.stdout!.on('data', (d: Buffer) => out.push(d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out), stderr: err });
    });
    child.stdin?.on('error', () => {});
    child.stdin?.end(opts.input ?? '');
  });
}

const CIPHERS = ['chacha20-poly1305@openssh.com', 'aes128-gcm@openssh.com', 'aes256-gcm@openssh.com', 'aes128-ctr', 'aes256-ctr'];
const MACS = ['hmac-sha2-256', 'hmac-sha2-512', 'hmac-sha2-256-etm@openssh.com', 'hmac-sha2-512-etm@openssh.com'];
const AEAD = new Set(['chacha20-poly1305@openssh.com', 'aes128-gcm@openssh.com', 'aes256-gcm@openssh.com']);

describe.skipIf(!ready)('sshscope connect → real sshd', () => {
  let sshd: Sshd;
  let dir: string;
  let key: KeyPair;
  let knownHosts: string;
  const dest = () => `${sshd.user}@127.0.0.1`;
  const base = () => ['-p', String(sshd.port), '--known-hosts', knownHosts];

  beforeAll(async () => {
    dir = tempDir('sshscope-connect-');
    key = await sshKeygen(dir, 'id_ed25519', 'ed25519');
    sshd = await startSshd({ authorizedKeys: [key.pub] });
    knownHosts = `${dir}/known_hosts`;
    writeFileSync(knownHosts, sshd.knownHostsLine('ed25519') + '\n');
  });

  afterAll(async () => {
    await sshd?.stop();
    if (dir) removeDir(dir);
  });

  it('publickey login: echo hi, exit status', async () => {
    const r = await runConnect([...base(), '-i', key.path, dest(), 'echo', 'hi']);
    expect(r.stderr).toBe('');
    expect(r.stdout.toString()).toBe('hi\n');
    expect(r.code).toBe(0);
    const e = await runConnect([...base(), '-i', key.path, dest(), 'echo err >&2; exit 3']);
    expect(e.code).toBe(3);
    expect(e.stderr).toBe('err\n');
  });

  it('an encrypted key (ssh-keygen -N) works with --passphrase-env; without it the error says why', async () => {
    const enc = await sshKeygen(dir, 'id_encrypted', 'ed25519', { passphrase: 'open sesame' });
    sshd.addAuthorizedKey(enc.pub);
    const ok = await runConnect([...base(), '-i', enc.path, '--passphrase-env', 'SSHSCOPE_PP', dest(), 'echo', 'unlocked'], { env: { SSHSCOPE_PP: 'open sesame' } });
    expect(ok.stderr).toBe('');
    expect(ok.stdout.toString()).toBe('unlocked\n');
    const none = await runConnect([...base(), '-i', enc.path, dest(), 'true']);
    expect(none.code).toBe(255);
    expect(none.stderr).toMatch(/passphrase required/);
    const wrong = await runConnect([...base(), '-i', enc.path, '--passphrase-env', 'SSHSCOPE_PP', dest(), 'true'], { env: { SSHSCOPE_PP: 'nope' } });
    expect(wrong.code).toBe(255);
    expect(wrong.stderr).toMatch(/incorrect passphrase/);
  });

  it('password login from --password-env', async () => {
    const r = await runConnect([...base(), '--password-env', 'SSHSCOPE_TEST_PW', dest(), 'whoami'], { env: { SSHSCOPE_TEST_PW: sshd.password } });
    expect(r.stdout.toString()).toBe(`${sshd.user}\n`);
    expect(r.code).toBe(0);
    expect(sshd.logText()).toMatch(new RegExp(`Accepted password for ${sshd.user} from 127\\.0\\.0\\.1`));
  });

  it('a wrong password ends with 255 and "Permission denied"', async () => {
    const r = await runConnect([...base(), '--password-env', 'SSHSCOPE_TEST_PW', dest(), 'true'], { env: { SSHSCOPE_TEST_PW: 'nope' } });
    expect(r.code).toBe(255);
    expect(r.stderr).toMatch(/Permission denied/);
  });

  it('connection refused is 255', async () => {
    const r = await runConnect(['-p', '1', '--known-hosts', knownHosts, dest(), 'true']);
    expect(r.code).toBe(255);
    expect(r.stderr).toMatch(/ECONNREFUSED|refused/i);
  });

  for (const cipher of CIPHERS) {
    for (const mac of AEAD.has(cipher) ? MACS.slice(0, 1) : MACS) {
      it(`cat of 8 MiB random bytes round-trips with ${cipher} + ${mac}`, async () => {
        const input = new Uint8Array(randomBytes(8 * 1024 * 1024));
        const logBefore = sshd.logText().length;
        const r = await runConnect([...base(), '-i', key.path, '--ciphers', cipher, '--macs', mac, dest(), 'cat'], { input, timeoutMs: 110_000 });
        expect(r.code, r.stderr).toBe(0);
        // sshd's log says what was negotiated for this connection
        const log = sshd.logText().slice(logBefore);
        expect(log).toContain(`kex: client->server cipher: ${cipher} MAC: ${AEAD.has(cipher) ? '<implicit>' : mac}`);
        expect(r.stdout.length).toBe(input.length);
        expect(createHash('sha256').update(r.stdout).digest('hex')).toBe(createHash('sha256').update(input).digest('hex'));
      });
    }
  }

  it('stdin redirected from a regular file (read 1 MiB at a time) reaches the remote command intact', async () => {
    // 5 MiB and a tail that is no multiple of the read size, packet size or cipher block
    const input = new Uint8Array(randomBytes(5 * 1024 * 1024 + 12_345));
    const file = `${dir}/stdin.bin`;
    writeFileSync(file, input);
    const r = await runConnect([...base(), '-i', key.path, '--ciphers', 'aes128-gcm@openssh.com', dest(), 'cat'], { inputFile: file, timeoutMs: 110_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.length).toBe(input.length);
    expect(createHash('sha256').update(r.stdout).digest('hex')).toBe(createHash('sha256').update(input).digest('hex'));
    // an empty file is an immediate EOF
    writeFileSync(file, '');
    const empty = await runConnect([...base(), '-i', key.path, dest(), 'wc -c'], { inputFile: file });
    expect(empty.code, empty.stderr).toBe(0);
    expect(empty.stdout.toString().trim()).toBe('0');
  });

  it('-C: delayed compression (zlib@openssh.com) with the real sshd, 4 MiB of mixed data intact', async () => {
    const text = Buffer.from('the quick brown fox jumps over the lazy dog\n'.repeat(50_000));
    const input = new Uint8Array(Buffer.concat([text, randomBytes(2 * 1024 * 1024)]));
    const logBefore = sshd.logText().length;
    const r = await runConnect([...base(), '-i', key.path, '-C', '--ciphers', 'aes128-gcm@openssh.com', dest(), 'cat'], { input, timeoutMs: 110_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(sshd.logText().slice(logBefore)).toContain('compression: zlib@openssh.com');
    expect(createHash('sha256').update(r.stdout).digest('hex')).toBe(createHash('sha256').update(input).digest('hex'));
  });

  it('--accept-new trusts an unknown host and writes the line as OpenSSH does', async () => {
    const kh = `${dir}/kh-new`;
    const refused = await runConnect(['-p', String(sshd.port), '--known-hosts', kh, '-i', key.path, dest(), 'echo', 'x']);
    expect(refused.code).toBe(255);
    expect(refused.stdout.length).toBe(0);
    expect(existsSync(kh)).toBe(false);
    const r = await runConnect(['-p', String(sshd.port), '--known-hosts', kh, '--accept-new', '-i', key.path, dest(), 'echo', 'x']);
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toBe('x\n');
    const lines = readFileSync(kh, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(1);
    // the real ssh-keygen finds it under OpenSSH's name for a non-22 port, with sshd's own key
    const found = await runCommand(PEER_PATHS.sshKeygen, ['-F', `[127.0.0.1]:${sshd.port}`, '-f', kh]);
    expect(found.code).toBe(0);
    const [, type, b64] = lines[0]!.split(' ');
    expect(`${type} ${b64}`).toBe(sshd.hostKeys.ed25519.split(' ').slice(0, 2).join(' '));
    expect(lines[0]!.startsWith(`[127.0.0.1]:${sshd.port} `)).toBe(true);
    // and now it is known: no new line
    const again = await runConnect(['-p', String(sshd.port), '--known-hosts', kh, '--accept-new', '-i', key.path, dest(), 'true']);
    expect(again.code).toBe(0);
    expect(readFileSync(kh, 'utf8').trim().split('\n')).toHaveLength(1);
  });

  it('a changed host key is refused with a warning, even with --accept-new', async () => {
    const other = await sshKeygen(dir, 'other_host', 'ed25519');
    const kh = `${dir}/kh-changed`;
    const [type, b64] = other.pub.split(' ');
    writeFileSync(kh, `[127.0.0.1]:${sshd.port} ${type} ${b64}\n`);
    const r = await runConnect(['-p', String(sshd.port), '--known-hosts', kh, '--accept-new', '-i', key.path, dest(), 'echo', 'should-not-run']);
    expect(r.code).toBe(255);
    expect(r.stdout.toString()).toBe('');
    expect(r.stderr).toContain('REMOTE HOST IDENTIFICATION HAS CHANGED');
    expect(readFileSync(kh, 'utf8')).toBe(`[127.0.0.1]:${sshd.port} ${type} ${b64}\n`);
  });

  it('--trace narrates the phases; --json writes one event per line', async () => {
    const json = `${dir}/events.jsonl`;
    const r = await runConnect([...base(), '--trace', '--json', json, '-i', key.path, dest(), 'echo', 'traced']);
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toBe('traced\n');
    for (const p of ['[1 version]', '[2 kex]', '[3 auth]', '[4 session]', '[5 interactive]']) expect(r.stderr).toContain(p);
    expect(r.stderr).toMatch(/S→C identification "SSH-2\.0-OpenSSH_/);
    expect(r.stderr).toMatch(/auth publickey for sshscope-test: success/);
    const events = readFileSync(json, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; wire?: string });
    expect(events.some((e) => e.type === 'keys')).toBe(true);
    const pkt = events.find((e) => e.type === 'packet')!;
    expect(pkt.wire).toMatch(/^[0-9a-f]+$/);
  });

  it('--keylog writes PRIVATE_KEY and SHARED_SECRET lines keyed by the KEXINIT cookies', async () => {
    const keylog = `${dir}/keys.log`;
    const json = `${dir}/kl.jsonl`;
    const r = await runConnect([...base(), '--keylog', keylog, '--json', json, '--kex', 'curve25519-sha256', '-i', key.path, dest(), 'true']);
    expect(r.code).toBe(0);
    const lines = readFileSync(keylog, 'utf8').trim().split('\n');
    const events = readFileSync(json, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; msg?: string; dir?: string; payload?: string });
    // the cookies are bytes 1..16 of each side's KEXINIT payload, as sent on the wire
    const cookieOf = (dir: string) => events.find((e) => e.type === 'packet' && e.msg === 'SSH_MSG_KEXINIT' && e.dir === dir)!.payload!.slice(2, 34);
    expect(lines[0]).toMatch(new RegExp(`^${cookieOf('c2s')} PRIVATE_KEY [0-9a-f]{64}$`));
    expect(lines[1]).toMatch(new RegExp(`^${cookieOf('s2c')} SHARED_SECRET [0-9a-f]+$`));
  });

  it('rekeying (--rekey-limit) keeps 8 MiB intact and logs fresh keys for every exchange', async () => {
    const keylog = `${dir}/rekey.log`;
    const input = new Uint8Array(randomBytes(8 * 1024 * 1024));
    const logBefore = sshd.logText().length;
    const r = await runConnect([...base(), '--rekey-limit', '1M', '--keylog', keylog, '-i', key.path, dest(), 'cat'], { input, timeoutMs: 110_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(createHash('sha256').update(r.stdout).digest('hex')).toBe(createHash('sha256').update(input).digest('hex'));
    const lines = readFileSync(keylog, 'utf8').trim().split('\n');
    const secrets = lines.filter((l) => l.includes(' SHARED_SECRET '));
    expect(secrets.length).toBeGreaterThanOrEqual(4);
    // every exchange has its own cookies and its own K
    expect(new Set(secrets.map((l) => l.split(' ')[0])).size).toBe(secrets.length);
    expect(new Set(secrets.map((l) => l.split(' ')[2])).size).toBe(secrets.length);
    // sshd saw the re-exchanges too (one "kex: algorithm" line per exchange)
    // (a re-exchange sshd started just before the channel closed may not have finished)
    const kexLines = sshd.logText().slice(logBefore).match(/kex: algorithm: /g) ?? [];
    expect(kexLines.length).toBeGreaterThanOrEqual(secrets.length);
    expect(kexLines.length).toBeLessThanOrEqual(secrets.length + 1);
  });

  // tshark 4.0 (Debian 12) reads only the old two-field key log form `<cookie> <private key>`,
  // for curve25519 and aes-gcm: convert our PRIVATE_KEY line to it and let the real dissector
  // decrypt a capture of our own session. The MAC verifies only with the right keys.
  it.skipIf(!captureReady)('the key log decrypts a real capture in tshark', async () => {
    const keylog = `${dir}/cap-keys.log`;
    const pcap = `${dir}/cap.pcap`;
    const td = spawn(PEER_PATHS.tcpdump, ['-i', 'lo', '-U', '--immediate-mode', '-s', '0', '-w', pcap, `tcp port ${sshd.port}`], { stdio: ['ignore', 'ignore', 'pipe'] });
    await new Promise<void>((res, rej) => {
      let err = '';
      td.stderr!.on('data', (d) => {
        err += String(d);
        if (err.includes('listening on')) res();
      });
      td.once('exit', () => rej(new Error(`tcpdump: ${err}`)));
    });
    const marker = `keylog-${randomBytes(6).toString('hex')}`;
    const r = await runConnect([...base(), '--keylog', keylog, '--kex', 'curve25519-sha256', '--ciphers', 'aes128-gcm@openssh.com', '-i', key.path, dest(), 'echo', marker]);
    await new Promise((res) => setTimeout(res, 300));
    td.kill('SIGINT');
    await new Promise((res) => td.once('close', res));
    expect(r.code).toBe(0);
    const priv = readFileSync(keylog, 'utf8').split('\n').find((l) => l.includes(' PRIVATE_KEY '))!;
    const tshark = (keyFile: string) =>
      spawnSync(PEER_PATHS.tshark, ['-r', pcap, '-d', `tcp.port==${sshd.port},ssh`, '-o', `ssh.keylog_file:${keyFile}`, '-V'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }).stdout;
    writeFileSync(`${dir}/legacy.log`, priv.replace(' PRIVATE_KEY ', ' ') + '\n');
    const good = tshark(`${dir}/legacy.log`);
    // --keylog-legacy writes that same line itself (for a new session, so a new cookie and key)
    const legacyOut = `${dir}/cli-legacy.log`;
    const l = await runConnect([...base(), '--keylog', legacyOut, '--keylog-legacy', '--kex', 'curve25519-sha256', '-i', key.path, dest(), 'true']);
    expect(l.code).toBe(0);
    expect(readFileSync(legacyOut, 'utf8')).toMatch(/^[0-9a-f]{32} [0-9a-f]{64}\n$/);
    expect(good).toContain(Buffer.from(marker + '\n').toString('hex'));
    expect(good).toContain('[MAC Status: Good]');
    // control: a wrong private key under the same cookie decrypts nothing
    writeFileSync(`${dir}/wrong.log`, `${priv.split(' ')[0]} ${randomBytes(32).toString('hex')}\n`);
    const bad = tshark(`${dir}/wrong.log`);
    expect(bad).not.toContain(Buffer.from(marker + '\n').toString('hex'));
    expect(bad).not.toContain('[MAC Status: Good]');
  });
});
