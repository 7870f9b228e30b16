// RFC 4253 §4.2: identification lines — preamble lines before the server's version, CR LF or a bare
// LF, the 255-byte limit, and versions we do not speak.
import { describe, expect, it } from 'vitest';
import { seededEnv } from '../env.ts';
import { generateEd25519 } from '../algorithms/signatures.ts';
import { createClient, createServer } from './connection.ts';
import type { SshEvent } from '../events.ts';

const enc = new TextEncoder();
const drain = (c: { pollEvent(): SshEvent | null }) => {
  const out: SshEvent[] = [];
  let e;
  while ((e = c.pollEvent())) out.push(e);
  return out;
};
const client = () => createClient({ env: seededEnv('v'), username: 'u', password: 'p', hostKeyCheck: () => 'known' });
const server = () => createServer({ env: seededEnv('v'), hostKeys: [generateEd25519((n) => seededEnv('hk').randomBytes(n))], users: [] });

describe('identification exchange', () => {
  it('a client skips lines the server sends before its version line, with LF or CR LF', () => {
    const c = client();
    c.receive(enc.encode('Welcome to the lab\nPlease behave\r\nSSH-2.0-OpenSSH_9.2p1 Debian\n'));
    const v = drain(c).filter((e) => e.type === 'version' && e.dir === 's2c');
    expect(v).toHaveLength(1);
    expect(v[0]).toMatchObject({ line: 'SSH-2.0-OpenSSH_9.2p1 Debian', preamble: ['Welcome to the lab', 'Please behave'], phase: 1 });
  });

  it('accepts SSH-1.99 (a server that also speaks version 1) and the version split across reads', () => {
    const c = client();
    c.receive(enc.encode('SSH-1.99-Old'));
    c.receive(enc.encode('Server\r\n'));
    expect(drain(c).some((e) => e.type === 'version' && e.line === 'SSH-1.99-OldServer')).toBe(true);
    expect(c.closed).toBe(false);
  });

  it('rejects SSH-1.5 with PROTOCOL_VERSION_NOT_SUPPORTED', () => {
    const c = client();
    c.receive(enc.encode('SSH-1.5-Ancient\r\n'));
    const err = drain(c).find((e) => e.type === 'error') as Extract<SshEvent, { type: 'error' }>;
    expect(err.reason).toBe(8);
    expect(c.closed).toBe(true);
  });

  it('rejects a line longer than 255 bytes, naming the field', () => {
    const c = client();
    c.receive(enc.encode(`SSH-2.0-${'x'.repeat(300)}`));
    const err = drain(c).find((e) => e.type === 'error') as Extract<SshEvent, { type: 'error' }>;
    expect(err.field).toBe('identification');
    expect(err.message).toMatch(/255/);
  });

  it('a server does not accept text before the version line', () => {
    const s = server();
    s.receive(enc.encode('GET / HTTP/1.1\r\n'));
    const err = drain(s).find((e) => e.type === 'error') as Extract<SshEvent, { type: 'error' }>;
    expect(err.message).toMatch(/identification/);
    expect(s.closed).toBe(true);
  });
});
