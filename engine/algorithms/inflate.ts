// A streaming zlib/DEFLATE decompressor for SSH compression (RFC 1950 header, RFC 1951 blocks).
//
// SSH compresses each direction as ONE zlib stream over the whole connection (RFC 4253 §6.2): the
// sender flushes after every packet (OpenSSH: Z_PARTIAL_FLUSH), so every packet's compressed bytes
// finish the blocks that carry its payload. A partial flush may leave up to 7 bits of an empty
// fixed-Huffman block for the next packet, so we decode whole blocks and, when the input ends inside
// one, roll back to the block's start and wait for more bytes. The 32 KiB window carries over.

export class InflateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InflateError';
  }
}

class NeedInput extends Error {}
const NEED = new NeedInput('need more input');

const WINDOW = 32768;

// RFC 1951 §3.2.5: base lengths / extra bits of length codes 257..285 and distance codes 0..29.
const LEN_BASE = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
const LEN_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
const DIST_BASE = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577];
const DIST_EXTRA = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];
// RFC 1951 §3.2.7: order of the code length code lengths.
const CL_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

export { LEN_BASE, LEN_EXTRA, DIST_BASE, DIST_EXTRA };

/** A canonical Huffman code (RFC 1951 §3.2.2) as counts per length and symbols in code order. */
interface Huffman {
  count: Uint16Array;
  symbol: Uint16Array;
}

function buildHuffman(lengths: ArrayLike<number>, n: number, what: string): Huffman {
  const count = new Uint16Array(16);
  for (let i = 0; i < n; i++) count[lengths[i]!]!++;
  const offs = new Uint16Array(16);
  let left = 1;
  for (let len = 1; len < 16; len++) {
    left <<= 1;
    left -= count[len]!;
    if (left < 0) throw new InflateError(`over-subscribed ${what} code (RFC 1951 §3.2.2)`);
  }
  for (let len = 1; len < 15; len++) offs[len + 1] = offs[len]! + count[len]!;
  const symbol = new Uint16Array(n);
  for (let i = 0; i < n; i++) if (lengths[i]) symbol[offs[lengths[i]!]!++] = i;
  return { count, symbol };
}

const FIXED_LIT: Huffman = (() => {
  const l = new Uint8Array(288);
  l.fill(8, 0, 144);
  l.fill(9, 144, 256);
  l.fill(7, 256, 280);
  l.fill(8, 280, 288);
  return buildHuffman(l, 288, 'fixed literal/length');
})();
const FIXED_DIST: Huffman = buildHuffman(new Uint8Array(30).fill(5), 30, 'fixed distance');

export interface Decompressor {
  /** Feeds the compressed bytes of one packet; returns the payload bytes they complete. */
  decompress(data: Uint8Array): Uint8Array;
  /** Compressed and decompressed byte counts so far. */
  readonly stats: { in: number; out: number };
}

