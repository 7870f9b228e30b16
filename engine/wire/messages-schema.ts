// The schema language of the message table and its one interpreter: the same walk over a schema
// decodes (Reader), encodes (Writer) and, through the codec, records the FieldNode tree of every
// byte. RFC 4251 §5 defines the primitive types used here.

import type { Reader, Writer } from './codec.ts';
import type { FieldNode, Phase } from '../events.ts';
import { expandBlob, tryUtf8, type BlobKind } from './messages-blobs.ts';

export type Scope = Record<string, unknown>;

export type FieldType =
  | { t: 'byte' }
  | { t: 'boolean' }
  | { t: 'uint32' }
  | { t: 'uint64' }
  | { t: 'mpint' }
  | { t: 'text' }
  | { t: 'name-list' }
  /** A string that decodes to text when it is valid UTF-8 and stays a Uint8Array otherwise. */
  | { t: 'text-or-bytes' }
  /** A string of bytes (Uint8Array); `blob` names the structure inside it, shown as a subtree. */
  | { t: 'string'; blob?: BlobKind | ((scope: Scope) => BlobKind | undefined) }
  /** Exactly `len` raw bytes. */
  | { t: 'fixed'; len: number }
  /** Every remaining byte of the payload. */
  | { t: 'rest' }
  /** uint32 count, then that many items, each an object with the fields of `item`. */
  | { t: 'list'; item: readonly Part[]; itemLabel: string }
  /** uint32 count, then that many texts (string[]). */
  | { t: 'text-list'; itemLabel: string }
  /** Strings until the payload ends (Uint8Array[]). */
  | { t: 'strings-to-end'; itemLabel: string; blob?: BlobKind };

export interface Field {
  /** camelCase property of the message object; also the last step of the node path. */
  name: string;
  /** Label of the tree node (the RFC's name); defaults to the name in snake_case. */
  label?: string;
  /** One line for learners, attached to the node. */
  doc: string;
  type: FieldType;
  /** Present only when this returns true for the fields before it. */
  when?: (scope: Scope) => boolean;
  /** Value used by encode when the message object lacks the field. */
  default?: () => unknown;
}

/** One alternative of a Switch: the fields that follow for one value of the switch field. */
export interface Variant {
  label: string;
  rfc: string;
  parts: readonly Part[];
}

/** Fields that depend on an earlier text field (auth method, request name, channel type). */
export interface Switch {
  switch: string;
  /** Path step of the subtree node holding the variant's fields. */
  node: string;
  cases: Readonly<Record<string, Variant>>;
  fallback: Variant;
}

export type Part = Field | Switch;

export interface MessageSpec {
  id: number;
  name: string;
  phase: Phase;
  rfc: string;
  doc: string;
  parts: readonly Part[];
  /** For ids shared by KEX families or auth methods: the context that selects this message. */
  ctx?: { kex?: 'ecdh' | 'dh' | 'gex' | 'hybrid'; authMethod?: string };
}

function isSwitch(p: Part): p is Switch {
  return 'switch' in p;
}

const SNAKE = new Map<string, string>();

/** camelCase to snake_case (memoised: every decoded field asks for its label). */
export function snake(name: string): string {
  let s = SNAKE.get(name);
  if (s === undefined) {
    s = name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    SNAKE.set(name, s);
  }
  return s;
}

export function variantOf(sw: Switch, scope: Scope): Variant {
  const key = scope[sw.switch];
  return typeof key === 'string' && Object.hasOwn(sw.cases, key) ? sw.cases[key]! : sw.fallback;
}

function blobKindOf(ty: Extract<FieldType, { t: 'string' }>, scope: Scope): BlobKind | undefined {
  return typeof ty.blob === 'function' ? ty.blob(scope) : ty.blob;
}

/** Turns a string node into a text node when its bytes are valid UTF-8 (what Reader.text records). */
function markText(node: FieldNode, bytes: Uint8Array): string | Uint8Array {
  const s = tryUtf8(bytes);
  if (s === undefined) {
    node.display = `${node.display ?? ''} (not valid UTF-8: kept as bytes)`;
    return bytes;
  }
  node.kind = 'text';
  node.value = s;
  node.display = JSON.stringify(s);
  return s;
}

function variantDoc(v: Variant): string {
  return `The fields that only the ${v.label} has (${v.rfc}).`;
}

// ---- decode ----------------------------------------------------------------------------------

