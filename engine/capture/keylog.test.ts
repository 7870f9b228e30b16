import { describe, it, expect } from 'vitest';
import { parseKeylog } from './keylog.ts';

describe('Wireshark SSH key log', () => {
  const cookie = '00112233445566778899AABBCCDDEEFF';
  it('reads SHARED_SECRET, PRIVATE_KEY and the old two-field form; skips comments and blank lines', () => {
    const k = parseKeylog(`# comment\n\n${cookie} SHARED_SECRET 0102\r\n${cookie} PRIVATE_KEY ff\n${cookie} abc\n`);
    expect(k.errors).toEqual([]);
    expect(k.secrets).toEqual([
      { cookie: cookie.toLowerCase(), kind: 'shared-secret', value: new Uint8Array([1, 2]), line: 3 },
      { cookie: cookie.toLowerCase(), kind: 'private-key', value: new Uint8Array([0xff]), line: 4 },
      // an odd number of hex digits is a number without its leading zero
      { cookie: cookie.toLowerCase(), kind: 'private-key', value: new Uint8Array([0x0a, 0xbc]), line: 5 },
    ]);
  });
  it('names the line and the problem of unreadable lines', () => {
    const k = parseKeylog(`short SHARED_SECRET 00\n${cookie} SHARED_SECRET xyz\n${cookie} CLIENT_RANDOM 00\n`, 'keys.log');
    expect(k.secrets).toEqual([]);
    expect(k.errors).toEqual([
      'keys.log line 1: the cookie must be 32 hex digits (16 bytes)',
      'keys.log line 2: the secret is not hex',
      'keys.log line 3: expected "<cookie> SHARED_SECRET|PRIVATE_KEY <hex>" or "<cookie> <hex>"',
    ]);
  });
});
