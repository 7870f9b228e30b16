// The classroom feed as reactive state for ClassroomPanel.svelte, and the "follow" that keeps one
// connection on screen in every view: each batch of its events (at most once per animation frame)
// goes to s.showLog() with the same source object, so the cursor stays — or moves with the end of
// the log while the teacher has it at the end. One instance per page: the feed stays open after
// the dialog closes, so lanes keep updating and the followed connection keeps growing.

import { ClassroomClient, feedUrlFor, type FeedStatus } from './classroom-client.ts';
import type { ConnectionSummary, FeedInfo, FeedLimits } from './classroom-protocol.ts';
import { classroomViewEvents } from './classroom-view.ts';
import { runFromEvents, type LogSource, type Session } from './session.svelte.ts';

/** "student@10.0.0.7:51234", after the producer's label when it has its own (a mitm leg). */
export function laneTitle(c: ConnectionSummary): string {
  const who = `${c.user ?? '?'}@${c.peer}`;
  return c.label && c.label !== c.peer ? `${c.label} · ${who}` : who;
}

class ClassroomState {
  status = $state<FeedStatus>('idle');
  info = $state.raw<FeedInfo | null>(null);
  limits = $state.raw<FeedLimits | null>(null);
  /** Newest first. */
  lanes = $state.raw<ConnectionSummary[]>([]);
  removed = $state(0);
  /** The connection shown in the views (while the session still shows it). */
  following = $state<string | null>(null);
  /** Events of the followed connection the server did not keep. */
  dropped = $state(0);

  private client: ClassroomClient | null = null;
  private session: Session | null = null;
  private source: LogSource | null = null;
  private firstBatch = false;
  private frame: number | null = null;
  private eventsPending = false;

  /** Opens the feed once (the panel calls it when shown). */
  ensure(): void {
    if (this.client) return;
    this.client = new ClassroomClient({
      url: feedUrlFor(location),
      onChange: () => this.schedule(false),
      onEvents: () => this.schedule(true),
    });
    this.client.start();
    this.pull();
  }

  retry(): void {
    this.client?.retry();
  }

  /** Shows connection `id` in every view, live. */
  follow(s: Session, id: string): void {
    const c = this.client;
    if (!c) return;
    const lane = c.connections.get(id);
    this.session = s;
    this.source = { kind: 'classroom', connection: lane ? `${laneTitle(lane)} (${id})` : id };
    this.following = id;
    this.firstBatch = true;
    c.watch(id);
    s.showLog(this.source, this.run([]), 0);
  }

  private run(events: ReturnType<ClassroomClient['events']>) {
    const keys = this.info?.authorizedKeys?.text ?? '';
    return runFromEvents(classroomViewEvents(events), { files: { authorizedKeys: keys } });
  }

  private schedule(events: boolean): void {
    this.eventsPending ||= events;
    if (this.frame !== null) return;
    const raf = globalThis.requestAnimationFrame ?? ((f: FrameRequestCallback) => setTimeout(() => f(0), 16) as unknown as number);
    this.frame = raf(() => {
      this.frame = null;
      const ev = this.eventsPending;
      this.eventsPending = false;
      this.pull();
      if (ev) this.push();
    });
  }

  /** Client state → runes. */
  private pull(): void {
    const c = this.client;
    if (!c) return;
    this.status = c.status;
    this.info = c.info;
    this.limits = c.limits;
    this.removed = c.removed;
    this.lanes = [...c.connections.values()].reverse();
    this.dropped = c.dropped;
  }

  /** The followed connection's events → the session (if it still shows them). */
  private push(): void {
    const c = this.client;
    const s = this.session;
    if (!c || !s || !this.source || this.following === null) return;
    if (s.source !== this.source) {
      // the teacher went elsewhere (back to the simulation, a lesson …): stop following
      this.following = null;
      this.session = null;
      this.source = null;
      c.watch(null);
      return;
    }
    const atEnd = s.cursor >= s.steps.length - 1;
    s.showLog(this.source, this.run(c.events()));
    if (this.firstBatch) {
      this.firstBatch = false;
      // a finished connection opens at its first step; a live one follows its end
      const lane = c.connections.get(this.following);
      if (lane && lane.closed === null) s.last();
      else s.first();
    } else if (atEnd) s.last();
  }
}

export const classroom = new ClassroomState();
