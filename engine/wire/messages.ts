// SSH messages: decode, encode and explain any payload with one declarative table
// (messages-table.ts) and one schema interpreter (messages-schema.ts). DESIGN.md "One schema per
// message drives encode, decode and the tree".
//
// Message objects are flat: { name: 'SSH_MSG_CHANNEL_REQUEST', recipientChannel, requestType,
// wantReply, command } — method-, request- and type-specific fields sit beside the common ones; in
// the tree they form a subtree. Types: uint32/byte → number, boolean → boolean, uint64/mpint →
// bigint, text → string, name-list → string[], string → Uint8Array. "Bytes-tolerant" text fields
// (exec `command`, env `value`) decode to a string when valid UTF-8 and to a Uint8Array otherwise,
// and encode from either.

import { Reader, Writer } from './codec.ts';
import type { FieldNode, Phase } from '../events.ts';
import { decodeParts, encodeParts, type MessageSpec } from './messages-schema.ts';
import { MESSAGES } from './messages-table.ts';

export { MSG, DISCONNECT_REASON, disconnectReasonName, OPEN_FAILURE_REASON, openFailureReasonName, EXTENDED_DATA } from './message-ids.ts';
export { TERMINAL_MODES } from './messages-blobs.ts';
export type { MessageSpec } from './messages-schema.ts';
export { describeMessages, type MessageDescription, type FieldDescription, type VariantDescription } from './messages-describe.ts';

export interface SshMessage {
  name: string;
  [field: string]: unknown;
}

/** What decides the meaning of ids shared by KEX families (30-34) and auth methods (60). */
export interface DecodeContext {
  kex?: 'ecdh' | 'dh' | 'gex' | 'hybrid';
  /** The method of the last USERAUTH_REQUEST sent: 'publickey', 'password', 'keyboard-interactive'. */
  authMethod?: string;
}

export interface MessageInfo {
  id: number;
  name: string;
  phase: Phase;
  rfc: string;
  doc: string;
}

const byName = new Map<string, MessageSpec>();
const byId = new Map<number, MessageSpec[]>();
for (const s of MESSAGES) {
  if (byName.has(s.name)) throw new Error(`duplicate message ${s.name}`);
  byName.set(s.name, s);
  const list = byId.get(s.id) ?? [];
  list.push(s);
  byId.set(s.id, list);
}

/** Every message of the table (for documentation and tests). */
export function allMessageSpecs(): readonly MessageSpec[] {
  return MESSAGES;
}

/** The default meaning of a shared id when no context says otherwise. */
const DEFAULT_CTX: DecodeContext = { kex: 'ecdh', authMethod: 'publickey' };

function lookup(id: number, ctx: DecodeContext | undefined): { spec: MessageSpec; assumed?: string } | undefined {
  const cands = byId.get(id);
  if (!cands) return undefined;
  if (cands.length === 1 && !cands[0]!.ctx) return { spec: cands[0]! };
  const key = cands[0]!.ctx!.kex !== undefined ? 'kex' : 'authMethod';
  const given = ctx?.[key];
  const hit = given !== undefined ? cands.find((s) => s.ctx?.[key] === given) : undefined;
  if (hit) return { spec: hit };
  // 32-34 exist only for group exchange: no assumption needed
  if (cands.length === 1) return { spec: cands[0]! };
  const fallback = cands.find((s) => s.ctx?.[key] === DEFAULT_CTX[key])!;
  const what = key === 'kex' ? 'key-exchange family' : 'authentication method';
  const assumed = given === undefined ? `${what} unknown, assumed ${DEFAULT_CTX[key]}` : `${what} ${JSON.stringify(given)} has no message ${id}, assumed ${DEFAULT_CTX[key]}`;
  return { spec: fallback, assumed };
}

function unknownName(id: number): string {
  return `unknown message ${id}`;
}

/** The message name for an id in a context, or "unknown message N". */
export function messageName(id: number, ctx?: DecodeContext): string {
  return lookup(id, ctx)?.spec.name ?? unknownName(id);
}

