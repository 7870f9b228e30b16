// Scenarios 4, 12, 14 and 15 run headless; their claims are checked against the bytes the engines
// put on the wire, parsed here independently (RFC 4251 §5), and against node:crypto.

import { describe, expect, it } from 'vitest';
import { createDiffieHellman, createHash, createPrivateKey, createPublicKey, diffieHellman, getDiffieHellman, verify } from 'node:crypto';
import type { SshEvent } from '../engine/events.ts';
import { findScenario, runScenario } from './index.ts';
import type { StepResult } from './runner.ts';

type Packet = Extract<SshEvent, { type: 'packet' }>;
type Keys = Extract<SshEvent, { type: 'keys' }>;
type ExchangeHash = Extract<SshEvent, { type: 'exchange-hash' }>;

/** A tiny independent SSH field reader (RFC 4251 §5). */
class P {
  o = 0;
  constructor(readonly b: Uint8Array) {}
  byte(): number {
    return this.b[this.o++]!;
  }
  u32(): number {
    const v = Buffer.from(this.b).readUInt32BE(this.o);
    this.o += 4;
    return v;
  }
  bytes(): Uint8Array {
    const n = this.u32();
    const v = this.b.subarray(this.o, this.o + n);
    this.o += n;
    return v;
  }
  str(): string {
    return Buffer.from(this.bytes()).toString('utf8');
  }
}

const sshString = (b: Uint8Array) => Buffer.concat([Buffer.from([b.length >>> 24, (b.length >>> 16) & 255, (b.length >>> 8) & 255, b.length & 255]), Buffer.from(b)]);
/** mpint (RFC 4251 §5) of an unsigned big-endian magnitude. */
const mpint = (mag: Uint8Array) => {
  let i = 0;
  while (i < mag.length && mag[i] === 0) i++;
  let m = Buffer.from(mag.subarray(i));
  if (m.length && m[0]! & 0x80) m = Buffer.concat([Buffer.from([0]), m]);
  return sshString(m);
};
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const run = (id: string) => runScenario(findScenario(id)!);
const pk = (ev: SshEvent[], side: 'client' | 'server', dir: 'c2s' | 's2c', id: number) => ev.filter((e): e is Packet => e.type === 'packet' && e.side === side && e.dir === dir && e.payload[0] === id);

/** USERAUTH_REQUEST publickey with signature: the signed part ends before the signature (RFC 4252 §7). */
function parseSigned(payload: Uint8Array) {
  const q = new P(payload);
  q.byte();
  const user = q.str();
  const service = q.str();
  const method = q.str();
  if (method !== 'publickey') return null;
  const signed = q.byte() !== 0;
  q.str();
  const blob = q.bytes();
  if (!signed) return null;
  const end = q.o;
  return { user, service, blob, end, sig: q.bytes() };
}

function ed25519Verifies(blob: Uint8Array, data: Uint8Array, sigBlob: Uint8Array): boolean {
  const kp = new P(blob);
  kp.str();
  const raw = kp.bytes();
  const sp = new P(sigBlob);
  expect(sp.str()).toBe('ssh-ed25519');
  const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(raw).toString('base64url') }, format: 'jwk' });
  return verify(null, data, key, sp.bytes());
}

const sessionIdOf = (s: StepResult, side: 'client' | 'server' = 'server') => (s.events.find((e) => e.type === 'exchange-hash' && e.side === side) as ExchangeHash).H;

