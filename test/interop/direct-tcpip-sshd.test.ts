// Local port forwarding against real OpenSSH: our client engine opens direct-tcpip channels
// (RFC 4254 §7.2) through a private sshd to a tiny TCP echo server this test runs on 127.0.0.1.
// sshd's PermitOpen allows the echo port and one closed port: the echo comes back through the
// channel; the closed port gives OPEN_FAILURE 2 (CONNECT_FAILED); any other port gives 1
// (ADMINISTRATIVELY_PROHIBITED) — reason codes of RFC 4254 §5.1, as sshd sends them.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer as createTcpServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createClient, defaultEnv, type SshEvent } from '../../engine/index.ts';
import { attachSocket, connectTcp } from '../../engine/adapters/node-tcp.ts';
import { PEER_PATHS, requirePeers, requireRoot } from '../helpers/peers.ts';
import { freePort, startSshd, type Sshd } from '../helpers/sshd.ts';

const ready =
  requirePeers([
    ['sshd', PEER_PATHS.sshd],
    ['ssh-keygen', PEER_PATHS.sshKeygen],
  ]) && requireRoot();

interface ChannelResult {
  target: number;
  opened: boolean;
  reasonCode?: number;
  description?: string;
  echoed: string;
}

/** Our client over TCP: password login, one direct-tcpip channel per target port, `payload` sent on each. */
async function forwardThrough(sshd: Sshd, targets: number[], payload: string): Promise<{ results: ChannelResult[]; events: SshEvent[] }> {
  const socket = await connectTcp('127.0.0.1', sshd.port);
  const conn = createClient({ env: defaultEnv(), username: sshd.user, password: sshd.password, authMethods: ['password'], hostKeyCheck: () => 'unknown', acceptUnknownHostKey: true });
  const byChannel = new Map<number, ChannelResult>();
  const events: SshEvent[] = [];
  let pending = targets.length;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no end in 30 s; events: ${events.map((e) => `${e.type}${e.type === 'channel' ? `:${e.change}` : ''}`).join(' ')}`));
    }, 30_000);
    const done = () => {
      if (--pending === 0) conn.command({ type: 'disconnect', description: 'done' });
    };
    const att = attachSocket(
      conn,
      socket,
      (e) => {
        events.push(e);
        if (e.type === 'auth' && e.result === 'success') {
          targets.forEach((port, i) => {
            const id = conn.command({ type: 'open-direct-tcpip', host: '127.0.0.1', port, originatorHost: '127.0.0.1', originatorPort: 50000 + i });
            byChannel.set(id, { target: port, opened: false, echoed: '' });
          });
        }
        if (e.type === 'channel') {
          const r = byChannel.get(e.id);
          if (!r) return;
          if (e.change === 'open') {
            r.opened = true;
            conn.command({ type: 'data', channel: e.id, data: new TextEncoder().encode(payload) });
            conn.command({ type: 'eof', channel: e.id });
          } else if (e.change === 'open-failed') {
            const d = e.detail as { reasonCode: number; description: string };
            r.reasonCode = d.reasonCode;
            r.description = d.description;
            done();
          } else if (e.change === 'data') r.echoed += new TextDecoder().decode((e.detail as { data: Uint8Array }).data);
          else if (e.change === 'closed') done();
        }
        if (e.type === 'closed') {
          clearTimeout(timer);
          resolve({ results: [...byChannel.values()], events });
        }
      },
      { side: 'client' },
    );
    att.pump();
  });
}

describe.skipIf(!ready)('direct-tcpip through real sshd (ssh -L)', () => {
  let sshd: Sshd;
  let echo: Server;
  let echoPort = 0;
  let closedPort = 0;
  const peers: string[] = [];
  const received: string[] = [];

  beforeAll(async () => {
    echo = createTcpServer((s: Socket) => {
      peers.push(s.remoteAddress ?? '?');
      s.on('data', (d) => {
        received.push(d.toString());
        s.write(d);
      });
      s.on('end', () => s.end());
    });
    await new Promise<void>((res) => echo.listen(0, '127.0.0.1', res));
    echoPort = (echo.address() as AddressInfo).port;
    closedPort = await freePort();
    sshd = await startSshd({ extraConfig: `AllowTcpForwarding yes\nPermitOpen 127.0.0.1:${echoPort} 127.0.0.1:${closedPort}\n` });
  });
  afterAll(async () => {
    await sshd?.stop();
    await new Promise<void>((res) => (echo ? echo.close(() => res()) : res()));
  });

  it('the echo comes back through the channel; sshd connected the permitted target', async () => {
    const payload = 'hello through sshd\n'.repeat(50);
    const { results, events } = await forwardThrough(sshd, [echoPort], payload);
    expect(events.filter((e) => e.type === 'error')).toEqual([]);
    expect(results).toEqual([{ target: echoPort, opened: true, echoed: payload }]);
    expect(received.join('')).toBe(payload);
    expect(peers).toContain('127.0.0.1');
    // Our CHANNEL_OPEN went out as direct-tcpip; sshd logged the request (LogLevel DEBUG3).
    expect(events.some((e) => e.type === 'packet' && e.dir === 'c2s' && e.msg === 'SSH_MSG_CHANNEL_OPEN' && new TextDecoder().decode(e.payload).includes('direct-tcpip'))).toBe(true);
    expect(sshd.logText()).toMatch(/direct-tcpip/);
  });

  it('a permitted but closed port → CONNECT_FAILED (2); a port not in PermitOpen → ADMINISTRATIVELY_PROHIBITED (1)', async () => {
    let other = await freePort();
    while (other === echoPort || other === closedPort) other = await freePort();
    const { results } = await forwardThrough(sshd, [closedPort, other], 'x');
    const byTarget = new Map(results.map((r) => [r.target, r]));
    expect(byTarget.get(closedPort)).toMatchObject({ opened: false, reasonCode: 2 });
    expect(byTarget.get(other)).toMatchObject({ opened: false, reasonCode: 1 });
  });
});
