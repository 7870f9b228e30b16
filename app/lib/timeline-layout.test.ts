import { describe, expect, it } from 'vitest';
import { baseY, noteLabel, NOTE_WORDS, phaseBands } from './timeline-layout.ts';
import { DEFAULT_SCENARIO, runScenario } from './scenario.ts';
import { buildSteps } from './steps.ts';
import { translate } from './i18n.ts';

describe('timeline layout', () => {
  const steps = buildSteps(runScenario({ ...DEFAULT_SCENARIO, auth: 'publickey' }).events);

  it('notes are in 简体中文 down to their words (results, methods, channel changes)', () => {
    for (const w of NOTE_WORDS) expect(/\p{Script=Han}/u.test(w.zh), w.en).toBe(true);
    const notes = steps.filter((s) => !['packet', 'version', 'info'].includes(s.event.type)).map((s) => noteLabel(s, (k, p) => translate('zh', k, p), 'zh'));
    expect(notes.length).toBeGreaterThan(5);
    for (const n of notes) expect(n, n).not.toMatch(/\b(unknown|success|failure|pk-ok|publickey|password|exit-status|window-adjust|eof|close)\b/);
    expect(notes.some((n) => n.includes('公钥可用'))).toBe(true);
  });

  it('bands cover every step once, in phase order; the scale inverts to step indexes', () => {
    const bands = phaseBands(steps);
    expect(bands[0]!.from).toBe(0);
    expect(bands.at(-1)!.to).toBe(steps.length - 1);
    for (let i = 1; i < bands.length; i++) {
      expect(bands[i]!.from).toBe(bands[i - 1]!.to + 1);
      expect(bands[i]!.phase).toBeGreaterThan(bands[i - 1]!.phase);
    }
    const y = baseY(10_000);
    for (const i of [0, 17, 9_999]) expect(Math.round(y.invert(y(i)))).toBe(i);
  });
});
