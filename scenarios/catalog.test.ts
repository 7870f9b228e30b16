// Each scenario is run headless and its claims are checked against what the engines put on the
// wire, parsed here independently of the engine's decoder (RFC 4253 §6, RFC 4252 §5–§8), and
// against node:crypto and the real OpenSSH ssh-keygen where they can serve as independent truth.

import { describe, expect, it } from 'vitest';
import { createHash, createPublicKey, verify } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SshEvent } from '../engine/events.ts';
import { lookupHost, parseKnownHosts } from '../engine/keys/known-hosts.ts';
import { parseAuthorizedKeys } from '../engine/keys/authorized-keys.ts';
import { publicKeyOf } from '../engine/keys/private-key-types.ts';
import { SCENARIOS, findScenario, runScenario } from './index.ts';
import type { ScenarioEvent, ScenarioRun } from './runner.ts';
import { PEER_PATHS, requirePeer } from '../test/helpers/peers.ts';

const haveKeygen = requirePeer('ssh-keygen', PEER_PATHS.sshKeygen);

type Packet = Extract<SshEvent, { type: 'packet' }>;
type SPacket = Extract<ScenarioEvent, { type: 'packet' }>;

/** A tiny independent SSH field reader (RFC 4251 §5). */
class P {
  o = 0;
  constructor(readonly b: Uint8Array) {}
  byte(): number {
    return this.b[this.o++]!;
  }
  u32(): number {
    const v = ((this.b[this.o]! << 24) | (this.b[this.o + 1]! << 16) | (this.b[this.o + 2]! << 8) | this.b[this.o + 3]!) >>> 0;
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
    return Buffer.from(this.bytes()).toString('latin1');
  }
  bool(): boolean {
    return this.byte() !== 0;
  }
}

const get = (id: string) => {
  const s = findScenario(id);
  if (!s) throw new Error(`no scenario ${id}`);
  return s;
};
const packets = (events: SshEvent[], id: number, dir?: 'c2s' | 's2c', side: 'client' | 'server' = 'client') =>
  events.filter((e): e is Packet => e.type === 'packet' && e.side === side && e.payload[0] === id && (!dir || e.dir === dir));
const sshString = (b: Uint8Array) => {
  const out = new Uint8Array(4 + b.length);
  new DataView(out.buffer).setUint32(0, b.length);
  out.set(b, 4);
  return out;
};
const contains = (hay: Uint8Array, needle: Uint8Array) => Buffer.from(hay).indexOf(Buffer.from(needle)) >= 0;

function ed25519Verify(pubBlob: Uint8Array, data: Uint8Array, sigBlob: Uint8Array): boolean {
  const kp = new P(pubBlob);
  expect(kp.str()).toBe('ssh-ed25519');
  const raw = kp.bytes();
  const sp = new P(sigBlob);
  expect(sp.str()).toBe('ssh-ed25519');
  const sig = sp.bytes();
  const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(raw).toString('base64url') }, format: 'jwk' });
  return verify(null, data, key, sig);
}

