// Holes in captures: sessions of our client and server (real engine bytes) written as pcapng with
// small segments, then segments dropped. The independent truth is the client's own packet list:
// every packet whose bytes all survived must be decoded (and decrypted, with its sequence number),
// every one that lost bytes must not appear as a decoded packet, and the hole must be reported.

import { describe, it, expect } from 'vitest';
import { writeSessionPcapng } from './pcapng-writer.ts';
import { readCaptureFile } from './capture-file.ts';
import { analyzeCapture } from './analyze.ts';
import { tcpSegmentOf } from './tcp-segment.ts';
import type { Frame } from './frames.ts';
import { testSession, type TestSession } from './test-session.ts';
import type { ClientConfig } from '../core/config.ts';

const u32le = (v: number) => [v & 255, (v >>> 8) & 255, (v >>> 16) & 255, v >>> 24];

/** A little-endian µs pcap of these frames (independent of the pcapng writer). */
function pcapOf(frames: Frame[]): Uint8Array {
  const parts: number[] = [...u32le(0xa1b2c3d4), 2, 0, 4, 0, ...u32le(0), ...u32le(0), ...u32le(262144), ...u32le(1)];
  for (const f of frames) parts.push(...u32le(Math.floor(f.time)), ...u32le(Math.round((f.time % 1) * 1e6) % 1e6), ...u32le(f.data.length), ...u32le(f.data.length), ...f.data);
  return new Uint8Array(parts);
}

interface Expected {
  dir: 'c2s' | 's2c';
  msg: string;
  start: number;
  end: number;
  /** Position among this direction's packets since the last NEWKEYS (strict KEX: the sequence number). */
  seq: number;
}

/** Every packet the client's engine sent or received, with its byte range in its direction's stream. */
function expectedPackets(s: TestSession): Expected[] {
  const off = { c2s: 0, s2c: 0 };
  const seq = { c2s: 0, s2c: 0 };
  const out: Expected[] = [];
  const packets = s.events.filter((e) => e.type === 'version' || e.type === 'packet');
  packets.forEach((e, i) => {
    const c = s.chunks[i]!;
    if (e.type === 'packet') {
      out.push({ dir: c.dir, msg: e.msg, start: off[c.dir], end: off[c.dir] + c.bytes.length, seq: seq[c.dir] });
      seq[c.dir] = e.msg === 'SSH_MSG_NEWKEYS' ? 0 : seq[c.dir] + 1;
    }
    off[c.dir] += c.bytes.length;
  });
  return out;
}

/** The capture with some data segments dropped; returns the dropped stream ranges per direction. */
function dropSegments(file: Uint8Array, clientPort: number, pick: (dir: 'c2s' | 's2c', index: number, start: number, len: number) => boolean) {
  const frames = readCaptureFile(file).frames;
  const kept: Frame[] = [];
  const dropped: { dir: 'c2s' | 's2c'; start: number; end: number }[] = [];
  const off = { c2s: 0, s2c: 0 };
  const idx = { c2s: 0, s2c: 0 };
  for (const f of frames) {
    const seg = tcpSegmentOf(f)!;
    const dir = seg.srcPort === clientPort ? 'c2s' : 's2c';
    if (seg.payload.length > 0) {
      const start = off[dir];
      off[dir] += seg.payload.length;
      if (pick(dir, idx[dir]++, start, seg.payload.length)) {
        dropped.push({ dir, start, end: off[dir] });
        continue;
      }
    }
    kept.push(f);
  }
  return { bytes: pcapOf(kept), dropped };
}

function sessionCapture(seed: string, algorithms: ClientConfig['algorithms'], input: Uint8Array, maxSegment: number) {
  const s = testSession(seed, algorithms, 'cat', input);
  expect(s.stdout.length).toBe(input.length);
  const file = writeSessionPcapng({ client: { ip: '10.0.0.1', port: 40001 }, server: { ip: '10.0.0.2', port: 22 }, chunks: s.chunks, maxSegment });
  return { s, file };
}

