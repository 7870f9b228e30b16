// Pure helpers for lessons (a teaching scenario from scenarios/catalog run in the page): which
// connection a scenario step shows, that connection's events and files, the step where the view
// should start, and short labels. No DOM, no runes: app/lib/lesson-state.svelte.ts holds the state.

import type { ConnectionInfo, ScenarioEvent, ScenarioRun, Step as ScenarioStep, Lang } from '../../scenarios/index.ts';
import type { SshEvent } from '../../engine/index.ts';
import type { HostFiles } from './scenario.ts';
import { buildSteps } from './steps.ts';

/** The connections (by id) that ran during scenario step `step`, in order. */
export function connectionsOfStep(run: Pick<ScenarioRun, 'connections'>, step: number): ConnectionInfo[] {
  return run.connections.filter((c) => c.step === step);
}

/**
 * The connection the views show for a step: its own first connection; else the latest one before
 * it (the story so far); else the first one after it; null when the scenario has none (ssh-keygen).
 */
export function connectionForStep(run: Pick<ScenarioRun, 'connections'>, step: number): number | null {
  const own = run.connections.find((c) => c.step === step);
  if (own) return own.conn;
  const before = run.connections.filter((c) => c.step < step);
  if (before.length) return before[before.length - 1]!.conn;
  return run.connections.find((c) => c.step > step)?.conn ?? null;
}

/** The events of one connection, in order. */
export function eventsOfConnection(run: Pick<ScenarioRun, 'events'>, conn: number | null): ScenarioEvent[] {
  if (conn === null) return [];
  return run.events.filter((e) => e.conn === conn);
}

/** The files the hosts view shows for one connection (known_hosts line, authorized_keys, keys). */
export function filesOfConnection(run: Pick<ScenarioRun, 'connections'>, conn: number | null): Partial<HostFiles> {
  const c = run.connections.find((x) => x.conn === conn);
  if (!c) return {};
  const host = c.to.host;
  const line = c.knownHosts.split('\n').find((l) => l.split(' ')[0]?.split(',').some((n) => n === host || n === `[${host}]:22`)) ?? '';
  return { knownHostsLine: line, authorizedKeys: c.authorizedKeys, clientPublicKey: c.clientPublicKey, hostPublicKey: c.hostPublicKey };
}

/** "alice@laptop → alice@server" */
export function connectionLabel(c: ConnectionInfo): string {
  return `${c.from.user}@${c.from.host} → ${c.to.user}@${c.to.host}`;
}

/**
 * Where the cursor starts in a connection's step list: the first packet the scenario step
 * highlights (as the views list packets: the sender's copy), else the first step.
 */
export function startCursor(events: readonly SshEvent[], highlight: readonly string[] | undefined): number {
  if (!highlight?.length) return 0;
  const steps = buildSteps(events);
  const i = steps.findIndex((st) => st.event.type === 'packet' && highlight.includes(st.event.msg));
  return i < 0 ? 0 : i;
}

/** A short name for a scenario step in the step list: "keygen alice@laptop", "copy-id A → B"… */
export function stepLabel(step: ScenarioStep, lang: Lang): string {
  const at = (a: { user: string; host: string }) => `${a.user}@${a.host}`;
  switch (step.do) {
    case 'keygen':
      return `ssh-keygen (${at(step.on)})`;
    case 'connect':
      return `ssh ${at(step.from)} → ${at(step.to)}`;
    case 'copy-id':
      return `ssh-copy-id ${at(step.from)} → ${at(step.to)}`;
    case 'authorize':
      return `authorized_keys ${at(step.from)} → ${at(step.to)}`;
    case 'new-host-key':
      return lang === 'zh' ? `${step.host} 新主机密钥` : `${step.host}: new host key`;
    case 'trust-matrix':
      return lang === 'zh' ? `信任矩阵 (${step.hosts.length})` : `trust matrix (${step.hosts.length})`;
    case 'replay':
      return lang === 'zh' ? `重放 → ${at(step.to)}` : `replay → ${at(step.to)}`;
    case 'forward':
      return `ssh -L ${step.localPort}:${step.target.host}:${step.target.port}`;
    case 'note':
      return lang === 'zh' ? '说明' : 'note';
  }
}
