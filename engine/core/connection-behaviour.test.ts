import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { seededEnv } from '../env.ts';
import { generateEd25519, publicKeyBlob } from '../algorithms/signatures.ts';
import { formatPublicKeyLine } from '../keys/public-key.ts';
import type { ClientConfig, ServerConfig } from './config.ts';
import { createClient, createServer, type Connection } from './connection.ts';
import { pumpPair } from '../adapters/memory-pair.ts';
import { runExec } from './session-harness.ts';
import type { SshEvent } from '../events.ts';
import { encodeMessage } from '../wire/messages.ts';
import { buildPacket } from './binary-packet.ts';
import { createNoneSealer } from '../algorithms/ciphers.ts';

function setup(seed: string, c: Partial<ClientConfig> = {}, s: Partial<ServerConfig> = {}) {
  const hk = seededEnv(`${seed}/host`);
  const uk = seededEnv(`${seed}/user`);
  const hostKey = generateEd25519((n) => hk.randomBytes(n));
  const userKey = generateEd25519((n) => uk.randomBytes(n));
  const server: ServerConfig = {
    env: seededEnv(`${seed}/server`),
    hostKeys: [hostKey],
    users: [{ name: 'alice', password: 'pw', authorizedKeys: formatPublicKeyLine(publicKeyBlob(userKey)) }],
    ...s,
  };
  const client: ClientConfig = { env: seededEnv(`${seed}/client`), username: 'alice', password: 'pw', keys: [userKey], hostKeyCheck: () => 'known', ...c };
  return { client, server };
}

const byType = <T extends SshEvent['type']>(events: SshEvent[], type: T, side?: 'client' | 'server') =>
  events.filter((e) => e.type === type && (!side || e.side === side)) as Extract<SshEvent, { type: T }>[];

