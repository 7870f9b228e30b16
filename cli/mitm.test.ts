import { describe, it, expect } from 'vitest';
import { BlockList } from 'node:net';
import { createClient, defaultEnv, generateEd25519, type SshEvent } from '../engine/index.ts';
import { attachSocket, connectTcp } from '../engine/adapters/node-tcp.ts';
import { nodeCryptoProvider } from './node-crypto.ts';
import { startServer } from './serve.ts';
import { checkTarget, isLoopbackAddress, parseHostPort, startMitm, traceLine, type MitmOptions } from './mitm.ts';
import type { Leg } from './mitm-session.ts';
import { createFeed } from './classroom-feed.ts';
import { mitmFeedInfo, mitmLanes } from './mitm-ui.ts';
import { translate } from '../app/lib/i18n.ts';

const rnd = (n: number) => crypto.getRandomValues(new Uint8Array(n));

describe('loopback rule', () => {
  // independent truth: node's BlockList with the loopback ranges (RFC 1122 §3.2.1.3, RFC 4291 §2.5.3)
  const loop = new BlockList();
  loop.addSubnet('127.0.0.0', 8, 'ipv4');
  loop.addAddress('::1', 'ipv6');
  const cases = ['127.0.0.1', '127.255.0.9', '128.0.0.1', '10.0.0.1', '192.0.2.10', '0.0.0.0', '::1', '::', '2001:db8::1', '::ffff:127.0.0.1', '::ffff:10.1.1.1'];
  for (const a of cases) {
    it(a, () => {
      const mapped = a.startsWith('::ffff:') ? a.slice(7) : null;
      const truth = mapped ? loop.check(mapped, 'ipv4') : loop.check(a, a.includes(':') ? 'ipv6' : 'ipv4');
      expect(isLoopbackAddress(a)).toBe(truth);
    });
  }

  it('targets: loopback names pass, other addresses are refused unless allowed', async () => {
    expect(isLoopbackAddress(await checkTarget('localhost', false))).toBe(true);
    await expect(checkTarget('192.0.2.10', false)).rejects.toThrow(/refusing target 192\.0\.2\.10/);
    expect(await checkTarget('192.0.2.10', true)).toBe('192.0.2.10');
  });

  it('HOST:PORT forms', () => {
    expect(parseHostPort('127.0.0.1:2022', 22, 'x')).toEqual({ host: '127.0.0.1', port: 2022 });
    expect(parseHostPort('[::1]:2200', 22, 'x')).toEqual({ host: '::1', port: 2200 });
    expect(parseHostPort('[::1]', 22, 'x')).toEqual({ host: '::1', port: 22 });
    expect(parseHostPort('::1', 22, 'x')).toEqual({ host: '::1', port: 22 });
    expect(parseHostPort('localhost', 22, 'x')).toEqual({ host: 'localhost', port: 22 });
    expect(() => parseHostPort('h:99999', 22, 'x')).toThrow(/bad port/);
    expect(() => parseHostPort(':22', 22, 'x')).toThrow(/no host/);
  });
});

interface ClientRun {
  stdout: string;
  stderr: string;
  exit: number | null;
  events: SshEvent[];
}

/** Our client engine as "the real client": password login, one exec, stdin sent then EOF. */
function runClient(port: number, password: string, command: string, stdin = new Uint8Array(0), setup?: (conn: ReturnType<typeof createClient>, ch: number) => void): Promise<ClientRun> {
  return connectTcp('127.0.0.1', port).then(
    (sock) =>
      new Promise<ClientRun>((resolve) => {
        const conn = createClient({ username: 'alice', password, env: defaultEnv(nodeCryptoProvider), acceptUnknownHostKey: true, hostKeyCheck: () => 'unknown', manualWindow: false });
        const r: ClientRun = { stdout: '', stderr: '', exit: null, events: [] };
        let ch = -1;
        const dec = new TextDecoder();
        const link = attachSocket(
          conn,
          sock,
          (e) => {
            r.events.push(e);
            if (e.type === 'auth' && e.result === 'success') ch = conn.command({ type: 'open-session' });
            else if (e.type === 'channel' && e.id === ch) {
              const d = (e.detail ?? {}) as Record<string, unknown>;
              if (e.change === 'open') {
                setup?.(conn, ch);
                conn.command({ type: 'exec', channel: ch, command });
                if (stdin.length) conn.command({ type: 'data', channel: ch, data: stdin });
                conn.command({ type: 'eof', channel: ch });
              } else if (e.change === 'data' && d.data instanceof Uint8Array) r.stdout += dec.decode(d.data);
              else if (e.change === 'extended-data' && d.data instanceof Uint8Array) r.stderr += dec.decode(d.data);
              else if (e.change === 'exit-status') r.exit = Number(d.status);
              else if (e.change === 'closed') conn.command({ type: 'disconnect', description: 'done' });
            } else if (e.type === 'closed') resolve(r);
          },
          { side: 'client' },
        );
        link.pump();
      }),
  );
}

