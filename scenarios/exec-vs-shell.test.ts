// Scenario 10 (exec vs shell, pty vs no pty) runs headless; its claims are checked against the
// CHANNEL_REQUEST payloads on the wire, parsed here independently (RFC 4254 §6.2, §6.5, §6.10),
// and against the bytes that went in and came out of the channel.

import { describe, expect, it } from 'vitest';
import type { SshEvent } from '../engine/events.ts';
import { findScenario, runScenario } from './index.ts';

type Packet = Extract<SshEvent, { type: 'packet' }>;

/** Channel requests of one connection: [direction, request type, fields]. */
function requests(events: SshEvent[]): { dir: string; type: string; command?: string; term?: string; status?: number }[] {
  const out: { dir: string; type: string; command?: string; term?: string; status?: number }[] = [];
  for (const e of events) {
    if (e.type !== 'packet' || e.side !== 'client' || (e as Packet).msg !== 'SSH_MSG_CHANNEL_REQUEST') continue;
    const b = Buffer.from((e as Packet).payload);
    let o = 5; // byte 98, uint32 recipient channel
    const str = () => {
      const n = b.readUInt32BE(o);
      const s = b.subarray(o + 4, o + 4 + n).toString('latin1');
      o += 4 + n;
      return s;
    };
    const type = str();
    o += 1; // want reply
    const r: { dir: string; type: string; command?: string; term?: string; status?: number } = { dir: (e as Packet).dir, type };
    if (type === 'exec') r.command = str();
    if (type === 'pty-req') r.term = str();
    if (type === 'exit-status') r.status = b.readUInt32BE(o);
    out.push(r);
  }
  return out;
}

const latin1 = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

describe('scenario 10: exec vs shell, pty vs no pty (RFC 4254 §6)', () => {
  const s = findScenario('exec-vs-shell')!;
  const run = runScenario(s);
  const step = (i: number) => run.outcome.steps[i]!;
  const reqs = (i: number) => requests(step(i).events).map((r) => `${r.dir} ${r.type}${r.command !== undefined ? ` ${r.command}` : ''}${r.term ? ` ${r.term}` : ''}${r.status !== undefined ? ` ${r.status}` : ''}`);

  it('every step behaves as the scenario says', () => {
    expect(run.outcome.asExpected).toBe(true);
  });

  it('ssh host cmd: exec with the command line, no pty-req; exit-status 3 comes back', () => {
    expect(reqs(1)).toEqual(['c2s exec echo hello; exit 3', 's2c exit-status 3']);
    expect(step(1).login!.stdout).toBe('hello\n');
    expect(step(1).login!.exitStatus).toBe(3);
  });

  it('ssh host at a terminal: pty-req then shell; the server echoes, prompts and writes CR LF', () => {
    expect(reqs(2)).toEqual(['c2s pty-req xterm-256color', 'c2s shell', 's2c exit-status 0']);
    const out = step(2).login!.stdout;
    expect(out).toContain('alice@server:~$ echo hi\r\nhi\r\n');
    expect(out).not.toMatch(/[^\r]\n/);
  });

  it('ssh -T host: shell without pty-req; plain lines, no prompt, no echo', () => {
    expect(reqs(3)).toEqual(['c2s shell', 's2c exit-status 0']);
    expect(step(3).login!.stdout).toBe('hi\nalice\n');
  });

  it('ssh -t host cat: the pty turns Ctrl-C into an interrupt; what followed never arrives', () => {
    expect(reqs(4)).toEqual(['c2s pty-req xterm-256color', 'c2s exec cat', 's2c exit-status 130']);
    const out = Buffer.from(step(4).login!.stdoutBytes).toString('latin1');
    expect(out).toBe('hello\r\nhello\r\n^C\r\n');
    expect(out).not.toContain('~.');
  });

  it('ssh host cat without a pty: the same bytes come back unchanged (binary-transparent), ~. included', () => {
    expect(reqs(5)).toEqual(['c2s exec cat', 's2c exit-status 0']);
    const sent = latin1('hello\r\x03more\n~.\n');
    expect(step(5).login!.stdoutBytes).toEqual(sent);
    // and those bytes really travelled as channel data from the client
    const data = step(5)
      .events.filter((e): e is Packet => e.type === 'packet' && e.side === 'client' && e.dir === 'c2s' && e.msg === 'SSH_MSG_CHANNEL_DATA')
      .map((p) => Buffer.from(p.payload).subarray(9));
    expect(new Uint8Array(Buffer.concat(data))).toEqual(sent);
  });

  it('every highlighted message occurs in its step, in both languages the narration is complete', () => {
    for (const [i, st] of s.steps.entries()) {
      for (const m of st.highlight ?? []) expect(step(i).events.some((e) => e.type === 'packet' && (e as Packet).msg === m), `${i} ${m}`).toBe(true);
      expect(st.narration.en.length).toBeGreaterThan(40);
      expect(st.narration.zh.length).toBeGreaterThan(20);
    }
  });
});
