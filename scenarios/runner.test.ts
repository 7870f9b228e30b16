import { describe, expect, it } from 'vitest';
import { SCENARIOS, findScenario, runScenario } from './index.ts';
import type { Text } from './types.ts';

const CJK = /[\u4e00-\u9fff]/;
const bilingual = (t: Text | undefined) => !!t && t.en.trim().length > 0 && t.zh.trim().length > 0 && CJK.test(t.zh) && /[A-Za-z]/.test(t.en);

describe('scenario catalogue', () => {
  it('every title, summary and step narration has English and 简体中文', () => {
    const missing: string[] = [];
    for (const s of SCENARIOS) {
      if (!bilingual(s.title)) missing.push(`${s.id}: title`);
      if (!bilingual(s.summary)) missing.push(`${s.id}: summary`);
      s.steps.forEach((st, i) => {
        if (!bilingual(st.narration)) missing.push(`${s.id}: step ${i + 1}`);
      });
    }
    expect(missing).toEqual([]);
  });

  it('ids are unique kebab-case and every scenario cites an RFC or OpenSSH section', () => {
    const ids = SCENARIOS.map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const s of SCENARIOS) {
      expect(s.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(s.rfc.length).toBeGreaterThan(0);
      for (const r of s.rfc) expect(r).toMatch(/^(RFC \d+ §[\d.]+|OpenSSH PROTOCOL.*)$/);
    }
  });

  it('the runner is deterministic: the same scenario gives the same bytes', () => {
    const s = findScenario('copy-id-first-login')!;
    const a = runScenario(s);
    const b = runScenario(s);
    const wires = (r: typeof a) => r.events.flatMap((e) => (e.type === 'packet' ? [Buffer.from(e.wire).toString('hex')] : []));
    expect(wires(a).length).toBeGreaterThan(20);
    expect(wires(a)).toEqual(wires(b));
    expect(a.narration).toEqual(b.narration);
  });

  it('narrates in the requested language, one entry per step', () => {
    const s = findScenario('password-login')!;
    const zh = runScenario(s, { lang: 'zh' });
    expect(zh.narration.length).toBe(s.steps.length);
    expect(zh.narration[0]).toContain(s.steps[0]!.narration.zh);
    const en = runScenario(s, { lang: 'en' });
    expect(en.narration[0]).toContain(s.steps[0]!.narration.en);
  });

  it('every event is tagged with its step and connection', () => {
    const r = runScenario(findScenario('host-key-changed')!);
    expect(new Set(r.events.map((e) => e.step))).toEqual(new Set([0, 2]));
    expect(new Set(r.events.map((e) => e.conn))).toEqual(new Set([0, 1]));
  });

  it('records every connection once, with its step, accounts and the files as they were', () => {
    const r = runScenario(findScenario('mutual-trust')!);
    const conns = [...new Set(r.events.map((e) => e.conn))];
    expect(r.connections.map((c) => c.conn)).toEqual(conns);
    for (const c of r.connections) expect(new Set(r.events.filter((e) => e.conn === c.conn).map((e) => e.step))).toEqual(new Set([c.step]));
    // The first trust matrix (step 4): node-a → node-b knows node-b's host key; node-b → node-a does not know node-a's.
    const m = r.connections.filter((c) => c.step === 3);
    expect(m.map((c) => `${c.from.host}>${c.to.host}`)).toEqual(['node-a>node-b', 'node-b>node-a']);
    expect(m[0]!.knownHosts).toContain('node-b ssh-ed25519 ');
    expect(m[1]!.knownHosts).toBe('');
    expect(m[0]!.authorizedKeys).toContain(r.outcome.steps[0]!.identity!.publicLine);
    expect(m[1]!.authorizedKeys).toBe('');
  });

  it('every highlighted message really occurs in its step', () => {
    const missing: string[] = [];
    for (const s of SCENARIOS) {
      if (!s.steps.some((st) => st.highlight)) continue;
      const r = runScenario(s);
      s.steps.forEach((st, i) => {
        const seen = new Set(r.outcome.steps[i]!.events.flatMap((e) => (e.type === 'packet' ? [e.msg] : [])));
        for (const h of st.highlight ?? []) if (!seen.has(h)) missing.push(`${s.id} step ${i + 1}: ${h}`);
      });
    }
    expect(missing).toEqual([]);
  });
});
