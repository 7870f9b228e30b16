import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { seededEnv } from '../env.ts';
import { generateEd25519, publicKeyBlob } from '../algorithms/signatures.ts';
import { formatPublicKeyLine } from '../keys/public-key.ts';
import type { ClientConfig, ServerConfig } from './config.ts';
import { runExec } from './session-harness.ts';
import type { SshEvent } from '../events.ts';

const CIPHERS = ['chacha20-poly1305@openssh.com', 'aes128-gcm@openssh.com', 'aes256-gcm@openssh.com', 'aes128-ctr', 'aes256-ctr'];
const MACS = ['hmac-sha2-256', 'hmac-sha2-512', 'hmac-sha2-256-etm@openssh.com', 'hmac-sha2-512-etm@openssh.com'];

function configs(seed: string, extra: { client?: Partial<ClientConfig>; server?: Partial<ServerConfig> } = {}) {
  const hostKeyEnv = seededEnv(`${seed}/hostkey`);
  const userKeyEnv = seededEnv(`${seed}/userkey`);
  const hostKey = generateEd25519((n) => hostKeyEnv.randomBytes(n));
  const userKey = generateEd25519((n) => userKeyEnv.randomBytes(n), 'alice@laptop');
  const server: ServerConfig = {
    env: seededEnv(`${seed}/server`),
    hostKeys: [hostKey],
    users: [{ name: 'alice', password: 'wonderland', authorizedKeys: `${formatPublicKeyLine(publicKeyBlob(userKey), 'alice@laptop')}\n` }],
    ...extra.server,
  };
  const client: ClientConfig = {
    env: seededEnv(`${seed}/client`),
    username: 'alice',
    password: 'wonderland',
    hostKeyCheck: () => 'unknown',
    acceptUnknownHostKey: true,
    ...extra.client,
  };
  return { client, server, userKey, hostKey };
}

function errors(events: SshEvent[]) {
  return events.filter((e) => e.type === 'error');
}

