// The connection protocol, RFC 4254: channels with flow control, channel requests, global requests.
// Both roles share this table; the server side auto-accepts session channels and the usual requests.

import type { SshMessage } from '../wire/messages.ts';
import type { Phase } from '../events.ts';
import type { Command, PermitOpen } from './config.ts';
import type { LayerHost } from './host.ts';
import { REASON } from './errors.ts';

/** RFC 4254 §5.1 open failure reason codes. */
const OPEN_FAILURE = { ADMINISTRATIVELY_PROHIBITED: 1, CONNECT_FAILED: 2, UNKNOWN_CHANNEL_TYPE: 3, RESOURCE_SHORTAGE: 4 } as const;

/** Requests that set up a session belong to phase 4; the rest to phase 5. */
const SETUP_REQUESTS = new Set(['pty-req', 'x11-req', 'env', 'shell', 'exec', 'subsystem', 'auth-agent-req@openssh.com']);
/** Requests a server session accepts (RFC 4254 §6). */
const SERVER_ACCEPTS = new Set(['pty-req', 'env', 'shell', 'exec', 'subsystem', 'window-change', 'signal', 'xon-xoff']);
/** Requests whose answer a client wants (as OpenSSH asks). */
const CLIENT_WANTS_REPLY = new Set(['pty-req', 'shell', 'exec', 'subsystem']);

const MAX_WINDOW = 0xffffffff;

type Outgoing = { kind: 'data'; data: Uint8Array; code: number } | { kind: 'msg'; msg: SshMessage; phase: Phase; request?: string };

interface Channel {
  localId: number;
  remoteId: number;
  type: string;
  state: 'opening' | 'open' | 'closed';
  /** How much the peer may still send us, and what we re-grant it up to. */
  localWindow: number;
  localWindowMax: number;
  localMaxPacket: number;
  /** How much we may still send. */
  remoteWindow: number;
  remoteMaxPacket: number;
  queue: Outgoing[];
  queuedBytes: number;
  pendingReplies: string[];
  sentEof: boolean;
  receivedEof: boolean;
  sentClose: boolean;
  receivedClose: boolean;
  /** Session setup is over once shell/exec/subsystem started: later traffic is phase 5. */
  started: boolean;
  /** Bytes delivered to the application but not yet consumed (manual window mode). */
  held: number;
  /** Server, direct-tcpip: opened by the peer, waiting for the host program's confirm-open / refuse-open. */
  awaitingConfirm?: boolean;
}

export interface ChannelOptions {
  window: number;
  maxPacket: number;
  /** When true the application says what it consumed ('consume' command) before window is granted again. */
  manualWindow?: boolean;
  /** Server: session channels allowed at once on one connection (OpenSSH MaxSessions, default 10). */
  maxSessions?: number;
  /** Server: where direct-tcpip channels may lead (sshd PermitOpen); default 'none'. */
  permitOpen?: PermitOpen;
}

/** sshd PermitOpen matching: "host:port" entries, "*" for any port (sshd_config(5) PermitOpen). */
export function openPermitted(permit: PermitOpen | undefined, host: string, port: number): boolean {
  if (permit === undefined || permit === 'none') return false;
  if (permit === 'any') return true;
  return permit.some((entry) => {
    const i = entry.lastIndexOf(':');
    if (i < 0) return false;
    const h = entry.slice(0, i).replace(/^\[(.*)\]$/, '$1');
    const p = entry.slice(i + 1);
    return (h === '*' || h.toLowerCase() === host.toLowerCase()) && (p === '*' || Number(p) === port);
  });
}

export class Channels {
  private readonly host: LayerHost;
  private readonly opts: ChannelOptions;
  private readonly byLocal = new Map<number, Channel>();
  private nextId = 0;
  private pendingGlobal: string[] = [];
  /** Set by no-more-sessions@openssh.com (OpenSSH PROTOCOL §2.2): later session opens are refused. */
  private noMoreSessions = false;
  /** Restrictions from the authorized_keys line that authenticated the user (no-pty, command=). */
  private policy: { pty: boolean; command?: string } = { pty: true };

  /** Where direct-tcpip channels may lead (from ChannelOptions, or changed by the 'permit-open' command). */
  private permitOpen: PermitOpen | undefined;

  constructor(host: LayerHost, opts: ChannelOptions) {
    this.host = host;
    this.opts = opts;
    this.permitOpen = opts.permitOpen;
  }

