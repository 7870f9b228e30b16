// Gaps in real captures: tcpdump records `sshscope connect --keylog` uploading into the real sshd;
// segments are then dropped from the capture. The truth is the decoding of the intact capture
// (itself checked against the real peers in capture-openssh.test.ts): after the holes, every packet
// whose bytes all survived must be decoded, decrypted and verified again with the same message and
// sequence number, no damaged packet may appear as decoded, and each hole is reported.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PEER_PATHS, requirePeers, requireRoot } from '../helpers/peers.ts';
import { removeDir, sshKeygen, startSshd, tempDir, type KeyPair, type Sshd } from '../helpers/sshd.ts';
import { readCapture, startCapture } from '../helpers/capture.ts';
import { analyzeCapture } from '../../engine/capture/analyze.ts';
import { readCaptureFile } from '../../engine/capture/capture-file.ts';
import { tcpSegmentOf } from '../../engine/capture/tcp-segment.ts';
import type { Frame } from '../../engine/capture/frames.ts';

const ready =
  requirePeers([
    ['sshd', PEER_PATHS.sshd],
    ['ssh-keygen', PEER_PATHS.sshKeygen],
    ['tcpdump', PEER_PATHS.tcpdump],
  ]) && requireRoot('capturing on loopback');

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function runConnect(args: string[], input: Uint8Array): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/sshscope.js', 'connect', ...args], { cwd: ROOT, stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr: err });
    });
    child.stdin.end(input);
  });
}

const u32le = (v: number) => [v & 255, (v >>> 8) & 255, (v >>> 16) & 255, v >>> 24];

function pcapOf(frames: Frame[], linkType: number): Uint8Array {
  const parts: number[] = [...u32le(0xa1b2c3d4), 2, 0, 4, 0, ...u32le(0), ...u32le(0), ...u32le(262144), ...u32le(linkType)];
  for (const f of frames) parts.push(...u32le(Math.floor(f.time)), ...u32le(Math.round((f.time % 1) * 1e6) % 1e6), ...u32le(f.data.length), ...u32le(f.data.length), ...f.data);
  return new Uint8Array(parts);
}

