// The Connection's bulk fast path (trace off, node:crypto provider: channel data sealed in pieces,
// engine/core/connection.ts sendNow) must put exactly the bytes on the wire that the general path
// puts there (noble sealers, one joined packet each), given the same seeded randomness, and the
// peer must read the data back (RFC 4254 §5.2 in RFC 4253 §6 packets).

import { describe, it, expect } from 'vitest';
import { createClient, createServer, generateEd25519, pumpPair, seededEnv, type Connection } from '../engine/index.ts';
import { nodeCryptoProvider } from './node-crypto.ts';

const join = (parts: readonly Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};

function openPair(seed: string, cipher: string, fast: boolean): { client: Connection; server: Connection; channel: number } {
  const hostKey = generateEd25519(seededEnv(`${seed}-host`).randomBytes);
  const algorithms = { kex: ['curve25519-sha256'], hostKey: ['ssh-ed25519'], cipher: [cipher] };
  const provider = fast ? nodeCryptoProvider : undefined;
  const client = createClient({ env: seededEnv(`${seed}-c`, provider), username: 'u', password: 'p', authMethods: ['password'], hostKeyCheck: () => 'known', trace: false, algorithms });
  const server = createServer({ env: seededEnv(`${seed}-s`), hostKeys: [hostKey], users: [{ name: 'u', password: 'p' }], trace: false, algorithms, channelWindow: 1 << 24 });
  let channel = -1;
  pumpPair(client, server, (e, from) => {
    if (from === client && e.type === 'auth' && e.result === 'success') channel = client.command({ type: 'open-session' });
  });
  return { client, server, channel };
}

describe.each(['chacha20-poly1305@openssh.com', 'aes128-gcm@openssh.com'])('%s: the bulk fast path', (cipher) => {
  it('sends the same wire bytes as the general path, and the server reads the data back', () => {
    const fast = openPair('fast-path', cipher, true);
    const slow = openPair('fast-path', cipher, false);
    expect(fast.channel).toBeGreaterThanOrEqual(0);
    const data = new Uint8Array(100_003).map((_, i) => (i * 31 + 7) & 0xff);
    const stderr = new Uint8Array(5000).fill(0x45);
    for (const p of [fast, slow]) {
      p.client.command({ type: 'data', channel: p.channel, data });
      p.client.command({ type: 'data', channel: p.channel, data: stderr, stream: 'stderr' });
    }
    const parts = fast.client.pollTransmitParts();
    // the small parts (length, header, padding, tag) travel joined with their neighbours
    expect(parts.every((p, i) => i === 0 || p.length >= 64 || parts[i - 1]!.length >= 64)).toBe(true);
    for (const p of [fast, slow]) p.client.command({ type: 'eof', channel: p.channel });
    const wire = join([...parts, ...fast.client.pollTransmitParts()]);
    const slowWire = slow.client.pollTransmit()!;
    expect(wire.length).toBe(slowWire.length);
    expect(Buffer.compare(wire, slowWire)).toBe(0);
    const got: Uint8Array[] = [];
    let eof = false;
    fast.server.receive(wire);
    let e;
    while ((e = fast.server.pollEvent()) !== null) {
      if (e.type === 'error') throw new Error(e.message);
      if (e.type === 'channel' && (e.change === 'data' || e.change === 'extended-data')) got.push((e.detail as { data: Uint8Array }).data);
      if (e.type === 'channel' && e.change === 'eof') eof = true;
    }
    expect(Buffer.compare(join(got), join([data, stderr]))).toBe(0);
    expect(eof).toBe(true);
  });
});
