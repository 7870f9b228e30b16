import { describe, expect, it } from 'vitest';
import { ratio, renderTable, verdict, type Row } from './report.ts';
import { summarize } from './stats.ts';

const s = (x: number) => summarize([x]);

describe('report', () => {
  it('times: ours/peer ≤ 1.0 passes, above fails', () => {
    const row = (ours: number, peer: number): Row => ({ what: 't2', unit: 'ms', ours: s(ours), peer: s(peer), target: { kind: 'ratio-max', value: 1 } });
    expect(verdict(row(90, 100))).toBe('PASS');
    expect(verdict(row(100, 100))).toBe('PASS');
    expect(verdict(row(101, 100))).toBe('FAIL');
    expect(ratio(row(50, 200))).toBe(0.25);
  });

  it('throughput: ours/peer ≥ 1.0 passes, below fails', () => {
    const row = (ours: number, peer: number): Row => ({ what: 't3', unit: 'MB/s', ours: s(ours), peer: s(peer), target: { kind: 'ratio-min', value: 1 } });
    expect(verdict(row(400, 300))).toBe('PASS');
    expect(verdict(row(299, 300))).toBe('FAIL');
  });

  it('absolute targets ignore the peer; rows without a target or a figure are n/a', () => {
    expect(verdict({ what: 't1', unit: 'ms', ours: s(15), target: { kind: 'abs-max', value: 15 } })).toBe('PASS');
    expect(verdict({ what: 't1', unit: 'ms', ours: s(15.01), target: { kind: 'abs-max', value: 15 } })).toBe('FAIL');
    expect(verdict({ what: 'x', unit: 'ms', ours: s(1) })).toBe('n/a');
    expect(verdict({ what: 'x', unit: 'ms', ours: null, target: { kind: 'abs-max', value: 1 } })).toBe('n/a');
  });

  it('renders one aligned line per row plus header and rule, with the verdict', () => {
    const out = renderTable([
      { what: 'a', unit: 'ms', ours: s(1), peerName: 'p', peer: s(2), target: { kind: 'ratio-max', value: 1 } },
      { what: 'b', unit: 'MB/s', ours: s(300), peerName: 'p', peer: s(200), target: { kind: 'ratio-min', value: 1 } },
    ]);
    const lines = out.split('\n');
    expect(lines).toHaveLength(4);
    expect(new Set(lines.map((l) => l.length)).size).toBe(1);
    expect(lines[2]).toContain('0.50×');
    expect(lines[2]).toMatch(/\| PASS +\|$/);
    expect(lines[3]).toContain('1.50×');
  });
});