/** Checks the decoder's packets against the truth, given what was dropped. */
function checkAgainstTruth(s: TestSession, a: ReturnType<typeof analyzeCapture>, dropped: { dir: string; start: number; end: number }[], keyed: boolean) {
  const st = a.streams[0]!;
  const truth = expectedPackets(s);
  const hit = (p: Expected) => dropped.some((d) => d.dir === p.dir && d.start < p.end && p.start < d.end);
  const lostPackets = truth.filter(hit);
  expect(lostPackets.length).toBeGreaterThan(0);
  const decoded = st.packets.filter((p) => p.name !== null);
  // no packet the hole damaged is shown as decoded; every other one is, at its place
  for (const p of truth) {
    if (hit(p)) continue; // counted below
    const found = decoded.find((q) => q.dir === p.dir && q.offset === p.start - dropped.filter((d) => d.dir === p.dir && d.end <= p.start).reduce((n, d) => n + d.end - d.start, 0));
    {
      expect(found?.name, `${p.dir} ${p.msg} at ${p.start}`).toBe(p.msg);
      if (keyed) expect(found!.error).toBeUndefined();
    }
  }
  expect(decoded.length).toBe(truth.length - lostPackets.length);
  return st;
}

const dec = new TextDecoder();
const input = new Uint8Array(100_000).map((_, i) => (i * 7 + 3) & 255);

