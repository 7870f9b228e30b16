// Malformed captures: fast-check mutations (bit flips, byte overwrites, truncation, splicing of two
// files, duplicated and deleted ranges) of real capture files — pcapng written by our writer from
// engine sessions (with a Decryption Secrets Block) and the same frames as classic pcap. Whatever
// the mutation, analyzeCapture gives a CaptureError (not a capture at all) or a partial result; any
// other exception fails the property. Work is bounded by construction (reassembly is linear in the
// file, resynchronisation searches have budgets); the runner's timeout catches a hang.

import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { writeSessionPcapng } from './pcapng-writer.ts';
import { analyzeCapture } from './analyze.ts';
import { readCaptureFile } from './capture-file.ts';
import { CaptureError } from './errors.ts';
import { inspectJson, inspectText } from './report.ts';
import { testSession } from './test-session.ts';
import type { Frame } from './frames.ts';

const u32le = (v: number) => [v & 255, (v >>> 8) & 255, (v >>> 16) & 255, v >>> 24];

function pcapOf(frames: Frame[]): Uint8Array {
  const parts: number[] = [...u32le(0xa1b2c3d4), 2, 0, 4, 0, ...u32le(0), ...u32le(0), ...u32le(262144), ...u32le(1)];
  for (const f of frames) parts.push(...u32le(Math.floor(f.time)), ...u32le(0), ...u32le(f.data.length), ...u32le(f.data.length), ...f.data);
  return new Uint8Array(parts);
}

const chacha = testSession('fuzz-chacha', { kex: ['curve25519-sha256'], cipher: ['chacha20-poly1305@openssh.com'] }, 'cat', new Uint8Array(3000).fill(0x61));
const ctr = testSession('fuzz-ctr', { kex: ['diffie-hellman-group14-sha256'], cipher: ['aes128-ctr'], mac: ['hmac-sha2-256'] }, 'echo fuzz');
const gcm = testSession('fuzz-gcm', { kex: ['ecdh-sha2-nistp256'], cipher: ['aes256-gcm@openssh.com'], compression: ['zlib@openssh.com'] }, 'echo fuzz');
const ends = { client: { ip: '10.0.0.1', port: 40000 }, server: { ip: '10.0.0.2', port: 22 } };
const files = [
  { name: 'chacha pcapng', bytes: writeSessionPcapng({ ...ends, chunks: chacha.chunks, keylog: chacha.keylog, maxSegment: 300 }), keylog: chacha.keylog },
  { name: 'ctr pcapng', bytes: writeSessionPcapng({ ...ends, chunks: ctr.chunks, keylog: ctr.keylog, maxSegment: 200 }), keylog: ctr.keylog },
  { name: 'gcm+zlib pcapng raw', bytes: writeSessionPcapng({ ...ends, chunks: gcm.chunks, keylog: gcm.keylog, link: 'raw' }), keylog: gcm.keylog },
];
files.push({ name: 'chacha pcap', bytes: pcapOf(readCaptureFile(files[0]!.bytes).frames), keylog: chacha.keylog });

/** Runs the analysis and the two reports; only CaptureError may escape. */
function survives(bytes: Uint8Array, keylog?: string): 'error' | 'partial' | 'clean' {
  try {
    const a = analyzeCapture(bytes, keylog !== undefined ? { keylog } : {});
    JSON.stringify(inspectJson(a));
    inspectText(a);
    const troubled = a.problems.length > 0 || a.streams.some((s) => s.errors.length > 0 || s.packets.some((p) => p.error !== undefined));
    return troubled ? 'partial' : 'clean';
  } catch (e) {
    if (e instanceof CaptureError) return 'error';
    throw e;
  }
}

const runs = Number(process.env.FUZZ_RUNS ?? 60);

