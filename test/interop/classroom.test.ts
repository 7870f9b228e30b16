// The classroom mode end to end (issue 7 §2 and its load test): `sshscope start --ssh-port 0` as a
// real process, the real OpenSSH client logging in to its SSH server, and the /classroom WebSocket
// feed (read the way the page reads it, cli/classroom-watch.ts) carrying that connection's events.

import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SshEvent } from '../../engine/index.ts';
import { watchFeed, type FeedWatcher } from '../../cli/classroom-watch.ts';
import { PEER_PATHS, requirePeers } from '../helpers/peers.ts';
import { runSsh, text } from '../helpers/ssh.ts';
import { removeDir, runCommand, sshKeygen, tempDir, type KeyPair } from '../helpers/sshd.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ready = requirePeers([
  ['ssh', PEER_PATHS.ssh],
  ['ssh-keygen', PEER_PATHS.sshKeygen],
]);

interface Started {
  child: ChildProcess;
  url: string;
  sshPort: number;
  stdout: () => string;
  stderr: () => string;
}

/** `sshscope start --port 0 --ssh-port 0 …`; builds the page first when dist/ is stale. */
function startClassroomProcess(args: string[]): Promise<Started> {
  const child = spawn(process.execPath, ['bin/sshscope.js', 'start', '--port', '0', '--ssh-port', '0', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`start did not come up in 170 s\n${out}\n${err}`));
    }, 170_000);
    const check = (): void => {
      const url = /^sshscope is running at (http:\/\/127\.0\.0\.1:\d+\/)$/m.exec(out)?.[1];
      const port = /^classroom: ssh server listening on 127\.0\.0\.1:(\d+)$/m.exec(out)?.[1];
      if (!url || !port) return;
      clearTimeout(timer);
      resolve({ child, url, sshPort: Number(port), stdout: () => out, stderr: () => err });
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`start exited (${code})\n${out}\n${err}`));
    });
  });
}

const PASSWORD = 'class-secret';

