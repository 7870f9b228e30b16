// Typed errors for capture files: which block or field, at which byte offset of the file, and why.

export class CaptureError extends Error {
  /** The block or record (e.g. "pcapng EPB", "pcap record header"). */
  readonly block: string;
  /** The field inside it (e.g. "block_total_length"). */
  readonly field: string;
  /** Absolute byte offset in the file. */
  readonly offset: number;
  readonly reason: string;
  constructor(block: string, field: string, offset: number, reason: string) {
    super(`${block} ${field} at offset ${offset}: ${reason}`);
    this.name = 'CaptureError';
    this.block = block;
    this.field = field;
    this.offset = offset;
    this.reason = reason;
  }
}

/** A problem found while reading that did not stop the reading (a partial result). */
export interface CaptureProblem {
  message: string;
  offset?: number;
  frame?: number;
}

export function problemOf(e: unknown): CaptureProblem {
  if (e instanceof CaptureError) return { message: e.message, offset: e.offset };
  return { message: e instanceof Error ? e.message : String(e) };
}
