// The server side of direct-tcpip (RFC 4254 §7.2) against the real OpenSSH client: `ssh -W host:port`
// opens a direct-tcpip channel to our server engine (over TCP, in this process) and ties it to its
// stdin/stdout. Our host program connects the target with node:net when the policy permits it:
// the echo comes back through ssh; a port outside the policy gets ADMINISTRATIVELY_PROHIBITED and a
// closed port CONNECT_FAILED, which the real ssh reports in its own words.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, createServer as createTcpServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createServer, defaultEnv, generateEd25519, type SshEvent } from '../../engine/index.ts';
import type { Connection } from '../../engine/core/connection.ts';
import { attachSocket } from '../../engine/adapters/node-tcp.ts';
import { PEER_PATHS, requirePeers } from '../helpers/peers.ts';
import { runSsh, text } from '../helpers/ssh.ts';
import { freePort } from '../helpers/sshd.ts';

const ready = requirePeers([['ssh', PEER_PATHS.ssh]]);
const PASSWORD = 'forward-Pw-4254';

describe.skipIf(!ready)('real ssh -W → our server engine (direct-tcpip)', () => {
  const servers: Server[] = [];
  const targets: Socket[] = [];
  const events: SshEvent[] = [];
  let port = 0;
  let echoPort = 0;
  let closedPort = 0;
  let refusedPort = 0;
  /** Our channel id → the TCP connection to its target. */
  const channels = new Map<number, Socket>();

  /** The program around the server engine: connects the targets of permitted direct-tcpip opens. */
  function hostProgram(conn: Connection, pump: () => void, e: SshEvent): void {
    events.push(e);
    if (e.type === 'auth' && e.result === 'success') conn.command({ type: 'permit-open', permit: [`127.0.0.1:${echoPort}`, `127.0.0.1:${closedPort}`] });
    if (e.type !== 'channel') return;
    const id = e.id;
    if (e.change === 'open-request') {
      const d = e.detail as { host: string; port: number };
      const t = connect(d.port, d.host);
      targets.push(t);
      let open = false;
      t.on('connect', () => {
        open = true;
        conn.command({ type: 'confirm-open', channel: id });
        pump();
      });
      t.on('data', (b) => {
        conn.command({ type: 'data', channel: id, data: new Uint8Array(b) });
        pump();
      });
      t.on('end', () => {
        conn.command({ type: 'eof', channel: id });
        conn.command({ type: 'close', channel: id });
        pump();
      });
      t.on('error', (err: NodeJS.ErrnoException) => {
        if (open) return;
        conn.command({ type: 'refuse-open', channel: id, description: err.code === 'ECONNREFUSED' ? 'Connection refused' : err.message });
        pump();
      });
      channels.set(id, t);
    } else if (e.change === 'data') channels.get(id)?.write((e.detail as { data: Uint8Array }).data);
    else if (e.change === 'eof') channels.get(id)?.end();
    else if (e.change === 'closed') channels.get(id)?.destroy();
  }
  beforeAll(async () => {
    const echo = createTcpServer((s) => {
      s.on('data', (d) => s.write(d));
      s.on('end', () => s.end());
    });
    servers.push(echo);
    await new Promise<void>((res) => echo.listen(0, '127.0.0.1', () => res()));
    echoPort = (echo.address() as AddressInfo).port;
    closedPort = await freePort();
    do refusedPort = await freePort();
    while (refusedPort === closedPort || refusedPort === echoPort);
    const env = defaultEnv();
    const hostKey = generateEd25519((n) => env.randomBytes(n));
    const tcp = createTcpServer((socket) => {
      const conn = createServer({ env: defaultEnv(), hostKeys: [hostKey], users: [{ name: 'alice', password: PASSWORD }] });
      const att = attachSocket(conn, socket, (e) => hostProgram(conn, () => att.pump(), e), { side: 'server' });
      att.pump();
    });
    servers.push(tcp);
    await new Promise<void>((res) => tcp.listen(0, '127.0.0.1', () => res()));
    port = (tcp.address() as AddressInfo).port;
  });
  afterAll(async () => {
    for (const t of targets) t.destroy();
    for (const s of servers) await new Promise<void>((res) => s.close(() => res()));
  });

  it('ssh -W to the permitted echo service: the bytes come back through the channel', async () => {
    const input = 'hello through a direct-tcpip channel\n'.repeat(40);
    const before = events.length;
    const r = await runSsh(['-p', String(port), '-W', `127.0.0.1:${echoPort}`, 'alice@127.0.0.1'], { password: PASSWORD, input });
    expect(r.stderr).not.toMatch(/open failed/);
    expect(text(r.stdout)).toBe(input);
    const mine = events.slice(before);
    expect(mine.filter((e) => e.type === 'error')).toEqual([]);
    const req = mine.find((e) => e.type === 'channel' && e.change === 'open-request') as Extract<SshEvent, { type: 'channel' }>;
    // What the real ssh put in its CHANNEL_OPEN, as our server decoded it (RFC 4254 §7.2).
    expect(req.detail).toMatchObject({ channelType: 'direct-tcpip', host: '127.0.0.1', port: echoPort });
    const open = mine.find((e) => e.type === 'packet' && e.dir === 'c2s' && e.msg === 'SSH_MSG_CHANNEL_OPEN') as Extract<SshEvent, { type: 'packet' }>;
    expect(new TextDecoder().decode(open.payload)).toContain('direct-tcpip');
  });

  it('outside the policy → ssh reports "administratively prohibited"; a closed port → "connect failed"', async () => {
    const prohibited = await runSsh(['-p', String(port), '-W', `127.0.0.1:${refusedPort}`, 'alice@127.0.0.1'], { password: PASSWORD, input: 'x' });
    expect(prohibited.stderr).toMatch(/open failed: administratively prohibited/);
    expect(prohibited.code).not.toBe(0);
    const closed = await runSsh(['-p', String(port), '-W', `127.0.0.1:${closedPort}`, 'alice@127.0.0.1'], { password: PASSWORD, input: 'x' });
    expect(closed.stderr).toMatch(/open failed: connect failed: Connection refused/);
    expect(closed.code).not.toBe(0);
  });
});
