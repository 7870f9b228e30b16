// The lesson helpers against real scenario runs: which connection each step shows, its events and
// files, and where the cursor starts.

import { describe, expect, it } from 'vitest';
import { findScenario, runScenario } from '../../scenarios/index.ts';
import { connectionForStep, connectionsOfStep, eventsOfConnection, filesOfConnection, startCursor, stepLabel } from './lesson.ts';
import { buildSteps } from './steps.ts';

describe('lesson helpers', () => {
  const sc = findScenario('copy-id-first-login')!;
  const run = runScenario(sc);

  it('each step shows its own connection, or the story so far', () => {
    // step 0 keygen (no traffic) shows the first connection that comes later; steps 1–3 their own.
    expect(connectionsOfStep(run, 0)).toEqual([]);
    expect(connectionForStep(run, 0)).toBe(0);
    expect([1, 2, 3].map((i) => connectionForStep(run, i))).toEqual([0, 1, 2]);
    const ev = eventsOfConnection(run, 1);
    expect(ev.length).toBeGreaterThan(20);
    expect(ev.every((e) => e.conn === 1 && e.step === 2)).toBe(true);
    expect(eventsOfConnection(run, null)).toEqual([]);
  });

  it('files come from the connection: the known_hosts line written, authorized_keys as the server read it', () => {
    const afterCopy = filesOfConnection(run, 2);
    expect(afterCopy.knownHostsLine).toBe(run.outcome.steps[2]!.knownHostsAdded);
    expect(afterCopy.authorizedKeys).toContain(run.outcome.steps[0]!.identity!.publicLine);
    expect(afterCopy.hostPublicKey).toMatch(/^ssh-ed25519 AAAA/);
    // Before ssh-copy-id ran, authorized_keys was empty.
    expect(filesOfConnection(run, 1).authorizedKeys).toBe('');
  });

  it('the cursor starts on the first highlighted packet the views list', () => {
    const pk = findScenario('publickey-login')!;
    const r = runScenario(pk);
    const ev = eventsOfConnection(r, connectionForStep(r, 2));
    const i = startCursor(ev, pk.steps[2]!.highlight);
    const st = buildSteps(ev)[i]!;
    expect(st.event.type === 'packet' && st.event.msg).toBe('SSH_MSG_USERAUTH_REQUEST');
    expect(startCursor(ev, undefined)).toBe(0);
  });

  it('labels steps in both languages', () => {
    expect(stepLabel(sc.steps[2]!, 'en')).toBe('ssh-copy-id alice@laptop → alice@web1');
    expect(stepLabel({ do: 'note', narration: { en: 'x', zh: 'x' } }, 'zh')).toBe('说明');
  });
});