  /** Applies authorized_keys options: no-pty / restrict refuse pty-req; command= replaces exec and shell. */
  restrict(policy: { pty: boolean; command?: string }): void {
    this.policy = policy;
  }

  bufferedAmount(id: number): number {
    return this.byLocal.get(id)?.queuedBytes ?? 0;
  }

  /** Sessions that are still open. */
  get openCount(): number {
    return this.byLocal.size;
  }

  private phaseOf(ch: Channel | undefined): Phase {
    return ch && ch.started ? 5 : 4;
  }

  private newChannel(type: string): Channel {
    const ch: Channel = {
      localId: this.nextId++,
      remoteId: -1,
      type,
      state: 'opening',
      localWindow: this.opts.window,
      localWindowMax: this.opts.window,
      localMaxPacket: this.opts.maxPacket,
      remoteWindow: 0,
      remoteMaxPacket: 0,
      queue: [],
      queuedBytes: 0,
      pendingReplies: [],
      sentEof: false,
      receivedEof: false,
      sentClose: false,
      receivedClose: false,
      started: false,
      held: 0,
    };
    this.byLocal.set(ch.localId, ch);
    return ch;
  }

  // ---- commands from the application --------------------------------------------------------

  command(cmd: Command): number {
    if (cmd.type === 'open-session') {
      const ch = this.newChannel('session');
      // RFC 4254 §6.1
      this.host.send({ name: 'SSH_MSG_CHANNEL_OPEN', channelType: 'session', senderChannel: ch.localId, initialWindowSize: ch.localWindow, maximumPacketSize: ch.localMaxPacket }, 4);
      this.host.emit({ type: 'channel', id: ch.localId, change: 'open-request', detail: { channelType: 'session' } }, 4);
      return ch.localId;
    }
    if (cmd.type === 'open-direct-tcpip') {
      if (this.host.side !== 'client') {
        this.host.emit({ type: 'error', local: true, message: 'open-direct-tcpip: only a client asks for direct-tcpip channels' });
        return -1;
      }
      const ch = this.newChannel('direct-tcpip');
      const fields = { hostToConnect: cmd.host, portToConnect: cmd.port, originatorAddress: cmd.originatorHost, originatorPort: cmd.originatorPort };
      // RFC 4254 §7.2
      this.host.send({ name: 'SSH_MSG_CHANNEL_OPEN', channelType: 'direct-tcpip', senderChannel: ch.localId, initialWindowSize: ch.localWindow, maximumPacketSize: ch.localMaxPacket, ...fields }, 4);
      this.host.emit({ type: 'channel', id: ch.localId, change: 'open-request', detail: { channelType: 'direct-tcpip', host: cmd.host, port: cmd.port, originatorAddress: cmd.originatorHost, originatorPort: cmd.originatorPort } }, 4);
      return ch.localId;
    }
    if (cmd.type === 'permit-open') {
      this.permitOpen = cmd.permit;
      return 0;
    }
    if (!('channel' in cmd)) return 0;
    const ch = this.byLocal.get(cmd.channel);
    if (!ch || ch.state === 'closed' || ch.sentClose) {
      this.host.emit({ type: 'error', local: true, message: `channel ${cmd.channel} is not open` });
      return 0;
    }
    switch (cmd.type) {
      case 'confirm-open':
      case 'refuse-open':
        this.answerOpen(ch, cmd);
        return 0;
      case 'pty':
        this.request(ch, 'pty-req', { term: cmd.term ?? 'xterm-256color', widthChars: cmd.cols ?? 80, heightRows: cmd.rows ?? 24, widthPixels: 0, heightPixels: 0, modes: cmd.modes ?? new Uint8Array([0]) });
        break;
      case 'env':
        this.request(ch, 'env', { variableName: cmd.name, value: cmd.value });
        break;
      case 'shell':
        this.request(ch, 'shell', {});
        break;
      case 'exec':
        this.request(ch, 'exec', { command: cmd.command });
        break;
      case 'subsystem':
        this.request(ch, 'subsystem', { subsystemName: cmd.name });
        break;
      case 'window-change':
        this.request(ch, 'window-change', { widthChars: cmd.cols, heightRows: cmd.rows, widthPixels: 0, heightPixels: 0 });
        break;
      case 'signal':
        this.request(ch, 'signal', { signal: cmd.signal });
        break;
      case 'exit-status':
        this.request(ch, 'exit-status', { exitStatus: cmd.status }, false);
        break;
      case 'exit-signal':
        this.request(ch, 'exit-signal', { signal: cmd.signal, coreDumped: cmd.coreDumped ?? false, errorMessage: cmd.message ?? '', language: '' }, false);
        break;
      case 'data':
        if (ch.sentEof) {
          this.host.emit({ type: 'error', local: true, message: `channel ${ch.localId}: data after EOF` });
          break;
        }
        if (cmd.data.length > 0) {
          ch.queue.push({ kind: 'data', data: cmd.data, code: cmd.stream === 'stderr' ? 1 : 0 });
          ch.queuedBytes += cmd.data.length;
        }
        break;
      case 'eof':
        if (!ch.sentEof) {
          ch.sentEof = true;
          ch.queue.push({ kind: 'msg', msg: { name: 'SSH_MSG_CHANNEL_EOF', recipientChannel: 0 }, phase: 5 });
        }
        break;
      case 'close':
        ch.queue.push({ kind: 'msg', msg: { name: 'SSH_MSG_CHANNEL_CLOSE', recipientChannel: 0 }, phase: 5 });
        break;
      case 'consume':
        ch.held = Math.max(0, ch.held - cmd.bytes);
        this.maybeGrant(ch);
        break;
    }
    this.flush(ch);
    return 0;
  }

