// What a publickey client signs, RFC 4252 §7: the session identifier first, so a signature made
// for one connection is worthless in any other (no replay), then the request it authorises.

import { Writer } from '../wire/codec.ts';
import type { FieldNode } from '../events.ts';

export function publickeySignedData(p: { sessionId: Uint8Array; user: string; service: string; algorithm: string; publicKey: Uint8Array }): { bytes: Uint8Array; tree: FieldNode } {
  const w = new Writer({ rootLabel: 'data signed by the client (RFC 4252 §7)' });
  w.string('session_identifier', p.sessionId, { label: 'session identifier (H of the first key exchange)' });
  w.byte('msg', 50, { label: 'SSH_MSG_USERAUTH_REQUEST' });
  w.text('user', p.user, { label: 'user name' });
  w.text('service', p.service, { label: 'service name' });
  w.text('method', 'publickey', { label: '"publickey"' });
  w.boolean('has_signature', true, { label: 'TRUE' });
  w.text('algorithm', p.algorithm, { label: 'public key algorithm name' });
  w.string('public_key', p.publicKey, { label: 'public key blob' });
  return { bytes: w.toBytes(), tree: w.tree };
}