describe('key exchange details', () => {
  it('uses a right first_kex_packet_follows guess (RFC 4253 §7.1)', () => {
    const kex = ['curve25519-sha256', 'curve25519-sha256@libssh.org'];
    const { client, server } = setup('guess-right', { guessFirstKexPacket: true, algorithms: { kex } }, { algorithms: { kex } });
    const r = runExec(client, server, 'echo ok');
    expect(byType(r.events, 'error')).toEqual([]);
    expect(new TextDecoder().decode(r.stdout)).toBe('ok\n');
    const inits = byType(r.events, 'packet', 'client').filter((e) => e.dir === 'c2s' && e.msg === 'SSH_MSG_KEX_ECDH_INIT');
    expect(inits.length).toBe(1);
  });

  it('discards a wrong guess and redoes the exchange', () => {
    const { client, server } = setup('guess-wrong', { guessFirstKexPacket: true, algorithms: { kex: ['curve25519-sha256', 'curve25519-sha256@libssh.org'] } }, { algorithms: { kex: ['curve25519-sha256@libssh.org', 'curve25519-sha256'] } });
    const r = runExec(client, server, 'echo ok');
    expect(byType(r.events, 'error')).toEqual([]);
    expect(new TextDecoder().decode(r.stdout)).toBe('ok\n');
    const inits = byType(r.events, 'packet', 'client').filter((e) => e.dir === 'c2s' && e.msg === 'SSH_MSG_KEX_ECDH_INIT');
    expect(inits.length).toBe(2);
    expect(byType(r.events, 'info', 'server').some((e) => e.message.includes('wrong, it will be ignored'))).toBe(true);
  });

  it('lets the server start a re-exchange in the middle of a session', () => {
    const { client, server } = setup('server-rekey', { trace: false }, { trace: false });
    const input = seededEnv('server-rekey-input').randomBytes(300_000);
    let rekeyed = false;
    const r = runExec(client, server, 'cat', input, {
      onEvent: (e, from) => {
        if (!rekeyed && e.side === 'server' && e.type === 'channel' && e.change === 'data') {
          rekeyed = true;
          from.command({ type: 'rekey' });
        }
      },
    });
    expect(byType(r.events, 'error')).toEqual([]);
    expect(Buffer.from(r.stdout).equals(Buffer.from(input))).toBe(true);
    expect(byType(r.events, 'keys', 'client').length).toBe(2);
  });

  it('fails negotiation with KEY_EXCHANGE_FAILED when no cipher is in common', () => {
    const { client, server } = setup('no-common', { algorithms: { cipher: ['aes128-ctr'] } }, { algorithms: { cipher: ['aes256-gcm@openssh.com'] } });
    const r = runExec(client, server, 'echo ok');
    const err = byType(r.events, 'error', 'client')[0] ?? byType(r.events, 'error', 'server')[0];
    expect(err?.reason).toBe(3);
    expect(err?.message).toMatch(/no matching encryption/);
  });

  it('refuses an unknown host key when the policy says so', () => {
    const { client, server } = setup('unknown-host', { hostKeyCheck: () => 'unknown', acceptUnknownHostKey: false });
    const r = runExec(client, server, 'echo ok');
    expect(byType(r.events, 'host-key-check', 'client').map((e) => e.result)).toEqual(['unknown', 'rejected']);
    expect(byType(r.events, 'closed', 'client')[0]?.reason).toBe(9);
  });

  it('asks a host-key decision when no policy is configured, and waits for the answer', () => {
    const { client, server } = setup('decision', { hostKeyCheck: undefined });
    const c = createClient(client);
    const s = createServer(server);
    const first = pumpPair(c, s);
    const decision = byType(first.events, 'decision', 'client')[0]!;
    expect(decision.kind).toBe('host-key');
    expect(c.sessionId).toBeNull();
    c.answer(decision.id, true);
    const rest = pumpPair(c, s);
    expect(byType(rest.events, 'auth', 'client').some((e) => e.result === 'success')).toBe(true);
  });

  it('strict KEX: a stray message during the initial exchange is fatal; without strict KEX it gets UNIMPLEMENTED', () => {
    for (const strict of [true, false]) {
      const { client, server } = setup(`stray-${strict}`, { strictKex: strict });
      const c = createClient(client);
      const s = createServer(server);
      // Deliver the client's version and KEXINIT, then a packet with unknown id 150.
      s.receive(c.pollTransmit()!);
      const stray = buildPacket(new Uint8Array([150, 1, 2, 3]), createNoneSealer(), (n) => new Uint8Array(n));
      s.receive(stray);
      const events: SshEvent[] = [];
      let e;
      while ((e = s.pollEvent())) events.push(e);
      if (strict) {
        const err = byType(events, 'error')[0]!;
        expect(err.reason).toBe(2);
        expect(err.message).toMatch(/strict KEX/);
      } else {
        expect(byType(events, 'error')).toEqual([]);
        expect(byType(events, 'packet').some((p) => p.msg === 'SSH_MSG_UNIMPLEMENTED' && p.dir === 's2c')).toBe(true);
      }
    }
  });
});

describe('authentication details', () => {
  it('sends the banner and requires two methods with partial success', () => {
    const { client, server } = setup('partial', { authMethods: ['publickey', 'password'] }, { banner: 'Authorised users only\n', requiredMethods: [['publickey', 'password']] });
    const r = runExec(client, server, 'echo ok');
    expect(byType(r.events, 'banner', 'client')[0]?.message).toBe('Authorised users only\n');
    const results = byType(r.events, 'auth', 'client').map((e) => e.result);
    expect(results).toEqual(['failure', 'pk-ok', 'partial', 'success']);
    expect(byType(r.events, 'auth', 'client').find((e) => e.result === 'partial')?.continue).toEqual(['password']);
  });

  it('disconnects after too many failed attempts', () => {
    const keys = Array.from({ length: 4 }, (_, i) => generateEd25519((n) => seededEnv(`stranger-${i}`).randomBytes(n)));
    const { client, server } = setup('max-tries', { keys, password: 'wrong', authMethods: ['publickey', 'password'] }, { maxAuthTries: 3 });
    const r = runExec(client, server, 'echo ok');
    const closed = byType(r.events, 'closed', 'server')[0]!;
    expect(closed.reason).toBe(2);
    expect(closed.message).toMatch(/Too many authentication failures/);
  });

  it('like sshd with MaxAuthTries 2: the opening "none" is free, the second wrong password ends the connection', () => {
    // the same sequence test/interop/auth-limit-openssh.test.ts observes from a real sshd
    const { client, server } = setup('max-tries-none', { password: undefined, keys: [], authMethods: ['password'] }, { maxAuthTries: 2 });
    const c = createClient(client);
    const sv = createServer(server);
    const wrong = ['not-it-1', 'not-it-2', 'not-it-3'];
    let asked = 0;
    const { events } = pumpPair(c, sv, (e, from) => {
      if (from === c && e.type === 'decision' && e.kind === 'password') c.answer(e.id, wrong[asked++] ?? null);
    });
    expect(asked).toBe(2);
    expect(byType(events, 'auth', 'client').map((e) => `${e.method} ${e.result}`)).toEqual(['none failure', 'password failure']);
    expect(byType(events, 'closed', 'client')[0]).toMatchObject({ reason: 2, message: 'peer disconnected: Too many authentication failures' });
  });
});

