import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { Buffer } from 'node:buffer';
import { DecodeError, HEX_VALUE_LIMIT, Reader, Writer, fromHex, toHex, mpintBytes, bigintToBytes, bytesToBigint, concatBytes, equalBytes, sshString, uint32Bytes } from './codec.ts';
import type { FieldNode } from '../events.ts';

/** Leaves (nodes without children, zero-width ones skipped) must tile [start, end) in order. */
function leafRanges(tree: FieldNode): [number, number][] {
  const out: [number, number][] = [];
  const walk = (n: FieldNode) => {
    if (!n.children || n.children.length === 0) {
      if (n.end > n.start) out.push([n.start, n.end]);
      return;
    }
    for (const c of n.children) walk(c);
  };
  walk(tree);
  return out;
}

function expectCovers(tree: FieldNode, start: number, end: number): void {
  let at = start;
  for (const [s, e] of leafRanges(tree)) {
    expect(s).toBe(at);
    at = e;
  }
  expect(at).toBe(end);
}

function decodeError(f: () => unknown): DecodeError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(DecodeError);
    return e as DecodeError;
  }
  throw new Error('expected a DecodeError');
}

describe('RFC 4251 §5 mpint examples', () => {
  // value (hex) → representation (hex), exactly as printed in the RFC
  const examples: [bigint, string][] = [
    [0n, '00000000'],
    [0x9a378f9b2e332a7n, '0000000809a378f9b2e332a7'],
    [0x80n, '000000020080'],
    [-0x1234n, '00000002edcc'],
    [-0xdeadbeefn, '00000005ff21524111'],
  ];
  for (const [v, hex] of examples) {
    it(`${v < 0n ? '-' : ''}${(v < 0n ? -v : v).toString(16)} ⇄ ${hex}`, () => {
      const w = new Writer();
      w.mpint('x', v);
      expect(toHex(w.toBytes())).toBe(hex);
      expect(new Reader(fromHex(hex)).mpint('x')).toBe(v);
    });
  }

  it('matches an independent two’s-complement encoding for any bigint', () => {
    // reference: the smallest n with -2^(8n-1) <= v < 2^(8n-1), then BigInt.asUintN
    const reference = (v: bigint): string => {
      if (v === 0n) return '';
      let n = 1;
      while (!(v >= -(1n << BigInt(8 * n - 1)) && v < 1n << BigInt(8 * n - 1))) n++;
      return BigInt.asUintN(8 * n, v).toString(16).padStart(2 * n, '0');
    };
    fc.assert(
      fc.property(fc.bigInt({ min: -(1n << 600n), max: 1n << 600n }), (v) => {
        expect(toHex(mpintBytes(v))).toBe(reference(v));
        const w = new Writer();
        w.mpint('x', v);
        expect(new Reader(w.toBytes()).mpint('x')).toBe(v);
      }),
    );
  });

  it('rejects unnecessary leading 0x00 and 0xff bytes', () => {
    expect(decodeError(() => new Reader(fromHex('000000020001')).mpint('x')).reason).toMatch(/leading zero/);
    expect(decodeError(() => new Reader(fromHex('0000000100')).mpint('x')).reason).toMatch(/leading zero/);
    expect(decodeError(() => new Reader(fromHex('00000002ff80')).mpint('x')).reason).toMatch(/leading 0xff/);
    // 0x00 before a high bit and 0xff before a clear bit are necessary
    expect(new Reader(fromHex('000000020080')).mpint('x')).toBe(0x80n);
    expect(new Reader(fromHex('00000002ff7f')).mpint('x')).toBe(-129n);
  });
});

