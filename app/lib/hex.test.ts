import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DEFAULT_SCENARIO, runScenario } from './scenario.ts';
import { ancestorPaths, byteChar, deepestNodeAt, findField, flattenTree, hexRows, nodeByPath, plaintextLayout, spacedHex } from './hex.ts';
import type { PacketEvent } from './steps.ts';

const run = runScenario(DEFAULT_SCENARIO);
const packets = run.events.filter((e): e is PacketEvent => e.type === 'packet');
const kexinit = packets.find((p) => p.msg === 'SSH_MSG_KEXINIT' && p.side === 'client')!;

describe('hex view links', () => {
  it('lays bytes out 16 per row like hexdump', () => {
    const rows = hexRows(kexinit.wire);
    expect(rows[1]!.offset).toBe(16);
    expect(rows.flatMap((r) => r.bytes)).toEqual(Array.from(kexinit.wire));
    expect(byteChar(0x41)).toBe('A');
    expect(byteChar(0x0a)).toBe('·');
    expect(spacedHex('a1b2c3')).toBe('a1 b2 c3');
  });

  it('maps every cookie byte to the cookie node, whose 16 bytes are the client cookie of the key log', () => {
    const cookie = nodeByPath(kexinit.tree, 'payload.cookie')!;
    expect(cookie.end - cookie.start).toBe(16);
    for (let o = cookie.start; o < cookie.end; o++) expect(deepestNodeAt(kexinit.tree, o)!.path).toBe('payload.cookie');
    // independent: the keys event's key log carries the cookie the client sent (Wireshark's key-log format)
    const keys = run.events.find((e) => e.type === 'keys' && e.side === 'client');
    const keylog = keys && keys.type === 'keys' ? keys.keylog! : null;
    const bytes = Array.from(kexinit.wire.subarray(cookie.start, cookie.end), (b) => b.toString(16).padStart(2, '0')).join('');
    expect(bytes).toBe(keylog!.cookie);
    expect(ancestorPaths(kexinit.tree, 'payload.cookie')).toEqual(['', 'payload']);
  });

  it('the deepest node at any offset contains it and has no child containing it (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...packets), fc.nat(), (p, n) => {
        const o = n % p.wire.length;
        const node = deepestNodeAt(p.tree, o)!;
        expect(node.start <= o && o < node.end).toBe(true);
        expect((node.children ?? []).some((c) => c.start <= o && o < c.end)).toBe(false);
      }),
      { numRuns: 300 },
    );
    expect(deepestNodeAt(kexinit.tree, kexinit.wire.length)).toBeNull();
  });

  it('plaintext layout of a decrypted packet puts the payload where the tree says', () => {
    const enc = packets.find((p) => p.encrypted)!;
    const plain = plaintextLayout(enc.tree, enc.payload, enc.wire.length);
    const payload = nodeByPath(enc.tree, 'payload')!;
    expect(plain.slice(payload.start, payload.end)).toEqual(Array.from(enc.payload));
    const len = nodeByPath(enc.tree, 'packet_length')!;
    // RFC 4253 §6: packet_length = padding_length byte + payload + padding
    const padding = nodeByPath(enc.tree, 'padding')!;
    const be = (plain[0]! << 24) | (plain[1]! << 16) | (plain[2]! << 8) | plain[3]!;
    expect(be).toBe(len.value);
    expect(be).toBe(1 + enc.payload.length + (padding.end - padding.start));
    expect(plain[padding.start]).toBeNull();
  });

  it('finds fields inside method subtrees', () => {
    const req = packets.find((p) => p.msg === 'SSH_MSG_CHANNEL_REQUEST')!;
    expect(findField(req.tree, 'command')?.value).toBe(DEFAULT_SCENARIO.command);
    expect(flattenTree(req.tree).length).toBeGreaterThan(5);
  });
});
