// The app's single source of truth (DESIGN.md "App"): the event log in $state.raw, the cursor,
// the selection and the display settings. Every view derives what it shows from these.

import { DEFAULT_SCENARIO, runScenario, type HostFiles, type ScenarioConfig, type ScenarioRun } from './scenario.ts';
import { streamOffset } from './session-runner.ts';
import { LiveSession, type TermMode } from './live-session.ts';
import { buildSteps, packetAtOrBefore, phaseAt, phaseJump, type PacketEvent, type Step } from './steps.ts';
import { translate, type Lang, type StringKey } from './i18n.ts';
import { explainEvent, type Explanation } from './explain.ts';
import type { ViewName } from './url-state.ts';
import type { Phase, SshEvent } from '../../engine/index.ts';

export type Theme = 'light' | 'dark';

/**
 * Where the event log on screen came from. Every view derives from (log, cursor) whatever the
 * source, so a lesson, a saved recording, a capture or a live real-server session steps alike.
 */
export type LogSource =
  /** The in-page client ⇄ server run of the settings form (app/lib/scenario.ts). */
  | { kind: 'simulation' }
  /** One connection of a teaching scenario from scenarios/catalog. */
  | { kind: 'lesson'; id: string; title: string }
  /** A recording exported as JSON and opened again. */
  | { kind: 'recording'; name: string }
  /** One SSH stream of a pcap/pcapng capture. */
  | { kind: 'capture'; name: string; stream: number }
  /** Our client in the page against a real server through the local bridge. */
  | { kind: 'real-server'; target: string }
  /** A real ssh client connected to the classroom server (`sshscope start --ssh-port`). */
  | { kind: 'classroom'; connection: string };

/** The tabs of the "Open…" dialog, one per kind of source besides the simulation. */
export const SOURCE_TABS = ['lessons', 'open-file', 'real-server', 'classroom'] as const;
export type SourceTab = (typeof SOURCE_TABS)[number];

/** Which view a step naturally belongs to, when the view follows the cursor. */
export function viewForEvent(e: SshEvent): ViewName | null {
  switch (e.type) {
    case 'negotiated':
      return 'negotiation';
    case 'exchange-hash':
    case 'keys':
      return 'keys';
    case 'auth':
      return 'auth';
    case 'host-key-check':
      return 'hosts';
    case 'packet':
    case 'version':
      return 'packets';
    default:
      return null;
  }
}

/** Wraps a log from any source as a run the views can show (files unknown unless given). */
export function runFromEvents(events: SshEvent[], extra: { config?: ScenarioConfig; files?: Partial<HostFiles>; stdout?: string; exitStatus?: number | null } = {}): ScenarioRun {
  return {
    config: extra.config ?? DEFAULT_SCENARIO,
    events,
    stdout: extra.stdout ?? '',
    stderr: '',
    exitStatus: extra.exitStatus ?? null,
    files: { knownHostsLine: '', authorizedKeys: '', clientPublicKey: null, hostPublicKey: '', ...extra.files },
    streams: { c2s: new Uint8Array(0), s2c: new Uint8Array(0) },
  };
}

export class Session {
  config = $state<ScenarioConfig>(DEFAULT_SCENARIO);
  run = $state.raw<ScenarioRun | null>(null);
  error = $state<string | null>(null);
  cursor = $state(0);
  view = $state<ViewName>('packets');
  /** The view follows the step's kind while stepping (turned off when the user picks a tab). */
  follow = $state(true);
  /** FieldNode path selected in the packet view (click), and hovered (mouse/focus). */
  selectedPath = $state<string | null>(null);
  hoverPath = $state<string | null>(null);
  /** Tree paths expanded in the packet view. */
  expanded = $state.raw<ReadonlySet<string>>(new Set(['', 'payload']));
  playing = $state(false);
  /** Steps per second while playing. */
  speed = $state(1);
  lang = $state<Lang>('en');
  theme = $state<Theme>('light');
  projector = $state(false);
  helpOpen = $state(false);
  /** The interactive terminal session, when one was started (its log replaces the scenario's). */
  live: LiveSession | null = null;
  liveActive = $state(false);
  /** Where the log came from; rerun() returns to the simulation. */
  source = $state.raw<LogSource>({ kind: 'simulation' });
  /** The "Open…" dialog's tab while it is open. */
  sourceDialog = $state<SourceTab | null>(null);

  steps: Step[] = $derived(this.run ? buildSteps(this.run.events) : []);
  packets: Step[] = $derived(this.steps.filter((s) => s.event.type === 'packet'));
  current: Step | null = $derived(this.steps[this.cursor] ?? null);
  phase: Phase = $derived(phaseAt(this.steps, this.cursor));
  /** The packet the packet view shows: the latest packet at or before the cursor. */
  packetStepIndex: number | null = $derived(packetAtOrBefore(this.steps, this.cursor));
  packet: PacketEvent | null = $derived(this.packetStepIndex === null ? null : (this.steps[this.packetStepIndex]!.event as PacketEvent));
  explanation: Explanation | null = $derived(this.current ? explainEvent(this.current.event, this.lang) : null);
  /** The step index of the packet whose byte the tamper experiment flipped, and the byte. */
  tampered: { step: number; byte: number } | null = $derived.by(() => {
    const t = this.config.tamper;
    if (!t || !this.run) return null;
    const sent = this.packets.filter((p) => (p.event as PacketEvent).dir === t.dir);
    for (let k = 0; k < sent.length; k++) {
      const start = streamOffset(this.run.events, t.dir, k, 0);
      const len = (sent[k]!.event as PacketEvent).wire.length;
      if (start !== null && t.offset >= start && t.offset < start + len) return { step: sent[k]!.index, byte: t.offset - start };
    }
    return null;
  });