describe('RFC 4251 §5 name-list examples', () => {
  const examples: [string[], string][] = [
    [[], '00000000'],
    [['zlib'], '000000047a6c6962'],
    [['zlib', 'none'], '000000097a6c69622c6e6f6e65'],
  ];
  for (const [v, hex] of examples) {
    it(`(${v.join(',')}) ⇄ ${hex}`, () => {
      const w = new Writer();
      w.nameList('x', v);
      expect(toHex(w.toBytes())).toBe(hex);
      expect(new Reader(fromHex(hex)).nameList('x')).toEqual(v);
    });
  }

  it('rejects empty names, non-ASCII and control bytes on read, and bad names on write', () => {
    expect(decodeError(() => new Reader(concatBytes(uint32Bytes(5), new TextEncoder().encode('a,,bc'))).nameList('x')).reason).toMatch(/empty name/);
    expect(decodeError(() => new Reader(concatBytes(uint32Bytes(2), new Uint8Array([0x61, 0x20]))).nameList('x')).reason).toMatch(/not printable/);
    expect(() => new Writer().nameList('x', ['a,b'])).toThrow(RangeError);
    expect(() => new Writer().nameList('x', [''])).toThrow(RangeError);
    expect(() => new Writer().nameList('x', ['é'])).toThrow(RangeError);
  });

  it('decodes a very long list without exhausting the call stack', () => {
    const names = Array.from({ length: 60000 }, (_, i) => `n${i}`);
    const w = new Writer();
    w.nameList('x', names);
    expect(new Reader(w.toBytes()).nameList('x')).toEqual(names);
  });
});

describe('primitives round-trip (Writer → Reader) with identical trees', () => {
  const cases: { name: string; arb: fc.Arbitrary<unknown>; write: (w: Writer, v: never) => void; read: (r: Reader) => unknown }[] = [
    { name: 'byte', arb: fc.integer({ min: 0, max: 255 }), write: (w, v: number) => w.byte('f', v), read: (r) => r.byte('f') },
    { name: 'boolean', arb: fc.boolean(), write: (w, v: boolean) => w.boolean('f', v), read: (r) => r.boolean('f') },
    { name: 'uint32', arb: fc.integer({ min: 0, max: 0xffffffff }), write: (w, v: number) => w.uint32('f', v), read: (r) => r.uint32('f') },
    { name: 'uint64', arb: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), write: (w, v: bigint) => w.uint64('f', v), read: (r) => r.uint64('f') },
    { name: 'string', arb: fc.uint8Array({ maxLength: 80 }), write: (w, v: Uint8Array) => w.string('f', v), read: (r) => r.string('f') },
    { name: 'text', arb: fc.string({ unit: 'grapheme', maxLength: 40 }), write: (w, v: string) => w.text('f', v), read: (r) => r.text('f') },
    {
      name: 'name-list',
      arb: fc.array(fc.stringMatching(/^[\x21-\x2b\x2d-\x7e]{1,12}$/), { maxLength: 8 }),
      write: (w, v: string[]) => w.nameList('f', v),
      read: (r) => r.nameList('f'),
    },
    { name: 'mpint', arb: fc.bigInt({ min: -(1n << 300n), max: 1n << 300n }), write: (w, v: bigint) => w.mpint('f', v), read: (r) => r.mpint('f') },
  ];
  for (const c of cases) {
    it(c.name, () => {
      fc.assert(
        fc.property(c.arb, fc.boolean(), (v, valueNodes) => {
          const w = new Writer({ valueNodes });
          c.write(w, v as never);
          const bytes = w.toBytes();
          const r = new Reader(bytes, { valueNodes });
          expect(c.read(r)).toEqual(v);
          expect(r.remaining).toBe(0);
          expect(r.tree).toEqual(w.tree);
          if (valueNodes) expectCovers(r.tree, 0, bytes.length);
        }),
      );
    });
  }

  it('uint32 and uint64 are big-endian (cross-checked with node Buffer)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), (a, b) => {
        const w = new Writer();
        w.uint32('a', a).uint64('b', b);
        const ref = Buffer.alloc(12);
        ref.writeUInt32BE(a, 0);
        ref.writeBigUInt64BE(b, 4);
        expect(toHex(w.toBytes())).toBe(ref.toString('hex'));
      }),
    );
  });

  it('fixed bytes and rest', () => {
    const r = new Reader(fromHex('0102030405'), { base: 10 });
    expect(toHex(r.bytes('a', 2))).toBe('0102');
    expect(toHex(r.rest('b'))).toBe('030405');
    expect(r.tree.children!.map((n) => [n.start, n.end])).toEqual([
      [10, 12],
      [12, 15],
    ]);
  });

  it('a boolean byte other than 0 or 1 reads as TRUE (RFC 4251 §5)', () => {
    expect(new Reader(new Uint8Array([2])).boolean('b')).toBe(true);
    expect(new Reader(new Uint8Array([0xff])).boolean('b')).toBe(true);
    expect(new Reader(new Uint8Array([0])).boolean('b')).toBe(false);
  });
});

