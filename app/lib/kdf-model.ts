// What the key-derivation diagram draws: the exchange hash's inputs (RFC 4253 §8; RFC 5656 §4
// for Q_C/Q_S; §8 e/f for DH), H and session_id, and the six keys A–F with every hash round
// (RFC 4253 §7.2), each with the step at which it becomes known. Pure.

import type { KdfStep, SshEvent } from '../../engine/index.ts';
import type { Step } from './steps.ts';
import { toHexString } from './hex.ts';

export interface KdfInput {
  name: string;
  label: string;
  /** The field exactly as hashed (with its length prefix), hex. */
  hex: string;
  /** Human-readable value when it is text (version lines). */
  text?: string;
  bytes: number;
  /** Step index from which the client knows this value. */
  knownAt: number;
}

export interface KdfKey {
  letter: string;
  label: string;
  value: string;
  formula: string;
  rounds: KdfStep[];
  needed: boolean;
}

export interface KdfModel {
  hash: string;
  kex: string;
  inputs: KdfInput[];
  H: string;
  sessionId: string;
  K: string;
  hAt: number;
  keysAt: number;
  keys: KdfKey[];
  kexTrace: { name: string; label: string; value: string }[];
}

export const KEY_LETTERS = ['A', 'B', 'C', 'D', 'E', 'F'] as const;

type EH = Extract<SshEvent, { type: 'exchange-hash' }>;
type Keys = Extract<SshEvent, { type: 'keys' }>;

function knownAt(steps: readonly Step[], name: string, hAt: number): number {
  const idx = (pred: (e: SshEvent) => boolean) => steps.find((s) => pred(s.event))?.index ?? hAt;
  const kexPacket = (dir: 'c2s' | 's2c') => idx((e) => e.type === 'packet' && e.dir === dir && e.phase === 2 && e.id >= 30 && e.id <= 49);
  switch (name) {
    case 'V_C':
      return idx((e) => e.type === 'version' && e.dir === 'c2s');
    case 'V_S':
      return idx((e) => e.type === 'version' && e.dir === 's2c');
    case 'I_C':
      return idx((e) => e.type === 'packet' && e.msg === 'SSH_MSG_KEXINIT' && e.dir === 'c2s');
    case 'I_S':
      return idx((e) => e.type === 'packet' && e.msg === 'SSH_MSG_KEXINIT' && e.dir === 's2c');
    case 'Q_C':
    case 'e':
    case 'C_INIT':
      return kexPacket('c2s');
    case 'K_S':
    case 'Q_S':
    case 'f':
    case 'S_REPLY':
      return steps.find((s) => s.event.type === 'packet' && s.event.dir === 's2c' && /REPLY/.test(s.event.msg))?.index ?? hAt;
    default:
      return hAt;
  }
}

/** The first key exchange's model (rekeys repeat the same picture with a new H). */
export function kdfModel(steps: readonly Step[]): KdfModel | null {
  const ehStep = steps.find((s) => s.event.type === 'exchange-hash');
  const keysStep = steps.find((s) => s.event.type === 'keys');
  if (!ehStep || !keysStep) return null;
  const eh = ehStep.event as EH;
  const keys = keysStep.event as Keys;
  const text = new TextDecoder();
  const inputs: KdfInput[] = (eh.tree.children ?? []).map((c) => {
    const name = c.path || c.label.split(':')[0]!.trim();
    const raw = eh.input.subarray(c.start, c.end);
    const input: KdfInput = { name, label: c.label.includes(':') ? c.label.slice(c.label.indexOf(':') + 1).trim() : c.label, hex: toHexString(raw), bytes: raw.length, knownAt: knownAt(steps, name, ehStep.index) };
    if (c.kind === 'text') input.text = text.decode(raw.subarray(4));
    return input;
  });
  const byName = new Map(keys.steps.map((k) => [k.name, k]));
  const out: KdfKey[] = KEY_LETTERS.map((letter) => {
    const k = byName.get(letter);
    const rounds = keys.steps.filter((x) => x.name.startsWith(`${letter}.`));
    return { letter, label: k?.label ?? letter, value: k?.value ?? '', formula: k?.formula ?? '', rounds, needed: (k?.value ?? '') !== '' };
  });
  return {
    hash: eh.hash,
    kex: keys.kex,
    inputs,
    H: toHexString(eh.H),
    sessionId: byName.get('session_id')?.value ?? toHexString(eh.H),
    K: byName.get('K')?.value ?? '',
    hAt: ehStep.index,
    keysAt: keysStep.index,
    keys: out,
    kexTrace: keys.kexTrace ?? [],
  };
}

/** "0123abcd…" with the byte count, for drawing. */
export function abbreviate(hex: string, chars = 24): string {
  return hex.length <= chars ? hex : `${hex.slice(0, chars)}…`;
}
