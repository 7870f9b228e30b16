// A session of our engines written as pcapng (with its key log) and read back through the capture
// reader must give the same story: the same packets byte for byte, decrypted to the same payloads,
// and the keys A–F recomputed from the key log equal to the ones the engines derived.

import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { analyzeCaptureBytes, type CaptureProgress } from './capture-analyze.ts';
import { sessionChunks, sessionKeylog, sessionPcapng } from './recording-pcapng.ts';
import { DEFAULT_SCENARIO, runScenario, type ScenarioConfig } from './scenario.ts';
import { buildSteps } from './steps.ts';
import { kdfModel } from './kdf-model.ts';
import { explainEvent } from './explain.ts';
import type { SshEvent } from '../../engine/index.ts';

type Pkt = Extract<SshEvent, { type: 'packet' }>;
const senderPackets = (events: SshEvent[]) => buildSteps(events).map((s) => s.event).filter((e): e is Pkt => e.type === 'packet');

function roundTrip(config: ScenarioConfig, withKeylog = true) {
  const run = runScenario(config);
  const bytes = withKeylog ? sessionPcapng(run.events) : sessionPcapng(run.events.filter((e) => e.type !== 'keys'));
  const progress: CaptureProgress[] = [];
  const result = analyzeCaptureBytes(bytes, null, (p) => progress.push(p));
  return { run, result, progress };
}

