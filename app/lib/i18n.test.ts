import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fill, LANGS, STRINGS, translate, type Bilingual } from './i18n.ts';
import { allExplanationTexts, explainEvent } from './explain.ts';
import { DEFAULT_SCENARIO, runScenario } from './scenario.ts';
import { buildSteps } from './steps.ts';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
const hasHan = (s: string) => /\p{Script=Han}/u.test(s);

function checkBilingual(where: string, b: Bilingual): void {
  for (const lang of LANGS) expect(b[lang]?.trim(), `${where}: missing ${lang}`).toBeTruthy();
  expect(placeholders(b.zh), `${where}: placeholders differ`).toEqual(placeholders(b.en));
}

const appDir = fileURLToPath(new URL('..', import.meta.url));
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? sources(join(dir, d.name)) : /\.(svelte|ts)$/.test(d.name) && !d.name.endsWith('.test.ts') ? [join(dir, d.name)] : []));
}

describe('every label has its translation', () => {
  it('each UI string has English and 简体中文 with the same placeholders', () => {
    for (const [k, v] of Object.entries(STRINGS)) checkBilingual(k, v);
  });

  it('Chinese strings are Chinese (not an English copy) unless they are names or symbols', () => {
    const sameAllowed = /^[\w\s→←·…:()./={}-]*$/; // algorithm names, arrows, 'MAC C→S'
    for (const [k, v] of Object.entries(STRINGS)) {
      if (v.zh === v.en) expect(sameAllowed.test(v.en), `${k} is not translated`).toBe(true);
      else if (k !== 'ctl.lang') expect(hasHan(v.zh) || sameAllowed.test(v.zh), `${k}: zh has no Chinese`).toBe(true);
    }
  });

  it('each explanation text has both languages', () => {
    const texts = allExplanationTexts();
    expect(texts.length).toBeGreaterThan(60);
    texts.forEach((t, i) => checkBilingual(`explanation ${i} (${t.en.slice(0, 30)})`, t));
  });

  it('every key the components use exists in the table', () => {
    const used = new Set<string>();
    for (const file of sources(appDir)) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/\bt\(\s*'([\w.-]+)'/g)) used.add(m[1]!);
    }
    expect(used.size).toBeGreaterThan(50);
    for (const k of used) expect(Object.hasOwn(STRINGS, k), `unknown string key ${k}`).toBe(true);
  });

  it('fills placeholders', () => {
    expect(translate('en', 'step.counter', { n: 3, total: 9 })).toBe('Step 3 of 9');
    expect(translate('zh', 'step.counter', { n: 3, total: 9 })).toBe('第 3 步，共 9 步');
    expect(fill('{a} {b}', { a: 1 })).toBe('1 {b}');
  });

  it('chooses English singular or plural with {n|one|other}', () => {
    expect(translate('en', 'open.summary', { name: 'a.pcap', format: 'pcap', frames: 1, n: 1 })).toBe('a.pcap: pcap, 1 frame, 1 SSH connection');
    expect(translate('en', 'open.summary', { name: 'a.pcap', format: 'pcap', frames: 40, n: 2 })).toBe('a.pcap: pcap, 40 frames, 2 SSH connections');
    expect(translate('en', 'packets.bytes', { n: 0 })).toBe('0 bytes');
    expect(translate('en', 'open.stream.opaque', { n: 1 })).toBe('1 packet stays encrypted (no key)');
    expect(translate('zh', 'open.summary', { name: 'a.pcap', format: 'pcap', frames: 1, n: 1 })).toBe('a.pcap：pcap，1 帧，1 个 SSH 连接');
    expect(fill('{n|one|other}', {})).toBe('{n|one|other}');
    // no English string may keep a bare plural noun after a count that can be 1
    for (const [key, b] of Object.entries(STRINGS) as [string, Bilingual][]) expect(b.en, key).not.toMatch(/\{(n|frames|packets|events)\} (bytes|packets|frames|steps|events|keys|connections)\b/);
  });

  it('explains every step of a session in both languages, with an RFC for packets', () => {
    for (const auth of ['password', 'publickey'] as const) {
      const steps = buildSteps(runScenario({ ...DEFAULT_SCENARIO, auth }).events);
      for (const s of steps) {
        const en = explainEvent(s.event, 'en');
        const zh = explainEvent(s.event, 'zh');
        expect(en.title, `step ${s.index}`).toBeTruthy();
        expect(zh.title).toBeTruthy();
        expect(en.title).not.toMatch(/\{\w+\}/);
        expect(zh.body).not.toMatch(/\{\w+\}/);
        if (s.event.type === 'packet') expect(en.rfc, s.event.msg).toMatch(/RFC \d+|PROTOCOL/);
        // every title is translated (an engine note without a translation falls back to the side's name)
        expect(hasHan(zh.title), `step ${s.index} (${s.event.type}) has no Chinese title: ${zh.title}`).toBe(true);
      }
    }
  });
});