describe('scenario 4: password vs publickey', () => {
  const r = run('password-vs-publickey');
  const [, , pw, key, stolen, replay] = r.outcome.steps;

  it('the password is not in the wire bytes, but the server reads it in clear', () => {
    const sent = pk(pw!.events, 'client', 'c2s', 50);
    const withPw = sent.filter((p) => {
      const q = new P(p.payload);
      q.byte();
      q.str();
      q.str();
      return q.str() === 'password';
    });
    expect(withPw.length).toBe(1);
    expect(withPw[0]!.encrypted).toBe(true);
    expect(Buffer.from(withPw[0]!.wire).includes(Buffer.from('Sunflower-1987'))).toBe(false);
    // The server side of the same connection, after decryption:
    const got = pk(pw!.events, 'server', 'c2s', 50).map((p) => {
      const q = new P(p.payload);
      q.byte();
      q.str();
      q.str();
      if (q.str() !== 'password') return null;
      q.byte();
      return q.str();
    });
    expect(got).toContain('Sunflower-1987');
    expect(pw!.report.map((x) => x.en).join('\n')).toContain('"Sunflower-1987"');
    // …and a password, once known, works from anywhere.
    expect(stolen!.ok).toBe(true);
  });

  it('the publickey login gives the server a signature bound to its session id, and no secret', () => {
    const received = pk(key!.events, 'server', 'c2s', 50).map((p) => ({ p, s: parseSigned(p.payload) })).find((x) => x.s)!;
    const sid = sessionIdOf(key!);
    const signedData = Buffer.concat([sshString(sid), Buffer.from(received.p.payload.subarray(0, received.s!.end))]);
    expect(ed25519Verifies(received.s!.blob, signedData, received.s!.sig)).toBe(true);
    const id = r.outcome.steps[0]!.identity!.key;
    if (id.type !== 'ssh-ed25519') throw new Error('expected ed25519');
    for (const e of key!.events) if (e.type === 'packet') expect(Buffer.from(e.payload).includes(Buffer.from(id.seed))).toBe(false);
    expect(key!.events.some((e) => e.type === 'packet' && e.payload[0] === 50 && Buffer.from(e.payload).includes(Buffer.from('password')))).toBe(false);
  });

  it('the replayed signed request fails: new session id, the server refuses, node:crypto agrees', () => {
    const original = pk(key!.events, 'server', 'c2s', 50).find((p) => parseSigned(p.payload))!;
    // The real server received exactly the captured bytes in the new connection…
    const replayed = pk(replay!.events, 'server', 'c2s', 50).find((p) => parseSigned(p.payload))!;
    expect(hex(replayed.payload)).toBe(hex(original.payload));
    const oldSid = sessionIdOf(key!);
    const newSid = sessionIdOf(replay!);
    expect(hex(newSid)).not.toBe(hex(oldSid));
    expect(replay!.replay).toEqual({ accepted: false, originalSessionId: hex(oldSid), newSessionId: hex(newSid) });
    // …and refused it (USERAUTH_FAILURE, no SUCCESS), as the signature check over the new session id says.
    const s = parseSigned(replayed.payload)!;
    expect(ed25519Verifies(s.blob, Buffer.concat([sshString(newSid), Buffer.from(replayed.payload.subarray(0, s.end))]), s.sig)).toBe(false);
    expect(ed25519Verifies(s.blob, Buffer.concat([sshString(oldSid), Buffer.from(replayed.payload.subarray(0, s.end))]), s.sig)).toBe(true);
    expect(pk(replay!.events, 'server', 's2c', 52).length).toBe(0);
    expect(pk(replay!.events, 'server', 's2c', 51).length).toBeGreaterThanOrEqual(2); // none, then the replay
    expect(replay!.ok).toBe(false);
    expect(r.outcome.asExpected).toBe(true);
  });
});

