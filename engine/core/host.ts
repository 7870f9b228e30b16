// What the layers above the transport (authentication, channels) may ask of the connection.

import type { SshMessage } from '../wire/messages.ts';
import type { Phase, Side, SshEventBody } from '../events.ts';
import type { Env } from '../env.ts';

export interface LayerHost {
  readonly side: Side;
  readonly env: Env;
  /** The session identifier (H of the first key exchange), RFC 4253 §7.2. */
  readonly sessionId: Uint8Array;
  /** Encodes and sends a message (queued while a key re-exchange is in progress). */
  send(msg: SshMessage, phase?: Phase): void;
  emit(body: SshEventBody, phase?: Phase): void;
  /** Ends the connection with SSH_MSG_DISCONNECT(reason). */
  fatal(reason: number, message: string, where?: { field?: string; offset?: number }): void;
}
