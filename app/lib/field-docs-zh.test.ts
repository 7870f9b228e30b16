import { describe, expect, it } from 'vitest';
import { DEFAULT_SCENARIO, runScenario } from './scenario.ts';
import { flattenTree } from './hex.ts';
import { fieldDoc, translatedShare } from './field-docs-zh.ts';

function sessionDocs(): string[] {
  const docs = new Set<string>();
  for (const auth of ['password', 'publickey'] as const) {
    for (const e of runScenario({ ...DEFAULT_SCENARIO, auth }).events) if (e.type === 'packet') for (const n of flattenTree(e.tree)) if (n.doc) docs.add(n.doc);
  }
  return [...docs];
}

describe('Chinese field docs', () => {
  const docs = sessionDocs();

  it('cover the field docs of the teaching sessions', () => {
    // the docs are the engine's (engine/wire/messages-table.ts): a new or reworded doc shows in
    // English until it is translated here; this keeps the gap small without freezing the engine
    const missing = docs.filter((d) => fieldDoc(d, 'zh') === d);
    expect(translatedShare(docs), `untranslated:\n${missing.join('\n')}`).toBeGreaterThanOrEqual(0.9);
  });

  it('translate "Message number" docs with the message doc', () => {
    const kexinit = docs.find((d) => d.startsWith('Message number 20:'));
    expect(kexinit).toBeTruthy();
    const zh = fieldDoc(kexinit!, 'zh');
    expect(zh).toMatch(/^消息编号 20：SSH_MSG_KEXINIT/);
    expect(zh).toMatch(/\p{Script=Han}{8,}/u);
    expect(fieldDoc(kexinit!, 'en')).toBe(kexinit);
  });
});