/** Id, name, phase, RFC section and a one-line explanation; undefined for unknown ids. */
export function messageSpec(id: number, ctx?: DecodeContext): MessageInfo | undefined {
  const s = lookup(id, ctx)?.spec;
  return s && { id: s.id, name: s.name, phase: s.phase, rfc: s.rfc, doc: s.doc };
}

/** Looks a message up by its name, e.g. 'SSH_MSG_KEXINIT'. */
export function messageSpecByName(name: string): MessageInfo | undefined {
  const s = byName.get(name);
  return s && { id: s.id, name: s.name, phase: s.phase, rfc: s.rfc, doc: s.doc };
}

function idDoc(s: MessageSpec): string {
  return `Message number ${s.id}: ${s.name} (${s.rfc}). ${s.doc}`;
}

/**
 * Decodes a payload (the bytes after padding_length, before the padding). Node ranges are offset by
 * `base` (5 when the payload sits in a binary packet). Throws DecodeError naming the field path and
 * absolute offset on truncation, trailing bytes, invalid UTF-8 in text, or a malformed mpint or
 * name-list. A boolean byte other than 0 and 1 is accepted as TRUE (RFC 4251 §5). An id not in the
 * table decodes as "unknown message N" with its body in `data`. `lean` (TreeOptions.lean) is for
 * checking only: byte fields are then views of `payload` and the tree has no hex values.
 */
export function decodeMessage(payload: Uint8Array, ctx?: DecodeContext, base = 0, rootPath = 'payload', lean = false): { msg: SshMessage & { id: number }; tree: FieldNode } {
  const r = new Reader(payload, { base, rootPath, rootLabel: 'payload', valueNodes: true, lean });
  const id = r.byte('msgId', { label: 'msg-id' });
  const idNode = r.lastNode!;
  const found = lookup(id, ctx);
  const tree = r.tree;
  if (!found) {
    idNode.doc = `Message number ${id}: not a message this inspector knows; the rest is shown as bytes.`;
    const data = r.rest('data', { label: 'message body' });
    r.lastNode!.doc = 'The bytes of a message this inspector cannot decode.';
    tree.label = unknownName(id);
    tree.doc = 'A message number not defined in the RFCs this inspector knows (RFC 4253 §11.4: answer with SSH_MSG_UNIMPLEMENTED).';
    return { msg: { name: unknownName(id), id, data }, tree };
  }
  const { spec, assumed } = found;
  if (!lean) {
    // words for the tree, which a lean check throws away
    idNode.doc = idDoc(spec);
    idNode.display = `${id} (${spec.name})`;
    tree.label = assumed ? `${spec.name} (${assumed})` : spec.name;
    tree.doc = `${spec.doc} (${spec.rfc})`;
  }
  const out: Record<string, unknown> = {};
  decodeParts(r, spec.parts, out);
  r.end('end');
  return { msg: { name: spec.name, id, ...out }, tree };
}

/** Encodes a message; the id comes from its name. Throws on an unknown name or a bad field. */
export function encodeMessage(msg: SshMessage, ctx?: DecodeContext): Uint8Array {
  return encodeMessageTree(msg, ctx).bytes;
}

/** Encodes a message and returns the same tree decodeMessage would build for the bytes (base 0). */
export function encodeMessageTree(msg: SshMessage, _ctx?: DecodeContext, rootPath = 'payload'): { bytes: Uint8Array; tree: FieldNode } {
  const spec = byName.get(msg.name);
  if (!spec) throw new Error(`encodeMessage: unknown message name ${JSON.stringify(msg.name)}`);
  const w = new Writer({ rootPath, rootLabel: spec.name, valueNodes: true });
  w.byte('msgId', spec.id, { label: 'msg-id', display: `${spec.id} (${spec.name})` });
  w.lastNode!.doc = idDoc(spec);
  w.tree.doc = `${spec.doc} (${spec.rfc})`;
  encodeParts(w, spec.parts, msg, spec.name);
  return { bytes: w.toBytes(), tree: w.tree };
}