  private request(ch: Channel, type: string, fields: Record<string, unknown>, wantReply = this.host.side === 'client' && CLIENT_WANTS_REPLY.has(type)): void {
    const phase: Phase = SETUP_REQUESTS.has(type) ? 4 : 5;
    ch.queue.push({ kind: 'msg', msg: { name: 'SSH_MSG_CHANNEL_REQUEST', recipientChannel: 0, requestType: type, wantReply, ...fields }, phase, ...(wantReply ? { request: type } : {}) });
  }

  /** Sends what the peer's window allows, in order; messages wait behind earlier data. */
  private flush(ch: Channel): void {
    if (ch.state !== 'open') return;
    while (ch.queue.length > 0) {
      const item = ch.queue[0]!;
      if (item.kind === 'msg') {
        ch.queue.shift();
        if (item.msg.name === 'SSH_MSG_CHANNEL_CLOSE') {
          if (ch.sentClose) continue;
          ch.sentClose = true;
        }
        if (item.request) ch.pendingReplies.push(item.request);
        this.host.send({ ...item.msg, recipientChannel: ch.remoteId }, item.phase === 4 && !ch.started ? 4 : 5);
        if (item.msg.name === 'SSH_MSG_CHANNEL_REQUEST' && ['shell', 'exec', 'subsystem'].includes(item.msg.requestType as string)) ch.started = true;
        if (ch.sentClose) this.maybeFree(ch);
        continue;
      }
      const room = Math.min(ch.remoteWindow, ch.remoteMaxPacket);
      if (room <= 0) return;
      const n = Math.min(room, item.data.length);
      const chunk = item.data.subarray(0, n);
      if (n === item.data.length) ch.queue.shift();
      else item.data = item.data.subarray(n);
      ch.remoteWindow -= n;
      ch.queuedBytes -= n;
      // RFC 4254 §5.2
      if (item.code === 0) this.host.send({ name: 'SSH_MSG_CHANNEL_DATA', recipientChannel: ch.remoteId, data: chunk }, 5);
      else this.host.send({ name: 'SSH_MSG_CHANNEL_EXTENDED_DATA', recipientChannel: ch.remoteId, dataTypeCode: item.code, data: chunk }, 5);
    }
  }

  /** Re-sends queued channel traffic after a key exchange completes. */
  flushAll(): void {
    for (const ch of this.byLocal.values()) this.flush(ch);
  }

  // ---- messages from the peer --------------------------------------------------------------

  private lookup(msg: SshMessage): Channel | null {
    const id = msg.recipientChannel as number;
    const ch = this.byLocal.get(id);
    if (!ch || ch.receivedClose) {
      this.host.fatal(REASON.PROTOCOL_ERROR, `${msg.name} for unknown or closed channel ${id}`, { field: 'recipient channel', offset: 6 });
      return null;
    }
    return ch;
  }