  constructor(config: ScenarioConfig) {
    this.config = config;
  }

  t = (key: StringKey, params?: Record<string, string | number>): string => translate(this.lang, key, params);

  /** Runs the scenario (synchronously: a handshake takes ~100 ms in the browser). */
  rerun(config: ScenarioConfig = this.config, cursor = 0): void {
    this.config = config;
    this.live = null;
    this.liveActive = false;
    this.source = { kind: 'simulation' };
    try {
      this.run = runScenario(config);
      this.error = null;
    } catch (err) {
      this.run = null;
      this.error = err instanceof Error ? err.message : String(err);
    }
    this.selectedPath = null;
    this.hoverPath = null;
    this.goto(Math.min(cursor, Math.max(0, this.steps.length - 1)));
  }

  /**
   * Shows a log that the in-page simulation did not make (a lesson's connection, a recording, a
   * capture stream, a real server, a classroom connection). Call it again with a longer log to
   * follow a live source: the cursor stays unless `cursor` is given.
   */
  showLog(source: LogSource, run: ScenarioRun, cursor?: number): void {
    const same = this.source === source;
    this.playing = false;
    this.live = null;
    this.liveActive = false;
    this.source = source;
    this.run = run;
    this.error = null;
    if (!same) {
      this.selectedPath = null;
      this.hoverPath = null;
    }
    this.goto(cursor ?? (same ? this.cursor : 0));
  }

  /** Reruns the session with one bit of `byte` of the packet at step `stepIndex` flipped in transit. */
  tamperWith(stepIndex: number, byte: number): void {
    const st = this.steps[stepIndex];
    if (!st || st.event.type !== 'packet' || !this.run) return;
    const dir = st.event.dir;
    const k = this.packets.filter((p) => (p.event as PacketEvent).dir === dir).findIndex((p) => p.index === stepIndex);
    const offset = streamOffset(this.run.events, dir, k, byte);
    if (offset === null) return;
    const sel = this.selectedPath;
    this.rerun({ ...this.config, tamper: { dir, offset } }, stepIndex);
    this.selectedPath = sel;
  }

  untamper(): void {
    this.rerun({ ...this.config, tamper: null }, this.cursor);
  }

  /** Starts an interactive shell session; its events replace the log and grow as one types. */
  startLive(cols: number, rows: number, mode?: TermMode): LiveSession {
    this.playing = false;
    this.follow = false;
    const live = new LiveSession(this.config, { cols, rows }, mode);
    this.live = live;
    this.liveActive = true;
    this.syncLive();
    return live;
  }

  /** Publishes the live session's log (new $state.raw value) and moves the cursor to its end. */
  syncLive(): void {
    const l = this.live;
    if (!l) return;
    this.run = { config: this.config, events: l.events.slice(), stdout: '', stderr: '', exitStatus: null, files: l.files, streams: { c2s: new Uint8Array(0), s2c: new Uint8Array(0) } };
    this.goto(this.steps.length - 1);
  }

  goto(index: number): void {
    const max = Math.max(0, this.steps.length - 1);
    const next = Math.max(0, Math.min(max, index));
    const prevPacket = this.packetStepIndex;
    this.cursor = next;
    if (this.packetStepIndex !== prevPacket) {
      this.selectedPath = null;
      this.hoverPath = null;
    }
    const cur = this.steps[next];
    if (this.follow && cur) {
      const v = viewForEvent(cur.event);
      if (v) this.view = v;
    }
  }

  next = (): void => this.goto(this.cursor + 1);
  prev = (): void => this.goto(this.cursor - 1);
  nextPhase = (): void => this.goto(phaseJump(this.steps, this.cursor, 1));
  prevPhase = (): void => this.goto(phaseJump(this.steps, this.cursor, -1));
  first = (): void => this.goto(0);
  /** The next (+1) or previous (-1) packet after/before the cursor. */
  packetStep = (delta: 1 | -1): void => {
    const list = delta > 0 ? this.packets.find((p) => p.index > this.cursor) : [...this.packets].reverse().find((p) => p.index < this.cursor);
    if (list) this.goto(list.index);
  };
  last = (): void => this.goto(this.steps.length - 1);

  gotoPhase(p: Phase): void {
    const s = this.steps.find((x) => x.phase === p);
    if (s) this.goto(s.index);
  }

  /** Picking a tab by hand stops the view from following the cursor. */
  showView(v: ViewName): void {
    this.view = v;
    this.follow = false;
  }

  togglePlay = (): void => {
    if (!this.playing && this.cursor >= this.steps.length - 1) this.goto(0);
    this.playing = !this.playing;
  };

  selectNode(path: string | null, expandTo?: string[]): void {
    this.selectedPath = path;
    if (expandTo?.length) this.expanded = new Set([...this.expanded, ...expandTo]);
  }

  toggleExpanded(path: string): void {
    const s = new Set(this.expanded);
    if (s.has(path)) s.delete(path);
    else s.add(path);
    this.expanded = s;
  }

  /** The most recent event at or before the cursor that satisfies `pred`. */
  latest<T extends SshEvent>(pred: (e: SshEvent) => e is T): T | null {
    for (let i = Math.min(this.cursor, this.steps.length - 1); i >= 0; i--) {
      const e = this.steps[i]!.event;
      if (pred(e)) return e;
    }
    return null;
  }

  /** Index of the first step satisfying `pred` (anywhere in the log), or -1. */
  indexOf(pred: (e: SshEvent) => boolean): number {
    return this.steps.findIndex((s) => pred(s.event));
  }
}
