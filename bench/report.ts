// The result table: one row per measured figure, with the peer's figure from the same run, the
// ratio and the verdict when the row is a target.

import { fmt, type Summary } from './stats.ts';

export interface Row {
  /** What was measured, e.g. "1. in-memory handshake+auth+exec". */
  what: string;
  unit: 'ms' | 'MB/s' | 'MB' | 'packets/s';
  ours: Summary | null;
  /** Who the peer is (e.g. "ssh2 npm"), and its figure from the same run. */
  peerName?: string;
  peer?: Summary | null;
  /** The target, when this row is judged. */
  target?: Target;
  note?: string;
}

/**
 * `ratio-max`: ours/peer must be ≤ value (times: lower is better).
 * `ratio-min`: ours/peer must be ≥ value (throughput: higher is better).
 * `abs-max`: ours must be ≤ value in the row's unit.
 */
export type Target = { kind: 'ratio-max' | 'ratio-min' | 'abs-max'; value: number };

export type Verdict = 'PASS' | 'FAIL' | 'n/a';

export function ratio(row: Row): number | null {
  if (!row.ours || !row.peer) return null;
  return row.ours.median / row.peer.median;
}

export function verdict(row: Row): Verdict {
  if (!row.target || !row.ours) return 'n/a';
  const t = row.target;
  if (t.kind === 'abs-max') return row.ours.median <= t.value ? 'PASS' : 'FAIL';
  const r = ratio(row);
  if (r === null) return 'n/a';
  return (t.kind === 'ratio-max' ? r <= t.value : r >= t.value) ? 'PASS' : 'FAIL';
}

function targetText(row: Row): string {
  const t = row.target;
  if (!t) return '';
  if (t.kind === 'abs-max') return `≤ ${t.value} ${row.unit}`;
  return `${t.kind === 'ratio-max' ? '≤' : '≥'} ${t.value.toFixed(1)}×`;
}

function cell(s: Summary | null | undefined, unit: string): string {
  if (!s) return '–';
  const d = unit === 'ms' ? 1 : 0;
  return `${fmt(s.median, d)} (${fmt(s.min, d)}–${fmt(s.max, d)}, n=${s.n})`;
}

/** Renders rows as an aligned plain-text table (also valid Markdown). */
export function renderTable(rows: readonly Row[]): string {
  const header = ['figure', 'unit', 'ours: median (min–max, n)', 'peer', 'peer: median (min–max, n)', 'ours/peer', 'target', 'result'];
  const body = rows.map((r) => {
    const q = ratio(r);
    return [r.what, r.unit, cell(r.ours, r.unit), r.peerName ?? '', r.peer === undefined ? '' : cell(r.peer, r.unit), q === null ? '' : `${q.toFixed(2)}×`, targetText(r), r.target ? verdict(r) : ''];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  const out = [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)];
  const notes = rows.filter((r) => r.note).map((r) => `- ${r.what}: ${r.note}`);
  return out.join('\n') + (notes.length ? `\n\n${notes.join('\n')}` : '');
}
