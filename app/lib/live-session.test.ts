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
});
