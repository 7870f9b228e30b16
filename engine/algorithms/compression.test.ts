import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import * as zlib from 'node:zlib';
import { randomBytes } from 'node:crypto';
import { COMPRESSION, createCompressor, createDecompressor, InflateError } from './compression.ts';

const enc = new TextEncoder();

/** node:zlib as the SSH peer: one deflate stream, `flush` after every packet (OpenSSH: Z_PARTIAL_FLUSH). */
async function nodeCompressPackets(payloads: Uint8Array[], flush: number, opts: zlib.ZlibOptions = {}): Promise<Uint8Array[]> {
  const d = zlib.createDeflate(opts);
  const chunks: Buffer[] = [];
  d.on('data', (c: Buffer) => chunks.push(c));
  const out: Uint8Array[] = [];
  for (const p of payloads) {
    d.write(Buffer.from(p));
    await new Promise<void>((r) => d.flush(flush, () => r()));
    out.push(new Uint8Array(Buffer.concat(chunks.splice(0))));
  }
  d.destroy();
  return out;
}

function sampleSession(): Uint8Array[] {
  const text = (s: string) => enc.encode(s);
  const big = enc.encode('drwxr-xr-x  2 alice alice 4096 Nov 28 01:00 projects\n'.repeat(2000)); // ~110 KB, > window
  return [
    text('ssh-userauth'),
    new Uint8Array(0),
    text('the quick brown fox jumps over the lazy dog; the quick brown fox jumps again'),
    new Uint8Array(randomBytes(3000)),
    text('the quick brown fox'), // matches reach into an earlier packet
    big,
    new Uint8Array(1).fill(0xff),
    new Uint8Array(40000).fill(0x61),
    new Uint8Array(randomBytes(70000)),
    text('exit-status'),
  ];
}

const cat = (parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts.map((p) => Buffer.from(p))));