  /** Returns the phase the message belongs to (for the packet event), after handling it. */
  phaseFor(msg: SshMessage): Phase {
    switch (msg.name) {
      case 'SSH_MSG_CHANNEL_OPEN':
      case 'SSH_MSG_CHANNEL_OPEN_CONFIRMATION':
      case 'SSH_MSG_CHANNEL_OPEN_FAILURE':
        return 4;
      case 'SSH_MSG_CHANNEL_REQUEST':
        return SETUP_REQUESTS.has(msg.requestType as string) ? 4 : 5;
      case 'SSH_MSG_CHANNEL_SUCCESS':
      case 'SSH_MSG_CHANNEL_FAILURE': {
        const ch = this.byLocal.get(msg.recipientChannel as number);
        return ch && ch.pendingReplies.length > 0 && SETUP_REQUESTS.has(ch.pendingReplies[0]!) ? 4 : 5;
      }
      case 'SSH_MSG_GLOBAL_REQUEST':
      case 'SSH_MSG_REQUEST_SUCCESS':
      case 'SSH_MSG_REQUEST_FAILURE':
        return [...this.byLocal.values()].some((c) => c.started) ? 5 : 4;
      default:
        return 5;
    }
  }

  handle(msg: SshMessage): void {
    switch (msg.name) {
      case 'SSH_MSG_CHANNEL_OPEN':
        return this.onOpen(msg);
      case 'SSH_MSG_CHANNEL_OPEN_CONFIRMATION': {
        const ch = this.lookup(msg);
        if (!ch) return;
        if (ch.state !== 'opening') return this.host.fatal(REASON.PROTOCOL_ERROR, `channel ${ch.localId} confirmed twice`, { field: 'recipient channel', offset: 6 });
        ch.remoteId = msg.senderChannel as number;
        ch.remoteWindow = msg.initialWindowSize as number;
        ch.remoteMaxPacket = msg.maximumPacketSize as number;
        ch.state = 'open';
        if (ch.type === 'direct-tcpip') ch.started = true;
        this.host.emit({ type: 'channel', id: ch.localId, change: 'open', detail: { remoteId: ch.remoteId, window: ch.remoteWindow, maxPacket: ch.remoteMaxPacket } }, 4);
        this.flush(ch);
        return;
      }
      case 'SSH_MSG_CHANNEL_OPEN_FAILURE': {
        const ch = this.lookup(msg);
        if (!ch) return;
        this.byLocal.delete(ch.localId);
        this.host.emit({ type: 'channel', id: ch.localId, change: 'open-failed', detail: { reasonCode: msg.reasonCode, description: msg.description } }, 4);
        return;
      }
      case 'SSH_MSG_CHANNEL_WINDOW_ADJUST': {
        const ch = this.lookup(msg);
        if (!ch) return;
        // RFC 4254 §5.2: the window may not grow beyond 2^32 - 1 bytes.
        if (ch.remoteWindow + (msg.bytesToAdd as number) > MAX_WINDOW) return this.host.fatal(REASON.PROTOCOL_ERROR, `channel ${ch.localId}: window adjust beyond 2^32-1 bytes`, { field: 'bytes to add', offset: 10 });
        ch.remoteWindow += msg.bytesToAdd as number;
        this.flush(ch);
        return;
      }
      case 'SSH_MSG_CHANNEL_DATA':
      case 'SSH_MSG_CHANNEL_EXTENDED_DATA':
        return this.onData(msg);
      case 'SSH_MSG_CHANNEL_EOF': {
        const ch = this.lookup(msg);
        if (!ch) return;
        ch.receivedEof = true;
        this.host.emit({ type: 'channel', id: ch.localId, change: 'eof' }, 5);
        return;
      }
      case 'SSH_MSG_CHANNEL_CLOSE': {
        const ch = this.lookup(msg);
        if (!ch) return;
        ch.receivedClose = true;
        this.host.emit({ type: 'channel', id: ch.localId, change: 'close' }, 5);
        // RFC 4254 §5.3: answer with our own CLOSE unless already sent; unsent data is dropped.
        ch.queue = [];
        ch.queuedBytes = 0;
        ch.queue.push({ kind: 'msg', msg: { name: 'SSH_MSG_CHANNEL_CLOSE', recipientChannel: 0 }, phase: 5 });
        this.flush(ch);
        this.maybeFree(ch);
        return;
      }
      case 'SSH_MSG_CHANNEL_REQUEST':
        return this.onRequest(msg);
      case 'SSH_MSG_CHANNEL_SUCCESS':
      case 'SSH_MSG_CHANNEL_FAILURE': {
        const ch = this.lookup(msg);
        if (!ch) return;
        const request = ch.pendingReplies.shift();
        if (request === undefined) return this.host.fatal(REASON.PROTOCOL_ERROR, `${msg.name} without a pending request on channel ${ch.localId}`, { field: 'msg-id', offset: 5 });
        const ok = msg.name === 'SSH_MSG_CHANNEL_SUCCESS';
        this.host.emit({ type: 'channel', id: ch.localId, change: ok ? 'request-success' : 'request-failure', detail: { request } }, SETUP_REQUESTS.has(request) ? 4 : 5);
        return;
      }
      case 'SSH_MSG_GLOBAL_REQUEST':
        return this.onGlobalRequest(msg);
      case 'SSH_MSG_REQUEST_SUCCESS':
      case 'SSH_MSG_REQUEST_FAILURE': {
        const name = this.pendingGlobal.shift() ?? '(unsolicited)';
        this.host.emit({ type: 'global-request', name, wantReply: true, dir: this.host.side === 'client' ? 's2c' : 'c2s', result: msg.name === 'SSH_MSG_REQUEST_SUCCESS' ? 'success' : 'failure' });
        return;
      }
    }
  }

