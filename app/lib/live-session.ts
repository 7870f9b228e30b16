// A live, interactive session for the terminal view: the same scenario as runScenario, but the
// client asks for what `ssh` would (RFC 4254 §6.2 pty-req, §6.5 shell or exec: TermMode) and the
// server runs the pretend shell of `sshscope serve` (cli/shell-channels.ts, pure logic). Every
// keystroke (with a pty) or line (without) becomes SSH_MSG_CHANNEL_DATA packets that are appended
// to the event log as they happen.

import { createClient, createServer, type Connection, type SshEvent } from '../../engine/index.ts';
import { ShellChannels } from '../../cli/shell-channels.ts';
import { scenarioSetup, type HostFiles, type ScenarioConfig } from './scenario.ts';

/** What the client asks for on its session channel, as ssh(1) decides it. */
export interface TermMode {
  /** pty-req first: `ssh host` from a terminal, or `ssh -t host cmd`. */
  pty: boolean;
  /** exec this command line (`ssh host cmd`); null asks for the shell. */
  command: string | null;
}

export const TERM_MODES: readonly { id: string; mode: TermMode; argv: (user: string, command: string) => string }[] = [
  { id: 'shell-pty', mode: { pty: true, command: null }, argv: (u) => `ssh ${u}@server` },
  { id: 'shell', mode: { pty: false, command: null }, argv: (u) => `ssh -T ${u}@server` },
  { id: 'exec', mode: { pty: false, command: '' }, argv: (u, c) => `ssh ${u}@server '${c}'` },
  { id: 'exec-pty', mode: { pty: true, command: '' }, argv: (u, c) => `ssh -t ${u}@server '${c}'` },
];

export class LiveSession {
  readonly events: SshEvent[] = [];
  readonly files: HostFiles;
  private readonly client: Connection;
  private readonly server: Connection;
  private channel = -1;
  private user = '?';
  private readonly shells: ShellChannels;
  closed = false;
  /** Everything the terminal has shown so far (to redraw it when the view is reopened). */
  readonly output: Uint8Array[] = [];
  /** Terminal output (the client's received channel data). */
  onOutput: ((data: Uint8Array) => void) | null = null;

  constructor(
    config: ScenarioConfig,
    private size: { cols: number; rows: number },
    readonly mode: TermMode = { pty: true, command: null },
  ) {
    const setup = scenarioSetup({ ...config, tamper: null });
    this.files = setup.files;
    this.client = createClient(setup.client);
    this.server = createServer(setup.server);
    this.shells = new ShellChannels({ server: this.server, user: () => this.user, hostname: 'server' });
    this.pump();
  }

  /** Keystrokes from the terminal. */
  send(text: string): void {
    if (this.closed || this.channel < 0) return;
    this.client.command({ type: 'data', channel: this.channel, data: new TextEncoder().encode(text) });
    this.pump();
  }

  /** The end of ssh's input (Ctrl-D at the start of a line without a pty): CHANNEL_EOF, RFC 4254 §5.3. */
  eof(): void {
    if (this.closed || this.channel < 0) return;
    this.client.command({ type: 'eof', channel: this.channel });
    this.pump();
  }

  resize(cols: number, rows: number): void {
    this.size = { cols, rows };
    if (this.closed || this.channel < 0) return;
    this.client.command({ type: 'window-change', channel: this.channel, cols, rows });
    this.pump();
  }

  private onServerEvent(e: SshEvent): void {
    if (e.type === 'auth' && e.result === 'success' && e.user) this.user = e.user;
    this.shells.handle(e);
  }

  private onClientEvent(e: SshEvent): void {
    if (e.type === 'auth' && e.result === 'success') this.channel = this.client.command({ type: 'open-session' });
    if (e.type === 'closed') this.closed = true;
    if (e.type !== 'channel' || e.id !== this.channel) return;
    const d = (e.detail ?? {}) as { data?: Uint8Array };
    if (e.change === 'open') {
      if (this.mode.pty) this.client.command({ type: 'pty', channel: this.channel, term: 'xterm-256color', cols: this.size.cols, rows: this.size.rows });
      if (this.mode.command === null) this.client.command({ type: 'shell', channel: this.channel });
      else this.client.command({ type: 'exec', channel: this.channel, command: this.mode.command });
    } else if ((e.change === 'data' || e.change === 'extended-data') && d.data) {
      this.output.push(d.data);
      this.onOutput?.(d.data);
    }
    else if (e.change === 'closed') this.client.command({ type: 'disconnect', description: 'logout' });
  }

  private pump(): void {
    for (let round = 0; round < 10_000; round++) {
      let moved = false;
      for (const [from, to] of [
        [this.client, this.server],
        [this.server, this.client],
      ] as const) {
        let e: SshEvent | null;
        while ((e = from.pollEvent())) {
          this.events.push(e);
          if (from === this.server) this.onServerEvent(e);
          else this.onClientEvent(e);
          moved = true;
        }
        const out = from.pollTransmit();
        if (out) {
          to.receive(out);
          moved = true;
        }
      }
      if (!moved) break;
    }
  }
}
