// The running "real server" connection of the page, kept outside ConnectForm.svelte so it
// survives the Open… dialog closing: it owns the RealSession (app/lib/real-server.ts), the
// pending host-key question, and publishes the growing log to the Session with s.showLog() at
// most once per animation frame. The heavy parts load on first use (first-load budget, issue 4).

import { runFromEvents, type LogSource, type Session } from './session.svelte.ts';
import type { HostKeyAnswer, HostKeyQuestion, RealServerForm, RealSession, RealState } from './real-server.ts';
import type { BrowserKnownHosts } from './browser-known-hosts.ts';
import type { WebSocketLike } from '../../engine/adapters/websocket.ts';
import type { SshPrivateKey } from '../../engine/index.ts';

/** The form's text fields (kept here so they survive the dialog closing). */
export interface RealServerFields {
  host: string;
  port: string;
  user: string;
  password: string;
  kex: string;
  cipher: string;
  hostKey: string;
  command: string;
}

/** The terminal of a shell session (ConnectForm draws it with xterm.js at this size). */
export const TERMINAL_SIZE = { cols: 80, rows: 18 } as const;

export class RealServerLive {
  fields = $state<RealServerFields>({ host: '127.0.0.1', port: '22', user: '', password: '', kex: '', cipher: '', hostKey: '', command: 'uname -a; id' });
  /** The key file loaded in the form (parsed in the page; never sent anywhere). */
  key = $state.raw<{ key: SshPrivateKey; type: string; fingerprint: string } | null>(null);
  /** The session of the last Connect (running or ended), null before. */
  session = $state.raw<RealSession | null>(null);
  /** Mirrors of the session's fields, reassigned on every update so the form re-renders. */
  state = $state<RealState | 'idle'>('idle');
  stdout = $state('');
  exitStatus = $state<number | null>(null);
  endReason = $state('');
  refusal = $state<string | null>(null);
  authenticated = $state(false);
  closeCode = $state<number | null>(null);
  /** The person refused the host key (or it was a changed key). */
  hostKeyRefused = $state(false);
  /** The log of the last connection was shown in the views at least once. */
  hasLog = $state(false);
  question = $state.raw<HostKeyQuestion | null>(null);
  /** Entries in the browser's known_hosts (refreshed after each change). */
  knownHostsCount = $state(0);
  private answerQuestion: ((a: HostKeyAnswer) => void) | null = null;
  private source: LogSource | null = null;
  private frame = 0;
  private knownHosts: BrowserKnownHosts | null = null;

  /** The browser's known_hosts (loaded on first use). */
  async hosts(): Promise<BrowserKnownHosts> {
    if (!this.knownHosts) {
      const { BrowserKnownHosts } = await import('./browser-known-hosts.ts');
      this.knownHosts = new BrowserKnownHosts();
    }
    this.knownHostsCount = this.knownHosts.size;
    return this.knownHosts;
  }

  refreshCount(): void {
    if (this.knownHosts) this.knownHostsCount = this.knownHosts.size;
  }

  get running(): boolean {
    return this.state !== 'idle' && this.state !== 'closed';
  }

  /** Connects through the page's own bridge (ws://<page host>/bridge). */
  async connect(s: Session, form: RealServerForm): Promise<void> {
    this.session?.stop();
    const [{ RealSession: RealSessionClass, targetLabel }, { pageBridgeEndpoint }] = await Promise.all([import('./real-server.ts'), import('../../engine/adapters/websocket.ts')]);
    const knownHosts = await this.hosts();
    const source: LogSource = { kind: 'real-server', target: targetLabel(form.host.trim(), form.port) };
    this.source = source;
    this.state = 'connecting';
    this.stdout = '';
    this.exitStatus = null;
    this.endReason = '';
    this.refusal = null;
    this.authenticated = false;
    this.question = null;
    this.closeCode = null;
    this.hostKeyRefused = false;
    this.hasLog = false;
    let shown = false;
    const publish = (session: RealSession): void => {
      if (this.session !== session) return;
      // show the log once the server has spoken; keep following it while this is what is shown
      if (!shown) {
        if (!session.events.some((e) => e.type === 'version' && e.dir === 's2c')) return;
        shown = true;
        this.hasLog = true;
      } else if (s.source !== source) return;
      const r = session.run();
      const atEnd = s.source !== source || s.cursor >= s.steps.length - 1;
      s.showLog(source, runFromEvents(r.events, { files: r.files, stdout: r.stdout, exitStatus: r.exitStatus }), atEnd ? Number.MAX_SAFE_INTEGER : undefined);
    };
    const mirror = (session: RealSession): void => {
      if (this.session !== session) return;
      this.state = session.state;
      this.stdout = session.stdout + session.stderr;
      this.exitStatus = session.exitStatus;
      this.authenticated = session.authenticated;
      if (this.frame) return;
      const raf = globalThis.requestAnimationFrame ?? ((f: FrameRequestCallback) => setTimeout(() => f(0), 16) as unknown as number);
      this.frame = raf(() => {
        this.frame = 0;
        publish(session);
      });
    };
    const session = new RealSessionClass({
      endpoint: pageBridgeEndpoint(location.href),
      form,
      knownHosts,
      makeWebSocket: (url) => new WebSocket(url) as unknown as WebSocketLike,
      cols: TERMINAL_SIZE.cols,
      rows: TERMINAL_SIZE.rows,
      askHostKey: (q) =>
        new Promise<HostKeyAnswer>((resolve) => {
          this.question = q;
          this.answerQuestion = resolve;
          // the question must be seen: bring the dialog back on this tab if it was closed
          s.sourceDialog = 'real-server';
        }),
      onUpdate: mirror,
      onEnd: (done) => {
        if (this.session !== done) return;
        mirror(done);
        this.state = 'closed';
        this.endReason = done.endReason;
        this.refusal = done.bridgeRefusal;
        this.closeCode = done.closeCode;
        this.hostKeyRefused = done.events.some((e) => e.type === 'host-key-check' && e.result === 'rejected');
        this.question = null;
        this.answerQuestion = null;
        publish(done);
      },
    });
    this.session = session;
    try {
      await session.start();
    } catch (err) {
      this.state = 'closed';
      this.endReason = err instanceof Error ? err.message : String(err);
    }
  }

  /** Shows the last connection's log again (after "Back to the simulation" or another source). */
  show(s: Session): void {
    const session = this.session;
    const source = this.source;
    if (!session || !source) return;
    const r = session.run();
    s.showLog(source, runFromEvents(r.events, { files: r.files, stdout: r.stdout, exitStatus: r.exitStatus }), Number.MAX_SAFE_INTEGER);
  }

  answer(a: HostKeyAnswer): void {
    const f = this.answerQuestion;
    this.answerQuestion = null;
    this.question = null;
    f?.(a);
    this.refreshCount();
  }

  disconnect(): void {
    if (this.answerQuestion) this.answer('refuse');
    this.session?.stop();
  }
}

/** The page's one real-server connection. */
export const realServer = new RealServerLive();