export function decodeParts(r: Reader, parts: readonly Part[], out: Scope): void {
  for (const p of parts) {
    if (isSwitch(p)) {
      const v = variantOf(p, out);
      if (v.parts.length === 0) continue;
      const node = r.enter(p.node, v.label);
      node.doc = variantDoc(v);
      decodeParts(r, v.parts, out);
      r.exit();
      continue;
    }
    if (p.when && !p.when(out)) continue;
    out[p.name] = decodeField(r, p, out);
  }
}

function decodeField(r: Reader, f: Field, scope: Scope): unknown {
  const o = { label: f.label ?? snake(f.name) };
  const ty = f.type;
  let value: unknown;
  let node: FieldNode;
  switch (ty.t) {
    case 'byte':
      value = r.byte(f.name, o);
      break;
    case 'boolean':
      value = r.boolean(f.name, o);
      break;
    case 'uint32':
      value = r.uint32(f.name, o);
      break;
    case 'uint64':
      value = r.uint64(f.name, o);
      break;
    case 'mpint':
      value = r.mpint(f.name, o);
      break;
    case 'text':
      value = r.text(f.name, o);
      break;
    case 'name-list':
      value = r.nameList(f.name, o);
      break;
    case 'fixed':
      value = r.bytes(f.name, ty.len, o);
      break;
    case 'rest':
      value = r.rest(f.name, o);
      break;
    case 'text-or-bytes': {
      const bytes = r.string(f.name, o);
      value = markText(r.lastNode!, bytes);
      break;
    }
    case 'string': {
      const bytes = r.string(f.name, o);
      const kind = blobKindOf(ty, scope);
      if (kind) expandBlob(r.lastNode!, bytes, kind);
      value = bytes;
      break;
    }
    case 'list':
    case 'text-list': {
      node = r.enter(f.name, o.label);
      const countStart = r.pos;
      const n = r.uint32('count', { label: 'count' });
      r.lastNode!.doc = `How many ${ty.itemLabel}s follow.`;
      // every item takes at least one byte: a larger count cannot be honest
      if (n > r.remaining) r.fail('count', `${n} ${ty.itemLabel}s cannot fit in the ${r.remaining} bytes left`, countStart);
      const items: unknown[] = [];
      for (let i = 0; i < n; i++) {
        if (ty.t === 'text-list') {
          items.push(r.text(String(i), { label: `${ty.itemLabel} ${i}` }));
          r.lastNode!.doc = `${ty.itemLabel} number ${i}.`;
        } else {
          const itemNode = r.enter(String(i), `${ty.itemLabel} ${i}`);
          const item: Scope = {};
          decodeParts(r, ty.item, item);
          r.exit();
          itemNode.doc = `${ty.itemLabel} number ${i}.`;
          items.push(item);
        }
      }
      r.exit(`${n} ${ty.itemLabel}${n === 1 ? '' : 's'}`);
      node.doc = f.doc;
      return items;
    }
    case 'strings-to-end': {
      node = r.enter(f.name, o.label);
      const items: Uint8Array[] = [];
      for (let i = 0; r.remaining > 0; i++) {
        const b = r.string(String(i), { label: `${ty.itemLabel} ${i}` });
        r.lastNode!.doc = `${ty.itemLabel} number ${i}.`;
        if (ty.blob) expandBlob(r.lastNode!, b, ty.blob);
        items.push(b);
      }
      r.exit(`${items.length} ${ty.itemLabel}${items.length === 1 ? '' : 's'}`);
      node.doc = f.doc;
      return items;
    }
  }
  r.lastNode!.doc = f.doc;
  return value;
}

// ---- encode ----------------------------------------------------------------------------------

function fieldValue(f: Field, scope: Scope, where: string): unknown {
  let v = scope[f.name];
  if (v === undefined && f.default) v = f.default();
  if (v === undefined) throw new TypeError(`${where}.${f.name}: missing field`);
  return v;
}

function expect(ok: boolean, where: string, what: string, v: unknown): void {
  if (!ok) throw new TypeError(`${where}: expected ${what}, got ${v instanceof Uint8Array ? 'Uint8Array' : typeof v}`);
}

export function encodeParts(w: Writer, parts: readonly Part[], m: Scope, where: string): void {
  for (const p of parts) {
    if (isSwitch(p)) {
      const v = variantOf(p, m);
      if (v.parts.length === 0) continue;
      w.enter(p.node, v.label);
      const node = w.lastNode!;
      node.doc = variantDoc(v);
      encodeParts(w, v.parts, m, where);
      w.exit();
      continue;
    }
    if (p.when && !p.when(m)) continue;
    encodeField(w, p, fieldValue(p, m, where), m, `${where}.${p.name}`);
  }
}