describe('decode errors name the field and the absolute offset', () => {
  it('truncated uint32 inside a struct, with a base', () => {
    const r = new Reader(fromHex('0000000100'), { base: 5, rootPath: 'payload' });
    r.uint32('first');
    r.enter('inner');
    const e = decodeError(() => r.uint32('second'));
    expect(e.field).toBe('payload.inner.second');
    expect(e.offset).toBe(9);
    expect(e.message).toContain('payload.inner.second at offset 9');
  });

  it('string length beyond the buffer', () => {
    const e = decodeError(() => new Reader(fromHex('000000ff0102'), { base: 100 }).string('s'));
    expect(e.field).toBe('s');
    expect(e.offset).toBe(100);
    expect(e.reason).toMatch(/exceeds/);
  });

  it('every truncation of a multi-field record fails with a DecodeError inside it', () => {
    const w = new Writer();
    w.uint32('a', 7).text('b', 'héllo').nameList('c', ['x', 'y']).mpint('d', -5n).boolean('e', true);
    const full = w.toBytes();
    for (let n = 0; n < full.length; n++) {
      const r = new Reader(full.subarray(0, n));
      const e = decodeError(() => {
        r.uint32('a');
        r.text('b');
        r.nameList('c');
        r.mpint('d');
        r.boolean('e');
      });
      expect(e.offset).toBeGreaterThanOrEqual(0);
      expect(e.offset).toBeLessThanOrEqual(n);
    }
  });

  it('invalid UTF-8 in text', () => {
    const e = decodeError(() => new Reader(fromHex('00000002c328')).text('t'));
    expect(e.reason).toMatch(/UTF-8/);
    expect(e.offset).toBe(0);
  });

  it('trailing bytes', () => {
    const r = new Reader(fromHex('0001'), { base: 3 });
    r.byte('a');
    const e = decodeError(() => r.end());
    expect(e.offset).toBe(4);
    expect(e.reason).toMatch(/1 unexpected trailing/);
  });
});

describe('Writer refuses values it cannot represent', () => {
  it('out-of-range numbers', () => {
    expect(() => new Writer().uint32('x', 2 ** 32)).toThrow(RangeError);
    expect(() => new Writer().uint32('x', -1)).toThrow(RangeError);
    expect(() => new Writer().uint32('x', 1.5)).toThrow(RangeError);
    expect(() => new Writer().byte('x', 256)).toThrow(RangeError);
    expect(() => new Writer().uint64('x', -1n)).toThrow(RangeError);
    expect(() => new Writer().uint64('x', 1n << 64n)).toThrow(RangeError);
  });
});

describe('byte helpers', () => {
  it('hex, bigint and string helpers agree with node Buffer', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
        expect(toHex(b)).toBe(Buffer.from(b).toString('hex'));
        expect(equalBytes(fromHex(toHex(b)), b)).toBe(true);
        expect(toHex(bigintToBytes(bytesToBigint(b), b.length))).toBe(toHex(b));
        const framed = Buffer.alloc(4 + b.length);
        framed.writeUInt32BE(b.length, 0);
        framed.set(b, 4);
        expect(toHex(sshString(b))).toBe(framed.toString('hex'));
      }),
    );
  });
});

describe('long byte strings', () => {
  it('keep a bounded hex value but exact ranges', () => {
    const big = new Uint8Array(HEX_VALUE_LIMIT + 10).map((_, i) => i);
    const w = new Writer({ valueNodes: true });
    w.string('s', big);
    const r = new Reader(w.toBytes(), { valueNodes: true });
    expect(r.string('s')).toEqual(big);
    const node = r.tree.children![0]!;
    expect(node.value).toBe(Buffer.from(big.subarray(0, HEX_VALUE_LIMIT)).toString('hex') + '…');
    expect(node.end - node.start).toBe(4 + big.length);
    expect(r.tree).toEqual(w.tree);
    const small = new Uint8Array(HEX_VALUE_LIMIT).fill(0xab);
    const rs = new Reader(new Writer().string('s', small).toBytes());
    rs.string('s');
    expect(rs.tree.children![0]!.value).toBe(Buffer.from(small).toString('hex'));
  });
});
