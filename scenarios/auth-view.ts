// What a USERAUTH_REQUEST reveals, read from its decrypted payload (RFC 4252 §5, §7, §8): the
// scenarios show what the server (honest or not) learns, next to what an eavesdropper sees.

import type { SshEvent } from '../engine/events.ts';

export interface AuthRequestView {
  user: string;
  service: string;
  method: string;
  /** password method (RFC 4252 §8): the password in clear, once decrypted. */
  password?: string;
  /** publickey method (RFC 4252 §7). */
  signed?: boolean;
  algorithm?: string;
  blob?: Uint8Array;
  signature?: Uint8Array;
  /** Offset where the signature field starts: the payload before it is what was signed (after session_id). */
  signedEnd?: number;
}

type Packet = Extract<SshEvent, { type: 'packet' }>;

/** Parses SSH_MSG_USERAUTH_REQUEST (50); null for anything else or a truncated payload. */
export function parseAuthRequest(payload: Uint8Array): AuthRequestView | null {
  if (payload[0] !== 50) return null;
  let o = 1;
  const u32 = () => {
    if (o + 4 > payload.length) throw new RangeError('short');
    const v = ((payload[o]! << 24) | (payload[o + 1]! << 16) | (payload[o + 2]! << 8) | payload[o + 3]!) >>> 0;
    o += 4;
    return v;
  };
  const bytes = () => {
    const n = u32();
    if (o + n > payload.length) throw new RangeError('short');
    const v = payload.subarray(o, o + n);
    o += n;
    return v;
  };
  const str = () => new TextDecoder().decode(bytes());
  try {
    const v: AuthRequestView = { user: str(), service: str(), method: '' };
    v.method = str();
    if (v.method === 'password') {
      o += 1; // boolean FALSE (no new password)
      v.password = str();
    } else if (v.method === 'publickey') {
      v.signed = payload[o++] !== 0;
      v.algorithm = str();
      v.blob = bytes();
      if (v.signed) {
        v.signedEnd = o;
        v.signature = bytes();
      }
    }
    return v;
  } catch {
    return null;
  }
}

/** The USERAUTH_REQUEST packets one side logged (client: as sent; server: as received and decrypted). */
export function authRequests(events: SshEvent[], side: 'client' | 'server'): { packet: Packet; view: AuthRequestView }[] {
  const out: { packet: Packet; view: AuthRequestView }[] = [];
  for (const e of events) {
    if (e.type !== 'packet' || e.side !== side || e.dir !== 'c2s') continue;
    const view = parseAuthRequest(e.payload);
    if (view) out.push({ packet: e, view });
  }
  return out;
}

/** Whether `needle` occurs in `hay`. */
export function containsBytes(hay: Uint8Array, needle: Uint8Array): boolean {
  if (needle.length === 0) return true;
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}