describe('connection protocol details', () => {
  it('answers keepalive@openssh.com with REQUEST_FAILURE, as OpenSSH expects', () => {
    const { client, server } = setup('keepalive');
    let sent = false;
    const r = runExec(client, server, 'cat', new Uint8Array([1, 2, 3]), {
      onEvent: (e, from) => {
        if (!sent && e.side === 'client' && e.type === 'channel' && e.change === 'open') {
          sent = true;
          from.command({ type: 'keepalive' });
        }
      },
    });
    const reply = byType(r.events, 'global-request', 'client').find((e) => e.name === 'keepalive@openssh.com');
    expect(reply?.result).toBe('failure');
  });

  it('carries stderr, window-change, signal and exit-signal', () => {
    const { client, server } = setup('extras');
    const c = createClient(client);
    const s = createServer(server);
    let ch = -1;
    const seen: string[] = [];
    let stderr = '';
    let exitSignal: unknown;
    pumpPair(c, s, (e, from) => {
      if (from === c) {
        if (e.type === 'auth' && e.result === 'success') ch = c.command({ type: 'open-session' });
        if (e.type === 'channel' && e.change === 'open') {
          c.command({ type: 'pty', channel: ch, cols: 100, rows: 30 });
          c.command({ type: 'shell', channel: ch });
          c.command({ type: 'window-change', channel: ch, cols: 120, rows: 40 });
          c.command({ type: 'signal', channel: ch, signal: 'INT' });
        }
        if (e.type === 'channel' && e.change === 'extended-data') stderr += new TextDecoder().decode((e.detail as { data: Uint8Array }).data);
        if (e.type === 'channel' && e.change === 'exit-signal') exitSignal = e.detail;
        return;
      }
      if (e.type === 'channel' && e.change === 'request') {
        const d = e.detail as { request: string };
        seen.push(d.request);
        if (d.request === 'signal') {
          s.command({ type: 'data', channel: e.id, data: new TextEncoder().encode('interrupted\n'), stream: 'stderr' });
          s.command({ type: 'exit-signal', channel: e.id, signal: 'INT', message: 'killed' });
          s.command({ type: 'close', channel: e.id });
        }
      }
    });
    expect(seen).toEqual(['pty-req', 'shell', 'window-change', 'signal']);
    expect(stderr).toBe('interrupted\n');
    expect(exitSignal).toMatchObject({ signal: 'INT', message: 'killed' });
  });

  it('never sends more than the peer window allows', () => {
    const { client, server } = setup('window', { channelWindow: 4096, channelMaxPacket: 1024 }, { channelWindow: 4096, channelMaxPacket: 1024 });
    const input = seededEnv('window-input').randomBytes(100_000);
    const r = runExec(client, server, 'cat', input);
    expect(Buffer.from(r.stdout).equals(Buffer.from(input))).toBe(true);
    for (const e of byType(r.events, 'packet')) {
      if (e.msg === 'SSH_MSG_CHANNEL_DATA') expect(e.payload.length - 9).toBeLessThanOrEqual(1024);
    }
  });
});