describe('startMitm in-process (our client → mitm → our server)', () => {
  async function setup() {
    const realEvents: SshEvent[] = [];
    const real = await startServer({ host: '127.0.0.1', port: 0, hostKeys: [generateEd25519(rnd, 'real')], users: [{ name: 'alice', password: 'pw-real' }], onEvent: (e) => realEvents.push(e) });
    const seen: { leg: Leg; conn: number; e: SshEvent }[] = [];
    const ended: number[] = [];
    const o: MitmOptions = {
      listen: { host: '127.0.0.1', port: 0 },
      target: { host: '127.0.0.1', port: real.port },
      hostKeys: [generateEd25519(rnd, 'mitm')],
      trace: true,
      onEvent: (leg, conn, e) => seen.push({ leg, conn, e }),
      onSessionEnd: (conn) => ended.push(conn),
    };
    const mitm = await startMitm(o);
    return { real, realEvents, mitm, seen, ended, close: async () => (await mitm.close(), await real.close()) };
  }

  it('relays the login and an exec; both legs recorded; the client saw our key, not the server\'s', async () => {
    const s = await setup();
    try {
      // the virtual shell of cli/serve.ts: "no-such-command" writes to stderr and exits 127
      const r = await runClient(s.mitm.port, 'pw-real', 'echo hi; no-such-command; exit 7');
      expect(r.stdout).toBe('hi\n');
      expect(r.stderr).toContain('no-such-command: command not found');
      expect(r.exit).toBe(7);
      const clientSaw = r.events.find((e) => e.type === 'host-key-check');
      const mitmSaw = s.seen.find((x) => x.leg === 'server-side' && x.e.type === 'host-key-check')?.e;
      expect(clientSaw && mitmSaw && clientSaw.type === 'host-key-check' && mitmSaw.type === 'host-key-check').toBe(true);
      if (clientSaw?.type === 'host-key-check' && mitmSaw?.type === 'host-key-check') expect(clientSaw.fingerprint).not.toBe(mitmSaw.fingerprint);
      for (const leg of ['client-side', 'server-side'] as const) {
        const evs = s.seen.filter((x) => x.leg === leg).map((x) => x.e);
        expect(evs.some((e) => e.type === 'auth' && e.result === 'success' && e.method === 'password')).toBe(true);
      }
      await waitFor(() => s.ended.length === 1);
      // no command was issued on a channel or connection that had already ended
      expect(s.seen.filter((x) => x.e.type === 'error').map((x) => x.e.type === 'error' && x.e.message)).toEqual([]);
    } finally {
      await s.close();
    }
  });

  it('pty-req, env, window-change and signal reach the real server with their values', async () => {
    const s = await setup();
    try {
      const r = await runClient(s.mitm.port, 'pw-real', 'env', new Uint8Array(0), (c, ch) => {
        c.command({ type: 'pty', channel: ch, term: 'vt220', cols: 101, rows: 33 });
        c.command({ type: 'env', channel: ch, name: 'MITM_TEST', value: 'relayed' });
        c.command({ type: 'window-change', channel: ch, cols: 120, rows: 40 });
        c.command({ type: 'signal', channel: ch, signal: 'USR1' });
      });
      // the real server's shell printed the variable we set on the client side
      expect(r.stdout).toContain('MITM_TEST=relayed');
      const reqs = s.realEvents.flatMap((e) => (e.type === 'channel' && e.change === 'request' ? [e.detail as Record<string, unknown>] : []));
      const of = (name: string) => reqs.find((d) => d.request === name);
      expect(of('pty-req')).toMatchObject({ term: 'vt220', widthChars: 101, heightRows: 33 });
      expect(of('env')).toMatchObject({ variableName: 'MITM_TEST', value: 'relayed' });
      expect(of('window-change')).toMatchObject({ widthChars: 120, heightRows: 40 });
      expect(of('signal')).toMatchObject({ signal: 'USR1' });
      expect(of('exec')).toMatchObject({ command: 'env' });
    } finally {
      await s.close();
    }
  });

  it('a client that stops reading: the real server is stopped too, and what we hold stays bounded', async () => {
    const s = await setup();
    try {
      const sock = await connectTcp('127.0.0.1', s.mitm.port);
      // manualWindow and never 'consume': after its first window this client grants nothing more
      const conn = createClient({ username: 'alice', password: 'pw-real', env: defaultEnv(nodeCryptoProvider), acceptUnknownHostKey: true, hostKeyCheck: () => 'unknown', manualWindow: true, trace: false });
      let got = 0;
      let ch = -1;
      const link = attachSocket(
        conn,
        sock,
        (e) => {
          if (e.type === 'auth' && e.result === 'success') ch = conn.command({ type: 'open-session' });
          else if (e.type === 'channel' && e.id === ch && e.change === 'open') conn.command({ type: 'exec', channel: ch, command: 'seq 1 1500000' });
          else if (e.type === 'channel' && e.change === 'data') got += ((e.detail as { data: Uint8Array }).data).length;
        },
        { side: 'client' },
      );
      link.pump();
      await waitFor(() => got >= 2 * 1024 * 1024, 10_000);
      await new Promise((r) => setTimeout(r, 500));
      // the client's window (2 MiB, our engine's default) and no more
      expect(got).toBe(2 * 1024 * 1024);
      // ~10 MB of output exist on the real server; we hold at most about our window to it (2 MiB)
      // plus the high-water mark we allow before we stop granting it (1 MiB)
      expect(s.mitm.buffered()).toBeGreaterThan(0);
      expect(s.mitm.buffered()).toBeLessThanOrEqual(3 * 1024 * 1024 + 32 * 1024);
      conn.command({ type: 'disconnect' });
      link.pump();
    } finally {
      await s.close();
    }
  });

  it('a wrong password is refused on both legs', async () => {
    const s = await setup();
    try {
      const r = await runClient(s.mitm.port, 'nope', 'echo hi');
      expect(r.stdout).toBe('');
      expect(r.events.some((e) => e.type === 'auth' && e.result === 'success')).toBe(false);
      const serverSide = s.seen.filter((x) => x.leg === 'server-side').map((x) => x.e);
      expect(serverSide.some((e) => e.type === 'auth' && e.method === 'password' && e.result === 'failure')).toBe(true);
    } finally {
      await s.close();
    }
  });

  it('5 MiB through cat and back: more than every window, both directions (flow control on both legs)', async () => {
    const s = await setup();
    try {
      const big = new Uint8Array(5 * 1024 * 1024);
      for (let i = 0; i < big.length; i++) big[i] = 97 + (i % 26);
      const r = await runClient(s.mitm.port, 'pw-real', 'cat', big);
      expect(r.stdout.length).toBe(big.length);
      expect(r.stdout).toBe(new TextDecoder().decode(big));
      expect(r.exit).toBe(0);
    } finally {
      await s.close();
    }
  });
});

