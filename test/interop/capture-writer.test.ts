// pcapng files written by engine/capture/pcapng-writer.ts, read by the real tshark (4.0 here): the
// frames parse with valid IP/TCP checksums and no TCP analysis problems, tshark sees SSH and — with
// only the Decryption Secrets Block we embedded (old two-field key log lines) — decrypts the
// aes-gcm session to the same message numbers we decode.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PEER_PATHS, requirePeer } from '../helpers/peers.ts';
import { removeDir, tempDir } from '../helpers/sshd.ts';
import { writeSessionPcapng } from '../../engine/capture/pcapng-writer.ts';
import { analyzeCapture } from '../../engine/capture/analyze.ts';
import { testSession } from '../../engine/capture/test-session.ts';

const ready = requirePeer('tshark', PEER_PATHS.tshark);

function tshark(args: string[]): string {
  const r = spawnSync(PEER_PATHS.tshark, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`tshark ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

describe.skipIf(!ready)('pcapng written by us, read by tshark', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir('sshscope-writer-');
  });
  afterAll(() => {
    if (dir) removeDir(dir);
  });

  it('curve25519 + aes128-gcm: tshark decrypts with the embedded secrets alone and agrees with us', () => {
    const marker = 'written-for-tshark';
    const s = testSession('tshark-writer', { kex: ['curve25519-sha256'], cipher: ['aes128-gcm@openssh.com'] }, `echo ${marker}`);
    const legacy = s.keylog
      .split('\n')
      .filter((l) => l.includes(' PRIVATE_KEY '))
      .map((l) => l.replace(' PRIVATE_KEY ', ' '));
    expect(legacy.length).toBe(1);
    const file = join(dir, 'gcm.pcapng');
    writeFileSync(file, writeSessionPcapng({ client: { ip: '192.0.2.1', port: 50022 }, server: { ip: '192.0.2.2', port: 22 }, chunks: s.chunks, keylog: s.keylog + legacy.join('\n') + '\n' }));
    // every frame parses; checksums verified; no TCP problems (lost segments, bad checksums …)
    const expert = tshark(['-r', file, '-q', '-o', 'tcp.check_checksum:TRUE', '-o', 'ip.check_checksum:TRUE', '-z', 'expert,warn']);
    expect(expert).not.toMatch(/\s(TCP|IPv4|IPv6)\s/);
    expect(expert).not.toMatch(/Malformed/);
    const ours = analyzeCapture(new Uint8Array(readFileSync(file))).streams[0]!;
    expect(ours.errors).toEqual([]);
    const rows = tshark(['-r', file, '-Y', 'ssh.message_code', '-T', 'fields', '-E', 'occurrence=a', '-E', 'aggregator=,', '-e', 'tcp.srcport', '-e', 'ssh.message_code'])
      .split('\n')
      .filter((l) => l)
      .flatMap((l) => {
        const [port, codes] = l.split('\t');
        return codes!.split(',').map((c) => `${port === '50022' ? 'c2s' : 's2c'}:${c}`);
      });
    expect(rows.sort()).toEqual(ours.packets.map((p) => `${p.dir}:${p.msg}`).sort());
    // the command output is in what tshark decrypted
    const verbose = tshark(['-r', file, '-V']);
    expect(verbose).toContain(Buffer.from(`${marker}\n`).toString('hex'));
  });

  it('chacha20-poly1305 over IPv6 on a non-SSH port: tshark parses every frame and finds SSH when told the port', () => {
    const s = testSession('tshark-writer-v6', { kex: ['curve25519-sha256'], cipher: ['chacha20-poly1305@openssh.com'] }, 'echo six');
    const file = join(dir, 'v6.pcapng');
    writeFileSync(file, writeSessionPcapng({ client: { ip: '2001:db8::1', port: 40000 }, server: { ip: '2001:db8::2', port: 2222 }, chunks: s.chunks, keylog: s.keylog, link: 'raw' }));
    const lines = tshark(['-r', file, '-d', 'tcp.port==2222,ssh', '-o', 'tcp.check_checksum:TRUE']).split('\n').filter((l) => l.trim());
    expect(lines.length).toBe(s.chunks.length + 6);
    expect(lines.filter((l) => /\sSSH(v2)?\s/.test(l)).length).toBe(s.chunks.length);
    expect(lines.join('\n')).not.toMatch(/Bad|Malformed|Retransmission|previous segment/i);
    const versions = tshark(['-r', file, '-d', 'tcp.port==2222,ssh', '-Y', 'ssh.protocol', '-T', 'fields', '-e', 'ssh.protocol']).split('\n').filter((l) => l);
    expect(versions).toEqual(s.chunks.map((c) => new TextDecoder().decode(c.bytes)).filter((t) => t.startsWith('SSH-')).map((t) => t.trimEnd()));
  });
});
