// The message table as plain, structured-clone-able data: for documentation pages, the RFC map
// and the UI's "what is in this message" panels. Nothing here decodes bytes.

import type { Field, FieldType, MessageSpec, Part } from './messages-schema.ts';
import { snake } from './messages-schema.ts';
import { MESSAGES } from './messages-table.ts';
import type { Phase } from '../events.ts';

export interface FieldDescription {
  /** camelCase property of the message object. */
  name: string;
  /** The RFC's name for it. */
  label: string;
  /** Wire type as the RFCs write it: byte, boolean, uint32, uint64, string, mpint, name-list, byte[16]… */
  type: string;
  doc: string;
  /** Present only sometimes (e.g. the signature of a publickey request). */
  conditional?: boolean;
  /** Item fields of a counted list. */
  items?: FieldDescription[];
}

export interface VariantDescription {
  /** The value of the switch field that selects these fields, or '*' for any other value. */
  key: string;
  label: string;
  rfc: string;
  fields: FieldDescription[];
}

export interface MessageDescription {
  id: number;
  name: string;
  phase: Phase;
  rfc: string;
  doc: string;
  /** The context that selects this meaning of a shared id (30-34 by KEX family, 60 by auth method). */
  context?: { kex?: string; authMethod?: string };
  fields: FieldDescription[];
  /** Name of the field whose value selects one of `variants` (method, requestName, channelType, requestType). */
  switchField?: string;
  variants?: VariantDescription[];
}

function typeName(t: FieldType): string {
  switch (t.t) {
    case 'fixed':
      return `byte[${t.len}]`;
    case 'rest':
      return 'byte[] (rest of the message)';
    case 'text':
      return 'string (UTF-8)';
    case 'text-or-bytes':
      return 'string (UTF-8 when valid)';
    case 'list':
      return `uint32 count, then ${t.itemLabel}s`;
    case 'text-list':
      return `uint32 count, then ${t.itemLabel}s (string)`;
    case 'strings-to-end':
      return `string × n (${t.itemLabel}s until the end)`;
    case 'string':
      return typeof t.blob === 'string' ? `string (${t.blob})` : 'string';
    default:
      return t.t;
  }
}

function describeField(f: Field): FieldDescription {
  const d: FieldDescription = { name: f.name, label: f.label ?? snake(f.name), type: typeName(f.type), doc: f.doc };
  if (f.when) d.conditional = true;
  if (f.type.t === 'list') d.items = fieldsOf(f.type.item);
  return d;
}

function fieldsOf(parts: readonly Part[]): FieldDescription[] {
  return parts.filter((p): p is Field => !('switch' in p)).map(describeField);
}

function describe(s: MessageSpec): MessageDescription {
  const d: MessageDescription = { id: s.id, name: s.name, phase: s.phase, rfc: s.rfc, doc: s.doc, fields: fieldsOf(s.parts) };
  if (s.ctx) d.context = { ...s.ctx };
  const sw = s.parts.find((p) => 'switch' in p);
  if (sw && 'switch' in sw) {
    d.switchField = sw.switch;
    d.variants = [
      ...Object.entries(sw.cases).map(([key, v]) => ({ key, label: v.label, rfc: v.rfc, fields: fieldsOf(v.parts) })),
      { key: '*', label: sw.fallback.label, rfc: sw.fallback.rfc, fields: fieldsOf(sw.fallback.parts) },
    ];
  }
  return d;
}

/** Every message of the table, in id order, as plain data. */
export function describeMessages(): MessageDescription[] {
  return MESSAGES.map(describe);
}