describe('gaps: holes in the capture are reported and the stream resynchronises', () => {
  const cases: [string, ClientConfig['algorithms']][] = [
    ['chacha20-poly1305', { kex: ['curve25519-sha256'], cipher: ['chacha20-poly1305@openssh.com'] }],
    ['aes128-gcm', { kex: ['curve25519-sha256'], cipher: ['aes128-gcm@openssh.com'] }],
    ['aes256-ctr + hmac-sha2-256', { kex: ['curve25519-sha256'], cipher: ['aes256-ctr'], mac: ['hmac-sha2-256'] }],
    ['aes128-ctr + hmac-sha2-512-etm', { kex: ['curve25519-sha256'], cipher: ['aes128-ctr'], mac: ['hmac-sha2-512-etm@openssh.com'] }],
  ];
  for (const [title, algs] of cases) {
    it(`${title}: a segment lost inside a packet, and several whole packets lost: later packets decrypt and verify`, () => {
      const { s, file } = sessionCapture(`gap-${title}`, algs, input, 700);
      const truth = expectedPackets(s);
      const data = truth.filter((p) => p.dir === 'c2s' && p.msg === 'SSH_MSG_CHANNEL_DATA');
      expect(data.length).toBeGreaterThan(3);
      // hole 1: a segment in the middle of the first c2s CHANNEL_DATA; hole 2: the whole of the 2nd and 3rd s2c CHANNEL_DATA
      const echoes = truth.filter((p) => p.dir === 's2c' && p.msg === 'SSH_MSG_CHANNEL_DATA');
      const first = data[0]!;
      const { bytes, dropped } = dropSegments(file, 40001, (dir, _i, start, len) => {
        if (dir === 'c2s') return start > first.start && start + len < first.end && start - first.start < 1400 && start - first.start >= 700;
        return start >= echoes[1]!.start && start + len <= echoes[2]!.end;
      });
      expect(dropped.length).toBeGreaterThanOrEqual(2);
      const a = analyzeCapture(bytes, { keylog: s.keylog });
      const st = checkAgainstTruth(s, a, dropped, true);
      expect(st.gaps.map((g) => g.dir)).toEqual(['c2s', 's2c']);
      for (const g of st.gaps) expect(g.resumedAt).not.toBeNull();
      expect(st.gaps[0]!.lost).toBe(dropped.filter((d) => d.dir === 'c2s').reduce((n, d) => n + d.end - d.start, 0));
      expect(st.gaps[0]!.packetsLost).toBe(1);
      expect(st.gaps[1]!.packetsLost).toBe(2);
      // strict KEX sequence numbers of the packets after the holes are the engine's
      for (const p of st.packets.filter((q) => q.decrypted)) {
        const t = truth.find((x) => x.dir === p.dir && x.msg === p.name && x.seq === p.seq);
        expect(t, `${p.dir} ${p.name} seq ${p.seq}`).toBeDefined();
      }
      expect(st.errors.some((e) => /bytes missing from the capture.*resynchronised/.test(e))).toBe(true);
      // the damaged bytes are listed, marked, never decoded
      expect(st.packets.filter((p) => p.error && /bytes missing/.test(p.error)).length).toBe(1); // the s2c hole is at a packet boundary
      // the echo after the holes is the input's tail
      const lastEcho = st.packets.filter((p) => p.dir === 's2c' && p.name === 'SSH_MSG_CHANNEL_DATA').at(-1)!;
      const tail = lastEcho.message!.data as Uint8Array;
      expect(dec.decode(tail)).toBe(dec.decode(input.subarray(input.length - tail.length)));
    });
  }

  it('without keys (aes-gcm): bytes after the hole are listed per segment, the hole is named', () => {
    const { s, file } = sessionCapture('gap-nokeys', { kex: ['curve25519-sha256'], cipher: ['aes128-gcm@openssh.com'] }, input, 700);
    const first = expectedPackets(s).find((p) => p.dir === 'c2s' && p.msg === 'SSH_MSG_CHANNEL_DATA')!;
    const { bytes } = dropSegments(file, 40001, (dir, _i, start) => dir === 'c2s' && start >= first.start + 700 && start < first.start + 1400);
    const st = analyzeCapture(bytes).streams[0]!;
    expect(st.gaps.length).toBe(1);
    expect(st.gaps[0]!.note).toMatch(/cannot be verified/);
    const after = st.packets.filter((p) => p.dir === 'c2s' && p.offset >= st.gaps[0]!.offset);
    expect(after.length).toBeGreaterThan(0);
    expect(after.every((p) => p.seq === null && p.msg === null)).toBe(true);
  });

  it('before NEWKEYS: a packet header after the hole is found; the KEX messages after it decode, sequence numbers unknown', () => {
    const s = testSession('gap-plain', { kex: ['curve25519-sha256'], cipher: ['aes128-gcm@openssh.com'] }, 'echo hi');
    const file = writeSessionPcapng({ client: { ip: '10.0.0.1', port: 40001 }, server: { ip: '10.0.0.2', port: 22 }, chunks: s.chunks, maxSegment: 64 });
    const truth = expectedPackets(s);
    const kexinit = truth.find((p) => p.dir === 's2c' && p.msg === 'SSH_MSG_KEXINIT')!;
    const { bytes, dropped } = dropSegments(file, 40001, (dir, _i, start) => dir === 's2c' && start >= kexinit.start + 64 && start < kexinit.start + 128);
    expect(dropped.length).toBe(1);
    const st = analyzeCapture(bytes, { keylog: s.keylog }).streams[0]!;
    expect(st.gaps.length).toBe(1);
    const reply = st.packets.find((p) => p.name === 'SSH_MSG_KEX_ECDH_REPLY')!;
    expect(reply).toBeDefined();
    expect(reply.seq).toBeNull();
    expect(st.gaps[0]!.resumedAt).toBe(reply.offset);
    expect(st.packets.some((p) => p.dir === 's2c' && p.name === 'SSH_MSG_KEXINIT')).toBe(false);
    expect(st.packets.find((p) => p.dir === 's2c' && p.name === 'SSH_MSG_NEWKEYS')).toBeDefined();
  });

  it('a hole that swallows NEWKEYS: no plausible header follows, the rest of that direction is lost; the other decrypts', () => {
    const { s, file } = sessionCapture('gap-tail', { kex: ['curve25519-sha256'], cipher: ['chacha20-poly1305@openssh.com'] }, input.subarray(0, 5000), 500);
    const newkeys = expectedPackets(s).find((p) => p.dir === 'c2s' && p.msg === 'SSH_MSG_NEWKEYS')!;
    const { bytes, dropped } = dropSegments(file, 40001, (dir, _i, start) => dir === 'c2s' && start === newkeys.start);
    expect(dropped.length).toBe(1);
    const st = analyzeCapture(bytes, { keylog: s.keylog }).streams[0]!;
    expect(st.gaps.length).toBe(1);
    expect(st.gaps[0]).toMatchObject({ dir: 'c2s', resumedAt: null, lost: 16 });
    expect(st.gaps[0]!.note).toMatch(/rest of this direction is lost/);
    const c2sAfter = st.packets.filter((p) => p.dir === 'c2s' && p.offset >= newkeys.start);
    expect(c2sAfter.length).toBe(1);
    expect(c2sAfter[0]!.error).toMatch(/16 bytes missing/);
    const s2c = st.packets.filter((p) => p.dir === 's2c' && p.decrypted);
    expect(s2c.length).toBeGreaterThan(3);
    expect(s2c.every((p) => p.error === undefined)).toBe(true);
  });
});
