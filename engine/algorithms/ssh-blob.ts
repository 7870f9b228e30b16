// Reading the RFC 4251 §5 data types out of key and signature blobs without throwing: a cursor
// over a byte array that returns null when the blob is malformed (verify must never throw).

import { os2ip } from './bigint-math.ts';

export class BlobCursor {
  private pos = 0;
  constructor(private readonly data: Uint8Array) {}

  /** string: uint32 length || bytes. */
  string(): Uint8Array | null {
    const d = this.data;
    if (d.length - this.pos < 4) return null;
    const n = ((d[this.pos]! << 24) | (d[this.pos + 1]! << 16) | (d[this.pos + 2]! << 8) | d[this.pos + 3]!) >>> 0;
    if (d.length - this.pos - 4 < n) return null;
    const out = d.subarray(this.pos + 4, this.pos + 4 + n);
    this.pos += 4 + n;
    return out;
  }

  text(): string | null {
    const s = this.string();
    return s === null ? null : new TextDecoder().decode(s);
  }

  /**
   * mpint of a non-negative integer (RFC 4251 §5). Negative values (high bit of the first byte set)
   * give null, as OpenSSH's sshbuf_get_bignum2 refuses them; leading zero bytes are tolerated.
   */
  mpint(): bigint | null {
    const s = this.string();
    if (s === null) return null;
    if (s.length > 0 && s[0]! & 0x80) return null;
    return os2ip(s);
  }

  /** True when every byte has been read (trailing garbage makes a blob invalid). */
  done(): boolean {
    return this.pos === this.data.length;
  }
}
