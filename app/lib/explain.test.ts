// Engine-made English gets a 简体中文 rendering where the text is ours (issue 4 item: engine detail
// strings translated). The templates are checked against messages the engine really produces.

import { describe, expect, it } from 'vitest';
import { disconnectReason, explainEvent, translateDetail } from './explain.ts';
import { DEFAULT_SCENARIO, runScenario } from './scenario.ts';
import { buildSteps } from './steps.ts';
import { DISCONNECT_REASON } from '../../engine/index.ts';

const hasHan = (s: string) => /\p{Script=Han}/u.test(s);
const asciiWords = (s: string) => (s.match(/\b[a-z]{4,}\b/g) ?? []).filter((w) => !['none', 'publickey', 'password', 'alice', 'authorized_keys', 'keys'].includes(w));

describe('engine detail strings in 简体中文', () => {
  it('every auth detail and note of a password and a publickey session is translated', () => {
    for (const auth of ['password', 'publickey'] as const) {
      const steps = buildSteps(runScenario({ ...DEFAULT_SCENARIO, auth }).events);
      for (const st of steps) {
        const e = st.event;
        const text = e.type === 'auth' ? e.detail : e.type === 'info' ? e.message : e.type === 'error' || e.type === 'closed' ? e.message : undefined;
        if (!text) continue;
        const zh = translateDetail(text, 'zh');
        expect(zh, text).not.toBe(text);
        expect(hasHan(zh), text).toBe(true);
        expect(explainEvent(e, 'zh').body, text).not.toContain(text);
      }
    }
  });

  it('a tampered byte ends with MAC_ERROR, explained in both languages with the reason code', () => {
    const plain = runScenario(DEFAULT_SCENARIO);
    const run = runScenario({ ...DEFAULT_SCENARIO, tamper: { dir: 'c2s', offset: plain.streams.c2s.length - 40 } });
    const steps = buildSteps(run.events);
    const err = steps.map((s) => s.event).find((e) => e.type === 'error');
    expect(err).toBeDefined();
    if (err?.type !== 'error') return;
    expect(err.reason).toBe(DISCONNECT_REASON.MAC_ERROR);
    const en = explainEvent(err, 'en').body;
    const zh = explainEvent(err, 'zh').body;
    expect(en).toContain('SSH_DISCONNECT_MAC_ERROR');
    expect(en).toContain(err.message);
    expect(zh).toContain('SSH_DISCONNECT_MAC_ERROR');
    expect(zh).toMatch(/数据包已损坏：.*MAC 不匹配/);
    expect(asciiWords(zh.replace(/SSH_\w+|hmac[\w@.-]*|aes[\w@.-]*|chacha[\w@.-]*/g, ''))).toEqual([]);
  });

  it('wrapped messages translate inside out; the peer’s own text stays as sent', () => {
    expect(translateDetail('peer disconnected: corrupted packet: hmac-sha2-256: MAC mismatch on packet 3', 'zh')).toBe('对方断开了连接：数据包已损坏：hmac-sha2-256：第 3 个数据包的 MAC 不匹配');
    expect(translateDetail('peer disconnected: Too many authentication failures', 'zh')).toBe('对方断开了连接：Too many authentication failures');
    expect(translateDetail('anything', 'en')).toBe('anything');
  });

  it('every disconnect reason code of RFC 4253 §11.1 has both languages', () => {
    for (const code of Object.values(DISCONNECT_REASON)) {
      expect(disconnectReason(code, 'en')).toMatch(new RegExp(`^Reason ${code} \\(SSH_DISCONNECT_`));
      expect(hasHan(disconnectReason(code, 'zh'))).toBe(true);
    }
    expect(disconnectReason(undefined, 'zh')).toBe('');
  });
});