/** A decompressor for one direction of a connection (zlib header expected first, RFC 1950 §2.2). */
export function createDecompressor(opts: { maxOutput?: number } = {}): Decompressor {
  // A packet may not inflate beyond this (a "zlib bomb" is refused, not buffered).
  const maxOutput = opts.maxOutput ?? 256 * 1024;
  let produced = 0;
  let input = new Uint8Array(0);
  let bitPos = 0; // bit index into input
  let headerDone = false;
  let finished = false;
  // out[0..histLen) is the window of earlier output; new output is appended after it.
  let out = new Uint8Array(2 * WINDOW);
  let outLen = 0;
  const stats = { in: 0, out: 0 };

  const bits = (n: number): number => {
    let v = 0;
    for (let i = 0; i < n; i++) {
      const p = bitPos + i;
      const byte = p >>> 3;
      if (byte >= input.length) throw NEED;
      v |= ((input[byte]! >>> (p & 7)) & 1) << i;
    }
    bitPos += n;
    return v;
  };

  const decodeSym = (h: Huffman): number => {
    let code = 0;
    let first = 0;
    let index = 0;
    for (let len = 1; len < 16; len++) {
      code |= bits(1);
      const count = h.count[len]!;
      if (code - count < first) return h.symbol[index + (code - first)]!;
      index += count;
      first += count;
      first <<= 1;
      code <<= 1;
    }
    throw new InflateError('invalid Huffman code (RFC 1951 §3.2.2)');
  };

  const put = (b: number): void => {
    if (++produced > maxOutput) throw new InflateError(`the packet inflates to more than ${maxOutput} bytes`);
    if (outLen === out.length) {
      const bigger = new Uint8Array(out.length * 2);
      bigger.set(out);
      out = bigger;
    }
    out[outLen++] = b;
  };

  const codes = (lit: Huffman, dist: Huffman): void => {
    for (;;) {
      const sym = decodeSym(lit);
      if (sym < 256) put(sym);
      else if (sym === 256) return;
      else {
        const li = sym - 257;
        if (li >= 29) throw new InflateError(`invalid length code ${sym} (RFC 1951 §3.2.5)`);
        const len = LEN_BASE[li]! + bits(LEN_EXTRA[li]!);
        const di = decodeSym(dist);
        if (di >= 30) throw new InflateError(`invalid distance code ${di} (RFC 1951 §3.2.5)`);
        const d = DIST_BASE[di]! + bits(DIST_EXTRA[di]!);
        if (d > outLen) throw new InflateError(`distance ${d} reaches before the start of the stream`);
        for (let i = 0; i < len; i++) put(out[outLen - d]!);
      }
    }
  };

  const dynamic = (): void => {
    const nlen = bits(5) + 257;
    const ndist = bits(5) + 1;
    const ncode = bits(4) + 4;
    if (nlen > 286 || ndist > 30) throw new InflateError('too many length or distance codes (RFC 1951 §3.2.7)');
    const lengths = new Uint8Array(320);
    for (let i = 0; i < ncode; i++) lengths[CL_ORDER[i]!] = bits(3);
    const lencode = buildHuffman(lengths, 19, 'code length');
    let index = 0;
    const all = new Uint8Array(nlen + ndist);
    while (index < nlen + ndist) {
      const sym = decodeSym(lencode);
      if (sym < 16) all[index++] = sym;
      else {
        let len = 0;
        let rep: number;
        if (sym === 16) {
          if (index === 0) throw new InflateError('repeat with no first length (RFC 1951 §3.2.7)');
          len = all[index - 1]!;
          rep = 3 + bits(2);
        } else if (sym === 17) rep = 3 + bits(3);
        else rep = 11 + bits(7);
        if (index + rep > nlen + ndist) throw new InflateError('too many code lengths (RFC 1951 §3.2.7)');
        while (rep--) all[index++] = len;
      }
    }
    if (all[256] === 0) throw new InflateError('no end-of-block code (RFC 1951 §3.2.7)');
    const lit = buildHuffman(all.subarray(0, nlen), nlen, 'literal/length');
    const dist = buildHuffman(all.subarray(nlen), ndist, 'distance');
    codes(lit, dist);
  };

  const stored = (): void => {
    bitPos = (bitPos + 7) & ~7;
    const p = bitPos >>> 3;
    if (input.length < p + 4) throw NEED;
    const len = input[p]! | (input[p + 1]! << 8);
    const nlen = input[p + 2]! | (input[p + 3]! << 8);
    if (len !== (~nlen & 0xffff)) throw new InflateError('stored block LEN does not match NLEN (RFC 1951 §3.2.4)');
    if (input.length < p + 4 + len) throw NEED;
    for (let i = 0; i < len; i++) put(input[p + 4 + i]!);
    bitPos += (4 + len) * 8;
  };

  return {
    stats,
    decompress(data) {
      produced = 0;
      if (finished && data.length) throw new InflateError('data after the final block');
      stats.in += data.length;
      const joined = new Uint8Array(input.length + data.length);
      joined.set(input);
      joined.set(data, input.length);
      input = joined;
      const start = outLen;
      if (!headerDone) {
        if (input.length < 2) return new Uint8Array(0);
        const cmf = input[0]!;
        const flg = input[1]!;
        if ((cmf & 0x0f) !== 8 || cmf >>> 4 > 7) throw new InflateError(`not a deflate zlib stream (CMF ${cmf.toString(16)}, RFC 1950 §2.2)`);
        if (((cmf << 8) | flg) % 31 !== 0) throw new InflateError('zlib header check bits are wrong (RFC 1950 §2.2 FCHECK)');
        if (flg & 0x20) throw new InflateError('zlib preset dictionary is not used by SSH (RFC 1950 §2.2 FDICT)');
        bitPos = 16;
        headerDone = true;
      }
      while (!finished) {
        const savePos = bitPos;
        const saveOut = outLen;
        try {
          const last = bits(1);
          const type = bits(2);
          if (type === 0) stored();
          else if (type === 1) codes(FIXED_LIT, FIXED_DIST);
          else if (type === 2) dynamic();
          else throw new InflateError('invalid block type 3 (RFC 1951 §3.2.3)');
          if (last) finished = true;
        } catch (e) {
          if (e !== NEED) throw e;
          bitPos = savePos;
          outLen = saveOut;
          break;
        }
      }
      const result = out.slice(start, outLen);
      stats.out += result.length;
      // keep the last 32 KiB as the window; drop consumed input bytes
      if (outLen > WINDOW) {
        out.copyWithin(0, outLen - WINDOW, outLen);
        outLen = WINDOW;
      }
      const consumed = bitPos >>> 3;
      input = input.slice(consumed);
      bitPos -= consumed * 8;
      return result;
    },
  };
}