describe('hostile bytes', () => {
  it('a corrupted encrypted packet ends the connection with MAC_ERROR', () => {
    for (const cipher of ['chacha20-poly1305@openssh.com', 'aes128-gcm@openssh.com', 'aes128-ctr']) {
      const { client, server } = setup(`tamper-${cipher}`, { algorithms: { cipher: [cipher] } }, { algorithms: { cipher: [cipher] } });
      const c = createClient(client);
      const s = createServer(server);
      let tampered = false;
      const events: SshEvent[] = [];
      for (let round = 0; round < 100; round++) {
        let moved = false;
        for (const [from, to] of [[c, s], [s, c]] as [Connection, Connection][]) {
          let e;
          while ((e = from.pollEvent())) events.push(e);
          let out = from.pollTransmit();
          if (out) {
            if (from === c && c.sessionId && !tampered && out.length > 40) {
              out = out.slice();
              out[out.length - 20]! ^= 0x01;
              tampered = true;
            }
            to.receive(out);
            moved = true;
          }
        }
        if (!moved) break;
      }
      expect(tampered).toBe(true);
      const err = byType(events, 'error', 'server')[0]!;
      expect(err.reason).toBe(5);
      expect(s.closed).toBe(true);
    }
  });

  it('random bytes never make receive() throw (fast-check)', () => {
    const { client, server } = setup('fuzz-random');
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.boolean(), (bytes, asServer) => {
        const conn = asServer ? createServer(server) : createClient(client);
        conn.receive(new TextEncoder().encode('SSH-2.0-fuzz\r\n'));
        conn.receive(bytes);
        while (conn.pollEvent());
        return true;
      }),
      { numRuns: 300 },
    );
  });

  it('mutations of a real client transcript never make the server throw, and each ends cleanly (fast-check)', () => {
    // Record what a client sends in a whole session, then replay mutated copies into fresh servers.
    const chunks: Uint8Array[] = [];
    const { client: c2cfg, server: s2cfg } = setup('fuzz-mutate');
    const c2 = createClient(c2cfg);
    const s2 = createServer(s2cfg);
    for (let i = 0; i < 50; i++) {
      const out = c2.pollTransmit();
      if (out) {
        chunks.push(out);
        s2.receive(out);
      }
      const back = s2.pollTransmit();
      if (back) c2.receive(back);
      while (c2.pollEvent());
      while (s2.pollEvent());
      if (!out && !back) break;
    }
    const stream = Buffer.concat(chunks);
    fc.assert(
      fc.property(fc.nat({ max: stream.length - 1 }), fc.integer({ min: 1, max: 255 }), fc.nat({ max: 64 }), (pos, xor, cut) => {
        const mutated = new Uint8Array(stream);
        mutated[pos]! ^= xor;
        const s = createServer({ ...s2cfg, env: seededEnv('fuzz-mutate/server') });
        s.receive(mutated.subarray(0, Math.max(0, mutated.length - cut)));
        const events: SshEvent[] = [];
        let e;
        while ((e = s.pollEvent())) events.push(e);
        // Either the change was harmless or the server said why it stopped.
        if (s.closed) expect(events.some((x) => x.type === 'error' || x.type === 'closed')).toBe(true);
        return true;
      }),
      { numRuns: 200 },
    );
  });
});

describe('no-more-sessions@openssh.com', () => {
  it('refuses a session opened after the client promised none', () => {
    const { client, server } = setup('no-more');
    const c = createClient(client);
    const s = createServer(server);
    const events: SshEvent[] = [];
    pumpPair(c, s, (e) => {
      events.push(e);
      if (e.side === 'client' && e.type === 'auth' && e.result === 'success') {
        c.command({ type: 'no-more-sessions' });
        c.command({ type: 'open-session' });
      }
    });
    const failed = events.find((e) => e.side === 'client' && e.type === 'channel' && e.change === 'open-failed');
    expect((failed as { detail?: unknown } | undefined)?.detail).toMatchObject({ reasonCode: 1 });
  });
});

