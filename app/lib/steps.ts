// The event log as a story: each packet once, each fact once. A memory pair logs every packet
// twice (sent by one side, received by the other) and both sides compute the same negotiation,
// exchange hash and keys; the views show one of each. Pure, no DOM.

import type { FieldNode, Phase, SshEvent } from '../../engine/index.ts';

export type PacketEvent = Extract<SshEvent, { type: 'packet' }>;

export interface Step {
  /** Position in the step list (the cursor moves over these). */
  index: number;
  event: SshEvent;
  phase: Phase;
  /** For packets: position among the packets of the session (timeline row). */
  packetIndex: number | null;
}

/** True when `e` is the copy of a packet or version line logged by the side that sent it. */
function isSenderCopy(e: Extract<SshEvent, { type: 'packet' | 'version' }>): boolean {
  return (e.dir === 'c2s') === (e.side === 'client');
}

/** Which events become steps (see the file comment for why the others are duplicates). */
export function keepEvent(e: SshEvent, clientInfos: ReadonlySet<string>): boolean {
  switch (e.type) {
    case 'packet':
    case 'version':
      return isSenderCopy(e);
    // both sides compute these identically: the client's view (RFC 4253 §7.1, §8, §7.2)
    case 'negotiated':
    case 'exchange-hash':
    case 'keys':
    case 'host-key-check':
      return e.side === 'client';
    // the server decides authentication (RFC 4252 §5.1): its events carry the reasons
    case 'auth':
      return e.side === 'server';
    // the client's channel view, plus the request the server receives (RFC 4254 §6.5)
    case 'channel':
      return e.side === 'client' || e.change === 'request';
    case 'info':
      return e.side === 'client' || !clientInfos.has(e.message);
    default:
      return true;
  }
}

/**
 * A log recorded by one engine only (our client against a real server, a real client against our
 * server, a capture) holds each packet and each fact once already: every event is a step.
 */
function oneSided(events: readonly SshEvent[]): boolean {
  const first = events[0]?.side;
  return events.every((e) => e.side === first);
}

export function buildSteps(events: readonly SshEvent[]): Step[] {
  const clientInfos = new Set(events.filter((e) => e.type === 'info' && e.side === 'client').map((e) => (e as { message: string }).message));
  const keepAll = oneSided(events);
  const steps: Step[] = [];
  let packets = 0;
  for (const e of events) {
    if (!keepAll && !keepEvent(e, clientInfos)) continue;
    steps.push({ index: steps.length, event: e, phase: e.phase, packetIndex: e.type === 'packet' ? packets++ : null });
  }
  return steps;
}

/** Index of the first step of each phase present (phase → step index). */
export function phaseStarts(steps: readonly Step[]): Map<Phase, number> {
  const m = new Map<Phase, number>();
  for (const s of steps) if (!m.has(s.phase)) m.set(s.phase, s.index);
  return m;
}

/** The highest phase reached at or before the cursor: phases can interleave briefly (EXT_INFO). */
export function phaseAt(steps: readonly Step[], cursor: number): Phase {
  let p: Phase = 1;
  for (let i = 0; i <= cursor && i < steps.length; i++) if (steps[i]!.phase > p) p = steps[i]!.phase;
  return p;
}

/** The step index of the packet that is current at `cursor`: the latest packet at or before it. */
export function packetAtOrBefore(steps: readonly Step[], cursor: number): number | null {
  for (let i = Math.min(cursor, steps.length - 1); i >= 0; i--) if (steps[i]!.event.type === 'packet') return i;
  return null;
}

/** The first step index of the next (+1) or previous (-1) phase relative to the cursor. */
export function phaseJump(steps: readonly Step[], cursor: number, delta: 1 | -1): number {
  const starts = [...phaseStarts(steps).values()].sort((a, b) => a - b);
  if (delta > 0) return starts.find((s) => s > cursor) ?? steps.length - 1;
  const cur = [...starts].reverse().find((s) => s <= cursor) ?? 0;
  // from inside a phase go to its start; from its start go to the previous phase's start
  if (cur < cursor) return cur;
  return [...starts].reverse().find((s) => s < cursor) ?? 0;
}

/** Finds the first step whose event satisfies `pred`. */
export function findStep(steps: readonly Step[], pred: (e: SshEvent) => boolean): Step | undefined {
  return steps.find((s) => pred(s.event));
}

export type { FieldNode };