  /** Sends a global request such as keepalive@openssh.com (RFC 4254 §4). */
  globalRequest(name: string, wantReply: boolean): void {
    if (wantReply) this.pendingGlobal.push(name);
    this.host.send({ name: 'SSH_MSG_GLOBAL_REQUEST', requestName: name, wantReply }, 5);
  }

  private onGlobalRequest(msg: SshMessage): void {
    const name = msg.requestName as string;
    const wantReply = msg.wantReply as boolean;
    if (name === 'no-more-sessions@openssh.com' && this.host.side === 'server') this.noMoreSessions = true;
    this.host.emit({ type: 'global-request', name, wantReply, dir: this.host.side === 'client' ? 's2c' : 'c2s', ...(wantReply ? { result: 'failure' as const } : {}) });
    // We grant none: a keepalive@openssh.com gets exactly the failure reply OpenSSH's serverloop.c
    // sends for any request it does not know (RFC 4254 §4); tcpip-forward (ssh -R) is not offered;
    // hostkeys-00@openssh.com (OpenSSH PROTOCOL §2.5) needs no reply.
    if (wantReply) this.host.send({ name: 'SSH_MSG_REQUEST_FAILURE' });
  }

  private onOpen(msg: SshMessage): void {
    const type = msg.channelType as string;
    const sender = msg.senderChannel as number;
    const sessions = [...this.byLocal.values()].filter((c) => c.type === 'session').length;
    if (this.host.side === 'server' && type === 'session' && sessions >= (this.opts.maxSessions ?? 10)) {
      // OpenSSH MaxSessions (default 10): refuse further sessions on this connection.
      this.host.send({ name: 'SSH_MSG_CHANNEL_OPEN_FAILURE', recipientChannel: sender, reasonCode: OPEN_FAILURE.RESOURCE_SHORTAGE, description: `no more than ${this.opts.maxSessions ?? 10} sessions per connection`, language: '' }, 4);
      this.host.emit({ type: 'channel', id: -1, change: 'open-failed', detail: { channelType: type, reason: 'MaxSessions' } }, 4);
      return;
    }
    if (this.host.side === 'server' && type === 'direct-tcpip') return this.onDirectTcpip(msg);
    if (this.host.side === 'client' || type !== 'session' || this.noMoreSessions) {
      const description = this.noMoreSessions && type === 'session' ? 'no more sessions: the client said it would open none' : `${type} channels are not accepted here`;
      this.host.send({ name: 'SSH_MSG_CHANNEL_OPEN_FAILURE', recipientChannel: sender, reasonCode: type === 'session' ? OPEN_FAILURE.ADMINISTRATIVELY_PROHIBITED : OPEN_FAILURE.UNKNOWN_CHANNEL_TYPE, description, language: '' }, 4);
      this.host.emit({ type: 'channel', id: -1, change: 'open-failed', detail: { channelType: type } }, 4);
      return;
    }
    const ch = this.newChannel(type);
    ch.remoteId = sender;
    ch.remoteWindow = msg.initialWindowSize as number;
    ch.remoteMaxPacket = msg.maximumPacketSize as number;
    ch.state = 'open';
    this.host.send({ name: 'SSH_MSG_CHANNEL_OPEN_CONFIRMATION', recipientChannel: sender, senderChannel: ch.localId, initialWindowSize: ch.localWindow, maximumPacketSize: ch.localMaxPacket, typeData: new Uint8Array(0) }, 4);
    this.host.emit({ type: 'channel', id: ch.localId, change: 'open', detail: { channelType: type, remoteId: sender, window: ch.remoteWindow, maxPacket: ch.remoteMaxPacket } }, 4);
  }

