// Post-quantum hybrid key exchange against real OpenSSH 9.2 (which has sntrup761x25519-sha512 under
// both names, and no mlkem768x25519 — that one is covered in-memory in
// engine/algorithms/kex-hybrid.test.ts):
//   - our client engine over TCP → a private sshd forced to KexAlgorithms=<hybrid>, `echo hi`;
//   - the real /usr/bin/ssh -o KexAlgorithms=<hybrid> → our server engine over TCP, `echo hi`;
//   - the same two through the CLI (`sshscope connect --kex …`, `sshscope serve --kex …`).
// Both sides log the negotiated method, so each test also checks that the hybrid was really used.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer as createTcpServer, type AddressInfo, type Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createClient, createServer, defaultEnv, generateEd25519, KEX, type SshEvent } from '../../engine/index.ts';
import { attachSocket, connectTcp } from '../../engine/adapters/node-tcp.ts';
import { respondToExec } from '../../engine/core/session-harness.ts';
import { PEER_PATHS, requirePeers, requireRoot } from '../helpers/peers.ts';
import { runSsh, text } from '../helpers/ssh.ts';
import { spawnServe } from '../helpers/serve.ts';
import { startSshd, type Sshd } from '../helpers/sshd.ts';

const NAMES = ['sntrup761x25519-sha512@openssh.com', 'sntrup761x25519-sha512'];
const ROOT = fileURLToPath(new URL('../..', import.meta.url));


const sshdReady =
  requirePeers([
    ['sshd', PEER_PATHS.sshd],
    ['ssh-keygen', PEER_PATHS.sshKeygen],
  ]) && requireRoot();
const sshReady = requirePeers([['ssh', PEER_PATHS.ssh]]);

interface ClientRun {
  stdout: string;
  exitStatus: number | null;
  events: SshEvent[];
}