describe('our compressor → node:zlib inflate (RFC 1950/1951)', () => {
  it('every packet boundary is a complete, decodable prefix of one stream', () => {
    const payloads = sampleSession();
    const c = createCompressor();
    const packets = payloads.map((p) => c.compress(p));
    expect(Buffer.from(packets[0]!.subarray(0, 2)).toString('hex')).toBe('789c');
    for (let k = 1; k <= packets.length; k++) {
      const got = zlib.inflateSync(Buffer.from(cat(packets.slice(0, k))), { finishFlush: zlib.constants.Z_SYNC_FLUSH });
      expect(got.equals(Buffer.from(cat(payloads.slice(0, k))))).toBe(true);
    }
    // each packet ends with the sync-flush marker (empty stored block)
    for (const p of packets) expect(Buffer.from(p.subarray(-4)).toString('hex')).toBe('0000ffff');
    // repetitive text really compresses
    expect(packets[5]!.length).toBeLessThan(payloads[5]!.length / 20);
  });

  it('property: any sequence of payloads round-trips through node and through our own inflater', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.uint8Array({ maxLength: 600 }), fc.string({ maxLength: 400 }).map((s) => enc.encode(s.repeat(3)))), { maxLength: 12 }), (payloads) => {
        const c = createCompressor();
        const d = createDecompressor();
        const packets = payloads.map((p) => c.compress(p));
        for (let i = 0; i < packets.length; i++) expect(Buffer.from(d.decompress(packets[i]!)).equals(Buffer.from(payloads[i]!))).toBe(true);
        if (packets.length) {
          const got = zlib.inflateSync(Buffer.from(cat(packets)), { finishFlush: zlib.constants.Z_SYNC_FLUSH });
          expect(got.equals(Buffer.from(cat(payloads)))).toBe(true);
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe('node:zlib deflate → our decompressor, packet by packet', () => {
  const cases: [string, number, zlib.ZlibOptions][] = [
    ['Z_PARTIAL_FLUSH, level 6 (OpenSSH)', zlib.constants.Z_PARTIAL_FLUSH, { level: 6 }],
    ['Z_PARTIAL_FLUSH, level 9', zlib.constants.Z_PARTIAL_FLUSH, { level: 9 }],
    ['Z_PARTIAL_FLUSH, level 1', zlib.constants.Z_PARTIAL_FLUSH, { level: 1 }],
    ['Z_SYNC_FLUSH, level 6', zlib.constants.Z_SYNC_FLUSH, { level: 6 }],
    ['Z_PARTIAL_FLUSH, Z_FIXED', zlib.constants.Z_PARTIAL_FLUSH, { strategy: zlib.constants.Z_FIXED }],
    ['Z_PARTIAL_FLUSH, Z_HUFFMAN_ONLY', zlib.constants.Z_PARTIAL_FLUSH, { strategy: zlib.constants.Z_HUFFMAN_ONLY }],
    ['Z_SYNC_FLUSH, level 0 (stored blocks)', zlib.constants.Z_SYNC_FLUSH, { level: 0 }],
  ];
  it.each(cases)('%s', async (_name, flush, opts) => {
    const payloads = sampleSession();
    const packets = await nodeCompressPackets(payloads, flush, opts);
    const d = createDecompressor();
    for (let i = 0; i < packets.length; i++) {
      const got = d.decompress(packets[i]!);
      expect(got.length).toBe(payloads[i]!.length);
      expect(Buffer.from(got).equals(Buffer.from(payloads[i]!))).toBe(true);
    }
    expect(d.stats.out).toBe(cat(payloads).length);
  });

  it('input split at every byte still decodes (blocks resume when more bytes arrive)', async () => {
    const payloads = [enc.encode('hello hello hello world '.repeat(30)), new Uint8Array(randomBytes(500)), enc.encode('bye')];
    const packets = await nodeCompressPackets(payloads, zlib.constants.Z_PARTIAL_FLUSH);
    const d = createDecompressor();
    const all = cat(packets);
    const got: Uint8Array[] = [];
    for (let i = 0; i < all.length; i++) got.push(d.decompress(all.subarray(i, i + 1)));
    expect(Buffer.from(cat(got)).equals(Buffer.from(cat(payloads)))).toBe(true);
  });

  it('rejects corrupt streams with InflateError', () => {
    expect(() => createDecompressor().decompress(new Uint8Array([0x78, 0x9d]))).toThrow(InflateError); // FCHECK
    expect(() => createDecompressor().decompress(new Uint8Array([0x79, 0x9c]))).toThrow(InflateError);
    expect(() => createDecompressor().decompress(new Uint8Array([0x78, 0x9c, 0x07]))).toThrow(InflateError); // BTYPE 3
    expect(() => createDecompressor().decompress(new Uint8Array([0x78, 0x9c, 0x00, 0x01, 0x00, 0x00, 0x00]))).toThrow(InflateError); // LEN/NLEN
    // data after a final block (SSH streams never finish)
    const finished = zlib.deflateSync(Buffer.from('x'));
    const d = createDecompressor();
    expect(Buffer.from(d.decompress(new Uint8Array(finished.subarray(0, finished.length - 4)))).toString()).toBe('x');
    expect(() => d.decompress(new Uint8Array([0]))).toThrow(InflateError);
  });

  it('the table: none, zlib, zlib@openssh.com (delayed)', () => {
    expect(Object.keys(COMPRESSION)).toEqual(['none', 'zlib', 'zlib@openssh.com']);
    expect(COMPRESSION['zlib@openssh.com']!.delayed).toBe(true);
    expect(COMPRESSION['zlib']!.delayed).toBe(false);
    expect(COMPRESSION['none']!.createCompressor).toBe(null);
  });
});

describe('a zlib bomb', () => {
  it('a packet that inflates beyond 256 KiB is refused as soon as it passes the limit', async () => {
    const { deflateSync, constants } = await import('node:zlib');
    const bomb = new Uint8Array(deflateSync(new Uint8Array(16 * 1024 * 1024), { finishFlush: constants.Z_SYNC_FLUSH }));
    expect(bomb.length).toBeLessThan(40_000);
    const d = createDecompressor();
    expect(() => d.decompress(bomb)).toThrow(/inflates to more than 262144 bytes/);
  });
});