describe('in-memory client ⇄ server', () => {
  it('runs the five phases with password authentication', () => {
    const { client, server } = configs('five-phases', { client: { authMethods: ['password'] } });
    const r = runExec(client, server, 'echo hi');
    expect(errors(r.events)).toEqual([]);
    expect(new TextDecoder().decode(r.stdout)).toBe('hi\n');
    expect(r.exitStatus).toBe(0);
    const phases = new Set(r.events.map((e) => e.phase));
    expect([...phases].sort()).toEqual([1, 2, 3, 4, 5]);
    const auth = r.events.filter((e) => e.type === 'auth' && e.side === 'client');
    expect(auth.map((e) => (e as { result: string }).result)).toEqual(['failure', 'success']);
    expect(r.client.sessionId).toEqual(r.server.sessionId);
  });

  it('authenticates with a public key: query, PK_OK, signed request', () => {
    const { client, server, userKey } = configs('publickey', { client: { password: undefined, keys: [] } });
    const r = runExec({ ...client, keys: [userKey], authMethods: ['publickey'] }, server, 'exit 3');
    expect(errors(r.events)).toEqual([]);
    expect(r.exitStatus).toBe(3);
    const results = r.events.filter((e) => e.type === 'auth' && e.side === 'client').map((e) => (e as { result: string }).result);
    expect(results).toEqual(['failure', 'pk-ok', 'success']);
  });

  it('refuses a wrong password and lists the methods that can continue', () => {
    const { client, server } = configs('wrong-password', { client: { password: 'nope', authMethods: ['password'] } });
    const r = runExec(client, server, 'echo hi');
    const failure = r.events.filter((e) => e.type === 'auth' && e.side === 'client' && e.result === 'failure');
    expect(failure.length).toBe(2);
    expect((failure[1] as { continue?: string[] }).continue).toEqual(['publickey', 'password']);
    const closed = r.events.find((e) => e.type === 'closed' && e.side === 'client') as { reason?: number };
    expect(closed.reason).toBe(14);
  });

  for (const cipher of CIPHERS) {
    const macs = cipher.includes('-ctr') ? MACS : [null];
    for (const mac of macs) {
      it(`moves 200 KiB through cat with ${cipher}${mac ? ` + ${mac}` : ''}`, () => {
        const algorithms = { cipher: [cipher], ...(mac ? { mac: [mac] } : {}) };
        const { client, server } = configs(`matrix-${cipher}-${mac}`, { client: { algorithms, trace: false }, server: { algorithms } });
        const input = seededEnv(`input-${cipher}`).randomBytes(200 * 1024);
        const r = runExec(client, server, 'cat', input);
        expect(errors(r.events)).toEqual([]);
        expect(r.exitStatus).toBe(0);
        expect(createHash('sha256').update(r.stdout).digest('hex')).toBe(createHash('sha256').update(input).digest('hex'));
      });
    }
  }

  it('rekeys automatically after the byte limit and keeps data intact', () => {
    const { client, server } = configs('rekey', { client: { rekeyBytes: 64 * 1024, trace: false }, server: { trace: false } });
    const input = seededEnv('rekey-input').randomBytes(512 * 1024);
    const r = runExec(client, server, 'cat', input);
    expect(errors(r.events)).toEqual([]);
    expect(createHash('sha256').update(r.stdout).digest('hex')).toBe(createHash('sha256').update(input).digest('hex'));
    const rekeys = r.events.filter((e) => e.type === 'keys' && e.side === 'client').length;
    expect(rekeys).toBeGreaterThan(3);
  });

  it('keeps data in order when both sides re-key often and at the same time', () => {
    for (const cipher of ['chacha20-poly1305@openssh.com', 'aes128-gcm@openssh.com']) {
      const algorithms = { cipher: [cipher] };
      const { client, server } = configs(`both-rekey-${cipher}`, { client: { rekeyBytes: 40_000, trace: false, algorithms }, server: { rekeyBytes: 50_000, trace: false, algorithms } });
      const input = seededEnv('both-rekey-input').randomBytes(1024 * 1024);
      const r = runExec(client, server, 'cat', input);
      expect(errors(r.events)).toEqual([]);
      expect(createHash('sha256').update(r.stdout).digest('hex')).toBe(createHash('sha256').update(input).digest('hex'));
      expect(r.events.filter((e) => e.type === 'keys' && e.side === 'server').length).toBeGreaterThan(10);
    }
  });

  it('is byte-reproducible under the same seed', () => {
    const wires = (seed: string) => {
      const { client, server } = configs(seed);
      const r = runExec(client, server, 'echo same');
      return r.events.filter((e) => e.type === 'packet').map((e) => Buffer.from((e as { wire: Uint8Array }).wire).toString('hex'));
    };
    const a = wires('repro');
    expect(wires('repro')).toEqual(a);
    expect(wires('other')).not.toEqual(a);
  });

  it('the sender and the receiver build the same tree for each packet', () => {
    const { client, server } = configs('same-trees');
    const r = runExec(client, server, 'echo tree');
    const packets = r.events.filter((e) => e.type === 'packet') as Extract<SshEvent, { type: 'packet' }>[];
    let compared = 0;
    for (const sent of packets.filter((p) => (p.side === 'client') === (p.dir === 'c2s'))) {
      const got = packets.find((p) => p !== sent && p.dir === sent.dir && p.n === sent.n && p.side !== sent.side && Buffer.from(p.wire).equals(Buffer.from(sent.wire)));
      if (!got) continue;
      expect(got.tree).toEqual(sent.tree);
      compared++;
    }
    expect(compared).toBeGreaterThan(20);
  });

  it('every packet tree covers every byte of the wire', () => {
    const { client, server } = configs('trees');
    const r = runExec(client, server, 'echo tree');
    for (const e of r.events) {
      if (e.type !== 'packet') continue;
      expect(e.tree.start).toBe(0);
      expect(e.tree.end).toBe(e.wire.length);
      let pos = 0;
      for (const c of e.tree.children ?? []) {
        expect(c.start).toBe(pos);
        pos = c.end;
      }
      expect(pos).toBe(e.wire.length);
    }
  });
});