describe('scenario 1: five phases (RFC 4253, RFC 4252, RFC 4254)', () => {
  it('all five phases appear, in order', () => {
    const r = runScenario(get('five-phases'));
    expect(r.outcome.asExpected).toBe(true);
    for (const side of ['client', 'server'] as const) {
      const mine = r.events.filter((e): e is Extract<typeof e, { type: 'packet' | 'version' }> => e.side === side && (e.type === 'packet' || e.type === 'version'));
      // First appearance of each phase in the log: 1, 2, 3, 4, 5.
      expect([...new Set(mine.map((e) => e.phase))]).toEqual([1, 2, 3, 4, 5]);
      // The two directions are independent byte streams (RFC 4253 §6) and interleave, but each one on its own
      // never goes back to an earlier phase.
      for (const dir of ['c2s', 's2c'] as const) {
        const phases = mine.filter((e) => e.dir === dir).map((e) => e.phase);
        expect(new Set(phases)).toEqual(new Set([1, 2, 3, 4, 5]));
        for (let i = 1; i < phases.length; i++) expect(phases[i]!).toBeGreaterThanOrEqual(phases[i - 1]!);
      }
    }
    // Phase by message number, read from the payload (RFC 4250 §4.1.2 ranges): 20–49 transport, 50–79 auth, 80+ connection.
    const c = r.events.filter((e): e is SPacket => e.type === 'packet' && e.side === 'client');
    const first = (pred: (n: number) => boolean) => c.findIndex((e) => pred(e.payload[0]!));
    const kexinit = first((n) => n === 20);
    const auth = first((n) => n >= 50 && n < 80);
    const open = first((n) => n === 90);
    const data = first((n) => n === 94);
    expect(kexinit).toBeGreaterThanOrEqual(0);
    expect(kexinit).toBeLessThan(auth);
    expect(auth).toBeLessThan(open);
    expect(open).toBeLessThan(data);
    expect(r.outcome.steps[1]!.login!.stdout).toBe('hello\n');
  });
});

describe('scenario 2: password login (RFC 4252 §8, §5.1, §4)', () => {
  const r = runScenario(get('password-login'));
  it('a wrong password gets USERAUTH_FAILURE "publickey,password", then the right one succeeds', () => {
    const ev = r.outcome.steps[0]!.events;
    const reqs = packets(ev, 50, 'c2s').map((p) => {
      const q = new P(p.payload);
      q.byte();
      const user = q.str();
      q.str();
      const method = q.str();
      if (method !== 'password') return { user, method };
      q.bool();
      return { user, method, password: q.str() };
    });
    expect(reqs.filter((x) => x.method === 'password').map((x) => x.password)).toEqual(['troubador', 'tr0ub4dor']);
    const sPackets = ev.filter((e): e is Packet => e.type === 'packet' && e.side === 'client' && e.dir === 's2c' && (e.payload[0] === 51 || e.payload[0] === 52));
    // none → failure, wrong password → failure, right password → success
    expect(sPackets.map((p) => p.payload[0])).toEqual([51, 51, 52]);
    const f = new P(sPackets[1]!.payload);
    f.byte();
    expect(f.str()).toBe('publickey,password');
    expect(f.bool()).toBe(false);
    expect(r.outcome.steps[0]!.ok).toBe(true);
  });
  it('the attempt limit disconnects with reason 2', () => {
    const ev = r.outcome.steps[1]!.events;
    const disc = packets(ev, 1, 's2c', 'server')[0]!;
    const d = new P(disc.payload);
    d.byte();
    expect(d.u32()).toBe(2); // SSH_DISCONNECT_PROTOCOL_ERROR, as sshd sends for "Too many authentication failures"
    expect(d.str()).toMatch(/Too many authentication failures/);
    expect(packets(ev, 50, 'c2s').filter((p) => new P(p.payload.subarray(1)).str() === 'bob').length).toBeLessThanOrEqual(3);
    expect(r.outcome.steps[1]!.ok).toBe(false);
  });
});