describe.skipIf(!ready)('sshscope start --ssh-port: real ssh clients in the live feed', () => {
  let dir: string;
  let keysFile: string;
  let studentKey: KeyPair;
  let hostKey: KeyPair;
  let s: Started;
  let feed: FeedWatcher;
  let sshVersion: string;

  beforeAll(async () => {
    dir = tempDir('sshscope-classroom-');
    keysFile = join(dir, 'authorized_keys');
    writeFileSync(keysFile, '# students add their public keys here\n');
    studentKey = await sshKeygen(dir, 'student_ed25519', 'ed25519');
    // ssh -V prints e.g. "OpenSSH_9.2p1 Debian-2+deb12u7, OpenSSL 3.0.x" on stderr
    sshVersion = (await runCommand(PEER_PATHS.ssh, ['-V'])).stderr.split(',')[0]!.trim();
    hostKey = await sshKeygen(dir, 'classroom_host_key', 'ed25519');
    s = await startClassroomProcess(['--class-user', `student:${PASSWORD}`, '--class-user', `bob:${PASSWORD}-bob`, '--authorized-keys', keysFile, '--ssh-host-key', hostKey.path]);
    feed = await watchFeed(s.url, { watch: '*' });
  }, 180_000);

  afterAll(async () => {
    await feed?.close();
    if (s && s.child.exitCode === null) {
      const exited = new Promise((r) => s.child.once('exit', r));
      s.child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (s.child.exitCode === null) s.child.kill('SIGKILL');
    }
    if (dir) removeDir(dir);
  });

  const byUser = (user: string) => [...feed.connections.values()].filter((c) => c.user === user);

  it('the page learns how students connect: port, users, the authorized_keys file', () => {
    expect(feed.info).toMatchObject({ kind: 'classroom', sshPort: s.sshPort, sshHosts: ['127.0.0.1'], listenHost: '127.0.0.1' });
    expect(feed.info!.users).toEqual([
      { name: 'student', password: PASSWORD, publickey: true },
      { name: 'bob', password: `${PASSWORD}-bob`, publickey: true },
    ]);
    expect(feed.info!.authorizedKeys).toMatchObject({ file: keysFile, text: '# students add their public keys here\n' });
    expect(s.stdout()).toContain(`ssh -p ${s.sshPort} student@127.0.0.1`);
  });

  it('--ssh-host-key: the server uses the teacher\'s key; ssh-keygen computes the same fingerprint, and ssh records that key', async () => {
    const fp = (await runCommand(PEER_PATHS.sshKeygen, ['-l', '-E', 'sha256', '-f', `${hostKey.path}.pub`])).stdout.split(' ')[1];
    expect(feed.info!.hostKeys).toEqual([{ type: 'ssh-ed25519', fingerprint: fp }]);
    const knownHosts = join(dir, 'known_hosts');
    const r = await runSsh(['-p', String(s.sshPort), 'student@127.0.0.1', 'true'], { password: PASSWORD, knownHostsFile: knownHosts });
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(knownHosts, 'utf8')).toContain(hostKey.pub.split(' ').slice(0, 2).join(' '));
  });

  it('a password login: the feed carries the version, both KEXINITs, auth success and the exit status', async () => {
    const before = new Set(feed.connections.keys());
    const r = await runSsh(['-p', String(s.sshPort), 'student@127.0.0.1', 'echo hello classroom; exit 3'], { password: PASSWORD });
    expect(r.code, r.stderr).toBe(3);
    expect(text(r.stdout)).toBe('hello classroom\n');
    await feed.until(() => [...feed.connections.values()].some((c) => !before.has(c.id) && c.closed !== null), 'the connection to close');
    const conn = [...feed.connections.values()].find((c) => !before.has(c.id))!;
    await feed.until(() => feed.events(conn.id).length === conn.total, 'all events');
    expect(conn).toMatchObject({ user: 'student', authMethod: 'password', command: 'echo hello classroom; exit 3', exitStatus: 3, stage: 'closed', phase: 5, dropped: 0 });
    expect(conn.peer).toMatch(/^127\.0\.0\.1:\d+$/);
    const ev = feed.events(conn.id);
    const version = ev.find((e) => e.type === 'version' && e.dir === 'c2s') as Extract<SshEvent, { type: 'version' }>;
    expect(version.line.startsWith(`SSH-2.0-${sshVersion.split(' ')[0]}`), `${version.line} vs ${sshVersion}`).toBe(true);
    const kexinits = ev.filter((e) => e.type === 'packet' && e.msg === 'SSH_MSG_KEXINIT') as Extract<SshEvent, { type: 'packet' }>[];
    expect(kexinits.map((p) => p.dir).sort()).toEqual(['c2s', 's2c']);
    // the KEXINIT bytes arrived intact: message number 20 (RFC 4253 §7.1) as the payload's first byte
    for (const k of kexinits) expect(k.payload[0]).toBe(20);
    expect(ev.some((e) => e.type === 'auth' && e.method === 'password' && e.result === 'success' && e.user === 'student')).toBe(true);
    const exit = ev.find((e) => e.type === 'packet' && e.dir === 's2c' && e.msg === 'SSH_MSG_CHANNEL_REQUEST' && JSON.stringify(e.tree).includes('"exit-status"'));
    expect(exit, 'exit-status request').toBeTruthy();
    expect(ev.at(-1)!.type).toBe('closed');
  });

  it('an interactive login with a pty: the lane says shell, and the exit status of the shell', async () => {
    const before = new Set(feed.connections.keys());
    const r = await runSsh(['-tt', '-p', String(s.sshPort), 'student@127.0.0.1'], { password: PASSWORD, input: 'echo typed in class\rexit 5\r' });
    expect(r.code, r.stderr).toBe(5);
    expect(text(r.stdout)).toContain('typed in class');
    await feed.until(() => [...feed.connections.values()].some((c) => !before.has(c.id) && c.closed !== null), 'the shell connection to close');
    const conn = [...feed.connections.values()].find((c) => !before.has(c.id))!;
    expect(conn).toMatchObject({ user: 'student', command: 'shell', exitStatus: 5 });
    await feed.until(() => feed.events(conn.id).length === conn.total, 'all events');
    const ev = feed.events(conn.id);
    expect(ev.some((e) => e.type === 'channel' && e.change === 'request' && (e.detail as { request?: string }).request === 'pty-req')).toBe(true);
  });

  it("publickey works once the student's key is added to the authorized_keys file", async () => {
    const args = ['-p', String(s.sshPort), '-i', studentKey.path, '-o', 'PreferredAuthentications=publickey', 'student@127.0.0.1', 'whoami'];
    const refused = await runSsh(args);
    expect(refused.code).toBe(255);
    appendFileSync(keysFile, `${studentKey.pub}\n`);
    await feed.until(() => feed.info?.authorizedKeys?.text.includes(studentKey.pub) === true, 'the new authorized_keys in the feed', 10_000);
    const r = await runSsh(args);
    expect(r.code, r.stderr).toBe(0);
    expect(text(r.stdout).trim()).toBe('student');
    await feed.until(() => byUser('student').some((c) => c.authMethod === 'publickey' && c.closed !== null), 'the publickey login in the feed');
  });

  it('load: 50 concurrent real ssh clients each run a command; all succeed and all 50 appear in the feed', async () => {
    const t0 = Date.now();
    const before = new Set(feed.connections.keys());
    const runs = await Promise.all(
      Array.from({ length: 50 }, (_, i) => runSsh(['-p', String(s.sshPort), `bob@127.0.0.1`, `echo student-${i}`], { password: `${PASSWORD}-bob`, timeoutMs: 55_000 })),
    );
    const failed = runs.map((r, i) => ({ i, r })).filter(({ i, r }) => r.code !== 0 || text(r.stdout) !== `student-${i}\n`);
    expect(failed.map(({ i, r }) => `#${i}: ${r.code} ${r.stderr}`)).toEqual([]);
    await feed.until(() => [...feed.connections.values()].filter((c) => !before.has(c.id) && c.closed !== null).length >= 50, '50 closed connections in the feed', 30_000);
    const fresh = [...feed.connections.values()].filter((c) => !before.has(c.id));
    expect(fresh).toHaveLength(50);
    for (const c of fresh) expect(c).toMatchObject({ user: 'bob', authMethod: 'password', exitStatus: 0, stage: 'closed', phase: 5 });
    expect(new Set(fresh.map((c) => c.command))).toEqual(new Set(Array.from({ length: 50 }, (_, i) => `echo student-${i}`)));
    expect(Date.now() - t0).toBeLessThan(60_000);
    // no unhandled errors: the server is still up and said nothing alarming
    expect(s.child.exitCode).toBeNull();
    // (no exception names, no stack frames; connection notes such as "closed: peer disconnected" are fine)
    expect(s.stderr()).not.toMatch(/unhandled|uncaught|\b\w*Error\b|^\s+at .+:\d+:\d+\)?$/m);
    console.log(`[classroom] 50 concurrent ssh logins + commands in ${Date.now() - t0} ms`);
  }, 90_000);
});