describe.skipIf(!ready)('gaps in tcpdump captures of real sessions', () => {
  let sshd: Sshd;
  let dir: string;
  let key: KeyPair;
  let knownHosts: string;

  beforeAll(async () => {
    dir = tempDir('sshscope-gaps-');
    key = await sshKeygen(dir, 'id_ed25519', 'ed25519');
    sshd = await startSshd({ authorizedKeys: [key.pub] });
    knownHosts = `${dir}/known_hosts`;
    writeFileSync(knownHosts, sshd.knownHostsLine('ed25519') + '\n');
  });
  afterAll(async () => {
    await sshd?.stop();
    if (dir) removeDir(dir);
  });

  for (const cipher of ['chacha20-poly1305@openssh.com', 'aes128-gcm@openssh.com', 'aes128-ctr'] as const) {
    it(`${cipher}: segments dropped from an upload; the stream resynchronises on authenticated packets`, async () => {
      const keylog = `${dir}/keys-${cipher}.log`;
      const cap = await startCapture(sshd.port, { dir, name: `gaps-${cipher.replace(/[^a-z0-9]/g, '_')}.pcap` });
      // many small writes: the upload is cut into many packets and segments
      const input = randomBytes(600_000);
      const r = await runConnect(['-p', String(sshd.port), '--known-hosts', knownHosts, '--keylog', keylog, '--ciphers', cipher, ...(cipher === 'aes128-ctr' ? ['--macs', 'hmac-sha2-256'] : []), '-i', key.path, `${sshd.user}@127.0.0.1`, 'cat > /dev/null'], input);
      const pcap = await cap.stop();
      expect(r.code, r.stderr).toBe(0);
      const keys = readFileSync(keylog, 'utf8');
      const bytes = readCapture(pcap);
      const whole = analyzeCapture(bytes, { keylog: keys }).streams[0]!;
      // tcpdump itself may lose a segment on a loaded machine: its holes are part of both decodings
      const ownGaps = whole.gaps.length;
      expect(whole.rounds[0]!.keys?.signatureVerified).toBe(true);
      const file = readCaptureFile(bytes);
      const clientPort = whole.client.port;
      // c2s data segments with their stream ranges
      const segs: { index: number; start: number; end: number }[] = [];
      let off = 0;
      file.frames.forEach((f, index) => {
        const s = tcpSegmentOf(f);
        if (!s || s.srcPort !== clientPort || s.payload.length === 0) return;
        segs.push({ index, start: off, end: off + s.payload.length });
        off += s.payload.length;
      });
      const dataPackets = whole.packets.filter((p) => p.dir === 'c2s' && p.name === 'SSH_MSG_CHANNEL_DATA');
      expect(dataPackets.length).toBeGreaterThan(10);
      // drop one segment that starts inside the 3rd data packet, and every segment wholly inside the 6th and 7th
      const p3 = dataPackets[2]!;
      const [p6, p7] = [dataPackets[5]!, dataPackets[6]!];
      const drop = new Set<number>();
      const inside3 = segs.find((s) => s.start > p3.offset && s.start < p3.offset + p3.wire.length);
      if (inside3) drop.add(inside3.index);
      const before = drop.size;
      for (const s of segs) if (s.start >= p6.offset && s.end <= p7.offset + p7.wire.length) drop.add(s.index);
      // the kernel decides the segment sizes: when no segment lies wholly inside the 6th and 7th
      // packets, drop the first one that starts inside them
      if (drop.size === before) {
        const inside67 = segs.find((s) => s.start > p6.offset && s.start < p7.offset + p7.wire.length);
        if (inside67) drop.add(inside67.index);
      }
      expect(drop.size).toBeGreaterThan(0);
      const dropped = segs.filter((s) => drop.has(s.index));
      const cut = pcapOf(
        file.frames.filter((_, i) => !drop.has(i)),
        file.frames[0]!.linkType,
      );
      const st = analyzeCapture(cut, { keylog: keys }).streams[0]!;
      // (frames are renumbered in the cut capture: tcpdump's own holes are recognised by direction and size)
      const ours = st.gaps.filter((g) => !whole.gaps.some((w) => w.dir === g.dir && w.lost === g.lost));
      expect(st.gaps.length - ownGaps).toBeGreaterThanOrEqual(1);
      expect(ours.every((g) => g.dir === 'c2s' && g.resumedAt !== null), JSON.stringify({ ours, whole: whole.gaps, errors: st.errors })).toBe(true);
      const hit = (p: { offset: number; wire: Uint8Array }) => dropped.some((d) => d.start < p.offset + p.wire.length && p.offset < d.end);
      const shift = (o: number) => o - dropped.filter((d) => d.end <= o).reduce((n, d) => n + d.end - d.start, 0);
      const decoded = st.packets.filter((p) => p.name !== null);
      for (const p of whole.packets) {
        if (p.dir !== 'c2s' || hit(p) || p.name === null) continue;
        const q = decoded.find((x) => x.dir === 'c2s' && x.offset === shift(p.offset));
        expect(q, `c2s ${p.name} seq ${p.seq} at ${p.offset} (cut: ${shift(p.offset)}); dropped ${JSON.stringify(dropped)}; gaps ${JSON.stringify(st.gaps)}; whole c2s ${JSON.stringify(whole.packets.filter((x) => x.dir === 'c2s').map((x) => [x.seq, x.offset, x.wire.length]))}; cut c2s ${JSON.stringify(st.packets.filter((x) => x.dir === 'c2s').map((x) => [x.seq, x.offset, x.wire.length, x.name]))}`).toBeDefined();
        expect([q!.name, q!.seq, q!.decrypted, q!.error]).toEqual([p.name, p.seq, p.decrypted, undefined]);
      }
      const lostCount = whole.packets.filter((p) => p.dir === 'c2s' && p.name !== null && hit(p)).length;
      expect(decoded.filter((p) => p.dir === 'c2s').length).toBe(whole.packets.filter((p) => p.dir === 'c2s' && p.name !== null).length - lostCount);
      // the server's direction is untouched
      expect(st.packets.filter((p) => p.dir === 's2c').map((p) => [p.name, p.seq])).toEqual(whole.packets.filter((p) => p.dir === 's2c').map((p) => [p.name, p.seq]));
    });
  }
});