  /**
   * RFC 4254 §7.2 on the server: a client asks us to connect host:port. Refused at once when the
   * policy does not permit it (ADMINISTRATIVELY_PROHIBITED, as sshd answers for PermitOpen);
   * otherwise the request becomes an 'open-request' event and waits for the host program, which
   * connects the target and answers confirm-open (OPEN_CONFIRMATION) or refuse-open (CONNECT_FAILED).
   */
  private onDirectTcpip(msg: SshMessage): void {
    const sender = msg.senderChannel as number;
    const host = msg.hostToConnect as string;
    const port = msg.portToConnect as number;
    const detail = { channelType: 'direct-tcpip', host, port, originatorAddress: msg.originatorAddress as string, originatorPort: msg.originatorPort as number };
    if (!openPermitted(this.permitOpen, host, port)) {
      this.host.send({ name: 'SSH_MSG_CHANNEL_OPEN_FAILURE', recipientChannel: sender, reasonCode: OPEN_FAILURE.ADMINISTRATIVELY_PROHIBITED, description: 'administratively prohibited: open failed', language: '' }, 4);
      this.host.emit({ type: 'channel', id: -1, change: 'open-failed', detail: { ...detail, reasonCode: OPEN_FAILURE.ADMINISTRATIVELY_PROHIBITED, reason: 'PermitOpen' } }, 4);
      return;
    }
    const ch = this.newChannel('direct-tcpip');
    ch.remoteId = sender;
    ch.remoteWindow = msg.initialWindowSize as number;
    ch.remoteMaxPacket = msg.maximumPacketSize as number;
    ch.awaitingConfirm = true;
    this.host.emit({ type: 'channel', id: ch.localId, change: 'open-request', detail }, 4);
  }

  private answerOpen(ch: Channel, cmd: Extract<Command, { type: 'confirm-open' | 'refuse-open' }>): void {
    if (!ch.awaitingConfirm) {
      this.host.emit({ type: 'error', local: true, message: `${cmd.type}: channel ${ch.localId} is not waiting for an answer` });
      return;
    }
    ch.awaitingConfirm = false;
    if (cmd.type === 'refuse-open') {
      const reasonCode = cmd.reason ?? OPEN_FAILURE.CONNECT_FAILED;
      const description = cmd.description ?? 'connect failed';
      this.byLocal.delete(ch.localId);
      this.host.send({ name: 'SSH_MSG_CHANNEL_OPEN_FAILURE', recipientChannel: ch.remoteId, reasonCode, description, language: '' }, 4);
      this.host.emit({ type: 'channel', id: ch.localId, change: 'open-failed', detail: { channelType: ch.type, reasonCode, description } }, 4);
      return;
    }
    ch.state = 'open';
    ch.started = true; // no session requests on a forwarded connection: its data is phase 5
    this.host.send({ name: 'SSH_MSG_CHANNEL_OPEN_CONFIRMATION', recipientChannel: ch.remoteId, senderChannel: ch.localId, initialWindowSize: ch.localWindow, maximumPacketSize: ch.localMaxPacket, typeData: new Uint8Array(0) }, 4);
    this.host.emit({ type: 'channel', id: ch.localId, change: 'open', detail: { channelType: ch.type, remoteId: ch.remoteId, window: ch.remoteWindow, maxPacket: ch.remoteMaxPacket } }, 4);
    this.flush(ch);
  }