describe('scenario 12: inside key exchange', () => {
  const r = run('inside-key-exchange');
  const steps = r.outcome.steps.slice(1);
  const methods = ['curve25519-sha256', 'diffie-hellman-group14-sha256', 'mlkem768x25519-sha256'];

  it('each login used its method, and H = SHA-256 of the exchange-hash input on both sides', () => {
    steps.forEach((s, i) => {
      expect(s.ok).toBe(true);
      const neg = s.events.find((e) => e.type === 'negotiated' && e.side === 'client') as Extract<SshEvent, { type: 'negotiated' }>;
      expect(neg.rows.find((x) => x.category === 'kex')!.chosen).toBe(methods[i]);
      for (const side of ['client', 'server'] as const) {
        const eh = s.events.find((e) => e.type === 'exchange-hash' && e.side === side) as ExchangeHash;
        expect(createHash('sha256').update(eh.input).digest('hex')).toBe(hex(eh.H));
      }
      expect(hex(sessionIdOf(s, 'client'))).toBe(hex(sessionIdOf(s, 'server')));
    });
  });

  it('the six keys are HASH(K || H || letter || session_id), extended as RFC 4253 §7.2 says', () => {
    const sizes: Record<string, number> = { A: 16, B: 16, C: 16, D: 16, E: 32, F: 32 }; // aes128-ctr IV and key, hmac-sha2-256 key
    for (const s of steps) {
      const k = s.events.find((e): e is Keys => e.type === 'keys' && e.side === 'client')!;
      const kS = s.events.find((e): e is Keys => e.type === 'keys' && e.side === 'server')!;
      const val = (name: string, keys = k) => Buffer.from(keys.steps.find((x) => x.name === name)!.value, 'hex');
      const K = val('K');
      const H = val('H');
      const sid = sessionIdOf(s);
      for (const [letter, n] of Object.entries(sizes)) {
        let out = createHash('sha256').update(K).update(H).update(letter).update(sid).digest();
        while (out.length < n) out = Buffer.concat([out, createHash('sha256').update(K).update(H).update(out).digest()]);
        expect(val(letter).toString('hex'), letter).toBe(out.subarray(0, n).toString('hex'));
        expect(val(letter, kS).toString('hex')).toBe(val(letter).toString('hex'));
      }
    }
  });

  it('curve25519: K is X25519(client private, server Q_S) as an mpint (node:crypto)', () => {
    const s = steps[0]!;
    const k = s.events.find((e): e is Keys => e.type === 'keys' && e.side === 'client')!;
    const reply = pk(s.events, 'client', 's2c', 31)[0]!;
    const q = new P(reply.payload);
    q.byte();
    q.bytes();
    const qS = q.bytes();
    expect(qS.length).toBe(32);
    const der = (prefix: string, raw: string) => Buffer.from(prefix + raw, 'hex');
    const priv = createPrivateKey({ key: der('302e020100300506032b656e04220420', k.keylog!.privateKey!), format: 'der', type: 'pkcs8' });
    const pub = createPublicKey({ key: der('302a300506032b656e032100', hex(qS)), format: 'der', type: 'spki' });
    const shared = diffieHellman({ privateKey: priv, publicKey: pub });
    expect(hex(mpint(shared))).toBe(k.steps.find((x) => x.name === 'K')!.value);
  });

  it('group14: K = f^x mod p with RFC 3526 group 14 (node:crypto modp14), as an mpint', () => {
    const s = steps[1]!;
    const k = s.events.find((e): e is Keys => e.type === 'keys' && e.side === 'client')!;
    const x = k.kexTrace!.find((t) => t.name === 'x')!.value;
    const reply = pk(s.events, 'client', 's2c', 31)[0]!;
    const q = new P(reply.payload);
    q.byte();
    q.bytes();
    const f = q.bytes();
    const prime = getDiffieHellman('modp14').getPrime();
    expect(k.kexTrace!.find((t) => t.name === 'p')!.value).toBe(prime.toString('hex'));
    const dh = createDiffieHellman(prime, Buffer.from([2]));
    dh.setPrivateKey(Buffer.from(x.length % 2 ? `0${x}` : x, 'hex'));
    expect(hex(mpint(dh.computeSecret(Buffer.from(f))))).toBe(k.steps.find((x) => x.name === 'K')!.value);
    expect(f.length).toBeGreaterThan(250);
  });

  it('mlkem768x25519: Q_C and Q_S sizes on the wire; K = string(SHA-256(ML-KEM secret || X25519 secret))', () => {
    const s = steps[2]!;
    const qC = new P(pk(s.events, 'client', 'c2s', 30)[0]!.payload.subarray(1)).bytes();
    const rq = new P(pk(s.events, 'client', 's2c', 31)[0]!.payload.subarray(1));
    rq.bytes();
    const qS = rq.bytes();
    expect([qC.length, qS.length]).toEqual([1184 + 32, 1088 + 32]);
    const k = s.events.find((e): e is Keys => e.type === 'keys' && e.side === 'client')!;
    const tr = (n: string) => Buffer.from(k.kexTrace!.find((t) => t.name === n)!.value, 'hex');
    const combined = createHash('sha256').update(tr('ML-KEM-768')).update(tr('X25519')).digest();
    expect(hex(sshString(combined))).toBe(k.steps.find((x) => x.name === 'K')!.value);
    // Both sides reached the same K.
    const kS = s.events.find((e): e is Keys => e.type === 'keys' && e.side === 'server')!;
    expect(kS.steps.find((x) => x.name === 'K')!.value).toBe(k.steps.find((x) => x.name === 'K')!.value);
  });
});

