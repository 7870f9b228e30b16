// A growable FIFO of bytes for what arrived but was not consumed yet.

export class ByteQueue {
  private buf = new Uint8Array(1 << 16);
  private start = 0;
  private end = 0;

  get length(): number {
    return this.end - this.start;
  }

  push(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    if (this.end + bytes.length > this.buf.length) {
      const live = this.end - this.start;
      if (live + bytes.length <= this.buf.length / 2) {
        this.buf.copyWithin(0, this.start, this.end);
      } else {
        let cap = this.buf.length;
        while (cap < (live + bytes.length) * 2) cap *= 2;
        const nb = new Uint8Array(cap);
        nb.set(this.buf.subarray(this.start, this.end));
        this.buf = nb;
      }
      this.start = 0;
      this.end = live;
    }
    this.buf.set(bytes, this.end);
    this.end += bytes.length;
  }

  /** A view of the first n bytes (valid until the next push). */
  peek(n: number): Uint8Array {
    return this.buf.subarray(this.start, this.start + Math.min(n, this.length));
  }

  /** Removes and returns (a copy of) the first n bytes. */
  take(n: number): Uint8Array {
    const out = this.buf.slice(this.start, this.start + n);
    this.start += n;
    if (this.start === this.end) this.start = this.end = 0;
    return out;
  }

  /** Index of the first LF at or after `from` bytes in, or -1. */
  indexOfLf(from = 0): number {
    for (let i = this.start + from; i < this.end; i++) if (this.buf[i] === 0x0a) return i - this.start;
    return -1;
  }
}
