// The lesson being shown: which catalogue scenario, its run (made in the page by
// scenarios/runner.ts, deterministic from the scenario's seed), the current scenario step and the
// connection on screen. The scenarios code is loaded on demand (it is not needed on first load).

import type { Scenario, ScenarioRun } from '../../scenarios/index.ts';
import { runFromEvents, type Session } from './session.svelte.ts';
import { connectionForStep, eventsOfConnection, filesOfConnection, startCursor } from './lesson.ts';

type Catalog = typeof import('../../scenarios/index.ts');

let catalogPromise: Promise<Catalog> | null = null;

/** The scenarios module (catalogue and runner), imported once on first use. */
export function loadCatalog(): Promise<Catalog> {
  catalogPromise ??= import('../../scenarios/index.ts');
  return catalogPromise;
}

export class LessonState {
  scenario = $state.raw<Scenario | null>(null);
  run = $state.raw<ScenarioRun | null>(null);
  /** Index into scenario.steps. */
  step = $state(0);
  /** The connection whose log the views show (null: the scenario has none at this point). */
  conn = $state<number | null>(null);
  /** The id of a scenario being run right now. */
  loading = $state<string | null>(null);
  error = $state<string | null>(null);
  /** The bar shows only its navigation row (more room for the views on a projector). */
  collapsed = $state(false);

  /** Runs scenario `id` in the page and shows its first step. */
  async start(s: Session, id: string, step = 0): Promise<boolean> {
    this.loading = id;
    this.error = null;
    try {
      const cat = await loadCatalog();
      const scenario = cat.findScenario(id);
      if (!scenario) throw new Error(`no lesson ${id}`);
      // Let the "running…" state paint before the synchronous run.
      await new Promise((r) => setTimeout(r, 0));
      const run = cat.runScenario(scenario, { lang: s.lang });
      this.scenario = scenario;
      this.run = run;
      this.show(s, Math.max(0, Math.min(step, scenario.steps.length - 1)));
      return true;
    } catch (err) {
      this.error = err instanceof Error ? err.message : String(err);
      return false;
    } finally {
      this.loading = null;
    }
  }

  /** Moves to scenario step `step`, showing `conn` (default: the step's connection). */
  show(s: Session, step: number, conn?: number): void {
    const sc = this.scenario;
    const run = this.run;
    if (!sc || !run) return;
    this.step = Math.max(0, Math.min(step, sc.steps.length - 1));
    const c = conn ?? connectionForStep(run, this.step);
    const events = eventsOfConnection(run, c);
    const ownConn = run.connections.some((x) => x.conn === c && x.step === this.step);
    const cursor = ownConn ? startCursor(events, sc.steps[this.step]!.highlight) : c === this.conn ? s.cursor : 0;
    this.conn = c;
    s.showLog({ kind: 'lesson', id: sc.id, title: sc.title[s.lang] }, runFromEvents(events, { files: filesOfConnection(run, c) }), cursor);
  }

  /** Shows the same step again with the title in the current language (the cursor stays). */
  relabel(s: Session): void {
    const sc = this.scenario;
    if (!sc || !this.run || s.source.kind !== 'lesson') return;
    s.showLog({ kind: 'lesson', id: sc.id, title: sc.title[s.lang] }, s.run ?? runFromEvents([]), s.cursor);
  }

  next(s: Session): void {
    if (this.scenario && this.step < this.scenario.steps.length - 1) this.show(s, this.step + 1);
  }

  prev(s: Session): void {
    if (this.step > 0) this.show(s, this.step - 1);
  }
}

export const lesson = new LessonState();
