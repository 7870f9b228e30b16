import { describe, expect, it } from 'vitest';
import { DEFAULT_SCENARIO, runScenario } from './scenario.ts';
import { streamOffset } from './session-runner.ts';
import type { PacketEvent } from './steps.ts';

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

describe('session runner and the tamper experiment', () => {
  const clean = runScenario(DEFAULT_SCENARIO);

  it('each direction’s stream is the version line then every packet’s wire bytes', () => {
    for (const dir of ['c2s', 's2c'] as const) {
      const sender = dir === 'c2s' ? 'client' : 'server';
      const parts: Uint8Array[] = [];
      for (const e of clean.events) {
        if (e.side !== sender) continue;
        if (e.type === 'version' && e.dir === dir) parts.push(new TextEncoder().encode(`${e.line}\r\n`));
        if (e.type === 'packet' && e.dir === dir) parts.push(e.wire);
      }
      expect(parts.map(hex).join('')).toBe(hex(clean.streams[dir]));
    }
  });

  it('locates a packet byte in the stream', () => {
    const kexinit = clean.events.find((e): e is PacketEvent => e.type === 'packet' && e.side === 'client' && e.msg === 'SSH_MSG_KEXINIT')!;
    const off = streamOffset(clean.events, 'c2s', 0, 6)!;
    expect(clean.streams.c2s[off]).toBe(kexinit.wire[6]);
    expect(streamOffset(clean.events, 'c2s', 999, 0)).toBeNull();
  });

  it('a flipped cookie byte breaks the exchange hash: the client rejects the host key signature', () => {
    const off = streamOffset(clean.events, 'c2s', 0, 6)!; // first cookie byte of the client's KEXINIT
    const r = runScenario({ ...DEFAULT_SCENARIO, tamper: { dir: 'c2s', offset: off } });
    expect(r.exitStatus).toBeNull();
    const err = r.events.find((e) => e.type === 'error' && e.side === 'client');
    expect(err && err.type === 'error' ? err.message : '').toMatch(/signature/i);
    expect(r.events.some((e) => e.type === 'auth')).toBe(false);
  });

  it('a flipped byte of an encrypted packet fails its MAC', () => {
    // packet 3 from the client is SERVICE_REQUEST, the first encrypted one
    const pk = clean.events.filter((e): e is PacketEvent => e.type === 'packet' && e.side === 'client' && e.dir === 'c2s')[3]!;
    expect(pk.encrypted).toBe(true);
    const r = runScenario({ ...DEFAULT_SCENARIO, tamper: { dir: 'c2s', offset: streamOffset(clean.events, 'c2s', 3, 10)! } });
    expect(r.exitStatus).toBeNull();
    const err = r.events.find((e) => e.type === 'error' && e.side === 'server');
    expect(err && err.type === 'error' ? `${err.message} ${err.reason}` : '').toMatch(/MAC|integrity|5$/i);
  });
});
