// Geometry of the sequence diagram: one row per step, arrows between the client and server
// lanes for packets, phase bands behind. d3 computes, Svelte draws (DESIGN.md "App").

import { scaleLinear, type ScaleLinear } from 'd3';
import type { Phase } from '../../engine/index.ts';
import type { Step } from './steps.ts';

export interface Band {
  phase: Phase;
  from: number;
  to: number;
}

export const ROW = 30;
export const TOP = 34;

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
export function baseY(count: number): ScaleLinear<number, number> {
  return scaleLinear().domain([0, Math.max(1, count)]).range([TOP, TOP + Math.max(1, count) * ROW]);
}

/** A short label for a non-packet step, drawn as a note on its side's lane. */
export function noteLabel(s: Step): string {
  const e = s.event;
  switch (e.type) {
    case 'version':
      return e.line;
    case 'negotiated':
      return 'negotiate ✓';
    case 'exchange-hash':
      return `H = ${e.hash.toUpperCase()}(…)`;
    case 'keys':
      return 'keys A–F';
    case 'host-key-check':
      return `host key: ${e.result}`;
    case 'auth':
      return `auth ${e.method}: ${e.result}`;
    case 'channel':
      return `ch ${e.id} ${e.change}`;
    case 'info':
      return 'ℹ note';
    case 'closed':
      return 'closed';
    case 'error':
      return '⚠ error';
    case 'banner':
      return 'banner';
    case 'decision':
      return `? ${e.kind}`;
    default:
      return e.type;
  }
}

/** Message name without the SSH_MSG_ prefix, for arrow labels. */
export const shortMsg = (msg: string): string => msg.replace(/^SSH_MSG_/, '');