describe('scenario 14: Terrapin (CVE-2023-48795)', () => {
  const r = run('terrapin');
  const [, attack, gcm, etm, strict] = r.outcome.steps;
  const s2c = (s: StepResult, side: 'client' | 'server') => s.events.filter((e): e is Packet => e.type === 'packet' && e.side === side && e.dir === 's2c').map((p) => ({ n: p.n, msg: p.msg }));

  it('without strict KEX and with chacha20-poly1305 the deletion goes unnoticed: EXT_INFO is gone, login succeeds', () => {
    const sent = s2c(attack!, 'server');
    const got = s2c(attack!, 'client');
    expect(sent.map((p) => p.msg)).toContain('SSH_MSG_EXT_INFO');
    expect(got.map((p) => p.msg)).not.toContain('SSH_MSG_EXT_INFO');
    expect(got.map((p) => p.msg)).toContain('SSH_MSG_IGNORE');
    expect(sent.map((p) => p.msg)).not.toContain('SSH_MSG_IGNORE');
    // The client counted the injected IGNORE: its numbers for the server's packets run one ahead
    // until the deleted packet, and match again after it (RFC 4253 §6.4 sequence numbers).
    const newkeysClient = got.find((p) => p.msg === 'SSH_MSG_NEWKEYS')!;
    const newkeysServer = sent.find((p) => p.msg === 'SSH_MSG_NEWKEYS')!;
    expect(newkeysClient.n).toBe(newkeysServer.n + 1);
    const accept = (l: { n: number; msg: string }[]) => l.find((p) => p.msg === 'SSH_MSG_SERVICE_ACCEPT')!.n;
    expect(accept(got)).toBe(accept(sent));
    expect(attack!.login!.terrapin).toEqual({ injected: true, deleted: 'SSH_MSG_EXT_INFO', deletedSeq: newkeysServer.n + 1 });
    expect(attack!.events.filter((e) => e.type === 'error')).toEqual([]);
    expect(attack!.ok).toBe(true);
    expect(attack!.login!.stdout).toBe('hello\n');
    // Neither KEXINIT offered strict KEX.
    for (const dir of ['c2s', 's2c'] as const) {
      const kexinit = pk(attack!.events, 'client', dir, 20)[0]!;
      expect(Buffer.from(kexinit.payload).includes(Buffer.from('kex-strict-'))).toBe(false);
    }
  });

  it('aes256-gcm without strict KEX: its own packet counter exposes the deletion (MAC_ERROR)', () => {
    expect(gcm!.login!.terrapin!.deleted).toBe('SSH_MSG_EXT_INFO');
    const err = gcm!.events.find((e) => e.type === 'error' && e.side === 'client') as Extract<SshEvent, { type: 'error' }>;
    expect(err.reason).toBe(5);
    expect(gcm!.ok).toBe(false);
  });

  it('aes128-ctr with an -etm MAC: the MAC over sequence number and ciphertext passes, the plaintext is garbage', () => {
    expect(etm!.login!.terrapin!.deleted).toBe('SSH_MSG_EXT_INFO');
    const neg = etm!.events.find((e) => e.type === 'negotiated' && e.side === 'client') as Extract<SshEvent, { type: 'negotiated' }>;
    expect(neg.rows.find((x) => x.category === 'mac s2c')!.chosen).toBe('hmac-sha2-256-etm@openssh.com');
    const err = etm!.events.find((e) => e.type === 'error' && e.side === 'client') as Extract<SshEvent, { type: 'error' }>;
    expect(err.reason).not.toBe(5); // not a MAC failure: the MAC verified
    expect(err.message).toMatch(/padding_length|packet_length/);
    expect(etm!.ok).toBe(false);
  });

  it('with strict KEX on both sides the injected IGNORE is fatal and the client disconnects', () => {
    const c = pk(strict!.events, 'client', 'c2s', 20)[0]!;
    const s = pk(strict!.events, 'client', 's2c', 20)[0]!;
    expect(Buffer.from(c.payload).includes(Buffer.from('kex-strict-c-v00@openssh.com'))).toBe(true);
    expect(Buffer.from(s.payload).includes(Buffer.from('kex-strict-s-v00@openssh.com'))).toBe(true);
    const err = strict!.events.find((e) => e.type === 'error' && e.side === 'client') as Extract<SshEvent, { type: 'error' }>;
    expect(err.reason).toBe(2);
    expect(err.message).toMatch(/IGNORE/);
    // The man in the middle found nothing left to delete: the client had already hung up.
    expect(strict!.login!.terrapin).toEqual({ injected: true, deleted: null, deletedSeq: null });
    // The client never processed a packet after the IGNORE, and never logged in.
    const got = s2c(strict!, 'client').map((p) => p.msg);
    expect(got[got.length - 1]).toBe('SSH_MSG_IGNORE');
    const disc = pk(strict!.events, 'client', 'c2s', 1)[0]!;
    expect(new P(disc.payload.subarray(1)).u32()).toBe(2);
    expect(strict!.ok).toBe(false);
    expect(r.outcome.asExpected).toBe(true);
  });
});

