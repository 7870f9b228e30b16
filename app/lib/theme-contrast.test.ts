// Contrast of both themes (WCAG 2.1): text colours ≥ 4.5:1 against the page and panel backgrounds
// (1.4.3), focus rings, phase colours and outlines ≥ 3:1 (1.4.11 non-text contrast). Read from
// app/style.css itself, so a colour change that hurts legibility at a projector fails here.

import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';

const css = readFileSync(new URL('../style.css', import.meta.url), 'utf8');

function block(selector: string): Record<string, string> {
  const at = css.indexOf(`${selector} {`);
  if (at < 0) throw new Error(`no ${selector} block in style.css`);
  const body = css.slice(at, css.indexOf('}', at));
  return Object.fromEntries([...body.matchAll(/--([a-z0-9-]+):\s*(#[0-9a-f]{6})\s*;/gi)].map((m) => [m[1]!, m[2]!]));
}

const light = block(':root');
const themes = { light, dark: { ...light, ...block(":root[data-theme='dark']") } };

function luminance(hex: string): number {
  const c = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((v) => (v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
  return 0.2126 * c[0]! + 0.7152 * c[1]! + 0.0722 * c[2]!;
}

function contrast(a: string, b: string): number {
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
  return (x! + 0.05) / (y! + 0.05);
}

describe('theme contrast', () => {
  it('the formula: black on white is 21:1, a colour on itself 1:1', () => {
    expect(contrast('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrast('#777777', '#777777')).toBe(1);
  });

  for (const [name, v] of Object.entries(themes)) {
    it(`${name}: text colours ≥ 4.5:1 on the page, panels and the client/server lanes`, () => {
      const low: string[] = [];
      for (const fg of ['text', 'muted', 'accent', 'client', 'server', 'enc']) {
        for (const bg of ['bg', 'panel', 'panel-2']) if (contrast(v[fg]!, v[bg]!) < 4.5) low.push(`${fg} on ${bg}: ${contrast(v[fg]!, v[bg]!).toFixed(2)}`);
      }
      for (const [fg, bg] of [['text', 'client-bg'], ['text', 'server-bg'], ['text', 'hover'], ['hl-text', 'hl'], ['accent-contrast', 'accent']]) {
        if (contrast(v[fg!]!, v[bg!]!) < 4.5) low.push(`${fg} on ${bg}: ${contrast(v[fg!]!, v[bg!]!).toFixed(2)}`);
      }
      expect(low).toEqual([]);
    });

    it(`${name}: focus ring, selection outline and the five phase colours ≥ 3:1 on the page and panels`, () => {
      const low: string[] = [];
      for (const fg of ['focus', 'sel-outline', 'phase-1', 'phase-2', 'phase-3', 'phase-4', 'phase-5']) {
        for (const bg of ['bg', 'panel', 'panel-2']) if (contrast(v[fg]!, v[bg]!) < 3) low.push(`${fg} on ${bg}: ${contrast(v[fg]!, v[bg]!).toFixed(2)}`);
      }
      expect(low).toEqual([]);
    });
  }
});