describe('fuzzed captures: a typed error or a partial result, never another exception', () => {
  it('the unmutated files decode cleanly, decrypted', () => {
    for (const f of files) {
      expect(survives(f.bytes, f.keylog), f.name).toBe('clean');
      const st = analyzeCapture(f.bytes, { keylog: f.keylog }).streams[0]!;
      expect(st.packets.filter((p) => p.decrypted).length, f.name).toBeGreaterThan(5);
    }
  });

  const file = fc.constantFrom(...files);
  const mutation = (len: number) =>
    fc.oneof(
      fc.record({ kind: fc.constant('flip' as const), at: fc.nat(len - 1), bit: fc.nat(7) }),
      fc.record({ kind: fc.constant('set' as const), at: fc.nat(len - 1), value: fc.nat(255) }),
      fc.record({ kind: fc.constant('cut' as const), at: fc.nat(len) }),
      fc.record({ kind: fc.constant('delete' as const), at: fc.nat(len - 1), n: fc.integer({ min: 1, max: 400 }) }),
      fc.record({ kind: fc.constant('dup' as const), at: fc.nat(len - 1), n: fc.integer({ min: 1, max: 400 }) }),
    );
  type Mutation = { kind: 'flip'; at: number; bit: number } | { kind: 'set'; at: number; value: number } | { kind: 'cut'; at: number } | { kind: 'delete'; at: number; n: number } | { kind: 'dup'; at: number; n: number };
  const apply = (b: Uint8Array, m: Mutation): Uint8Array => {
    const at = Math.min(m.at, Math.max(0, b.length - 1));
    switch (m.kind) {
      case 'flip': {
        const c = b.slice();
        if (c.length) c[at] = c[at]! ^ (1 << m.bit);
        return c;
      }
      case 'set': {
        const c = b.slice();
        if (c.length) c[at] = m.value;
        return c;
      }
      case 'cut':
        return b.slice(0, Math.min(m.at, b.length));
      case 'delete':
        return new Uint8Array([...b.subarray(0, at), ...b.subarray(at + m.n)]);
      case 'dup':
        return new Uint8Array([...b.subarray(0, at + m.n), ...b.subarray(at)]);
    }
  };

  it('bit flips, overwrites, truncation, deleted and duplicated ranges (with and without the key log)', () => {
    fc.assert(
      fc.property(
        file.chain((f) => fc.tuple(fc.constant(f), fc.array(mutation(f.bytes.length), { minLength: 1, maxLength: 8 }), fc.boolean())),
        ([f, muts, withKeys]) => {
          let b = f.bytes;
          for (const m of muts) b = apply(b, m);
          survives(b, withKeys ? f.keylog : undefined);
        },
      ),
      { numRuns: runs },
    );
  });

  it('mutations confined to the packet data (after the file and block headers) give partial results, not errors', () => {
    const f = files[0]!;
    const start = 200; // past SHB, IDB and into the DSB/EPBs
    let partial = 0;
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: start, max: f.bytes.length - 1 }), fc.nat(255)), { minLength: 1, maxLength: 10 }), (muts) => {
        const b = f.bytes.slice();
        for (const [i, v] of muts) b[i] = v;
        const r = survives(b, f.keylog);
        expect(r).not.toBe('error');
        if (r === 'partial') partial++;
      }),
      { numRuns: runs },
    );
    expect(partial).toBeGreaterThan(0);
  });

  it('splicing two captures (the start of one, the rest of another) and frame-level shuffles', () => {
    fc.assert(
      fc.property(fc.nat(files.length - 1), fc.nat(files.length - 1), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (i, j, x, y) => {
        const a = files[i]!.bytes;
        const b = files[j]!.bytes;
        const spliced = new Uint8Array([...a.subarray(0, Math.floor(a.length * x)), ...b.subarray(Math.floor(b.length * y))]);
        survives(spliced, files[i]!.keylog + files[j]!.keylog);
      }),
      { numRuns: runs },
    );
    // frames of one capture in a random order, some repeated (retransmissions, reordering)
    const frames = readCaptureFile(files[1]!.bytes).frames;
    fc.assert(
      fc.property(fc.array(fc.nat(frames.length - 1), { minLength: 1, maxLength: frames.length * 2 }), (order) => {
        expect(survives(pcapOf(order.map((k) => frames[k]!)), files[1]!.keylog)).not.toBe('error');
      }),
      { numRuns: runs },
    );
  });

  it('hostile TCP: sequence numbers that jump (many gaps) stay bounded and are reported', () => {
    const frames = readCaptureFile(files[0]!.bytes).frames;
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(frames.length - 1), fc.nat(0xffffffff)), { minLength: 1, maxLength: 30 }), (jumps) => {
        const copy = frames.map((f) => ({ ...f, data: f.data.slice() }));
        for (const [k, seq] of jumps) new DataView(copy[k]!.data.buffer).setUint32(14 + 20 + 4, seq); // Ethernet + IPv4 + TCP seq
        const r = survives(pcapOf(copy), files[0]!.keylog);
        expect(r).not.toBe('error');
      }),
      { numRuns: Math.max(10, Math.floor(runs / 3)) },
    );
  });
});
