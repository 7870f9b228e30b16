// Errors that end a connection: each carries the SSH_MSG_DISCONNECT reason code to send
// (RFC 4253 §11.1) and, when it came from decoding, the field and offset at fault.

// The reason codes live in the message table's id file; REASON is the name the engine uses.
export { DISCONNECT_REASON as REASON } from '../wire/message-ids.ts';

export class SshProtocolError extends Error {
  readonly reason: number;
  readonly field: string | undefined;
  readonly offset: number | undefined;
  constructor(reason: number, message: string, where?: { field?: string; offset?: number }) {
    super(message);
    this.name = 'SshProtocolError';
    this.reason = reason;
    this.field = where?.field;
    this.offset = where?.offset;
  }
}