describe('scenario 3: publickey login (RFC 4252 §7)', () => {
  const r = runScenario(get('publickey-login'));
  const key = r.outcome.steps[0]!.identity!.key;
  it('query without signature, PK_OK, then a request signed over the session identifier', () => {
    const ev = r.outcome.steps[2]!.events;
    const auth = ev.filter((e): e is Packet => e.type === 'packet' && e.side === 'client' && (e.payload[0] === 50 || e.payload[0] === 60));
    const pk = auth.filter((p) => p.payload[0] === 60 || new P(p.payload.subarray(1 + 4 + 5 + 4 + 14)).str() === 'publickey');
    expect(pk.map((p) => `${p.dir}:${p.payload[0]}`)).toEqual(['c2s:50', 's2c:60', 'c2s:50']);
    const parse = (b: Uint8Array) => {
      const q = new P(b);
      q.byte();
      const user = q.str();
      const service = q.str();
      const method = q.str();
      const signed = q.bool();
      const alg = q.str();
      const blob = q.bytes();
      const end = q.o;
      return { user, service, method, signed, alg, blob, end, sig: signed ? q.bytes() : null };
    };
    const query = parse(pk[0]!.payload);
    expect(query.signed).toBe(false);
    expect(query.sig).toBeNull();
    const signedReq = parse(pk[2]!.payload);
    expect(signedReq.signed).toBe(true);
    // RFC 4252 §7: signature over string session_id || the request up to and including the public key blob.
    const H = (ev.find((e) => e.type === 'exchange-hash' && e.side === 'client') as Extract<SshEvent, { type: 'exchange-hash' }>).H;
    const data = Buffer.concat([sshString(H), pk[2]!.payload.subarray(0, signedReq.end)]);
    expect(ed25519Verify(signedReq.blob, data, signedReq.sig!)).toBe(true);
    expect(Buffer.from(signedReq.blob).equals(Buffer.from(publicKeyOf(key).blob))).toBe(true);
    // Without the session identifier the signature does not verify: it is bound to this connection.
    expect(ed25519Verify(signedReq.blob, pk[2]!.payload.subarray(0, signedReq.end), signedReq.sig!)).toBe(false);
  });
  it('the private key bytes never appear in any packet', () => {
    if (key.type !== 'ssh-ed25519') throw new Error('expected ed25519');
    let searched = 0;
    for (const e of r.events) {
      if (e.type !== 'packet') continue;
      searched++;
      expect(contains(e.wire, key.seed)).toBe(false);
      expect(contains(e.payload, key.seed)).toBe(false);
      expect(contains(e.payload, key.seed.subarray(0, 8))).toBe(false);
    }
    expect(searched).toBeGreaterThan(10);
    expect(contains(r.events.find((e): e is SPacket => e.type === 'packet' && e.payload[0] === 60)!.payload, key.publicKey)).toBe(true);
  });
});

