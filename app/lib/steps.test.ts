import { describe, expect, it } from 'vitest';
import { DEFAULT_SCENARIO, runScenario } from './scenario.ts';
import { buildSteps, packetAtOrBefore, phaseAt, phaseJump, phaseStarts } from './steps.ts';

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

describe('steps: each packet once', () => {
  const run = runScenario(DEFAULT_SCENARIO);
  const steps = buildSteps(run.events);

  it('keeps exactly one copy of every packet, and every packet is kept', () => {
    // independent truth: the receiver's copies, which buildSteps drops, are the same packets
    const sent = run.events.filter((e) => e.type === 'packet' && (e.dir === 'c2s') === (e.side === 'client'));
    const received = run.events.filter((e) => e.type === 'packet' && (e.dir === 'c2s') !== (e.side === 'client'));
    const kept = steps.filter((s) => s.event.type === 'packet');
    expect(kept.length).toBe(sent.length);
    const key = (e: (typeof sent)[number]) => (e.type === 'packet' ? `${e.dir}#${e.n}:${hex(e.wire)}` : '');
    expect(new Set(kept.map((s) => key(s.event as (typeof sent)[number])))).toEqual(new Set(received.map(key)));
    expect(kept.map((s) => s.packetIndex)).toEqual(kept.map((_, i) => i));
  });

  it('keeps one negotiation, one exchange hash and one keys event per key exchange', () => {
    expect(steps.filter((s) => s.event.type === 'negotiated')).toHaveLength(1);
    expect(steps.filter((s) => s.event.type === 'exchange-hash')).toHaveLength(1);
    expect(steps.filter((s) => s.event.type === 'keys')).toHaveLength(1);
    expect(steps.filter((s) => s.event.type === 'version')).toHaveLength(2);
  });

  it('covers the five phases in order of first appearance', () => {
    const starts = [...phaseStarts(steps).entries()].sort((a, b) => a[1] - b[1]).map(([p]) => p);
    expect(starts).toEqual([1, 2, 3, 4, 5]);
    expect(phaseAt(steps, 0)).toBe(1);
    expect(phaseAt(steps, steps.length - 1)).toBe(5);
  });

  it('jumps between phases forwards and backwards', () => {
    const starts = phaseStarts(steps);
    let c = 0;
    const seen = [];
    for (let i = 0; i < 4; i++) {
      c = phaseJump(steps, c, 1);
      seen.push(c);
    }
    expect(seen).toEqual([starts.get(2), starts.get(3), starts.get(4), starts.get(5)]);
    expect(phaseJump(steps, starts.get(3)! + 2, -1)).toBe(starts.get(3));
    expect(phaseJump(steps, starts.get(3)!, -1)).toBe(starts.get(2));
    expect(phaseJump(steps, 0, -1)).toBe(0);
  });

  it('finds the packet current at a cursor', () => {
    expect(packetAtOrBefore(steps, 0)).toBeNull(); // the first step is a version line
    const firstPacket = steps.find((s) => s.event.type === 'packet')!.index;
    expect(packetAtOrBefore(steps, firstPacket)).toBe(firstPacket);
    expect(packetAtOrBefore(steps, firstPacket + 1)).toBeGreaterThanOrEqual(firstPacket);
  });
});

describe('steps: a log from one engine only', () => {
  it('keeps every packet in both directions when only the client logged (our client against a real server)', () => {
    const run = runScenario(DEFAULT_SCENARIO);
    const clientOnly = run.events.filter((e) => e.side === 'client');
    const steps = buildSteps(clientOnly);
    const packets = clientOnly.filter((e) => e.type === 'packet');
    expect(steps.filter((s) => s.event.type === 'packet')).toHaveLength(packets.length);
    expect(new Set(packets.map((e) => (e.type === 'packet' ? e.dir : '')))).toEqual(new Set(['c2s', 's2c']));
    expect(steps.filter((s) => s.event.type === 'version')).toHaveLength(2);
    expect(steps.some((s) => s.event.type === 'auth')).toBe(true);
  });
});
