// sshscope inspect on captures built from in-memory sessions of our own client and server: the
// client's events give the exact wire bytes of both directions, framed here as Ethernet/IPv4/TCP
// in a pcap (or pcapng with a Decryption Secrets Block); its key log comes from cli/keylog.ts.
// What the inspector decrypts must equal what the engine sent (independent truth: the session).

import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seededEnv } from '../engine/env.ts';
import { generateEd25519, publicKeyBlob } from '../engine/algorithms/signatures.ts';
import { KEX } from '../engine/algorithms/kex.ts';
import { formatPublicKeyLine } from '../engine/keys/public-key.ts';
import type { ClientConfig, ServerConfig } from '../engine/core/config.ts';
import { runExec } from '../engine/core/session-harness.ts';
import type { SshEvent } from '../engine/events.ts';
import { keylogLines, keylogOf } from './keylog.ts';
import { analyzeCapture } from '../engine/capture/analyze.ts';
import { CaptureError } from '../engine/capture/errors.ts';
import { captureCryptoProvider, runInspect } from './inspect.ts';
import { inspectJson, type InspectJson } from '../engine/capture/report.ts';

function configs(seed: string, algorithms: ClientConfig['algorithms'], extra: Partial<ClientConfig> = {}) {
  const hostKeyEnv = seededEnv(`${seed}/hostkey`);
  const hostKey = generateEd25519((n) => hostKeyEnv.randomBytes(n));
  const userKey = generateEd25519((n) => seededEnv(`${seed}/user`).randomBytes(n), 'alice@laptop');
  const server: ServerConfig = { env: seededEnv(`${seed}/server`), hostKeys: [hostKey], ...(algorithms ? { algorithms } : {}), users: [{ name: 'alice', password: 'pw', authorizedKeys: `${formatPublicKeyLine(publicKeyBlob(userKey), 'a')}\n` }] };
  const client: ClientConfig = { env: seededEnv(`${seed}/client`), username: 'alice', password: 'pw', hostKeyCheck: () => 'unknown', acceptUnknownHostKey: true, ...(algorithms ? { algorithms } : {}), ...extra };
  return { client, server };
}

