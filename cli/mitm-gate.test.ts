import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { createClient, createServer, defaultEnv, generateEd25519, type ServerUser, type SshEvent } from '../engine/index.ts';
import { nodeCryptoProvider } from './node-crypto.ts';
import type { CryptoProvider } from '../engine/algorithms/types.ts';
import { AuthGate, type PasswordAttempt } from './mitm-gate.ts';

const rnd = (n: number) => crypto.getRandomValues(new Uint8Array(n));
const hostKey = generateEd25519(rnd, 'gate test');

interface Run {
  lost: string[];
  attempts: PasswordAttempt[];
  requests: string[];
  events: SshEvent[];
  gate: AuthGate;
  clientAuthed: boolean;
}

/**
 * Our client engine (configured with `typed` passwords, one per prompt) against our server engine
 * behind the gate, with an empty user table. `verdict` plays the real server: it decides each
 * held password; an accepted one is put into the table before release().
 */
function run(opts: { cipher?: string; mac?: string; strictKex?: boolean; kex?: string; compression?: string; gateCrypto?: CryptoProvider; typed: string[]; verdict: (a: PasswordAttempt) => boolean; sizes?: number[] }): Run {
  const users: ServerUser[] = [];
  const server = createServer({
    hostKeys: [hostKey],
    users,
    env: defaultEnv(nodeCryptoProvider),
    ...(opts.strictKex === false ? { strictKex: false } : {}),
    algorithms: { compression: opts.compression ? [opts.compression] : ['none', 'zlib@openssh.com'], ...(opts.cipher ? { cipher: [opts.cipher] } : {}), ...(opts.mac ? { mac: [opts.mac] } : {}), ...(opts.kex ? { kex: [opts.kex] } : {}) },
  });
  const typed = [...opts.typed];
  const client = createClient({
    username: 'alice',
    authMethods: ['password'],
    env: defaultEnv(nodeCryptoProvider),
    ...(opts.strictKex === false ? { strictKex: false } : {}),
    ...(opts.compression ? { algorithms: { compression: [opts.compression] } } : {}),
    acceptUnknownHostKey: true,
    hostKeyCheck: () => 'unknown',
  });
  const attempts: PasswordAttempt[] = [];
  const lost: string[] = [];
  const requests: string[] = [];
  const events: SshEvent[] = [];
  let toRelease = false;
  const gate = new AuthGate(server, {
    crypto: opts.gateCrypto ?? nodeCryptoProvider,
    ...(opts.strictKex === false ? { strictKex: false } : {}),
    onRequest: (user, method) => requests.push(`${user}:${method}`),
    onLost: (why) => lost.push(why),
    onPassword: (a) => {
      attempts.push(a);
      if (opts.verdict(a)) users.splice(0, users.length, { name: a.user, password: a.password });
      toRelease = true; // released from the loop below, as the CLI does after a round trip
    },
  });
  let clientAuthed = false;
  let cut = 0;
  for (let round = 0; round < 10_000; round++) {
    let moved = false;
    let e: SshEvent | null;
    while ((e = client.pollEvent())) {
      moved = true;
      if (e.type === 'decision' && e.kind === 'password') {
        const pw = typed.shift();
        client.answer(e.id, pw === undefined ? false : pw);
      }
      if (e.type === 'auth' && e.result === 'success') clientAuthed = true;
    }
    while ((e = gate.pollEvent())) {
      moved = true;
      events.push(e);
    }
    const c = client.pollTransmit();
    if (c) {
      // as TCP may cut it: pieces of the given sizes, in turn
      let o = 0;
      while (o < c.length) {
        const n = opts.sizes?.length ? opts.sizes[cut++ % opts.sizes.length]! : c.length;
        gate.receive(c.subarray(o, o + n));
        o += n;
      }
      moved = true;
    }
    const s = gate.pollTransmit();
    if (s) {
      client.receive(s);
      moved = true;
    }
    if (toRelease) {
      toRelease = false;
      expect(gate.holding).toBe(true);
      gate.release();
      moved = true;
    }
    if (!moved) break;
  }
  return { lost, attempts, requests, events, gate, clientAuthed };
}

const ok = (a: PasswordAttempt) => a.password === 'right';

