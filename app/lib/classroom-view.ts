// A one-sided log shaped for the views. app/lib/steps.ts keeps each packet and version line as
// logged by the side that SENT it, the client's copy of the facts both sides compute (the
// negotiation, exchange hash and keys, RFC 4253 §7.1, §8, §7.2) and the server's verdicts on
// authentication (RFC 4252 §5.1). A feed lane is logged by one engine only: our server (a classroom
// connection, a mitm client leg) or our client (a mitm server leg). What that engine received is
// exactly what its peer sent, and what it computed its peer computed too, so those events are
// relabelled as the peer's. (app/lib/real-server.ts does the same for its client-only log.)

import type { SshEvent } from '../../engine/events.ts';

export function classroomViewEvents(events: readonly SshEvent[]): SshEvent[] {
  const sides = new Set(events.map((e) => e.side));
  if (sides.size !== 1) return events.slice(); // both engines logged: nothing to fill in
  const only = events[0]?.side;
  if (only === 'server') {
    return events.map((e) => {
      switch (e.type) {
        case 'packet':
        case 'version':
          return e.dir === 'c2s' ? { ...e, side: 'client' } : e;
        case 'negotiated':
        case 'exchange-hash':
        case 'keys':
          return { ...e, side: 'client' };
        default:
          return e;
      }
    });
  }
  return events.map((e) => {
    if ((e.type === 'packet' || e.type === 'version') && e.dir === 's2c') return { ...e, side: 'server' };
    if (e.type === 'auth') return { ...e, side: 'server' };
    return e;
  });
}