  private onData(msg: SshMessage): void {
    const ch = this.lookup(msg);
    if (!ch) return;
    const data = msg.data as Uint8Array;
    // RFC 4254 §5.2: `data` follows the message number and the recipient channel (packet offset 10),
    // and in EXTENDED_DATA also the data type code (offset 14).
    const at = { field: 'data', offset: msg.name === 'SSH_MSG_CHANNEL_DATA' ? 10 : 14 };
    if (ch.receivedEof) return this.host.fatal(REASON.PROTOCOL_ERROR, `data after EOF on channel ${ch.localId}`, at);
    // the peer must respect the window and the maximum packet size we gave it
    if (data.length > ch.localWindow) return this.host.fatal(REASON.PROTOCOL_ERROR, `channel ${ch.localId}: ${data.length} bytes exceed the window of ${ch.localWindow}`, at);
    if (data.length > ch.localMaxPacket) return this.host.fatal(REASON.PROTOCOL_ERROR, `channel ${ch.localId}: ${data.length} bytes exceed the maximum packet size ${ch.localMaxPacket}`, at);
    ch.localWindow -= data.length;
    if (msg.name === 'SSH_MSG_CHANNEL_DATA') this.host.emit({ type: 'channel', id: ch.localId, change: 'data', detail: { data } }, 5);
    else this.host.emit({ type: 'channel', id: ch.localId, change: 'extended-data', detail: { data, code: msg.dataTypeCode } }, 5);
    if (this.opts.manualWindow) ch.held += data.length;
    this.maybeGrant(ch);
  }

  /**
   * RFC 4254 §5.2: grant the peer more window once half of it is used up by data the application
   * has consumed (in automatic mode, data counts as consumed once it is an event).
   */
  private maybeGrant(ch: Channel): void {
    const grantable = ch.localWindowMax - ch.localWindow - ch.held;
    if (grantable >= ch.localWindowMax / 2 && !ch.sentClose && !ch.receivedClose) {
      ch.localWindow += grantable;
      this.host.send({ name: 'SSH_MSG_CHANNEL_WINDOW_ADJUST', recipientChannel: ch.remoteId, bytesToAdd: grantable }, 5);
    }
  }

  private onRequest(msg: SshMessage): void {
    const ch = this.lookup(msg);
    if (!ch) return;
    const type = msg.requestType as string;
    const wantReply = msg.wantReply as boolean;
    const phase: Phase = SETUP_REQUESTS.has(type) ? 4 : 5;
    const { name: _n, id: _i, recipientChannel: _r, requestType: _t, wantReply: _w, ...fields } = msg as SshMessage & { id?: number };
    const extra = fields as Record<string, unknown>;
    if (this.host.side === 'client') {
      // RFC 4254 §6.10: the server reports how the command ended.
      if (type === 'exit-status') this.host.emit({ type: 'channel', id: ch.localId, change: 'exit-status', detail: { status: msg.exitStatus } }, 5);
      else if (type === 'exit-signal') this.host.emit({ type: 'channel', id: ch.localId, change: 'exit-signal', detail: { signal: msg.signal, coreDumped: msg.coreDumped, message: msg.errorMessage } }, 5);
      else this.host.emit({ type: 'channel', id: ch.localId, change: 'request', detail: { request: type, ...fields } }, phase);
      if (wantReply) this.host.send({ name: 'SSH_MSG_CHANNEL_FAILURE', recipientChannel: ch.remoteId }, phase);
      return;
    }
    const lateSetup = ch.started && (type === 'pty-req' || type === 'shell' || type === 'exec' || type === 'subsystem');
    const ptyRefused = type === 'pty-req' && !this.policy.pty;
    const accept = SERVER_ACCEPTS.has(type) && !lateSetup && !ptyRefused;
    if (this.policy.command !== undefined && (type === 'exec' || type === 'shell' || type === 'subsystem')) extra.forcedCommand = this.policy.command;
    if (ptyRefused) extra.refusedBecause = 'authorized_keys option no-pty (or restrict)';
    if (wantReply) this.host.send({ name: accept ? 'SSH_MSG_CHANNEL_SUCCESS' : 'SSH_MSG_CHANNEL_FAILURE', recipientChannel: ch.remoteId }, phase);
    if (['shell', 'exec', 'subsystem'].includes(type) && accept) ch.started = true;
    this.host.emit({ type: 'channel', id: ch.localId, change: 'request', detail: { request: type, accepted: accept, ...fields } }, phase);
  }

  private maybeFree(ch: Channel): void {
    if (ch.sentClose && ch.receivedClose && ch.state !== 'closed') {
      ch.state = 'closed';
      this.byLocal.delete(ch.localId);
      this.host.emit({ type: 'channel', id: ch.localId, change: 'closed' }, 5);
    }
  }
}