describe('scenario 5: ssh-keygen (fingerprint and randomart)', () => {
  const r = runScenario(get('ssh-keygen'));
  it('fingerprint = SHA256 of the blob (node:crypto) and matches real ssh-keygen -lv, randomart included', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sshscope-scn-'));
    try {
      for (const step of r.outcome.steps) {
        const id = step.identity!;
        const blob = publicKeyOf(id.key).blob;
        expect(step.fingerprint).toBe(`SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`);
        const f = join(dir, 'k.pub');
        writeFileSync(f, `${id.publicLine}\n`);
        if (!haveKeygen) continue; // said why when the file loaded; a failure under CI
        const out = execFileSync(PEER_PATHS.sshKeygen, ['-lv', '-f', f], { encoding: 'utf8' });
        expect(out.split('\n')[0]).toContain(step.fingerprint!);
        expect(out).toContain(step.randomart!);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** `ssh-keygen -F host` on this known_hosts text; it exits non-zero (and this throws) when the host is not found. */
function knownHostsCheck(dir: string, text: string, host: string): string {
  const f = join(dir, 'known_hosts');
  writeFileSync(f, text);
  return execFileSync(PEER_PATHS.sshKeygen, ['-F', host, '-f', f], { encoding: 'utf8' });
}

describe('scenario 6: ssh-copy-id and first login', () => {
  const r = runScenario(get('copy-id-first-login'));
  it('TOFU writes known_hosts, the password login appends to authorized_keys, then the key logs in without a password', () => {
    expect(r.outcome.asExpected).toBe(true);
    const [, refused, copy, login] = r.outcome.steps;
    // Answering no: refused after the key exchange, no auth request on the wire, nothing recorded.
    expect(refused!.events.filter((e) => e.type === 'host-key-check').map((e) => (e as { result: string }).result)).toEqual(['unknown', 'rejected']);
    expect(packets(refused!.events, 50, 'c2s').length).toBe(0);
    expect(refused!.knownHostsAdded).toBeUndefined();
    expect(refused!.ok).toBe(false);
    const checks = (ev: SshEvent[]) => ev.filter((e) => e.type === 'host-key-check').map((e) => (e as { result: string }).result);
    expect(checks(copy!.events)).toEqual(['unknown']);
    const laptop = r.outcome.hosts.get('laptop')!.users.get('alice')!;
    const web1 = r.outcome.hosts.get('web1')!;
    const hostBlob = publicKeyOf(web1.hostKey).blob;
    expect(lookupHost(parseKnownHosts(laptop.knownHosts), 'web1', 22, hostBlob).result).toBe('known');
    // The password travelled in copy-id's login; the .pub line travelled as channel data (RFC 4254 §5.2).
    const id = r.outcome.steps[0]!.identity!;
    const chData = copy!.events.filter((e): e is Packet => e.type === 'packet' && e.side === 'client' && e.dir === 'c2s' && e.payload[0] === 94);
    expect(chData.some((p) => Buffer.from(p.payload).includes(Buffer.from(id.publicLine)))).toBe(true);
    const ak = parseAuthorizedKeys(web1.users.get('alice')!.authorizedKeys).entries;
    expect(ak.length).toBe(1);
    expect(Buffer.from(ak[0]!.key.blob).equals(Buffer.from(publicKeyOf(id.key).blob))).toBe(true);
    // Second login: known host key, publickey success, and no password request on the wire.
    expect(checks(login!.events)).toEqual(['known']);
    const methods = packets(login!.events, 50, 'c2s').map((p) => {
      const q = new P(p.payload);
      q.byte();
      q.str();
      q.str();
      return q.str();
    });
    expect(methods).not.toContain('password');
    expect(methods).toContain('publickey');
    expect(login!.ok).toBe(true);
    // Real ssh-keygen -F finds web1 in the known_hosts we wrote.
    const dir = mkdtempSync(join(tmpdir(), 'sshscope-kh-'));
    try {
      if (haveKeygen) {
        const out = knownHostsCheck(dir, laptop.knownHosts, 'web1');
        expect(out).toContain(Buffer.from(hostBlob).toString('base64'));
        // Real ssh-keygen -l reads the authorized_keys we built and reports the identity's fingerprint.
        const ak = join(dir, 'authorized_keys');
        writeFileSync(ak, web1.users.get('alice')!.authorizedKeys);
        const listed = execFileSync(PEER_PATHS.sshKeygen, ['-l', '-f', ak], { encoding: 'utf8' });
        const fp = `SHA256:${createHash('sha256').update(publicKeyOf(id.key).blob).digest('base64').replace(/=+$/, '')}`;
        expect(listed).toContain(fp);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('scenario 7: mutual trust (ssh互信)', () => {
  const r = runScenario(get('mutual-trust'));
  const matrix = (i: number) => r.outcome.steps[i]!.matrix!;
  const cell = (i: number, a: string, b: string) => matrix(i).find((c) => c.from === a && c.to === b)!.ok;
  it('B→A fails before the reverse copy and succeeds after; A→B works after the first copy', () => {
    expect(cell(3, 'node-a', 'node-b')).toBe(true);
    expect(cell(3, 'node-b', 'node-a')).toBe(false);
    expect(matrix(3).find((c) => c.from === 'node-b')!.why).toBe('host-key');
    // known_hosts alone is not enough: the host half is there, the user half is not.
    expect(cell(5, 'node-b', 'node-a')).toBe(false);
    expect(matrix(5).find((c) => c.from === 'node-b')!.why).toBe('publickey');
    expect(cell(7, 'node-b', 'node-a')).toBe(true);
    expect(cell(7, 'node-a', 'node-b')).toBe(true);
  });
  it('each cell is an actual login attempt, seen on the wire', () => {
    const step = r.outcome.steps[3]!;
    const successes = step.events.filter((e) => e.type === 'packet' && e.side === 'client' && e.dir === 's2c' && e.payload[0] === 52).length;
    expect(successes).toBe(matrix(3).filter((c) => c.ok).length);
  });
  it('the cluster of three trusts itself in all six directions only after every copy', () => {
    expect(matrix(11).filter((c) => c.ok).length).toBe(4);
    expect(matrix(11).filter((c) => c.from === 'node-c').every((c) => !c.ok)).toBe(true);
    expect(matrix(14).length).toBe(6);
    expect(matrix(14).every((c) => c.ok)).toBe(true);
    let lines = 0;
    let known = 0;
    for (const h of r.outcome.hosts.values()) {
      const u = h.users.get('ops')!;
      lines += parseAuthorizedKeys(u.authorizedKeys).entries.length;
      known += parseKnownHosts(u.knownHosts).length;
    }
    expect(lines).toBe(6);
    expect(known).toBe(6);
  });
});

describe('scenario 8: host key changed', () => {
  const r = runScenario(get('host-key-changed'));
  it('lookup returns changed and the connection is refused before any password is sent', () => {
    const db = r.outcome.hosts.get('db')!;
    const alice = r.outcome.hosts.get('laptop')!.users.get('alice')!;
    expect(lookupHost(parseKnownHosts(alice.knownHosts), 'db', 22, publicKeyOf(db.hostKey).blob).result).toBe('changed');
    const ev = r.outcome.steps[2]!.events;
    expect(ev.filter((e) => e.type === 'host-key-check').map((e) => (e as { result: string }).result)).toEqual(['changed', 'rejected']);
    // The key the server sent in KEX_ECDH_REPLY (RFC 5656 §4) is the new one, not the remembered one.
    const reply = ev.find((e): e is Packet => e.type === 'packet' && e.side === 'client' && e.dir === 's2c' && e.payload[0] === 31)!;
    const ks = new P(reply.payload.subarray(1)).bytes();
    expect(Buffer.from(ks).equals(Buffer.from(publicKeyOf(db.hostKey).blob))).toBe(true);
    expect(alice.knownHosts).not.toContain(Buffer.from(ks).toString('base64'));
    expect(packets(ev, 50, 'c2s').length).toBe(0);
    expect(r.outcome.steps[2]!.ok).toBe(false);
    // Real ssh-keygen -F still finds only the old key for db in alice's known_hosts.
    const dir = mkdtempSync(join(tmpdir(), 'sshscope-kh-'));
    try {
      if (haveKeygen) {
        const out = knownHostsCheck(dir, alice.knownHosts, 'db');
        expect(out).not.toContain(Buffer.from(ks).toString('base64'));
        expect(out).toMatch(/ssh-ed25519 AAAA/);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('scenario 9: auth failure paths', () => {
  const r = runScenario(get('auth-failures'));
  it('banner, then partial success with "password" to continue; both methods log in', () => {
    for (const i of [2, 3]) {
      const ev = r.outcome.steps[i]!.events;
      const banner = ev.find((e): e is Packet => e.type === 'packet' && e.side === 'client' && e.payload[0] === 53)!;
      expect(new P(banner.payload.subarray(1)).str()).toBe('Authorised users only. Activity is logged.\n');
      const partial = packets(ev, 51, 's2c').map((p) => {
        const q = new P(p.payload.subarray(1));
        return { methods: q.str(), partial: q.bool() };
      });
      expect(partial).toContainEqual({ methods: 'password', partial: true });
    }
    expect(r.outcome.steps[2]!.ok).toBe(false);
    expect(r.outcome.steps[3]!.ok).toBe(true);
    expect(packets(r.outcome.steps[3]!.events, 52, 's2c').length).toBe(1);
  });
});

describe('scenario 10: negotiation', () => {
  const r = runScenario(get('negotiation'));
  it('the chosen cipher is the first on the client list that the server lists, read from both KEXINITs', () => {
    for (const step of r.outcome.steps) {
      const ev = step.events;
      const lists = (dir: 'c2s' | 's2c') => {
        const q = new P(packets(ev, 20, dir)[0]!.payload.subarray(17));
        return Array.from({ length: 10 }, () => q.str().split(','));
      };
      const c = lists('c2s');
      const s = lists('s2c');
      const expected = c[2]!.find((a) => s[2]!.includes(a));
      const row = (ev.find((e) => e.type === 'negotiated' && e.side === 'client') as Extract<SshEvent, { type: 'negotiated' }>).rows.find((x) => x.category === 'encryption c2s')!;
      expect(expected).toBeDefined();
      expect(row.chosen).toBe(expected);
      expect(step.ok).toBe(true);
    }
    // The server's own first choice lost in step 1.
    const s0 = new P(packets(r.outcome.steps[0]!.events, 20, 's2c')[0]!.payload.subarray(17));
    const serverLists = Array.from({ length: 10 }, () => s0.str().split(','));
    expect(serverLists[2]![0]).toBe('chacha20-poly1305@openssh.com');
    expect(r.outcome.steps.map((x) => (x.events.find((e) => e.type === 'negotiated') as Extract<SshEvent, { type: 'negotiated' }>).rows.find((row) => row.category === 'encryption c2s')!.chosen)).toEqual(['aes128-ctr', 'aes256-gcm@openssh.com']);
  });
});

describe('scenario 11: no common algorithm', () => {
  const r = runScenario(get('no-common-algorithm'));
  it('KEY_EXCHANGE_FAILED (3) with both offers in the message', () => {
    const ev = r.outcome.steps[0]!.events;
    const lists = (side: 'client' | 'server', dir: 'c2s' | 's2c') => {
      const p = packets(ev, 20, dir, side)[0]!;
      const q = new P(p.payload.subarray(17));
      return Array.from({ length: 10 }, () => q.str());
    };
    const clientEnc = lists('client', 'c2s')[2]!; // encryption_algorithms_client_to_server (RFC 4253 §7.1)
    const serverEnc = lists('client', 's2c')[2]!;
    expect(clientEnc.split(',').filter((a) => serverEnc.split(',').includes(a))).toEqual([]);
    const err = ev.find((e) => e.type === 'error') as Extract<SshEvent, { type: 'error' }>;
    expect(err.reason).toBe(3);
    expect(err.message).toContain(clientEnc);
    expect(err.message).toContain(serverEnc);
    const disc = ev.find((e): e is Packet => e.type === 'packet' && e.payload[0] === 1)!;
    expect(new P(disc.payload.subarray(1)).u32()).toBe(3);
  });
});

describe('scenario 13: tampering', () => {
  const r = runScenario(get('tampering'));
  it('one flipped byte on the wire → MAC_ERROR (5), for HMAC and for the AEAD tag', () => {
    for (const step of r.outcome.steps) {
      expect(step.login!.tamperedAt).not.toBeNull();
      const err = step.events.find((e) => e.type === 'error' && e.side === 'server') as Extract<SshEvent, { type: 'error' }>;
      expect(err.reason).toBe(5);
      const closed = step.events.find((e) => e.type === 'closed' && e.side === 'server') as Extract<SshEvent, { type: 'closed' }>;
      expect(closed.reason).toBe(5);
      expect(step.ok).toBe(false);
    }
    expect(r.outcome.asExpected).toBe(true);
  });
});

describe('every scenario', () => {
  it('behaves as each step claims (expect)', () => {
    const runs: ScenarioRun[] = [];
    for (const sc of SCENARIOS) runs.push(runScenario(sc));
    for (const r of runs) expect(r.outcome.steps.filter((s) => !s.asExpected).map((s) => s.index)).toEqual([]);
  });
});