describe('trace and lanes', () => {
  it('the short trace skips channel data and names the leg', () => {
    const base = { seq: 0, t: 0, side: 'server' as const, phase: 5 as const };
    expect(traceLine('client-side', 3, { ...base, type: 'info', message: 'hello' })).toBe('#3 client ⇄ mitm │ [5 interactive] hello');
    const data = { ...base, type: 'packet' as const, dir: 'c2s' as const, n: 1, wire: new Uint8Array(0), payload: new Uint8Array(0), msg: 'SSH_MSG_CHANNEL_DATA', id: 94, encrypted: true, tree: { path: '', label: '', kind: 'packet' as const, start: 0, end: 0 } };
    expect(traceLine('server-side', 3, data)).toBeNull();
  });

  it('each session becomes two lanes of one group in the feed', () => {
    const feed = createFeed();
    try {
      const lanes = mitmLanes(feed, '127.0.0.1:22');
      lanes.sessionStart(1, '::ffff:127.0.0.1:5555');
      const ev = (side: 'client' | 'server'): SshEvent => ({ seq: 0, t: 0, side, phase: 1, type: 'version', dir: 'c2s', line: 'SSH-2.0-x' });
      lanes.publish('client-side', 1, ev('server'));
      lanes.publish('server-side', 1, ev('client'));
      lanes.publish('server-side', 1, ev('client'));
      const cs = feed.connections();
      expect(cs.length).toBe(2);
      expect(cs[0]!.group).toBe(cs[1]!.group);
      expect(cs.map((c) => c.peer)).toEqual(['127.0.0.1:5555', '127.0.0.1:22']);
      expect(cs.map((c) => c.total)).toEqual([1, 2]);
      lanes.sessionEnd(1);
      expect(feed.connections().every((c) => c.stage === 'closed')).toBe(true);
    } finally {
      feed.dispose();
    }
  });
});

async function waitFor(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  expect(cond()).toBe(true);
}

describe('what the page says about a mitm', () => {
  it('names where clients connect and the real server, and the page words it in English and 简体中文', () => {
    const info = mitmFeedInfo({ listen: '127.0.0.1:2022', target: '127.0.0.1:22', hostKeys: [] });
    expect(info.kind).toBe('mitm');
    expect(info.mitm).toEqual({ listen: '127.0.0.1:2022', target: '127.0.0.1:22' });
    for (const lang of ['en', 'zh'] as const) {
      const relay = translate(lang, 'mitm.note.relay', info.mitm);
      expect(relay).toContain('127.0.0.1:2022');
      expect(relay).toContain('127.0.0.1:22');
      expect(translate(lang, 'mitm.note.hostkey')).toContain('REMOTE HOST IDENTIFICATION HAS CHANGED');
      expect(translate(lang, 'mitm.note.password')).toContain('RFC 4252 §7');
    }
  });
});