describe('AuthGate', () => {
  const cases: { cipher: string; mac?: string }[] = [
    { cipher: 'chacha20-poly1305@openssh.com' },
    { cipher: 'aes128-gcm@openssh.com' },
    { cipher: 'aes256-gcm@openssh.com' },
    { cipher: 'aes128-ctr', mac: 'hmac-sha2-256' },
    { cipher: 'aes256-ctr', mac: 'hmac-sha2-512-etm@openssh.com' },
  ];
  for (const c of cases) {
    it(`reads the password the client typed through ${c.cipher}${c.mac ? ` + ${c.mac}` : ''}, holds it, and lets the login through once the table says yes`, () => {
      const r = run({ ...c, typed: ['right'], verdict: ok });
      expect(r.attempts).toEqual([{ user: 'alice', password: 'right', change: false }]);
      expect(r.requests).toEqual(['alice:none', 'alice:password']);
      expect(r.clientAuthed).toBe(true);
      expect(r.gate.transparent).toBe(true);
      const auth = r.events.filter((e) => e.type === 'auth' && e.result !== 'attempt').map((e) => e.type === 'auth' && `${e.method}:${e.result}`);
      expect(auth).toEqual(['none:failure', 'password:success']);
    });
  }

  it('a refused password reaches the engine as a failure, and the next prompt is read again', () => {
    const r = run({ cipher: 'aes128-gcm@openssh.com', typed: ['wrong', 'right'], verdict: ok });
    expect(r.attempts.map((a) => a.password)).toEqual(['wrong', 'right']);
    expect(r.clientAuthed).toBe(true);
    const auth = r.events.filter((e) => e.type === 'auth' && e.result !== 'attempt').map((e) => e.type === 'auth' && `${e.method}:${e.result}`);
    expect(auth).toEqual(['none:failure', 'password:failure', 'password:success']);
  });

  it('follows the sequence numbers without strict KEX too (they do not restart at NEWKEYS)', () => {
    const r = run({ cipher: 'chacha20-poly1305@openssh.com', strictKex: false, typed: ['right'], verdict: ok });
    expect(r.attempts.map((a) => a.password)).toEqual(['right']);
    expect(r.clientAuthed).toBe(true);
  });

  it('works after a hybrid post-quantum key exchange (hash sha512, longer keys)', () => {
    const r = run({ cipher: 'aes256-ctr', mac: 'hmac-sha2-512', kex: 'sntrup761x25519-sha512@openssh.com', typed: ['right'], verdict: ok });
    expect(r.attempts.map((a) => a.password)).toEqual(['right']);
    expect(r.clientAuthed).toBe(true);
  });

  it('any cutting of the client byte stream (property): the password is read once and the login succeeds', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 8 }), fc.constantFrom('chacha20-poly1305@openssh.com', 'aes128-gcm@openssh.com', 'aes128-ctr'), (sizes, cipher) => {
        const r = run({ cipher, ...(cipher === 'aes128-ctr' ? { mac: 'hmac-sha2-256-etm@openssh.com' } : {}), kex: 'curve25519-sha256', typed: ['right'], verdict: ok, sizes });
        expect(r.attempts.map((a) => a.password)).toEqual(['right']);
        expect(r.clientAuthed).toBe(true);
      }),
      { numRuns: 12 },
    );
  });

  it('zlib before authentication hides the request: the gate says so and steps aside (nothing is held)', () => {
    const r = run({ compression: 'zlib', typed: ['right'], verdict: ok });
    expect(r.lost.length).toBe(1);
    expect(r.lost[0]).toMatch(/compression zlib/);
    expect(r.attempts).toEqual([]);
    expect(r.gate.transparent).toBe(true);
    // the engine still decided, against an empty user table
    expect(r.clientAuthed).toBe(false);
  });

  it('a packet the shadow cannot open still reaches the engine whole (the gate steps aside)', () => {
    // a provider whose AES-GCM never authenticates: only the gate's copy of the cipher uses it
    const r = run({ cipher: 'aes128-gcm@openssh.com', gateCrypto: { aesGcmDecrypt: () => null }, typed: ['right'], verdict: ok });
    expect(r.lost.length).toBe(1);
    expect(r.lost[0]).toMatch(/cannot read the client's packet/);
    expect(r.attempts).toEqual([]);
    // the engine read every packet: no protocol error, the password was decided (against no users)
    expect(r.events.filter((e) => e.type === 'error')).toEqual([]);
    expect(r.events.some((e) => e.type === 'auth' && e.method === 'password' && e.result === 'failure')).toBe(true);
  });

  it('every prompt refused: the client gives up after its three tries', () => {
    const r = run({ typed: ['a', 'b', 'c', 'd'], verdict: () => false });
    expect(r.attempts.map((a) => a.password)).toEqual(['a', 'b', 'c']);
    expect(r.clientAuthed).toBe(false);
    expect(r.gate.transparent).toBe(false);
  });
});
