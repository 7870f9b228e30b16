import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { readCaptureFile } from './capture-file.ts';
import { CaptureError } from './errors.ts';
import { tcpSegmentOf } from './tcp-segment.ts';
import { Reassembler, reassemble, type DirectionStream } from './tcp-reassembly.ts';
import type { TcpSegment } from './tcp-segment.ts';

// Independent builders for the test: pcap / pcapng bytes written field by field from the specs.
function u16(v: number, le: boolean): number[] {
  return le ? [v & 255, v >>> 8] : [v >>> 8, v & 255];
}
function u32(v: number, le: boolean): number[] {
  const b = [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
  return le ? b.reverse() : b;
}
function ipv4Tcp(payload: number[], opts: { src?: number[]; dst?: number[]; sport?: number; dport?: number; seq?: number; flags?: number } = {}): number[] {
  const tcp = [...u16(opts.sport ?? 40000, false), ...u16(opts.dport ?? 22, false), ...u32(opts.seq ?? 1000, false), ...u32(0, false), 0x50, opts.flags ?? 0x18, ...u16(65535, false), 0, 0, 0, 0, ...payload];
  return [0x45, 0, ...u16(20 + tcp.length, false), 0, 0, 0x40, 0, 64, 6, 0, 0, ...(opts.src ?? [10, 0, 0, 1]), ...(opts.dst ?? [10, 0, 0, 2]), ...tcp];
}
function ether(ip: number[], vlan = false): number[] {
  return [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, ...(vlan ? [0x81, 0x00, 0, 5] : []), 0x08, 0x00, ...ip];
}
function pcap(frames: number[][], linkType: number, le: boolean, nano: boolean): Uint8Array {
  const out = [...u32(nano ? 0xa1b23c4d : 0xa1b2c3d4, le), ...u16(2, le), ...u16(4, le), ...u32(0, le), ...u32(0, le), ...u32(65535, le), ...u32(linkType, le)];
  frames.forEach((f, i) => out.push(...u32(1700000000 + i, le), ...u32(nano ? 500_000_000 : 500_000, le), ...u32(f.length, le), ...u32(f.length, le), ...f));
  return new Uint8Array(out);
}
function block(type: number, body: number[], le: boolean): number[] {
  while (body.length % 4) body.push(0);
  const len = body.length + 12;
  return [...u32(type, le), ...u32(len, le), ...body, ...u32(len, le)];
}
function pcapng(le: boolean, ifaces: number[], packets: { iface: number; data: number[] }[], extra: number[] = []): Uint8Array {
  const shb = block(0x0a0d0d0a, [...u32(0x1a2b3c4d, le), ...u16(1, le), ...u16(0, le), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], le);
  const out = [...shb];
  for (const lt of ifaces) out.push(...block(1, [...u16(lt, le), 0, 0, ...u32(0, le), ...u16(9, le), ...u16(1, le), 9, 0, 0, 0, 0, 0, 0, 0], le)); // if_tsresol = 9 (ns)
  for (const p of packets) out.push(...block(6, [...u32(p.iface, le), ...u32(0, le), ...u32(1_500_000_000, le), ...u32(p.data.length, le), ...u32(p.data.length, le), ...p.data], le));
  out.push(...extra);
  return new Uint8Array(out);
}

const payload = [...new TextEncoder().encode('SSH-2.0-test\r\n')];

describe('pcap', () => {
  for (const le of [true, false]) {
    for (const nano of [false, true]) {
      it(`reads ${le ? 'little' : 'big'}-endian ${nano ? 'ns' : 'µs'} files with Ethernet + VLAN`, () => {
        const f = readCaptureFile(pcap([ether(ipv4Tcp(payload)), ether(ipv4Tcp(payload), true)], 1, le, nano));
        expect(f.problems).toEqual([]);
        expect(f.frames.map((x) => x.time)).toEqual([1700000000.5, 1700000001.5]);
        const segs = f.frames.map(tcpSegmentOf);
        for (const s of segs) {
          expect(s).toMatchObject({ src: '10.0.0.1', dst: '10.0.0.2', srcPort: 40000, dstPort: 22, seq: 1000 });
          expect([...s!.payload]).toEqual(payload);
        }
      });
    }
  }
  it('reads raw IPv4, Linux SLL and SLL2, BSD NULL', () => {
    const ip = ipv4Tcp(payload);
    const sll = [0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0x08, 0x00, ...ip];
    const sll2 = [0x08, 0x00, 0, 0, 0, 0, 0, 1, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0, ...ip];
    const nul = [2, 0, 0, 0, ...ip];
    for (const [lt, data] of [[101, ip], [113, sll], [276, sll2], [0, nul], [228, ip]] as const) {
      const s = tcpSegmentOf(readCaptureFile(pcap([data as number[]], lt, true, false)).frames[0]!);
      expect(s?.dstPort, `linktype ${lt}`).toBe(22);
      expect([...s!.payload]).toEqual(payload);
    }
  });
  it('reads IPv6 with a compressed address', () => {
    const tcp = [...u16(40000, false), ...u16(22, false), ...u32(5, false), ...u32(0, false), 0x50, 0x18, 0, 1, 0, 0, 0, 0, ...payload];
    const loop = [...Array(15).fill(0), 1];
    const ip6 = [0x60, 0, 0, 0, ...u16(tcp.length, false), 6, 64, ...loop, ...loop, ...tcp];
    const s = tcpSegmentOf(readCaptureFile(pcap([ip6], 101, false, false)).frames[0]!);
    expect(s).toMatchObject({ src: '::1', dst: '::1', seq: 5 });
    expect([...s!.payload]).toEqual(payload);
  });
  it('keeps the frames before a truncated record and names the field', () => {
    const whole = pcap([ether(ipv4Tcp(payload)), ether(ipv4Tcp(payload))], 1, true, false);
    const f = readCaptureFile(whole.subarray(0, whole.length - 3));
    expect(f.frames.length).toBe(1);
    expect(f.problems[0]!.message).toMatch(/caplen at offset \d+/);
  });
  it('throws a CaptureError for something that is not a capture', () => {
    expect(() => readCaptureFile(new Uint8Array([1, 2, 3, 4, 5]))).toThrow(CaptureError);
  });
});

describe('pcapng', () => {
  for (const le of [true, false]) {
    it(`reads ${le ? 'little' : 'big'}-endian sections with two interfaces, ns resolution and a DSB`, () => {
      const dsb = block(0x0000000a, [...u32(0x5353484b, le), ...u32(3, le), 0x61, 0x62, 0x63], le);
      const f = readCaptureFile(pcapng(le, [1, 101], [{ iface: 0, data: ether(ipv4Tcp(payload)) }, { iface: 1, data: ipv4Tcp(payload) }], dsb));
      expect(f.problems).toEqual([]);
      expect(f.frames.map((x) => [x.iface, x.linkType, x.time])).toEqual([[0, 1, 1.5], [1, 101, 1.5]]);
      expect(f.frames.map((x) => tcpSegmentOf(x)!.dstPort)).toEqual([22, 22]);
      expect(f.secrets).toEqual([{ type: 0x5353484b, data: new Uint8Array([0x61, 0x62, 0x63]) }]);
    });
  }
  it('names the block, field and offset of a bad trailing length', () => {
    const good = pcapng(true, [1], [{ iface: 0, data: ether(ipv4Tcp(payload)) }]);
    const bad = good.slice();
    bad[bad.length - 4] ^= 0xff;
    const f = readCaptureFile(bad);
    expect(f.frames).toEqual([]);
    expect(f.problems[0]!.message).toMatch(/^pcapng EPB block_total_length \(trailing copy\) at offset \d+/);
  });
  it('mutated or truncated files give frames and problems, never another exception', () => {
    const good = pcapng(true, [1], [{ iface: 0, data: ether(ipv4Tcp(payload)) }, { iface: 0, data: ether(ipv4Tcp(payload, { seq: 1014 })) }]);
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(good.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }), fc.nat(good.length), (muts, cut) => {
        const b = good.slice(0, cut);
        for (const [i, v] of muts) if (i < b.length) b[i] = v;
        try {
          const f = readCaptureFile(b);
          for (const fr of f.frames) {
            try {
              tcpSegmentOf(fr);
            } catch (e) {
              if (!(e instanceof CaptureError)) throw e;
            }
          }
        } catch (e) {
          if (!(e instanceof CaptureError)) throw e;
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('TCP reassembly', () => {
  const seg = (seq: number, data: string, frame: number, from = 'c'): TcpSegment => ({
    frame, time: frame, src: from, dst: from === 'c' ? 's' : 'c', srcPort: from === 'c' ? 5000 : 22, dstPort: from === 'c' ? 22 : 5000,
    seq, ack: 0, syn: false, fin: false, rst: false, ackFlag: true, payload: new TextEncoder().encode(data),
  });
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  it('orders segments, drops retransmissions and overlaps, keeps the SYN side as a', () => {
    const syn = { ...seg(99, '', 1), syn: true, ackFlag: false };
    const conns = reassemble([syn, seg(106, 'world', 3), seg(100, 'hello ', 2), seg(100, 'hello ', 4), seg(103, 'lo wor', 5), seg(111, '!', 6), seg(7, 'hi', 7, 's')]);
    expect(conns.length).toBe(1);
    const c = conns[0]!;
    expect(c.a).toEqual({ ip: 'c', port: 5000 });
    expect(c.initiatorKnown).toBe(true);
    expect(text(c.aToB.data)).toBe('hello world!');
    expect(c.aToB.retransmissions).toBe(1);
    expect(c.aToB.overlaps).toBe(2);
    expect(c.aToB.gaps).toEqual([]);
    expect(text(c.bToA.data)).toBe('hi');
  });
  it('reports a gap instead of merging silently', () => {
    const c = reassemble([seg(100, 'abc', 1), seg(110, 'xyz', 2)])[0]!;
    expect(text(c.aToB.data)).toBe('abcxyz');
    expect(c.aToB.gaps).toEqual([{ offset: 3, lost: 7, frame: 2 }]);
  });
  it('handles sequence numbers that wrap around 2^32', () => {
    const c = reassemble([seg(0xfffffffe, 'ab', 1), seg(0, 'cd', 2)])[0]!;
    expect(text(c.aToB.data)).toBe('abcd');
    expect(c.aToB.gaps).toEqual([]);
  });
  it('any order of the same segments gives the same bytes', () => {
    const parts = ['SSH-', '2.0-', 'x\r\n', 'more', 'data'];
    let off = 50;
    const segs = parts.map((p, i) => {
      const s = seg(off, p, i + 1);
      off += p.length;
      return s;
    });
    fc.assert(
      fc.property(fc.shuffledSubarray(segs, { minLength: segs.length, maxLength: segs.length }), fc.array(fc.nat(segs.length - 1), { maxLength: 4 }), (order, dups) => {
        const input = [...order, ...dups.map((i) => segs[i]!)];
        const c = reassemble(input)[0]!;
        // without a SYN the stream starts at the lowest sequence number seen
        expect(text(c.aToB.data)).toBe(parts.join(''));
        expect(c.aToB.gaps).toEqual([]);
      }),
    );
  });

  // finish({ reuse }): the largest direction compacted inside the file's buffer must give the same
  // streams as copying, whatever the segments: in order or not, retransmitted, with holes, small.
  describe('compacting the largest direction inside the file buffer', () => {
    /** A "file": each segment's payload after a header of junk, all views of one buffer. */
    type Seg = { dir: 'c' | 's'; seq: number; len: number; head: number };
    function fileOf(segs: Seg[]): { buf: Uint8Array; segments: TcpSegment[] } {
      const size = segs.reduce((n, g) => n + g.head + g.len, 0);
      const buf = new Uint8Array(size);
      let at = 0;
      const segments = segs.map((g, i) => {
        buf.fill(0xee, at, at + g.head);
        at += g.head;
        // payload bytes tell their direction and sequence number, so a wrong move shows
        for (let k = 0; k < g.len; k++) buf[at + k] = ((g.seq + k) * (g.dir === 'c' ? 7 : 13)) & 255;
        const s = { ...seg(g.seq, '', i + 1, g.dir), payload: buf.subarray(at, at + g.len) };
        at += g.len;
        return s;
      });
      return { buf, segments };
    }
    const view = (d: DirectionStream) => ({ data: [...d.data], chunks: [...Array(d.chunks.count).keys()].map((i) => d.chunks.at(i)), gaps: d.gaps, retransmissions: d.retransmissions, overlaps: d.overlaps });
    const arb = fc.array(fc.record({ dir: fc.constantFrom<'c' | 's'>('c', 'c', 'c', 's'), len: fc.integer({ min: 1, max: 40 }), head: fc.integer({ min: 0, max: 10 }), jump: fc.integer({ min: -30, max: 8 }) }), { minLength: 1, maxLength: 40 });
    it('gives the streams copying gives, and leaves the copied directions intact', () => {
      let compacted = 0;
      fc.assert(
        fc.property(arb, fc.boolean(), (raw, mostlyInOrder) => {
          const next = { c: 1000, s: 5000 };
          const segs = raw.map((r) => {
            // mostly in order: the next bytes; otherwise back (retransmission, overlap) or ahead (hole)
            const seq = next[r.dir] + (mostlyInOrder ? Math.max(0, r.jump) >> 2 : r.jump);
            next[r.dir] = Math.max(next[r.dir], seq + r.len);
            return { dir: r.dir, seq, len: r.len, head: r.head };
          });
          const copied = fileOf(segs);
          const expected = new Reassembler();
          for (const s of copied.segments) expected.add(s);
          const want = expected.finish()[0]!;
          const reused = fileOf(segs);
          const r = new Reassembler();
          for (const s of reused.segments) r.add(s);
          const got = r.finish({ reuse: reused.buf.buffer })[0]!;
          expect(view(got.aToB)).toEqual(view(want.aToB));
          expect(view(got.bToA)).toEqual(view(want.bToA));
          const inPlace = [got.aToB, got.bToA].filter((d) => d.data.buffer === reused.buf.buffer);
          expect(inPlace.length).toBeLessThanOrEqual(1);
          compacted += inPlace.length;
        }),
        { numRuns: 500 },
      );
      expect(compacted).toBeGreaterThan(100);
    });
    it('compacts an in-order direction that fills most of the file; not one that came out of order or fills less than half', () => {
      const bulk: Seg[] = [...Array(20).keys()].map((i) => ({ dir: 'c', seq: 1000 + 30 * i, len: 30, head: 10 }));
      const small: Seg[] = [{ dir: 's', seq: 5000, len: 5, head: 10 }, { dir: 's', seq: 5005, len: 5, head: 10 }];
      const run = (segs: Seg[], reuse: boolean) => {
        const f = fileOf(segs);
        const r = new Reassembler();
        for (const s of f.segments) r.add(s);
        const c = r.finish(reuse ? { reuse: f.buf.buffer } : {})[0]!;
        // aToB is the first sender's direction
        const [bulkDir, smallDir] = c.aToB.from.ip === 'c' ? [c.aToB, c.bToA] : [c.bToA, c.aToB];
        return { c: { aToB: bulkDir, bToA: smallDir }, buf: f.buf };
      };
      const mixed = [small[0]!, ...bulk.slice(0, 10), small[1]!, ...bulk.slice(10)];
      const a = run(mixed, true);
      expect(a.c.aToB.data.buffer).toBe(a.buf.buffer);
      expect(a.c.bToA.data.buffer).not.toBe(a.buf.buffer);
      expect([...a.c.aToB.data]).toEqual([...run(mixed, false).c.aToB.data]);
      expect([...a.c.bToA.data]).toEqual([...run(mixed, false).c.bToA.data]);
      // out of order: copied (sorted) as before
      const swapped = [bulk[1]!, bulk[0]!, ...bulk.slice(2)];
      const b = run(swapped, true);
      expect(b.c.aToB.data.buffer).not.toBe(b.buf.buffer);
      expect([...b.c.aToB.data]).toEqual([...run(swapped, false).c.aToB.data]);
      // less than half of the file: copied
      const thin = bulk.map((g) => ({ ...g, head: 40 }));
      expect(run(thin, true).c.aToB.data.buffer).not.toBe(run(thin, true).buf.buffer);
      // without `reuse`, or with another buffer, nothing is overwritten
      const kept = fileOf(mixed);
      const before = [...kept.buf];
      const r = new Reassembler();
      for (const s of kept.segments) r.add(s);
      r.finish({ reuse: new ArrayBuffer(8) });
      expect([...kept.buf]).toEqual(before);
    });
  });
});
