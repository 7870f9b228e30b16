import { describe, it, expect } from 'vitest';
import { JsonLog, toJsonLine } from './json-log.ts';

describe('json-log', () => {
  it('bytes become hex, bigints decimal strings, one line per event', () => {
    const bytes = new Uint8Array([0, 1, 0xab, 0xff]);
    const line = toJsonLine({ type: 'packet', wire: bytes, nested: { b: Buffer.from([0xde, 0xad]) }, big: 2n ** 70n });
    expect(line.includes('\n')).toBe(false);
    const back = JSON.parse(line);
    expect(back.wire).toBe(Buffer.from(bytes).toString('hex'));
    expect(back.nested.b).toBe('dead');
    expect(back.big).toBe((2n ** 70n).toString());
  });
  it('JsonLog writes newline-terminated lines', () => {
    const out: string[] = [];
    const log = new JsonLog({ write: (s: string) => out.push(s) });
    log.write({ a: 1 });
    log.write({ b: new Uint8Array([7]) });
    expect(out.join('')).toBe('{"a":1}\n{"b":"07"}\n');
    expect(log.count).toBe(2);
  });
});