describe('capture → event log', () => {
  for (const cipher of ['aes128-ctr', 'chacha20-poly1305@openssh.com', 'aes256-gcm@openssh.com']) {
    it(`our own session (${cipher}) comes back decrypted, packet for packet`, () => {
      const { run, result, progress } = roundTrip({ ...DEFAULT_SCENARIO, cipher, seed: `cap-${cipher}` });
      expect(result.format).toBe('pcapng');
      expect(result.streams).toHaveLength(1);
      expect(result.problems).toEqual([]);
      const orig = senderPackets(run.events);
      const got = senderPackets(result.logs[0]!.events);
      expect(got.map((p) => p.msg)).toEqual(orig.map((p) => p.msg));
      got.forEach((p, i) => {
        expect(p.wire).toEqual(orig[i]!.wire);
        expect(p.payload).toEqual(orig[i]!.payload);
        expect(p.encrypted).toBe(orig[i]!.encrypted);
        expect(p.dir).toBe(orig[i]!.dir);
        // the same payload tree as the live session (labels of the MAC node may differ)
        expect(p.tree.children?.find((c) => c.path === 'payload')).toEqual(orig[i]!.tree.children?.find((c) => c.path === 'payload'));
      });
      const s = result.streams[0]!;
      expect(s.clientVersion).toBe(run.events.find((e) => e.type === 'version' && e.dir === 'c2s')!.type === 'version' ? (run.events.find((e) => e.type === 'version' && e.dir === 'c2s') as { line: string }).line : null);
      expect(s.decryptedKeyExchanges).toBe(1);
      expect(s.opaque).toBe(0);
      // keys recomputed from the key log = the keys the engines derived
      const mine = kdfModel(buildSteps(run.events))!;
      const theirs = kdfModel(buildSteps(result.logs[0]!.events))!;
      expect(theirs.keys.map((k) => k.value)).toEqual(mine.keys.map((k) => k.value));
      expect(theirs.H).toBe(mine.H);
      // H is the hash of the exchange-hash input (node:crypto, independent of the engine)
      const eh = result.logs[0]!.events.find((e) => e.type === 'exchange-hash') as Extract<SshEvent, { type: 'exchange-hash' }>;
      expect(createHash(eh.hash).update(eh.input).digest('hex')).toBe(theirs.H);
      // frame numbers rise with the packets; progress ends at 1
      const frames = result.logs[0]!.meta.filter((m) => m !== null).map((m) => m!.frame);
      expect(frames.length).toBe(got.length);
      expect([...frames].sort((a, b) => a - b)).toEqual(frames);
      expect(frames[0]).toBeGreaterThan(3); // after the TCP handshake
      expect(progress.at(-1)).toEqual({ stage: 'ssh', done: 1 });
      // the phases of the capture's steps reach 5, in order of first appearance
      const phases = buildSteps(result.logs[0]!.events).map((st) => st.phase);
      expect(Math.max(...phases)).toBe(5);
      expect(result.logs[0]!.events.some((e) => e.type === 'auth' && e.result === 'success')).toBe(true);
    });
  }

  it('without a key log the encrypted packets stay opaque but are still listed', () => {
    const { run, result } = roundTrip({ ...DEFAULT_SCENARIO, seed: 'nokeys' }, false);
    const orig = senderPackets(run.events);
    const got = senderPackets(result.logs[0]!.events);
    expect(got).toHaveLength(orig.length);
    for (const dir of ['c2s', 's2c'] as const) {
      const o = orig.filter((p) => p.dir === dir);
      const g = got.filter((p) => p.dir === dir);
      const firstEnc = o.findIndex((p) => p.encrypted);
      expect(firstEnc).toBeGreaterThan(0);
      expect(g.slice(0, firstEnc).map((p) => p.msg)).toEqual(o.slice(0, firstEnc).map((p) => p.msg));
      for (const p of g.slice(firstEnc)) {
        expect(p.encrypted).toBe(true);
        expect(p.tree.end).toBe(p.wire.length);
      }
    }
    expect(result.streams[0]!.decryptedKeyExchanges).toBe(0);
    // told for learners as an encrypted packet nobody can read, in both languages
    const opaque = got.find((p) => p.payload.length === 0)!;
    expect(explainEvent(opaque, 'en').title).toMatch(/encrypted packet \(no key\)/);
    expect(explainEvent(opaque, 'zh').title).toMatch(/没有密钥/);
    const info = result.logs[0]!.events.find((e) => e.type === 'info' && /not decrypted/.test(e.message))!;
    expect(explainEvent(info, 'zh').title).toBe('这次密钥交换无法解密');
  });

  it('two sessions in one file are two streams', () => {
    const a = runScenario({ ...DEFAULT_SCENARIO, seed: 'two-a' });
    const b = runScenario({ ...DEFAULT_SCENARIO, seed: 'two-b', auth: 'publickey' });
    const fa = sessionPcapng(a.events);
    const fb = sessionPcapng(b.events, { client: { ip: '10.0.0.3', port: 40000 }, server: { ip: '10.0.0.2', port: 22 } });
    const both = new Uint8Array(fa.length + fb.length);
    both.set(fa);
    both.set(fb, fa.length);
    const result = analyzeCaptureBytes(both, null);
    expect(result.streams.map((s) => s.client)).toEqual(['10.0.0.1:50022', '10.0.0.3:40000']);
    expect(result.streams.every((s) => s.decryptedKeyExchanges === 1)).toBe(true);
  });

  it('the exported chunks are the wire bytes in send order, and the key log has the client cookie', () => {
    const run = runScenario(DEFAULT_SCENARIO);
    const chunks = sessionChunks(run.events);
    const c2s = Buffer.concat(chunks.filter((c) => c.dir === 'c2s').map((c) => c.bytes));
    expect(new Uint8Array(c2s)).toEqual(run.streams.c2s);
    const s2c = Buffer.concat(chunks.filter((c) => c.dir === 's2c').map((c) => c.bytes));
    expect(new Uint8Array(s2c)).toEqual(run.streams.s2c);
    const kexinit = senderPackets(run.events).find((p) => p.msg === 'SSH_MSG_KEXINIT' && p.dir === 'c2s')!;
    const cookie = Buffer.from(kexinit.payload.subarray(1, 17)).toString('hex');
    expect(sessionKeylog(run.events)).toContain(`${cookie} PRIVATE_KEY `);
  });

  it('a file that is not a capture is refused with the reason', () => {
    expect(() => analyzeCaptureBytes(new TextEncoder().encode('hello world, not a pcap'), null)).toThrow(/neither pcap/);
  });
});
