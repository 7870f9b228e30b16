// The event log as JSON lines (one SshEvent per line) for --json: Uint8Array becomes a hex string,
// bigint a decimal string; everything else is already plain data (engine/events.ts).

function hex(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += b[i]!.toString(16).padStart(2, '0');
  return s;
}

/** JSON.stringify replacer for event values. */
export function jsonReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Uint8Array) return hex(value);
  if (typeof value === 'bigint') return value.toString();
  // A Node Buffer has toJSON(), which runs before the replacer: { type: 'Buffer', data: [...] }
  if (value && typeof value === 'object' && (value as { type?: unknown }).type === 'Buffer' && Array.isArray((value as { data?: unknown }).data)) {
    return hex(Uint8Array.from((value as { data: number[] }).data));
  }
  return value;
}

/** One event (or any value) as one line of JSON, without the trailing newline. */
export function toJsonLine(value: unknown): string {
  return JSON.stringify(value, jsonReplacer);
}

/** Something that accepts text; `node:fs` streams fit. */
export interface TextSink {
  write(chunk: string): unknown;
  end?(): unknown;
}

/** Writes events as JSON lines to a sink. */
export class JsonLog {
  private readonly sink: TextSink;
  count = 0;
  constructor(sink: TextSink) {
    this.sink = sink;
  }
  write(event: unknown): void {
    this.sink.write(toJsonLine(event) + '\n');
    this.count++;
  }
  close(): void {
    this.sink.end?.();
  }
}
