// Typed errors for key files and trust files (OpenSSH PROTOCOL.key, sshd(8) AUTHORIZED_KEYS and
// SSH_KNOWN_HOSTS FILE FORMAT). Every malformed input surfaces as a KeyFileError, never as a bare
// Error, so callers (CLI, UI) can point at the line, the byte offset and the field.

import { DecodeError } from '../wire/codec.ts';

export type KeyFileErrorCode =
  | 'malformed'
  | 'unsupported'
  | 'passphrase-required'
  | 'wrong-passphrase';

export interface KeyFileErrorWhere {
  /** 1-based line number in a text file, when known. */
  line?: number;
  /** Byte offset inside the decoded binary structure (or character column in a line). */
  offset?: number;
  /** Which field, e.g. "private.checkint2" or "key.base64". */
  field?: string;
}

export class KeyFileError extends Error {
  readonly code: KeyFileErrorCode;
  readonly reason: string;
  readonly line: number | undefined;
  readonly offset: number | undefined;
  readonly field: string | undefined;
  constructor(reason: string, where: KeyFileErrorWhere = {}, code: KeyFileErrorCode = 'malformed') {
    const at: string[] = [];
    if (where.line !== undefined) at.push(`line ${where.line}`);
    if (where.field !== undefined) at.push(where.field);
    if (where.offset !== undefined) at.push(`offset ${where.offset}`);
    super(at.length ? `${at.join(', ')}: ${reason}` : reason);
    this.name = 'KeyFileError';
    this.code = code;
    this.reason = reason;
    this.line = where.line;
    this.offset = where.offset;
    this.field = where.field;
  }
}

/** Runs `fn`, turning a codec DecodeError into a KeyFileError (with `line` and a field prefix). */
export function asKeyFileError<T>(fn: () => T, where: { line?: number; prefix?: string } = {}): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof KeyFileError) {
      if (where.line !== undefined && e.line === undefined) {
        throw new KeyFileError(e.reason, { line: where.line, offset: e.offset, field: e.field }, e.code);
      }
      throw e;
    }
    if (e instanceof DecodeError) {
      const field = where.prefix ? (e.field ? `${where.prefix}.${e.field}` : where.prefix) : e.field;
      throw new KeyFileError(e.reason, { line: where.line, offset: e.offset, field });
    }
    throw e;
  }
}
