// The pretend shell (virtual-shell.ts) behind a server engine's session channels: one VirtualShell
// per channel, started by its "exec" or "shell" request (RFC 4254 §6.5) with what "pty-req" (§6.2)
// and "env" (§6.4) asked for before, fed the channel's data and EOF (§5.2, §5.3), resized by
// "window-change" (§6.7), signalled by "signal" (§6.9); when it ends the channel gets exit-status,
// EOF and CLOSE, in the order OpenSSH uses (§6.10, §5.3). Used by `sshscope serve`, the scenarios'
// in-memory logins and the app's terminal view, so no sockets and no node: imports here.

import type { Connection } from '../engine/core/connection.ts';
import type { SshEvent } from '../engine/events.ts';
import { VirtualShell, type PtyInfo } from './virtual-shell.ts';

/** What a session channel has asked for so far. */
interface SessionState {
  pty: PtyInfo | null;
  env: Record<string, string>;
  shell: VirtualShell | null;
}

/** An accepted "exec" or "shell" request, as the shell will run it. */
export interface ShellStart {
  request: 'exec' | 'shell';
  /** The command line that runs: authorized_keys command="…" when set, else the client's exec command; null for a plain shell. */
  command: string | null;
  /** The command came from authorized_keys command="…" (sshd(8) AUTHORIZED_KEYS FILE FORMAT). */
  forced: boolean;
  pty: PtyInfo | null;
}

export interface ShellChannelsOptions {
  /** The server engine whose session channels are served. */
  server: Pick<Connection, 'command'>;
  /** The user the shell runs as (read when a shell starts). */
  user: () => string;
  /** The shell's host name (VirtualShell's default when absent). */
  hostname?: string;
  /** Every accepted exec or shell request, before it starts (a second one on a channel is then ignored). */
  onStart?: (channel: number, start: ShellStart) => void;
}

export class ShellChannels {
  private readonly sessions = new Map<number, SessionState>();

  constructor(private readonly o: ShellChannelsOptions) {}

  /** A session channel is open and served here. */
  has(channel: number): boolean {
    return this.sessions.has(channel);
  }

  /** Feeds one server event; returns whether it was about a session channel served here. */
  handle(e: SshEvent): boolean {
    if (e.type !== 'channel') return false;
    const d = (e.detail ?? {}) as Record<string, unknown>;
    if (e.change === 'open') {
      if (d['channelType'] !== 'session') return false;
      this.sessions.set(e.id, { pty: null, env: {}, shell: null });
      return true;
    }
    const st = this.sessions.get(e.id);
    if (!st) return false;
    switch (e.change) {
      case 'request':
        if (d['accepted'] !== false) this.request(e.id, st, d);
        break;
      case 'data':
        if (d['data'] instanceof Uint8Array) st.shell?.input(d['data']);
        break;
      case 'eof':
        st.shell?.eof();
        break;
      case 'close':
      case 'closed':
        this.sessions.delete(e.id);
        break;
    }
    return true;
  }

  private request(ch: number, st: SessionState, d: Record<string, unknown>): void {
    switch (d['request']) {
      case 'pty-req':
        st.pty = { term: String(d['term'] ?? 'xterm'), cols: Number(d['widthChars'] ?? 80), rows: Number(d['heightRows'] ?? 24) };
        return;
      case 'env': {
        // the value may arrive as raw bytes when it is not UTF-8
        const name = String(d['variableName'] ?? d['name']);
        const value = asText(d['value']);
        st.env[name] = value;
        st.shell?.setEnv(name, value);
        return;
      }
      case 'window-change':
        st.shell?.resize(Number(d['widthChars'] ?? 80), Number(d['heightRows'] ?? 24));
        return;
      case 'signal':
        st.shell?.signal(String(d['signal']));
        return;
      case 'exec':
      case 'shell': {
        const request = d['request'] as 'exec' | 'shell';
        const forced = typeof d['forcedCommand'] === 'string';
        // authorized_keys command="…" replaces whatever the client asked for, which is kept in
        // SSH_ORIGINAL_COMMAND
        if (forced && request === 'exec') st.env['SSH_ORIGINAL_COMMAND'] = asText(d['command']);
        const command = forced ? (d['forcedCommand'] as string) : request === 'exec' ? asText(d['command']) : null;
        this.o.onStart?.(ch, { request, command, forced, pty: st.pty });
        if (!st.shell) this.start(ch, st, command);
        return;
      }
    }
  }

  private start(ch: number, st: SessionState, command: string | null): void {
    const server = this.o.server;
    const sh = new VirtualShell({
      user: this.o.user(),
      ...(this.o.hostname !== undefined ? { hostname: this.o.hostname } : {}),
      pty: st.pty,
      env: st.env,
      write: (data, stream) => server.command({ type: 'data', channel: ch, data, stream }),
      exit: (status) => {
        server.command({ type: 'exit-status', channel: ch, status });
        server.command({ type: 'eof', channel: ch });
        server.command({ type: 'close', channel: ch });
      },
    });
    st.shell = sh;
    if (command === null) sh.shell();
    else sh.exec(command);
  }
}

/** A request field that is text, or raw bytes when it was not valid UTF-8. */
export function asText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array) return new TextDecoder().decode(v);
  return v === undefined || v === null ? '' : String(v);
}
