// Hex view geometry and the tree ⇄ byte links: which node a byte belongs to, which bytes a node
// covers (FieldNode ranges are [start, end) into the packet's wire bytes, DESIGN.md "Engine").

import type { FieldNode } from '../../engine/index.ts';

export interface HexRow {
  offset: number;
  bytes: number[];
}

export function hexRows(bytes: Uint8Array, perRow = 16): HexRow[] {
  const rows: HexRow[] = [];
  for (let o = 0; o < bytes.length; o += perRow) rows.push({ offset: o, bytes: Array.from(bytes.subarray(o, Math.min(bytes.length, o + perRow))) });
  return rows;
}

export const byteHex = (b: number): string => b.toString(16).padStart(2, '0');

/** Printable ASCII or a dot, like hexdump -C. */
export const byteChar = (b: number): string => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '·');

export const offsetHex = (o: number): string => o.toString(16).padStart(4, '0');

/** The deepest node whose range contains `offset`, or null when no node does. */
export function deepestNodeAt(tree: FieldNode, offset: number): FieldNode | null {
  if (offset < tree.start || offset >= tree.end) return null;
  for (const c of tree.children ?? []) {
    const hit = deepestNodeAt(c, offset);
    if (hit) return hit;
  }
  return tree;
}

export function nodeByPath(tree: FieldNode, path: string): FieldNode | null {
  if (tree.path === path) return tree;
  for (const c of tree.children ?? []) {
    const hit = nodeByPath(c, path);
    if (hit) return hit;
  }
  return null;
}

/** Paths of `node`'s ancestors (root first) leading to the node at `path`, to expand the tree. */
export function ancestorPaths(tree: FieldNode, path: string): string[] {
  const out: string[] = [];
  const walk = (n: FieldNode): boolean => {
    if (n.path === path) return true;
    for (const c of n.children ?? []) {
      if (walk(c)) {
        out.unshift(n.path);
        return true;
      }
    }
    return false;
  };
  walk(tree);
  return out;
}

/** Every node in depth-first order (for search and tests). */
export function flattenTree(tree: FieldNode): FieldNode[] {
  const out: FieldNode[] = [tree];
  for (const c of tree.children ?? []) out.push(...flattenTree(c));
  return out;
}

/** Lower-case hex of bytes, no separators. */
export function toHexString(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += byteHex(b);
  return s;
}

/** Groups a hex string in pairs for reading: "a1b2c3" → "a1 b2 c3". */
export function spacedHex(hex: string): string {
  return hex.replace(/(..)(?!$)/g, '$1 ');
}

/**
 * The decrypted packet laid out at the same offsets as the wire bytes: packet_length,
 * padding_length, payload; padding and MAC are unknown here (null) because the engine does not
 * keep them. RFC 4253 §6: uint32 packet_length || byte padding_length || payload || padding.
 */
export function plaintextLayout(tree: FieldNode, payload: Uint8Array, wireLength: number): (number | null)[] {
  const out: (number | null)[] = new Array(wireLength).fill(null);
  const len = tree.children?.find((c) => c.path === 'packet_length');
  const pad = tree.children?.find((c) => c.path === 'padding_length');
  const body = tree.children?.find((c) => c.path === 'payload');
  if (len && typeof len.value === 'number') {
    const v = len.value;
    for (let i = 0; i < 4; i++) out[len.start + i] = (v >>> (8 * (3 - i))) & 0xff;
  }
  if (pad && typeof pad.value === 'number') out[pad.start] = pad.value;
  if (body) for (let i = 0; i < payload.length && body.start + i < wireLength; i++) out[body.start + i] = payload[i]!;
  return out;
}

/** The first node (depth-first) whose path ends with `.name`: fields may sit in method/request subtrees. */
export function findField(tree: FieldNode, name: string): FieldNode | null {
  for (const c of tree.children ?? []) {
    if (c.path === name || c.path.endsWith(`.${name}`)) return c;
    const hit = findField(c, name);
    if (hit) return hit;
  }
  return null;
}