describe('authorized_keys options on the server', () => {
  const withOptions = (seed: string, options: string, peerAddress = '127.0.0.1') => {
    const base = setup(seed, { authMethods: ['publickey'] });
    const line = base.server.users[0]!.authorizedKeys!;
    return { client: base.client, server: { ...base.server, peerAddress, users: [{ name: 'alice', authorizedKeys: `${options} ${line}` }] } };
  };

  it('command="…" replaces the requested command', () => {
    const { client, server } = withOptions('forced', 'command="echo forced",no-pty');
    const r = runExec(client, server, 'echo asked');
    expect(new TextDecoder().decode(r.stdout)).toBe('forced\n');
    const req = r.events.find((e) => e.side === 'server' && e.type === 'channel' && e.change === 'request') as { detail: { forcedCommand?: string } };
    expect(req.detail.forcedCommand).toBe('echo forced');
  });

  it('from="…" refuses a key used from another address, and says which line refused it', () => {
    const { client, server } = withOptions('from', 'from="10.1.2.*"');
    const r = runExec(client, server, 'echo hi');
    expect(r.exitStatus).toBeNull();
    const attempt = r.events.find((e) => e.side === 'server' && e.type === 'auth' && e.result === 'attempt') as { detail: string };
    expect(attempt.detail).toMatch(/line 1: not from a permitted host/);
  });

  it('no-pty refuses pty-req', () => {
    const { client, server } = withOptions('nopty', 'no-pty');
    const c = createClient(client);
    const s = createServer(server);
    let ch = -1;
    const events: SshEvent[] = [];
    pumpPair(c, s, (e) => {
      events.push(e);
      if (e.side === 'client' && e.type === 'auth' && e.result === 'success') ch = c.command({ type: 'open-session' });
      if (e.side === 'client' && e.type === 'channel' && e.change === 'open') c.command({ type: 'pty', channel: ch });
    });
    const reply = events.find((e) => e.side === 'client' && e.type === 'channel' && (e.change === 'request-failure' || e.change === 'request-success')) as { change: string };
    expect(reply.change).toBe('request-failure');
  });
});

describe('env and subsystem requests', () => {
  it('carry their names to the server', () => {
    const { client, server } = setup('env-subsystem');
    const c = createClient(client);
    const s = createServer(server);
    let ch = -1;
    const seen: Record<string, unknown>[] = [];
    pumpPair(c, s, (e) => {
      if (e.side === 'client' && e.type === 'auth' && e.result === 'success') ch = c.command({ type: 'open-session' });
      if (e.side === 'client' && e.type === 'channel' && e.change === 'open') {
        c.command({ type: 'env', channel: ch, name: 'LANG', value: 'zh_CN.UTF-8' });
        c.command({ type: 'subsystem', channel: ch, name: 'sftp' });
      }
      if (e.side === 'server' && e.type === 'channel' && e.change === 'request') seen.push(e.detail as Record<string, unknown>);
    });
    expect(seen).toMatchObject([
      { request: 'env', variableName: 'LANG', value: 'zh_CN.UTF-8' },
      { request: 'subsystem', subsystemName: 'sftp' },
    ]);
    expect(c.closed).toBe(false);
  });
});