function encodeField(w: Writer, f: Field, v: unknown, scope: Scope, where: string): void {
  const o = { label: f.label ?? snake(f.name) };
  const ty = f.type;
  switch (ty.t) {
    case 'byte':
    case 'uint32':
      expect(typeof v === 'number', where, 'a number', v);
      if (ty.t === 'byte') w.byte(f.name, v as number, o);
      else w.uint32(f.name, v as number, o);
      break;
    case 'boolean':
      expect(typeof v === 'boolean', where, 'a boolean', v);
      w.boolean(f.name, v as boolean, o);
      break;
    case 'uint64':
    case 'mpint':
      expect(typeof v === 'bigint', where, 'a bigint', v);
      if (ty.t === 'uint64') w.uint64(f.name, v as bigint, o);
      else w.mpint(f.name, v as bigint, o);
      break;
    case 'text':
      expect(typeof v === 'string', where, 'a string', v);
      w.text(f.name, v as string, o);
      break;
    case 'name-list':
      expect(Array.isArray(v) && v.every((x) => typeof x === 'string'), where, 'an array of names', v);
      w.nameList(f.name, v as string[], o);
      break;
    case 'fixed':
      expect(v instanceof Uint8Array && v.length === ty.len, where, `a Uint8Array of ${ty.len} bytes`, v);
      w.bytes(f.name, v as Uint8Array, o);
      break;
    case 'rest':
      expect(v instanceof Uint8Array, where, 'a Uint8Array', v);
      w.bytes(f.name, v as Uint8Array, o);
      break;
    case 'text-or-bytes':
      expect(typeof v === 'string' || v instanceof Uint8Array, where, 'a string or a Uint8Array', v);
      if (typeof v === 'string') w.text(f.name, v, o);
      else {
        w.string(f.name, v as Uint8Array, o);
        markText(w.lastNode!, v as Uint8Array);
      }
      break;
    case 'string': {
      expect(v instanceof Uint8Array, where, 'a Uint8Array', v);
      w.string(f.name, v as Uint8Array, o);
      const kind = blobKindOf(ty, scope);
      if (kind) expandBlob(w.lastNode!, v as Uint8Array, kind);
      break;
    }
    case 'list':
    case 'text-list': {
      expect(Array.isArray(v), where, 'an array', v);
      const items = v as unknown[];
      w.enter(f.name, o.label);
      const node = w.lastNode!;
      w.uint32('count', items.length, { label: 'count' });
      w.lastNode!.doc = `How many ${ty.itemLabel}s follow.`;
      items.forEach((item, i) => {
        if (ty.t === 'text-list') {
          expect(typeof item === 'string', `${where}[${i}]`, 'a string', item);
          w.text(String(i), item as string, { label: `${ty.itemLabel} ${i}` });
          w.lastNode!.doc = `${ty.itemLabel} number ${i}.`;
        } else {
          expect(typeof item === 'object' && item !== null, `${where}[${i}]`, 'an object', item);
          w.enter(String(i), `${ty.itemLabel} ${i}`);
          const itemNode = w.lastNode!;
          encodeParts(w, ty.item, item as Scope, `${where}[${i}]`);
          w.exit();
          itemNode.doc = `${ty.itemLabel} number ${i}.`;
        }
      });
      w.exit(`${items.length} ${ty.itemLabel}${items.length === 1 ? '' : 's'}`);
      node.doc = f.doc;
      return;
    }
    case 'strings-to-end': {
      expect(Array.isArray(v) && v.every((x) => x instanceof Uint8Array), where, 'an array of Uint8Array', v);
      const items = v as Uint8Array[];
      w.enter(f.name, o.label);
      const node = w.lastNode!;
      items.forEach((b, i) => {
        w.string(String(i), b, { label: `${ty.itemLabel} ${i}` });
        w.lastNode!.doc = `${ty.itemLabel} number ${i}.`;
        if (ty.blob) expandBlob(w.lastNode!, b, ty.blob);
      });
      w.exit(`${items.length} ${ty.itemLabel}${items.length === 1 ? '' : 's'}`);
      node.doc = f.doc;
      return;
    }
  }
  w.lastNode!.doc = f.doc;
}
