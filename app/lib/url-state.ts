// The URL holds the scenario, the seed, the cursor and the view, so a link reopens the same step.
// Pure parse/format of URLSearchParams.

import { CIPHER_CHOICES, DEFAULT_SCENARIO, KEX_CHOICES, MAC_CHOICES, type ScenarioConfig } from './scenario.ts';
import type { Lang } from './i18n.ts';

export const VIEWS = ['packets', 'negotiation', 'keys', 'auth', 'hosts', 'terminal'] as const;
export type ViewName = (typeof VIEWS)[number];

export interface UrlState {
  config: ScenarioConfig;
  step: number;
  view: ViewName | null;
  lang: Lang | null;
  /** A lesson (scenarios/catalog) and its step, when the page shows one. */
  lesson?: { id: string; step: number } | null;
}

const USER_RE = /^[A-Za-z0-9._-]{1,32}$/;
const LESSON_RE = /^[a-z0-9-]{1,40}$/;

export function parseUrlState(search: string): UrlState {
  const q = new URLSearchParams(search);
  const auth = q.get('scenario') ?? q.get('auth');
  const cipher = q.get('cipher');
  const kex = q.get('kex');
  const mac = q.get('mac');
  const user = q.get('user');
  const seed = q.get('seed');
  const view = q.get('view');
  const lang = q.get('lang');
  const step = Number(q.get('step') ?? '0');
  const t = /^(c2s|s2c):(\d{1,7})$/.exec(q.get('tamper') ?? '');
  const lessonId = q.get('lesson');
  const lstep = Number(q.get('lstep') ?? '0');
  return {
    config: {
      ...DEFAULT_SCENARIO,
      auth: auth === 'publickey' || auth === 'password' ? auth : DEFAULT_SCENARIO.auth,
      kex: kex && KEX_CHOICES.includes(kex) ? kex : DEFAULT_SCENARIO.kex,
      cipher: cipher && CIPHER_CHOICES.includes(cipher) ? cipher : DEFAULT_SCENARIO.cipher,
      mac: mac && MAC_CHOICES.includes(mac) ? mac : DEFAULT_SCENARIO.mac,
      user: user && USER_RE.test(user) ? user : DEFAULT_SCENARIO.user,
      seed: seed && seed.length <= 64 ? seed : DEFAULT_SCENARIO.seed,
      tamper: t ? { dir: t[1] as 'c2s' | 's2c', offset: Number(t[2]) } : null,
    },
    step: Number.isInteger(step) && step >= 0 ? step : 0,
    view: (VIEWS as readonly string[]).includes(view ?? '') ? (view as ViewName) : null,
    lang: lang === 'zh' || lang === 'en' ? lang : null,
    lesson: lessonId && LESSON_RE.test(lessonId) ? { id: lessonId, step: Number.isInteger(lstep) && lstep >= 0 ? lstep : 0 } : null,
  };
}

export function formatUrlState(s: UrlState): string {
  const q = new URLSearchParams();
  q.set('scenario', s.config.auth);
  q.set('kex', s.config.kex);
  q.set('cipher', s.config.cipher);
  q.set('mac', s.config.mac);
  q.set('user', s.config.user);
  q.set('seed', s.config.seed);
  if (s.config.tamper) q.set('tamper', `${s.config.tamper.dir}:${s.config.tamper.offset}`);
  q.set('step', String(s.step));
  if (s.view) q.set('view', s.view);
  if (s.lang) q.set('lang', s.lang);
  if (s.lesson) {
    q.set('lesson', s.lesson.id);
    q.set('lstep', String(s.lesson.step));
  }
  return `?${q.toString()}`;
}