describe('manual window (back-pressure)', () => {
  it('grants no window until the application consumes, then resumes', () => {
    const { client, server } = setup('manual-window', {}, { manualWindow: true, channelWindow: 64 * 1024, channelMaxPacket: 16 * 1024 });
    const c = createClient(client);
    const s = createServer(server);
    let ch = -1;
    let received = 0;
    const serverData: { id: number; n: number }[] = [];
    const input = seededEnv('mw-input').randomBytes(256 * 1024);
    pumpPair(c, s, (e) => {
      if (e.side === 'client' && e.type === 'auth' && e.result === 'success') ch = c.command({ type: 'open-session' });
      if (e.side === 'client' && e.type === 'channel' && e.change === 'open') {
        c.command({ type: 'exec', channel: ch, command: 'cat' });
        c.command({ type: 'data', channel: ch, data: input });
      }
      if (e.side === 'server' && e.type === 'channel' && e.change === 'data') {
        const n = (e.detail as { data: Uint8Array }).data.length;
        received += n;
        serverData.push({ id: e.id, n });
      }
    });
    // Nothing consumed: the client stops at the 64 KiB window and keeps the rest queued.
    expect(received).toBe(64 * 1024);
    expect(c.bufferedAmount(ch)).toBe(input.length - 64 * 1024);
    for (let round = 0; round < 10 && received < input.length; round++) {
      const pending = serverData.splice(0);
      for (const d of pending) s.command({ type: 'consume', channel: d.id, bytes: d.n });
      pumpPair(c, s, (e) => {
        if (e.side === 'server' && e.type === 'channel' && e.change === 'data') {
          const n = (e.detail as { data: Uint8Array }).data.length;
          received += n;
          serverData.push({ id: e.id, n });
        }
      });
    }
    expect(received).toBe(input.length);
  });
});

describe('compression (RFC 4253 §6.2, OpenSSH PROTOCOL §1.2)', () => {
  for (const method of ['zlib', 'zlib@openssh.com']) {
    it(`${method}: data survives, packets shrink, and the message tree is shown for the decompressed payload`, () => {
      const algorithms = { compression: [method] };
      const { client, server } = setup(`comp-${method}`, { algorithms }, { algorithms });
      const input = new TextEncoder().encode('all work and no play makes jack a dull boy\n'.repeat(5000));
      const r = runExec(client, server, 'cat', input);
      expect(byType(r.events, 'error')).toEqual([]);
      expect(Buffer.from(r.stdout).equals(Buffer.from(input))).toBe(true);
      const data = byType(r.events, 'packet', 'client').filter((e) => e.msg === 'SSH_MSG_CHANNEL_DATA' && e.dir === 'c2s');
      expect(data.length).toBeGreaterThan(0);
      for (const p of data) {
        expect(p.compression).toBe(method);
        expect(p.wire.length).toBeLessThan(p.payload.length / 4);
        expect(p.payloadTree?.end).toBe(p.payload.length);
      }
      // zlib@openssh.com waits for authentication: the password request is not compressed.
      const authReq = byType(r.events, 'packet', 'client').find((e) => e.msg === 'SSH_MSG_USERAUTH_REQUEST' && e.dir === 'c2s')!;
      expect(authReq.compression).toBe(method === 'zlib' ? 'zlib' : undefined);
    });
  }
});

describe('publickey algorithms on the server', () => {
  it('refuses ssh-rsa (SHA-1) signatures by default, as OpenSSH 9.2 does, and accepts rsa-sha2-512', async () => {
    const { generateKey } = await import('../keys/generate-key.ts');
    const rsaEnv = seededEnv('rsa-user');
    const rsa = generateKey({ type: 'rsa', bits: 1024, random: (n) => rsaEnv.randomBytes(n) }) as never;
    const line = formatPublicKeyLine(publicKeyBlob(rsa));
    const base = setup('rsa-user');
    const server = { ...base.server, users: [{ name: 'alice', authorizedKeys: line }] };
    const sha1 = runExec({ ...base.client, keys: [rsa], authMethods: ['publickey'], algorithms: { pubkey: ['ssh-rsa'] } }, server, 'echo hi');
    expect(sha1.exitStatus).toBeNull();
    expect(byType(sha1.events, 'auth', 'server').some((e) => e.detail?.includes('ssh-rsa is not accepted'))).toBe(true);
    const sha2 = runExec({ ...base.client, keys: [rsa], authMethods: ['publickey'] }, server, 'echo hi');
    expect(sha2.exitStatus).toBe(0);
    const req = byType(sha2.events, 'packet', 'client').filter((e) => e.msg === 'SSH_MSG_USERAUTH_REQUEST').map((e) => new TextDecoder().decode(e.payload));
    expect(req.some((t) => t.includes('rsa-sha2-512'))).toBe(true);
  });
});