describe('scenario 15: port forwarding', () => {
  const r = run('port-forwarding');
  const [ok, refused, prohibited] = r.outcome.steps;

  it('a direct-tcpip CHANNEL_OPEN to intranet:80, the HTTP request and answer as channel data', () => {
    const open = pk(ok!.events, 'client', 'c2s', 90)[0]!;
    const q = new P(open.payload.subarray(1));
    expect(q.str()).toBe('direct-tcpip');
    q.u32();
    q.u32();
    q.u32();
    expect([q.str(), q.u32(), q.str(), q.u32()]).toEqual(['intranet', 80, '127.0.0.1', 48080]);
    expect(pk(ok!.events, 'client', 's2c', 91).length).toBe(1);
    const data = (dir: 'c2s' | 's2c') =>
      Buffer.concat(pk(ok!.events, 'client', dir, 94).map((p) => {
        const d = new P(p.payload.subarray(5));
        return Buffer.from(d.bytes());
      })).toString();
    expect(data('c2s')).toBe('GET / HTTP/1.0\r\nHost: intranet\r\n\r\n');
    expect(data('s2c')).toMatch(/^HTTP\/1\.0 200 OK\r\n[\s\S]*\r\n\r\nHello from the intranet wiki\.\n$/);
    expect(ok!.login!.forward!.response).toBe(data('s2c'));
    // No session channel, no exec: ssh -N.
    expect(pk(ok!.events, 'client', 'c2s', 98).length).toBe(0);
    expect(ok!.ok).toBe(true);
  });

  it('nothing listening → OPEN_FAILURE 2 (connect failed); not permitted → 1 (administratively prohibited)', () => {
    const code = (s: StepResult) => new P(pk(s.events, 'client', 's2c', 92)[0]!.payload.subarray(5)).u32();
    expect(code(refused!)).toBe(2);
    expect(code(prohibited!)).toBe(1);
    // The gateway tried to connect only where PermitOpen allowed it.
    expect(refused!.events.some((e) => e.type === 'channel' && e.side === 'server' && e.change === 'open-request')).toBe(true);
    expect(prohibited!.events.some((e) => e.type === 'channel' && e.side === 'server' && e.change === 'open-request')).toBe(false);
    expect([refused!.ok, prohibited!.ok]).toEqual([false, false]);
    expect(r.outcome.asExpected).toBe(true);
  });
});
