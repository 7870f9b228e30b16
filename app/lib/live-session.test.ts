import { describe, expect, it } from 'vitest';
import { LiveSession } from './live-session.ts';
import { DEFAULT_SCENARIO } from './scenario.ts';
import { buildSteps } from './steps.ts';

describe('live terminal session', () => {
  it('logs in, opens a pty shell, and every keystroke travels as channel data', () => {
    let out = '';
    const dec = new TextDecoder();
    const live = new LiveSession(DEFAULT_SCENARIO, { cols: 80, rows: 24 });
    live.onOutput = (d) => (out += dec.decode(d));
    const before = live.events.length;
    expect(live.events.some((e) => e.type === 'channel' && e.change === 'request' && (e.detail as { request?: string }).request === 'shell')).toBe(true);
    for (const ch of 'echo hi\r') live.send(ch);
    // the pty echoes what was typed, then the command's output
    expect(out).toContain('echo hi');
    expect(out).toMatch(/\r\nhi\r\n/);
    const typed = buildSteps(live.events.slice(before)).filter((s) => s.event.type === 'packet' && s.event.dir === 'c2s' && s.event.msg === 'SSH_MSG_CHANNEL_DATA');
    expect(typed).toHaveLength('echo hi\r'.length);
    live.send('exit\r');
    expect(live.closed).toBe(true);
  });

  const requests = (live: LiveSession) =>
    live.events.filter((e) => e.side === 'client' && e.type === 'packet' && e.dir === 'c2s' && e.msg === 'SSH_MSG_CHANNEL_REQUEST').map((e) => JSON.stringify((e as { tree: unknown }).tree).match(/"(pty-req|shell|exec)"/)?.[1]);
  const text = (live: LiveSession) => live.output.map((d) => new TextDecoder().decode(d)).join('');

  it('ssh -T: a shell without pty-req; lines in, no echo or prompt; EOF ends it', () => {
    const live = new LiveSession(DEFAULT_SCENARIO, { cols: 80, rows: 24 }, { pty: false, command: null });
    expect(requests(live)).toEqual(['shell']);
    live.send('echo hi\n');
    expect(text(live)).toBe('hi\n');
    live.eof();
    expect(live.closed).toBe(true);
  });

  it('ssh host cmd: exec without a pty; the output and the end come by themselves', () => {
    const live = new LiveSession(DEFAULT_SCENARIO, { cols: 80, rows: 24 }, { pty: false, command: 'echo one; echo two' });
    expect(requests(live)).toEqual(['exec']);
    expect(text(live)).toBe('one\ntwo\n');
    expect(live.closed).toBe(true);
  });

  it('ssh -t host cat: pty-req then exec; the pty echoes and turns Ctrl-C into an interrupt', () => {
    const live = new LiveSession(DEFAULT_SCENARIO, { cols: 80, rows: 24 }, { pty: true, command: 'cat' });
    expect(requests(live)).toEqual(['pty-req', 'exec']);
    for (const ch of 'hi\r') live.send(ch);
    expect(text(live)).toBe('hi\r\nhi\r\n');
    live.send('\x03');
    expect(live.closed).toBe(true);
    expect(live.events.some((e) => e.type === 'channel' && e.change === 'exit-status' && (e.detail as { status: number }).status === 130)).toBe(true);
  });
});
