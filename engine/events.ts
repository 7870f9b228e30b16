// The event union (DESIGN.md "Events"): plain, structured-clone-able data. Every consumer —
// the UI, the CLI's --trace and --json, recordings, golden tests — reads this log.

export type Side = 'client' | 'server';
/** c2s: client to server; s2c: server to client. */
export type Dir = 'c2s' | 's2c';
/** 1 version exchange · 2 negotiation and key exchange · 3 authentication · 4 session request · 5 interactive session */
export type Phase = 1 | 2 | 3 | 4 | 5;

export type FieldKind =
  | 'struct'
  | 'packet'
  | 'byte'
  | 'boolean'
  | 'uint32'
  | 'uint64'
  | 'bytes'
  | 'string'
  | 'text'
  | 'name-list'
  | 'mpint';

/** One field of a decoded structure with the byte range [start, end) it occupies. */
export interface FieldNode {
  /** Dotted path, e.g. "payload.cookie". */
  path: string;
  /** Human name, usually the RFC's. */
  label: string;
  kind: FieldKind;
  start: number;
  end: number;
  /** Primitive value: numbers, booleans, text; bytes and mpints as hex; uint64 as decimal string. */
  value?: string | number | boolean | string[];
  display?: string;
  /** A one-line explanation for learners (from the message table). */
  doc?: string;
  children?: FieldNode[];
}

/** One row of algorithm negotiation, RFC 4253 §7.1. */
export interface NegotiationRow {
  category: string;
  client: string[];
  server: string[];
  chosen: string | null;
  rule: string;
}

/** One step of the exchange-hash / key-derivation trace, RFC 4253 §7.2. */
export interface KdfStep {
  /** 'K' | 'H' | 'session_id' | 'A'..'F' and their rounds, e.g. 'A.1', 'A.2'. */
  name: string;
  label: string;
  /** Hex of the value. */
  value: string;
  /** What was hashed to get it, as a formula, e.g. "HASH(K || H || 'A' || session_id)". */
  formula?: string;
}

export type DecisionKind = 'host-key' | 'password' | 'passphrase';

export type SshEventBody =
  | { type: 'version'; dir: Dir; line: string; preamble?: string[] }
  | {
      type: 'packet';
      dir: Dir;
      /** Sequence number of this packet in its direction (RFC 4253 §6.4). */
      n: number;
      /** Exactly the bytes on the wire (encrypted when a cipher is active). */
      wire: Uint8Array;
      /** The decrypted payload. */
      payload: Uint8Array;
      /** Message name, e.g. "SSH_MSG_KEXINIT". */
      msg: string;
      id: number;
      encrypted: boolean;
      /** The binary-packet tree: ranges index into `wire` (same positions as the plaintext). */
      tree: FieldNode;
      /** Rekey and keepalive traffic in phase 5. */
      background?: boolean;
      /** Set when the payload travelled compressed: the method, and the message tree with ranges into `payload`. */
      compression?: string;
      payloadTree?: FieldNode;
    }
  | { type: 'negotiated'; rows: NegotiationRow[] }
  | { type: 'exchange-hash'; tree: FieldNode; H: Uint8Array; input: Uint8Array; hash: string }
  | {
      type: 'keys';
      steps: KdfStep[];
      kex: string;
      hash: string;
      /** What a Wireshark SSH key log needs (hex): both KEXINIT cookies, K's value, our ephemeral key. */
      keylog?: { cookie: string; serverCookie: string; sharedSecret: string; privateKey?: string };
      /** How the key exchange method computed K (for hybrids: both halves and the combiner). */
      kexTrace?: { name: string; label: string; value: string }[];
    }
  | { type: 'host-key-check'; result: 'known' | 'unknown' | 'changed' | 'accepted' | 'rejected'; fingerprint: string; algorithm: string }
  | { type: 'auth'; method: string; result: 'success' | 'failure' | 'partial' | 'pk-ok' | 'attempt'; user?: string; continue?: string[]; detail?: string }
  | { type: 'channel'; id: number; change: ChannelChange; detail?: unknown }
  | { type: 'decision'; id: number; kind: DecisionKind; detail: unknown }
  | { type: 'banner'; message: string }
  | { type: 'global-request'; name: string; wantReply: boolean; dir: Dir; result?: 'success' | 'failure' }
  | { type: 'info'; message: string }
  | { type: 'error'; local: boolean; message: string; reason?: number; field?: string; offset?: number }
  | { type: 'closed'; reason?: number; message: string };

export type ChannelChange =
  | 'open-request'
  | 'open'
  | 'open-failed'
  | 'request'
  | 'request-success'
  | 'request-failure'
  | 'data'
  | 'extended-data'
  | 'window-adjust'
  | 'eof'
  | 'close'
  | 'closed'
  | 'exit-status'
  | 'exit-signal';

export type SshEvent = { seq: number; t: number; side: Side; phase: Phase } & SshEventBody;
