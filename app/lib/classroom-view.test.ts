import { describe, expect, it } from 'vitest';
import { seededEnv } from '../../engine/env.ts';
import { generateEd25519 } from '../../engine/algorithms/signatures.ts';
import { runExec } from '../../engine/core/session-harness.ts';
import type { SshEvent } from '../../engine/events.ts';
import { buildSteps } from './steps.ts';
import { classroomViewEvents } from './classroom-view.ts';

/** One session of our two engines, logged by both (the reference) and split per side. */
function session() {
  const hk = seededEnv('view/host');
  const all: SshEvent[] = [];
  runExec(
    { env: seededEnv('view/client'), username: 'alice', password: 'pw', hostKeyCheck: () => 'known' },
    { env: seededEnv('view/server'), hostKeys: [generateEd25519((n) => hk.randomBytes(n))], users: [{ name: 'alice', password: 'pw' }], trace: true },
    'echo hi',
    undefined,
    { onEvent: (e) => void all.push(e) },
  );
  return { all, server: all.filter((e) => e.side === 'server'), client: all.filter((e) => e.side === 'client') };
}

const packetSteps = (events: SshEvent[]) =>
  buildSteps(events)
    .map((s) => s.event)
    .filter((e): e is Extract<SshEvent, { type: 'packet' }> => e.type === 'packet')
    .map((e) => `${e.dir} ${e.msg} ${e.wire.length}`)
    // each direction in its order (the two directions interleave differently as seen from one side)
    .sort((a, b) => (a.slice(0, 3) === b.slice(0, 3) ? 0 : a < b ? -1 : 1));

describe('one-sided logs in the views', () => {
  it("a server-only log shows every packet of both directions, as the two-sided log does", () => {
    const { all, server } = session();
    expect(packetSteps(classroomViewEvents(server))).toEqual(packetSteps(all));
    const kinds = (evs: SshEvent[]) => buildSteps(evs).map((s) => s.event.type).filter((t) => t === 'negotiated' || t === 'keys' || t === 'exchange-hash' || t === 'version').sort();
    expect(kinds(classroomViewEvents(server))).toEqual(kinds(all));
  });

  it('a client-only log (a mitm server leg) too', () => {
    const { all, client } = session();
    expect(packetSteps(classroomViewEvents(client))).toEqual(packetSteps(all));
    expect(buildSteps(classroomViewEvents(client)).some((s) => s.event.type === 'auth' && s.event.result === 'success')).toBe(true);
  });

  it('a two-sided log is left alone', () => {
    const { all } = session();
    expect(classroomViewEvents(all)).toEqual(all);
  });
});
