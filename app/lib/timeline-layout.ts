// Geometry of the sequence diagram: one row per step, arrows between the client and server
// lanes for packets, phase bands behind. d3 computes, Svelte draws (DESIGN.md "App").

import { scaleLinear, type ScaleLinear } from 'd3';
import type { Phase } from '../../engine/index.ts';
import type { Step } from './steps.ts';
import type { Bilingual, Lang, StringKey } from './i18n.ts';
import { pick } from './i18n.ts';
import { channelChangeName } from './explain.ts';

type T = (key: StringKey, params?: Record<string, string | number>) => string;

export interface Band {
  phase: Phase;
  from: number;
  to: number;
}

export const ROW = 30;
export const TOP = 52;

/** Contiguous runs of the phase reached so far (a brief phase-4/5 interleave stays in one band). */
export function phaseBands(steps: readonly Step[]): Band[] {
  const bands: Band[] = [];
  let reached: Phase = 1;
  for (const s of steps) {
    if (s.phase > reached) reached = s.phase;
    const last = bands[bands.length - 1];
    if (last && last.phase === reached) last.to = s.index;
    else bands.push({ phase: reached, from: s.index, to: s.index });
  }
  return bands;
}

/** Base y scale: step index → pixel (before zoom). */
export function baseY(count: number, row = ROW): ScaleLinear<number, number> {
  return scaleLinear().domain([0, Math.max(1, count)]).range([TOP, TOP + Math.max(1, count) * row]);
}

/** The words the notes put in their templates (host-key result, auth method and result). */
const WORDS: Record<string, Bilingual> = {
  known: { en: 'known', zh: '已知' },
  unknown: { en: 'unknown', zh: '未知' },
  changed: { en: 'CHANGED', zh: '已变化' },
  accepted: { en: 'accepted', zh: '已接受' },
  rejected: { en: 'rejected', zh: '已拒绝' },
  success: { en: 'success', zh: '成功' },
  failure: { en: 'failure', zh: '失败' },
  partial: { en: 'partial success', zh: '部分成功' },
  'pk-ok': { en: 'pk-ok', zh: '公钥可用' },
  attempt: { en: 'checking', zh: '检查中' },
  password: { en: 'password', zh: '密码' },
  publickey: { en: 'publickey', zh: '公钥' },
  'host-key': { en: 'host key', zh: '主机公钥' },
  passphrase: { en: 'passphrase', zh: '私钥口令' },
};

/** Every word of the notes, for the translation test. */
export const NOTE_WORDS: readonly Bilingual[] = Object.values(WORDS);

/** A short label for a non-packet step, drawn as a note on its side's lane. */
export function noteLabel(s: Step, t: T, lang: Lang = 'en'): string {
  const w = (x: string) => (WORDS[x] ? pick(lang, WORDS[x]) : x);
  const e = s.event;
  switch (e.type) {
    case 'version':
      return e.line;
    case 'negotiated':
      return t('note.negotiated');
    case 'exchange-hash':
      return t('note.hash', { hash: e.hash.toUpperCase() });
    case 'keys':
      return t('note.keys');
    case 'host-key-check':
      return t('note.hostkey', { result: w(e.result) });
    case 'auth':
      return t('note.auth', { method: w(e.method), result: w(e.result) });
    case 'channel':
      return t('note.channel', { id: e.id, change: channelChangeName(e.change, lang) });
    case 'info':
      return t('note.info');
    case 'closed':
      return t('note.closed');
    case 'error':
      return t('note.error');
    case 'banner':
      return t('note.banner');
    case 'decision':
      return t('note.decision', { kind: w(e.kind) });
    default:
      return e.type;
  }
}

/** Message name without the SSH_MSG_ prefix, for arrow labels. */
export const shortMsg = (msg: string): string => msg.replace(/^SSH_MSG_/, '');