/** Our client engine over TCP: password login, exec `command`, collect stdout and exit status. */
async function runOurClient(port: number, user: string, password: string, kex: string, command: string): Promise<ClientRun> {
  const socket = await connectTcp('127.0.0.1', port);
  const conn = createClient({
    env: defaultEnv(),
    username: user,
    password,
    authMethods: ['password'],
    hostKeyCheck: () => 'unknown',
    acceptUnknownHostKey: true,
    algorithms: { kex: [kex] },
  });
  return new Promise((resolve, reject) => {
    const events: SshEvent[] = [];
    const out: Uint8Array[] = [];
    let exitStatus: number | null = null;
    let channel = -1;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no end of session in 60 s; events: ${events.map((e) => e.type).join(' ')}`));
    }, 60_000);
    const att = attachSocket(
      conn,
      socket,
      (e) => {
        events.push(e);
        if (e.type === 'auth' && e.result === 'success') channel = conn.command({ type: 'open-session' });
        if (e.type === 'channel' && e.id === channel) {
          if (e.change === 'open') conn.command({ type: 'exec', channel, command });
          else if (e.change === 'data') out.push((e.detail as { data: Uint8Array }).data);
          else if (e.change === 'exit-status') exitStatus = (e.detail as { status: number }).status;
          else if (e.change === 'closed') conn.command({ type: 'disconnect', description: 'done' });
        }
        if (e.type === 'closed') {
          clearTimeout(timer);
          resolve({ stdout: Buffer.concat(out).toString('utf8'), exitStatus, events });
        }
      },
      { side: 'client' },
    );
    att.pump();
  });
}

function chosenKex(events: SshEvent[]): string | undefined {
  const n = events.find((e) => e.type === 'negotiated') as Extract<SshEvent, { type: 'negotiated' }> | undefined;
  return n?.rows.find((r) => r.category === 'kex')?.chosen ?? undefined;
}

describe.skipIf(!sshdReady)('our client → real sshd with a forced hybrid KEX', () => {
  const sshds: Record<string, Sshd> = {};

  beforeAll(async () => {
    for (const name of NAMES) sshds[name] = await startSshd({ extraConfig: `KexAlgorithms ${name}\n` });
  });
  afterAll(async () => {
    for (const s of Object.values(sshds)) await s.stop();
  });

  it.each(NAMES)('%s: echo hi', async (name) => {
    expect(KEX[name]?.family).toBe('hybrid');
    const sshd = sshds[name]!;
    const r = await runOurClient(sshd.port, sshd.user, sshd.password, name, 'echo hi');
    const errors = r.events.filter((e) => e.type === 'error');
    expect(errors, JSON.stringify(errors)).toEqual([]);
    expect(r.stdout).toBe('hi\n');
    expect(r.exitStatus).toBe(0);
    expect(chosenKex(r.events)).toBe(name);
    // sshd's own record of the method it ran (LogLevel DEBUG3).
    expect(sshd.logText()).toContain(`kex: algorithm: ${name}`);
  });

  it('sshscope connect --kex sntrup761x25519-sha512@openssh.com: echo hi', async () => {
    const name = NAMES[0]!;
    const sshd = sshds[name]!;
    const r = await runCli(['connect', '-p', String(sshd.port), '--kex', name, '--password-env', 'SSHSCOPE_TEST_PW', '--accept-new', '--known-hosts', `${sshd.dir}/cli_known_hosts`, `${sshd.user}@127.0.0.1`, 'echo', 'hi'], { SSHSCOPE_TEST_PW: sshd.password });
    expect(r.stdout).toBe('hi\n');
    expect(r.code).toBe(0);
  });
});

describe.skipIf(!sshReady)('real ssh with a forced hybrid KEX → our server', () => {
  const PASSWORD = 'pq-hybrid-Pw';
  const servers: Server[] = [];
  let port = 0;
  const serverEvents: SshEvent[] = [];

  beforeAll(async () => {
    const env = defaultEnv();
    const hostKey = generateEd25519((n) => env.randomBytes(n));
    const tcp = createTcpServer((socket) => {
      const conn = createServer({ env: defaultEnv(), hostKeys: [hostKey], users: [{ name: 'alice', password: PASSWORD }], algorithms: { kex: [...NAMES] } });
      const att = attachSocket(
        conn,
        socket,
        (e) => {
          serverEvents.push(e);
          respondToExec(conn, e);
        },
        { side: 'server' },
      );
      att.pump();
    });
    servers.push(tcp);
    await new Promise<void>((res) => tcp.listen(0, '127.0.0.1', () => res()));
    port = (tcp.address() as AddressInfo).port;
  });
  afterAll(async () => {
    for (const s of servers) await new Promise<void>((res) => s.close(() => res()));
  });

  it.each(NAMES)('ssh -o KexAlgorithms=%s: echo hi', async (name) => {
    const before = serverEvents.length;
    const r = await runSsh(['-v', '-o', `KexAlgorithms=${name}`, '-p', String(port), 'alice@127.0.0.1', 'echo', 'hi'], { password: PASSWORD });
    expect(r.stderr).toContain(`kex: algorithm: ${name}`);
    expect(text(r.stdout)).toBe('hi\n');
    expect(r.code).toBe(0);
    expect(chosenKex(serverEvents.slice(before))).toBe(name);
    expect(serverEvents.slice(before).filter((e) => e.type === 'error')).toEqual([]);
  });

  it('ssh -o KexAlgorithms=sntrup761x25519-sha512@openssh.com → sshscope serve --kex: echo hi', async () => {
    const name = NAMES[0]!;
    const serve = await spawnServe(['--user', `alice:${PASSWORD}`, '--kex', name]);
    try {
      const r = await runSsh(['-v', '-o', `KexAlgorithms=${name}`, '-p', String(serve.port), 'alice@127.0.0.1', 'echo', 'hi'], { password: PASSWORD });
      expect(r.stderr).toContain(`kex: algorithm: ${name}`);
      expect(text(r.stdout)).toBe('hi\n');
      expect(r.code).toBe(0);
    } finally {
      await serve.stop();
    }
  });
});

/** Runs `node bin/sshscope.js ARGS` to its end. */
function runCli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/sshscope.js', ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: out, stderr: err });
    });
    child.stdin.end();
  });
}

