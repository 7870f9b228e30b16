import { describe, expect, it } from 'vitest';
import { scenario } from './scenario.ts';
import { SCENARIOS } from '../scenarios/index.ts';

function io() {
  let out = '';
  let err = '';
  return { io: { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } }, out: () => out, err: () => err };
}

describe('sshscope scenario', () => {
  it('list shows every id and title, in both languages', () => {
    for (const lang of ['en', 'zh'] as const) {
      const c = io();
      expect(scenario(['list', '--lang', lang], c.io)).toBe(0);
      for (const s of SCENARIOS) {
        expect(c.out()).toContain(s.id);
        expect(c.out()).toContain(s.title[lang]);
      }
    }
  });

  it('run prints the narrated transcript in the chosen language', () => {
    const c = io();
    expect(scenario(['run', 'password-login', '--lang=zh'], c.io)).toBe(0);
    expect(c.out()).toContain('密码登录');
    expect(c.out()).toContain('认证 password：失败 (publickey,password)');
    const e = io();
    expect(scenario(['run', 'password-login'], e.io)).toBe(0);
    expect(e.out()).toContain('auth password: failure (publickey,password)');
    expect(e.out()).toContain('Too many authentication failures');
  });

  it('--json prints one event per line with bytes as hex', () => {
    const c = io();
    expect(scenario(['run', 'tampering', '--json'], c.io)).toBe(0);
    const lines = c.out().trimEnd().split('\n');
    const events = lines.map((l) => JSON.parse(l) as { type: string; step: number; conn: number; wire?: unknown; reason?: number; side: string });
    expect(events.length).toBeGreaterThan(20);
    const pkt = events.find((e) => e.type === 'packet')!;
    expect(typeof pkt.wire).toBe('string');
    expect(pkt.wire as string).toMatch(/^([0-9a-f]{2})+$/);
    expect(events.some((e) => e.type === 'error' && e.side === 'server' && e.reason === 5)).toBe(true);
    expect(new Set(events.map((e) => e.conn))).toEqual(new Set([0, 1]));
  });

  it('usage errors exit 2', () => {
    const c = io();
    expect(scenario(['run', 'nope'], c.io)).toBe(2);
    expect(c.err()).toContain('no scenario "nope"');
    expect(scenario(['run'], c.io)).toBe(2);
    expect(scenario(['list', '--lang', 'fr'], c.io)).toBe(2);
    expect(scenario(['--help'], c.io)).toBe(0);
  });
});
