// The teaching docs (docs/phases, misconceptions, glossary, teachers-guide) come in English and
// 简体中文, cite RFC sections, and only name scenarios that exist.

import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { SCENARIOS } from './index.ts';

const docs = new URL('../docs/', import.meta.url);
const read = (name: string) => readFileSync(new URL(name, docs), 'utf8');
const english = ['misconceptions.md', 'glossary.md', 'teachers-guide.md', 'terrapin.md', 'port-forwarding.md', ...readdirSync(new URL('phases/', docs)).filter((f) => f.endsWith('.md') && !f.endsWith('.zh.md')).map((f) => `phases/${f}`)];

// Back-quoted words that look like scenario ids but are event types or commands.
const NOT_SCENARIOS = new Set(['host-key-check']);

describe('teaching docs', () => {
  it('all five phase pages exist', () => {
    expect(english.filter((f) => f.startsWith('phases/')).sort()).toEqual(['phases/1-version.md', 'phases/2-kex.md', 'phases/3-auth.md', 'phases/4-session-request.md', 'phases/5-session.md']);
  });

  it('every page has a 简体中文 twin, both cite RFC sections, and they link to each other', () => {
    for (const en of english) {
      const zh = en.replace(/\.md$/, '.zh.md');
      expect(existsSync(new URL(zh, docs)), zh).toBe(true);
      const e = read(en);
      const z = read(zh);
      expect(e).toMatch(/RFC \d+ §\d/);
      expect(z).toMatch(/RFC \d+ §\d/);
      expect(z).toMatch(/[\u4e00-\u9fff]/);
      expect(e).toContain(zh.split('/').pop()!);
      expect(z).toContain(en.split('/').pop()!);
      // The same RFC sections are cited in both languages.
      const cites = (t: string) => new Set(t.match(/RFC \d+ §[\d.]+/g));
      expect(cites(z), en).toEqual(cites(e));
    }
  });

  it('scenario ids named in the docs exist', () => {
    const ids = new Set(SCENARIOS.map((s) => s.id));
    for (const en of english) {
      for (const f of [en, en.replace(/\.md$/, '.zh.md')]) {
        for (const m of read(f).matchAll(/`([a-z0-9]+(?:-[a-z0-9]+)+)`/g)) {
          const name = m[1]!;
          if (/^(five|password|publickey|ssh-keygen|copy-id|mutual|host-key|auth-failures|no-common|tampering|inside-key|terrapin|port-forwarding)/.test(name) && !NOT_SCENARIOS.has(name)) expect(ids.has(name), `${f}: ${name}`).toBe(true);
        }
      }
    }
  });

  it('the misconceptions page corrects the four classic errors', () => {
    const m = read('misconceptions.md');
    for (const needle of ['RFC 4432', 'RFC 4253 §7.2', 'RFC 4252 §7', 'session identifier', 'during', 'known_hosts', 'both']) expect(m).toContain(needle);
  });
});
