// Connection.pollTransmitParts hands out the queued packets without concatenating them. Two
// connections with the same seeded environment must put the same bytes on the wire whichever way
// they are drained, and the peer must accept them (RFC 4253 §6 framing, RFC 4254 §5.2 data).

import { describe, it, expect } from 'vitest';
import { createClient, createServer, generateEd25519, pumpPair, seededEnv, type Connection } from '../index.ts';

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function openPair(seed: string): { client: Connection; server: Connection; channel: number; received: Uint8Array[] } {
  const hostKey = generateEd25519(seededEnv(`${seed}-host`).randomBytes);
  const algorithms = { kex: ['curve25519-sha256'], hostKey: ['ssh-ed25519'], cipher: ['aes128-gcm@openssh.com'] };
  const client = createClient({ env: seededEnv(`${seed}-c`), username: 'u', password: 'p', authMethods: ['password'], hostKeyCheck: () => 'known', trace: false, algorithms });
  const server = createServer({ env: seededEnv(`${seed}-s`), hostKeys: [hostKey], users: [{ name: 'u', password: 'p' }], trace: false, algorithms });
  let channel = -1;
  const received: Uint8Array[] = [];
  pumpPair(client, server, (e, from) => {
    if (from === client && e.type === 'auth' && e.result === 'success') channel = client.command({ type: 'open-session' });
    if (from === server && e.type === 'channel' && e.change === 'data') received.push((e.detail as { data: Uint8Array }).data);
  });
  return { client, server, channel, received };
}

describe('pollTransmitParts', () => {
  it('gives the same wire bytes as pollTransmit, one array per packet, and the peer accepts them', () => {
    const a = openPair('parts');
    const b = openPair('parts');
    expect(a.channel).toBeGreaterThanOrEqual(0);
    const data = new Uint8Array(100_000).map((_, i) => (i * 7) & 0xff);
    a.client.command({ type: 'data', channel: a.channel, data });
    b.client.command({ type: 'data', channel: b.channel, data });
    const whole = a.client.pollTransmit();
    const parts = b.client.pollTransmitParts();
    expect(parts.length).toBeGreaterThan(1);
    expect(b.client.pollTransmitParts()).toEqual([]);
    expect(whole).not.toBeNull();
    expect(concat(parts)).toEqual(whole);
    for (const p of parts) b.server.receive(p);
    const got: Uint8Array[] = [];
    let e;
    while ((e = b.server.pollEvent()) !== null) if (e.type === 'channel' && e.change === 'data') got.push((e.detail as { data: Uint8Array }).data);
    expect(concat(got)).toEqual(data.subarray(0, concat(got).length));
    expect(concat(got).length).toBeGreaterThan(0);
  });
});