const u16 = (v: number) => [v >>> 8, v & 255];
const u32 = (v: number) => [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
const u32le = (v: number) => [v & 255, (v >>> 8) & 255, (v >>> 16) & 255, v >>> 24];

/** Ethernet + IPv4 + TCP frames of one connection, from (direction, bytes) pieces in order. */
function framesOf(pieces: { dir: 'c2s' | 's2c'; bytes: Uint8Array }[], mss = 1400, ports: [number, number] = [50000, 2222]): number[][] {
  const seq = { c2s: 1000, s2c: 5000 };
  const frame = (dir: 'c2s' | 's2c', flags: number, payload: Uint8Array): number[] => {
    const [sp, dp] = dir === 'c2s' ? ports : [ports[1], ports[0]];
    const tcp = [...u16(sp), ...u16(dp), ...u32(seq[dir]), ...u32(0), 0x50, flags, 0xff, 0xff, 0, 0, 0, 0, ...payload];
    seq[dir] = (seq[dir] + payload.length + (flags & 2 ? 1 : 0)) >>> 0;
    const [src, dst] = dir === 'c2s' ? [[10, 0, 0, 1], [10, 0, 0, 2]] : [[10, 0, 0, 2], [10, 0, 0, 1]];
    return [...Array(12).fill(2), 0x08, 0x00, 0x45, 0, ...u16(20 + tcp.length), 0, 0, 0x40, 0, 64, 6, 0, 0, ...src, ...dst, ...tcp];
  };
  const out = [frame('c2s', 0x02, new Uint8Array(0)), frame('s2c', 0x12, new Uint8Array(0)), frame('c2s', 0x10, new Uint8Array(0))];
  for (const p of pieces) for (let o = 0; o < p.bytes.length; o += mss) out.push(frame(p.dir, 0x18, p.bytes.subarray(o, o + mss)));
  return out;
}

function pcapOf(frames: number[][]): Uint8Array {
  const out = [...u32le(0xa1b2c3d4), 2, 0, 4, 0, ...u32le(0), ...u32le(0), ...u32le(262144), ...u32le(1)];
  frames.forEach((f, i) => out.push(...u32le(1700000000), ...u32le(i), ...u32le(f.length), ...u32le(f.length), ...f));
  return new Uint8Array(out);
}

function pcapngOf(frames: number[][], keylog: string): Uint8Array {
  const block = (type: number, body: number[]) => {
    while (body.length % 4) body.push(0);
    return [...u32le(type), ...u32le(body.length + 12), ...body, ...u32le(body.length + 12)];
  };
  const kl = [...new TextEncoder().encode(keylog)];
  const out = [...block(0x0a0d0d0a, [...u32le(0x1a2b3c4d), 1, 0, 0, 0, ...Array(8).fill(0xff)]), ...block(1, [1, 0, 0, 0, ...u32le(0)]), ...block(0x0a, [...u32le(0x5353484b), ...u32le(kl.length), ...kl])];
  for (const f of frames) out.push(...block(6, [...u32le(0), ...u32le(0), ...u32le(0), ...u32le(f.length), ...u32le(f.length), ...f]));
  return new Uint8Array(out);
}

interface Session {
  pieces: { dir: 'c2s' | 's2c'; bytes: Uint8Array }[];
  keylog: string;
  events: SshEvent[];
  stdout: Uint8Array;
}

/** The session as the client saw it: its version events and packet events carry the exact wire bytes. */
function session(seed: string, algorithms: ClientConfig['algorithms'], command: string, input?: Uint8Array, extra: Partial<ClientConfig> = {}): Session {
  const { client, server } = configs(seed, algorithms, extra);
  const clientEvents: SshEvent[] = [];
  const r = runExec(client, server, command, input, { onEvent: (e) => void (e.side === 'client' && clientEvents.push(e)) });
  const pieces: Session['pieces'] = [];
  const lines: string[] = [];
  for (const e of clientEvents) {
    if (e.type === 'version') pieces.push({ dir: e.dir, bytes: new TextEncoder().encode(`${e.line}\r\n`) });
    else if (e.type === 'packet') pieces.push({ dir: e.dir, bytes: e.wire });
    else if (e.type === 'keys') {
      const info = keylogOf(e)!;
      lines.push(...keylogLines(info, 'client', KEX[(e as { kex: string }).kex]!.kEncoding));
    }
  }
  return { pieces, keylog: lines.join('\n') + '\n', events: clientEvents, stdout: r.stdout };
}

function inspectOf(file: Uint8Array, keylog?: string, json = true): { code: number; out: string; err: string } {
  const dir = mkdtempSync(join(tmpdir(), 'sshscope-inspect-'));
  try {
    writeFileSync(join(dir, 'cap'), file);
    const args = [join(dir, 'cap')];
    if (keylog !== undefined) {
      writeFileSync(join(dir, 'keys.log'), keylog);
      args.push('--keylog', join(dir, 'keys.log'));
    }
    if (json) args.push('--json');
    let out = '';
    let err = '';
    const code = runInspect(args, (s) => (out += s), (s) => (err += s));
    return { code, out, err };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const dec = new TextDecoder();

describe('sshscope inspect on captures of in-memory sessions', () => {
  const cases: [string, ClientConfig['algorithms']][] = [
    ['curve25519 + chacha20-poly1305 (strict KEX)', { kex: ['curve25519-sha256'], cipher: ['chacha20-poly1305@openssh.com'] }],
    ['mlkem768x25519 + aes256-gcm', { kex: ['mlkem768x25519-sha256'], cipher: ['aes256-gcm@openssh.com'] }],
    ['group14-sha256 + aes128-ctr + hmac-sha2-256', { kex: ['diffie-hellman-group14-sha256'], cipher: ['aes128-ctr'], mac: ['hmac-sha2-256'] }],
    ['group-exchange-sha256 + aes256-ctr + hmac-sha2-512-etm', { kex: ['diffie-hellman-group-exchange-sha256'], cipher: ['aes256-ctr'], mac: ['hmac-sha2-512-etm@openssh.com'] }],
    ['ecdh-sha2-nistp384 + aes128-gcm', { kex: ['ecdh-sha2-nistp384'], cipher: ['aes128-gcm@openssh.com'] }],
    ['delayed compression zlib@openssh.com', { kex: ['curve25519-sha256'], compression: ['zlib@openssh.com'] }],
    ['compression zlib from NEWKEYS on', { kex: ['curve25519-sha256'], compression: ['zlib'] }],
  ];
  for (const [title, algs] of cases) {
    it(`${title}: every packet decrypted, the same messages the client sent and received`, () => {
      const s = session(title, algs, 'echo hello capture');
      expect(dec.decode(s.stdout)).toBe('hello capture\n');
      const { code, out, err } = inspectOf(pcapOf(framesOf(s.pieces)), s.keylog);
      expect(err).toBe('');
      expect(code).toBe(0);
      const j = JSON.parse(out) as InspectJson;
      expect(j.problems).toEqual([]);
      expect(j.streams.length).toBe(1);
      const st = j.streams[0]!;
      expect(st.errors).toEqual([]);
      expect(st.client).toBe('10.0.0.1:50000');
      expect(st.server).toBe('10.0.0.2:2222');
      expect(st.negotiated!.kex).toBe(algs!.kex![0]);
      // the engine's own packet events are the truth: same directions, names, order
      const truth = s.events.filter((e) => e.type === 'packet').map((e) => `${(e as { dir: string }).dir} ${(e as { msg: string }).msg}`);
      expect(st.packets.map((p) => `${p.dir} ${p.name}`)).toEqual(truth);
      expect(st.packets.filter((p) => p.decrypted).length).toBeGreaterThan(5);
      expect(st.packets.every((p) => p.error === undefined && p.msg !== null)).toBe(true);
      const sent = analyzeCapture(pcapOf(framesOf(s.pieces)), { keylog: s.keylog }).streams[0]!.packets.filter((p) => p.name === 'SSH_MSG_CHANNEL_DATA' && p.dir === 's2c');
      expect(sent.map((p) => dec.decode(p.message!.data as Uint8Array)).join('')).toBe('hello capture\n');
      expect(sent.every((p) => (p.inflated !== undefined) === (algs!.compression !== undefined))).toBe(true);
    });
  }

  it('without a key log: KEX decoded, packets after NEWKEYS encrypted with msg null; text listing names them', () => {
    const s = session('nokeys', { kex: ['curve25519-sha256'], cipher: ['aes128-gcm@openssh.com'] }, 'echo x');
    const cap = pcapOf(framesOf(s.pieces));
    const j = JSON.parse(inspectOf(cap).out) as InspectJson;
    const st = j.streams[0]!;
    const names = st.packets.map((p) => p.name);
    expect(names.filter((n) => n !== null && n !== 'SSH_MSG_NEWKEYS').sort()).toEqual(['SSH_MSG_KEXINIT', 'SSH_MSG_KEXINIT', 'SSH_MSG_KEX_ECDH_INIT', 'SSH_MSG_KEX_ECDH_REPLY'].sort());
    expect(st.packets.filter((p) => p.name === 'SSH_MSG_NEWKEYS').length).toBe(2);
    const after = st.packets.filter((p) => p.msg === null);
    expect(after.length).toBeGreaterThan(3);
    // aes-gcm leaves packet_length in clear: every packet is framed, with its sequence number
    expect(after.every((p) => !p.decrypted && p.seq !== null)).toBe(true);
    expect(st.errors.some((e) => /no key log given/.test(e))).toBe(true);
    const text = inspectOf(cap, undefined, false).out;
    expect(text).toMatch(/SSH_MSG_KEX_ECDH_REPLY/);
    expect(text).toMatch(/\(encrypted\)/);
  });

  it('the CHANNEL_DATA we decrypt is the command output; chacha20-poly1305 strict KEX restarts sequence numbers', () => {
    const s = session('chacha-data', { kex: ['curve25519-sha256'], cipher: ['chacha20-poly1305@openssh.com'] }, 'echo marker-7f3a');
    const a = analyzeCapture(pcapOf(framesOf(s.pieces, 97)), { keylog: s.keylog });
    const st = a.streams[0]!;
    expect(st.strictKex).toBe(true);
    expect(st.rounds[0]!.keys!.signatureVerified).toBe(true);
    const data = st.packets.filter((p) => p.name === 'SSH_MSG_CHANNEL_DATA' && p.dir === 's2c').map((p) => dec.decode(p.message!.data as Uint8Array));
    expect(data.join('')).toBe('marker-7f3a\n');
    for (const d of ['c2s', 's2c'] as const) expect(st.packets.find((p) => p.dir === d && p.decrypted)!.seq).toBe(0);
  });

  it('the key log inside a pcapng Decryption Secrets Block is used without --keylog', () => {
    const s = session('dsb', { kex: ['curve25519-sha256'], cipher: ['aes256-gcm@openssh.com'] }, 'echo dsb');
    const j = JSON.parse(inspectOf(pcapngOf(framesOf(s.pieces), s.keylog)).out) as InspectJson;
    expect(j.format).toBe('pcapng');
    expect(j.streams[0]!.decryptedKeyExchanges).toBe(1);
    expect(j.streams[0]!.packets.some((p) => p.decrypted && p.name === 'SSH_MSG_CHANNEL_DATA')).toBe(true);
  });

  it('PRIVATE_KEY lines alone (and the old two-field form) are enough for curve25519', () => {
    const s = session('privkey', { kex: ['curve25519-sha256'], cipher: ['aes128-gcm@openssh.com'] }, 'echo pk');
    const priv = s.keylog.split('\n').filter((l) => l.includes(' PRIVATE_KEY '));
    expect(priv.length).toBe(1);
    for (const kl of [priv.join('\n'), priv.map((l) => l.replace(' PRIVATE_KEY ', ' ')).join('\n')]) {
      const st = analyzeCapture(pcapOf(framesOf(s.pieces)), { keylog: kl }).streams[0]!;
      expect(st.rounds[0]!.keys?.signatureVerified).toBe(true);
      expect(st.packets.filter((p) => p.decrypted).every((p) => p.error === undefined)).toBe(true);
    }
  });

  it('rekeys: every key exchange has its own secret and all packets decrypt', () => {
    const input = new Uint8Array(300_000).map((_, i) => (i * 7) & 255);
    const s = session('rekey', { kex: ['curve25519-sha256'], cipher: ['aes128-ctr'], mac: ['hmac-sha2-256-etm@openssh.com'] }, 'cat', input, { rekeyBytes: 64 * 1024 });
    const st = analyzeCapture(pcapOf(framesOf(s.pieces)), { keylog: s.keylog }).streams[0]!;
    expect(st.errors).toEqual([]);
    expect(st.rounds.length).toBeGreaterThan(2);
    expect(st.rounds.every((r) => r.keys?.signatureVerified)).toBe(true);
    const echoed = st.packets.filter((p) => p.name === 'SSH_MSG_CHANNEL_DATA' && p.dir === 's2c').map((p) => p.message!.data as Uint8Array);
    const total = echoed.reduce((n, b) => n + b.length, 0);
    expect(total).toBe(input.length);
  });

  it("the CLI's reading (lazy packets, small AES-GCM packets decrypted into a shared buffer) equals the default reading", () => {
    const input = new Uint8Array(30_000).map((_, i) => (i * 7) & 255);
    for (const cipher of ['aes128-gcm@openssh.com', 'aes256-gcm@openssh.com']) {
      const s = session(`cli-lazy-${cipher}`, { kex: ['curve25519-sha256'], cipher: [cipher] }, 'cat', input);
      const file = pcapOf(framesOf(s.pieces, 700));
      const eager = analyzeCapture(file, { keylog: s.keylog }).streams[0]!;
      const lazy = analyzeCapture(() => file, { keylog: s.keylog, provider: captureCryptoProvider(), lazyDecode: true }).streams[0]!;
      expect(lazy.packets.length).toBe(eager.packets.length);
      lazy.packets.forEach((p, i) => {
        const e = eager.packets[i]!;
        expect([p.frame, p.time, p.dir, p.seq, p.msg, p.name, p.decrypted, p.length, p.offset, p.error]).toEqual([e.frame, e.time, e.dir, e.seq, e.msg, e.name, e.decrypted, e.length, e.offset, e.error]);
        expect(p.wire).toEqual(e.wire);
        expect(p.plain).toEqual(e.plain);
        expect(p.message).toEqual(e.message);
      });
      // `inspect --json` on an upload (the client's stream fills most of the file): that stream
      // compacted inside the file's buffer, connection messages checked when decrypted and their
      // plaintext dropped; the same document as the default reading
      const up = session(`cli-json-${cipher}`, { kex: ['curve25519-sha256'], cipher: [cipher] }, 'exit 0', new Uint8Array(60_000).map((_, i) => (i * 5) & 255));
      const upFile = pcapOf(framesOf(up.pieces, 700));
      const upEager = analyzeCapture(upFile, { keylog: up.keylog });
      const owned = upFile.slice();
      const json = analyzeCapture(() => owned, { keylog: up.keylog, provider: captureCryptoProvider(), lazyDecode: true, reuseFile: true, dropPlaintext: true });
      expect(JSON.stringify(inspectJson(json))).toBe(JSON.stringify(inspectJson(upEager)));
      const packets = json.streams[0]!.packets;
      expect(packets.some((p) => p.dir === 'c2s' && p.wire.buffer === owned.buffer)).toBe(true);
      packets.forEach((p, i) => {
        const e = upEager.streams[0]!.packets[i]!;
        expect([p.wire, p.error]).toEqual([e.wire, e.error]);
        if ((p.msg ?? 0) >= 80) expect([p.plain, p.message]).toEqual([undefined, undefined]);
        else expect(p.plain).toEqual(e.plain);
      });
      expect(packets.filter((p) => p.name === 'SSH_MSG_CHANNEL_DATA' && p.decrypted && p.length > 2000).length).toBeGreaterThan(1);
      // a wrong key: every packet after NEWKEYS fails its tag, on the small-packet path too
      const wrong = s.keylog.replace(/SHARED_SECRET [0-9a-f]+/, 'SHARED_SECRET 1234').replace(/PRIVATE_KEY [0-9a-f]+/, `PRIVATE_KEY ${'77'.repeat(32)}`);
      const bad = analyzeCapture(file, { keylog: wrong, provider: captureCryptoProvider(), lazyDecode: true }).streams[0]!;
      const after = bad.packets.filter((p) => p.seq !== null && p.msg === null);
      expect(after.length).toBe(eager.packets.filter((p) => p.decrypted).length);
      expect(after.every((p) => /MAC\/tag verification failed/.test(p.error ?? '') && p.plain === undefined)).toBe(true);
    }
  });

  it('a wrong secret shows MAC failures, it does not hide them', () => {
    const s = session('wrong', { kex: ['curve25519-sha256'], cipher: ['aes128-gcm@openssh.com'] }, 'echo w');
    const wrong = s.keylog.replace(/SHARED_SECRET [0-9a-f]+/, 'SHARED_SECRET 1234').replace(/PRIVATE_KEY [0-9a-f]+/, `PRIVATE_KEY ${'77'.repeat(32)}`);
    const st = analyzeCapture(pcapOf(framesOf(s.pieces)), { keylog: wrong }).streams[0]!;
    expect(st.errors.some((e) => /signature over the derived H does not verify/.test(e))).toBe(true);
    const after = st.packets.filter((p) => p.seq !== null && p.msg === null);
    expect(after.length).toBeGreaterThan(0);
    expect(after.every((p) => /MAC\/tag verification failed/.test(p.error ?? ''))).toBe(true);
  });

  it('without the SYN the KEXINIT markers tell client from server', () => {
    const s = session('nosyn', { kex: ['curve25519-sha256'], cipher: ['aes128-gcm@openssh.com'] }, 'echo nosyn');
    // the client on the lower port, so the port rule alone would get it wrong
    const st = analyzeCapture(pcapOf(framesOf(s.pieces, 1400, [1022, 40000]).slice(3)), { keylog: s.keylog }).streams[0]!;
    expect(st.clientBy).toBe('kexinit');
    expect(st.client).toEqual({ ip: '10.0.0.1', port: 1022 });
    expect(st.packets.filter((p) => p.decrypted && p.error === undefined).length).toBeGreaterThan(5);
  });

  it('lost segments are reported as gaps; the packets before them stay decoded', () => {
    const s = session('gap', { kex: ['curve25519-sha256'], cipher: ['aes128-gcm@openssh.com'] }, 'echo gap');
    const frames = framesOf(s.pieces, 200);
    frames.splice(12, 1);
    const st = analyzeCapture(pcapOf(frames), { keylog: s.keylog }).streams[0]!;
    expect(st.errors.some((e) => /bytes missing/.test(e))).toBe(true);
    expect(st.packets.filter((p) => p.name === 'SSH_MSG_KEXINIT').length).toBeGreaterThanOrEqual(1);
  });

  it('mutated and truncated captures give a CaptureError or a partial result, never another exception or a hang', () => {
    const s = session('fuzz', { kex: ['curve25519-sha256'], cipher: ['chacha20-poly1305@openssh.com'] }, 'echo fuzz');
    const good = pcapOf(framesOf(s.pieces, 300));
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(good.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }), fc.nat(good.length), fc.boolean(), (muts, cut, withKeys) => {
        const b = good.slice(0, Math.max(cut, good.length / 2));
        for (const [i, v] of muts) if (i < b.length) b[i] = v;
        try {
          analyzeCapture(b, withKeys ? { keylog: s.keylog } : {});
        } catch (e) {
          if (!(e instanceof CaptureError)) throw e;
        }
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 150) },
    );
  });

  it('a file that is not a capture exits 1 with a clear message; bad usage exits 2', () => {
    const r = inspectOf(new TextEncoder().encode('hello, not a capture'));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/not a capture file: capture file magic at offset 0/);
    let err = '';
    expect(runInspect([], () => {}, (x) => (err += x))).toBe(2);
    expect(err).toMatch(/exactly one capture file/);
  });
});
