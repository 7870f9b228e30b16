import { describe, it, expect } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { formatEvent, formatLog, phaseHeading, previewData, shortHex, summarizeFields } from './trace-text.ts';
import { Writer } from './wire/codec.ts';
import type { SshEvent, SshEventBody, FieldNode, Phase } from './events.ts';
import { createClient, createServer, pumpPair, seededEnv, generateEd25519 } from './index.ts';

let seq = 0;
const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
function ev(body: SshEventBody, phase: Phase = 2, side: 'client' | 'server' = 'client'): SshEvent {
  return { seq: seq++, t: 0, side, phase, ...body } as SshEvent;
}

describe('formatEvent', () => {
  it('version lines: phase prefix, direction arrow, the line itself', () => {
    const line = 'SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3';
    const s = formatEvent(ev({ type: 'version', dir: 's2c', line }, 1));
    expect(s.startsWith('[1 version] S→C')).toBe(true);
    expect(s).toContain(JSON.stringify(line));
    expect(formatEvent(ev({ type: 'version', dir: 'c2s', line: 'SSH-2.0-x' }, 1))).toContain('C→S');
  });

  it('packets: message name, sequence number, size, payload fields from the tree', () => {
    // a KEXINIT-like payload written with the codec: the tree is real, the values random
    const cookie = new Uint8Array(randomBytes(16));
    const w = new Writer({ rootPath: 'payload', rootLabel: 'payload' });
    w.byte('msg', 20).bytes('cookie', cookie).nameList('kex_algorithms', ['curve25519-sha256', 'ext-info-c']).boolean('first_kex_packet_follows', false).uint32('reserved', 0);
    const payload = w.toBytes();
    const tree: FieldNode = { path: '', label: 'binary packet', kind: 'packet', start: 0, end: payload.length + 9, children: [w.tree] };
    const wire = new Uint8Array(payload.length + 9);
    const s = formatEvent(ev({ type: 'packet', dir: 'c2s', n: 0, wire, payload, msg: 'SSH_MSG_KEXINIT', id: 20, encrypted: false, tree }));
    expect(s).toMatch(/^\[2 kex\] C→S SSH_MSG_KEXINIT \(#0, \d+ bytes\)/);
    expect(s).toContain(`cookie=${hex(cookie)}`);
    expect(s).toContain('kex_algorithms=curve25519-sha256,ext-info-c');
    expect(s).toContain('first_kex_packet_follows=false');
    expect(s).not.toContain('reserved=');
    expect(s).not.toContain('msg=');
    const enc = formatEvent(ev({ type: 'packet', dir: 's2c', n: 7, wire, payload, msg: 'SSH_MSG_CHANNEL_DATA', id: 94, encrypted: true, tree, background: true }, 5));
    expect(enc).toMatch(/^\[5 interactive\] S→C SSH_MSG_CHANNEL_DATA \(#7, \d+ bytes, encrypted, background\)/);
  });

  it('negotiated rows: one indented row per category with the rule', () => {
    const rows = [
      { category: 'kex', client: ['a', 'b'], server: ['b'], chosen: 'b', rule: 'first client algorithm the server supports' },
      { category: 'mac c2s', client: ['m'], server: ['m'], chosen: null, rule: 'implicit: the cipher authenticates' },
    ];
    const s = formatEvent(ev({ type: 'negotiated', rows }));
    const lines = s.split('\n');
    expect(lines[0]).toMatch(/^\[2 kex\] negotiated/);
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(/kex.*\bb\b.*first client algorithm/);
    expect(lines[2]).toMatch(/mac c2s.*implicit/);
    expect(lines[2]).not.toContain('NO MATCH');
  });

  it('exchange hash: the hash name and H truncated; H is SHA-256 of the input shown', () => {
    const input = new Uint8Array(randomBytes(300));
    const H = new Uint8Array(createHash('sha256').update(input).digest());
    const tree: FieldNode = { path: '', label: 'H input', kind: 'struct', start: 0, end: 300 };
    const s = formatEvent(ev({ type: 'exchange-hash', tree, H, input, hash: 'sha256' }));
    const hHex = hex(H);
    expect(s).toContain('SHA256');
    expect(s).toContain(`${hHex.slice(0, 32)}… (32 bytes)`);
    expect(s).not.toContain(hHex); // truncated
  });

  it('keys: K, H, session id, A–F with their meaning, rounds omitted', () => {
    const steps = ['K', 'H', 'session_id', 'A', 'A.1', 'B', 'C', 'D', 'E', 'F'].map((name) => ({ name, label: name, value: randomBytes(name === 'A' ? 8 : 32).toString('hex') }));
    const s = formatEvent(ev({ type: 'keys', steps, kex: 'curve25519-sha256', hash: 'sha256' }));
    const lines = s.split('\n');
    expect(lines[0]).toContain('curve25519-sha256');
    expect(lines).toHaveLength(1 + 9);
    const a = lines.find((l) => /^\s+A\s/.test(l))!;
    expect(a).toContain('initial IV client→server');
    expect(a).toContain(steps[3]!.value); // 8 bytes: short enough to show whole
    const c = lines.find((l) => /^\s+C\s/.test(l))!;
    expect(c).toContain('encryption key client→server');
    expect(c).toContain(steps[6]!.value.slice(0, 32) + '…');
    expect(s).not.toMatch(/^\s+A\.1/m);
  });

  it('host key check, auth, channel, decision, closed, error', () => {
    expect(formatEvent(ev({ type: 'host-key-check', result: 'changed', fingerprint: 'SHA256:abc', algorithm: 'ssh-ed25519' }))).toMatch(/ssh-ed25519 SHA256:abc: changed .*man-in-the-middle/);
    expect(formatEvent(ev({ type: 'auth', method: 'password', result: 'failure', user: 'bob', continue: ['publickey', 'password'] }, 3))).toBe('[3 auth] auth password for bob: failure (can continue: publickey,password)');
    expect(formatEvent(ev({ type: 'auth', method: 'publickey', result: 'success', user: 'bob' }, 3))).toBe('[3 auth] auth publickey for bob: success');
    const data = new TextEncoder().encode('hi\n');
    expect(formatEvent(ev({ type: 'channel', id: 0, change: 'data', detail: { data } }, 5))).toBe('[5 interactive] channel 0 data 3 bytes "hi\\n"');
    expect(formatEvent(ev({ type: 'channel', id: 0, change: 'exit-status', detail: { status: 3 } }, 5))).toBe('[5 interactive] channel 0 exit-status status 3');
    expect(formatEvent(ev({ type: 'channel', id: 1, change: 'request', detail: { request: 'exec', command: 'ls -l', accepted: true } }, 4))).toBe('[4 session] channel 1 request exec command="ls -l" accepted');
    expect(formatEvent(ev({ type: 'decision', id: 2, kind: 'host-key', detail: { algorithm: 'ssh-ed25519', fingerprint: 'SHA256:x' } }))).toContain('decision #2 host-key: ssh-ed25519 SHA256:x');
    expect(formatEvent(ev({ type: 'closed', reason: 14, message: 'no more' }, 3))).toBe('[3 auth] connection closed (NO_MORE_AUTH_METHODS_AVAILABLE): no more');
    expect(formatEvent(ev({ type: 'error', local: false, message: 'bad mac', reason: 5, field: 'mac', offset: 12 }, 5))).toBe('[5 interactive] peer error (MAC_ERROR): bad mac [mac @12]');
  });

  it('ansi colours only the prefix; without it there are no escapes', () => {
    const e = ev({ type: 'info', message: 'hello' }, 3);
    expect(formatEvent(e)).not.toContain('\x1b');
    const c = formatEvent(e, { ansi: true });
    expect(c).toMatch(/^\x1b\[\d+m\[3 auth\]\x1b\[0m hello$/);
    expect(c.replace(/\x1b\[[0-9;]*m/g, '')).toBe(formatEvent(e));
  });

  it('showSide adds the sequence number and side', () => {
    const e = ev({ type: 'info', message: 'hello' }, 2, 'server');
    expect(formatEvent(e, { showSide: true })).toMatch(new RegExp(`^\\s*${e.seq} server \\[2 kex\\] hello$`));
  });
});

describe('helpers', () => {
  it('shortHex keeps short values and truncates long ones with the byte count', () => {
    expect(shortHex('abcd')).toBe('abcd');
    expect(shortHex('')).toBe('(empty)');
    const long = 'ab'.repeat(40);
    expect(shortHex(long)).toBe(`${long.slice(0, 32)}… (40 bytes)`);
  });
  it('previewData shows text, hides binary', () => {
    expect(previewData(new TextEncoder().encode('ok'))).toBe('"ok"');
    expect(previewData(new Uint8Array([0, 1, 2]))).toBe('<binary>');
  });
  it('summarizeFields inlines nested structs, hides passwords, previews data', () => {
    const w = new Writer({ rootPath: 'payload', rootLabel: 'payload' });
    w.byte('msg', 50).text('user', 'bob').text('method', 'password');
    w.enter('methodFields').boolean('change', false).text('password', 'hunter2').exit();
    const s = summarizeFields(w.tree);
    expect(s).toBe('user="bob" method="password" change=false password=(hidden)');
    expect(s).not.toContain('hunter2');
    const d = new Writer({ rootPath: 'payload', rootLabel: 'payload' });
    d.byte('msg', 94).uint32('recipientChannel', 0).string('data', new TextEncoder().encode('hi\n'));
    expect(summarizeFields(d.tree)).toBe('recipientChannel=0 data=3 bytes "hi\\n"');
  });
  it('summarizeFields skips framing and limits the number of fields', () => {
    const w = new Writer({ rootPath: 'payload', rootLabel: 'payload' });
    w.byte('msg', 94);
    for (let i = 0; i < 12; i++) w.uint32(`f${i}`, i);
    const s = summarizeFields(w.tree, {}, 5);
    expect(s).toBe('f0=0 f1=1 f2=2 f3=3 f4=4');
  });
});

describe('a real in-memory session, narrated', () => {
  it('every event formats; phases 1–5 appear; H matches SHA-256 of its input; the password never shows', () => {
    const password = 'pa55-word-that-must-not-leak';
    const hostKey = generateEd25519((n) => seededEnv('trace-host').randomBytes(n));
    const server = createServer({ hostKeys: [hostKey], users: [{ name: 'amy', password }], env: seededEnv('trace-s') });
    const client = createClient({ username: 'amy', password, env: seededEnv('trace-c'), hostKeyCheck: () => 'known', algorithms: { kex: ['curve25519-sha256'] } });
    let ch = -1;
    const { events } = pumpPair(client, server, (e, from) => {
      if (from === client && e.type === 'auth' && e.result === 'success') ch = client.command({ type: 'open-session' });
      if (from === client && e.type === 'channel' && e.change === 'open') client.command({ type: 'exec', channel: ch, command: 'whoami' });
    });
    const text = events.map((e) => formatEvent(e)).join('\n');
    // one heading per side and phase reached, in increasing order
    const log = formatLog(events.filter((e) => e.side === 'client'));
    const headings = log.split('\n').filter((l) => l.startsWith('── Phase'));
    expect(headings.slice(0, 4)).toEqual([1, 2, 3, 4].map((p) => phaseHeading(p as Phase)));
    for (const p of ['[1 version]', '[2 kex]', '[3 auth]', '[4 session]']) expect(text).toContain(p);
    expect(text).not.toContain(password);
    expect(text).not.toContain(hex(new TextEncoder().encode(password)));
    for (const e of events) expect(formatEvent(e)).toMatch(/^\[[1-5] [a-z]+\] \S/);
    const hEvents = events.filter((e): e is Extract<SshEvent, { type: 'exchange-hash' }> => e.type === 'exchange-hash');
    expect(hEvents.length).toBeGreaterThan(0);
    for (const e of hEvents) {
      const h = createHash('sha256').update(e.input).digest('hex');
      expect(hex(e.H)).toBe(h);
      expect(formatEvent(e)).toContain(h.slice(0, 32));
    }
  });
});

