import { describe, it, expect } from 'vitest';
import { analyzeCapture } from './analyze.ts';
import { writeSessionPcapng } from './pcapng-writer.ts';
import { testSession } from './test-session.ts';
import { LazyPacket, PacketTable } from './lazy-packet.ts';
import { inspectJson } from './report.ts';

describe('lazyDecode', () => {
  it('gives the same packets, messages and trees as eager decoding; connection messages decode on first read', () => {
    const s = testSession('lazy', { kex: ['curve25519-sha256'], cipher: ['aes128-gcm@openssh.com'] }, 'cat', new Uint8Array(5000).fill(7));
    const file = writeSessionPcapng({ client: { ip: '10.0.0.1', port: 40000 }, server: { ip: '10.0.0.2', port: 22 }, chunks: s.chunks, keylog: s.keylog });
    const eager = analyzeCapture(file).streams[0]!;
    const lazy = analyzeCapture(file, { lazyDecode: true }).streams[0]!;
    expect(lazy.packets.length).toBe(eager.packets.length);
    const lazies = lazy.packets.filter((p) => p instanceof LazyPacket);
    expect(lazies.length).toBeGreaterThan(5);
    expect(lazies.every((p) => (p.msg ?? 0) >= 80)).toBe(true);
    lazy.packets.forEach((p, i) => {
      const e = eager.packets[i]!;
      expect(p.wire).toEqual(e.wire);
      expect(p.plain).toEqual(e.plain);
      expect([p.frame, p.dir, p.seq, p.msg, p.name, p.decrypted, p.length, p.offset]).toEqual([e.frame, e.dir, e.seq, e.msg, e.name, e.decrypted, e.length, e.offset]);
      expect(p.message).toEqual(e.message);
      expect(p.tree).toEqual(e.tree);
      expect(p.error).toBe(e.error);
    });
    expect(JSON.stringify(inspectJson(analyzeCapture(file, { lazyDecode: true })))).toBe(JSON.stringify(inspectJson(analyzeCapture(file))));
  });

  it('a connection message that does not decode reports its error in the JSON', () => {
    const s = testSession('lazy-bad', { kex: ['curve25519-sha256'], cipher: ['aes128-gcm@openssh.com'] }, 'echo x');
    const file = writeSessionPcapng({ client: { ip: '10.0.0.1', port: 40000 }, server: { ip: '10.0.0.2', port: 22 }, chunks: s.chunks, keylog: s.keylog });
    const a = analyzeCapture(file, { lazyDecode: true });
    const p = a.streams[0]!.packets.find((q) => q instanceof LazyPacket)! as LazyPacket;
    // a payload cut short: same packet, the message body truncated
    // (a plaintext whose payload is the message number and two bytes, nothing more)
    const plain = new Uint8Array([0, 0, 0, 12, 9, p.msg!, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    const broken = new PacketTable().add({ ...p, frame: p.frame, time: p.time, dir: p.dir, seq: p.seq, offset: 0, length: 12, msg: p.msg, name: p.name, decrypted: true, wire: p.wire }, p.wire, p.wire.length, plain, 0, plain.length, null, {});
    expect(broken.decodeError()).toMatch(/^decode: /);
    expect(broken.message).toBeUndefined();
    expect(broken.error).toMatch(/^decode: /);
  });

  it('dropPlaintext: the same listing, connection messages checked as they are read and not kept', () => {
    // cipher and MAC "none" after NEWKEYS, so that a message can be broken without breaking a tag
    const s = testSession('lazy-drop', { kex: ['curve25519-sha256'], cipher: ['none'], mac: ['none'] }, 'echo x');
    const data = s.chunks.find((c) => c.dir === 's2c' && c.bytes[5] === 94)!; // CHANNEL_DATA: its string length (payload bytes 5–8)
    data.bytes = data.bytes.slice();
    data.bytes[10] = 0x7f;
    const file = writeSessionPcapng({ client: { ip: '10.0.0.1', port: 40000 }, server: { ip: '10.0.0.2', port: 22 }, chunks: s.chunks, keylog: s.keylog });
    const lazy = analyzeCapture(file, { lazyDecode: true });
    const dropped = analyzeCapture(file, { lazyDecode: true, dropPlaintext: true });
    expect(JSON.stringify(inspectJson(dropped))).toBe(JSON.stringify(inspectJson(lazy)));
    const bad = dropped.streams[0]!.packets.filter((p) => p.error !== undefined);
    expect(bad.map((p) => [p.name, p.error])).toEqual([['SSH_MSG_CHANNEL_DATA', expect.stringMatching(/^decode: .*length \d+ exceeds/)]]);
    const conn = dropped.streams[0]!.packets.filter((p) => (p.msg ?? 0) >= 80);
    expect(conn.length).toBeGreaterThan(5);
    expect(conn.every((p) => p.plain === undefined && p.message === undefined)).toBe(true);
    expect(dropped.streams[0]!.packets.filter((p) => p.name === 'SSH_MSG_USERAUTH_REQUEST').every((p) => p.message !== undefined)).toBe(true);
  });
});
