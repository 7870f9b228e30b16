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
  /** 0 for the first key exchange, 1… for rekeys (RFC 4253 §9). */
  round: number;
  /** How many key exchanges the log holds. */
  rounds: number;
}

export const KEY_LETTERS = ['A', 'B', 'C', 'D', 'E', 'F'] as const;

type EH = Extract<SshEvent, { type: 'exchange-hash' }>;
type Keys = Extract<SshEvent, { type: 'keys' }>;

/** When the client knows an input of H: searched from `from` (the start of this key exchange round). */
function knownAt(steps: readonly Step[], name: string, hAt: number, from = 0): number {
  const find = (pred: (e: SshEvent) => boolean, start: number) => {
    for (let i = start; i < steps.length; i++) if (pred(steps[i]!.event)) return i;
    return hAt;
  };
  const idx = (pred: (e: SshEvent) => boolean) => find(pred, from);
  const kexPacket = (dir: 'c2s' | 's2c') => idx((e) => e.type === 'packet' && e.dir === dir && e.id >= 30 && e.id <= 49);
  switch (name) {
    case 'V_C':
      return find((e) => e.type === 'version' && e.dir === 'c2s', 0);
    case 'V_S':
      return find((e) => e.type === 'version' && e.dir === 's2c', 0);
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
      return idx((e) => e.type === 'packet' && e.dir === 's2c' && /REPLY/.test(e.msg));
    default:
      return hAt;
  }
}

/** How many key exchanges (initial + rekeys) the log holds: the exchange hashes with their keys. */
export function kdfRounds(steps: readonly Step[]): number {
  return Math.min(steps.filter((s) => s.event.type === 'exchange-hash').length, steps.filter((s) => s.event.type === 'keys').length);
}

/**
 * The model of key exchange `round` (0 = the first; rekeys, RFC 4253 §9, repeat the picture with a
 * new K and H, while session_id stays the first H, §7.2).
 */
export function kdfModel(steps: readonly Step[], round = 0): KdfModel | null {
  const ehs = steps.filter((s) => s.event.type === 'exchange-hash');
  const keyss = steps.filter((s) => s.event.type === 'keys');
  const rounds = Math.min(ehs.length, keyss.length);
  if (rounds === 0) return null;
  const r = Math.max(0, Math.min(rounds - 1, round));
  const ehStep = ehs[r]!;
  const keysStep = keyss[r]!;
  // this round starts after the previous round's keys: its KEXINITs and KEX messages come later
  const from = r > 0 ? keyss[r - 1]!.index + 1 : 0;
  const firstH = toHexString((ehs[0]!.event as EH).H);
  const eh = ehStep.event as EH;
  const keys = keysStep.event as Keys;
  const text = new TextDecoder();
  const inputs: KdfInput[] = (eh.tree.children ?? []).map((c) => {
    const name = c.path || c.label.split(':')[0]!.trim();
    const raw = eh.input.subarray(c.start, c.end);
    const input: KdfInput = { name, label: c.label.includes(':') ? c.label.slice(c.label.indexOf(':') + 1).trim() : c.label, hex: toHexString(raw), bytes: raw.length, knownAt: knownAt(steps, name, ehStep.index, from) };
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
    sessionId: byName.get('session_id')?.value ?? firstH,
    K: byName.get('K')?.value ?? '',
    hAt: ehStep.index,
    keysAt: keysStep.index,
    keys: out,
    kexTrace: keys.kexTrace ?? [],
    round: r,
    rounds,
  };
}

/** "0123abcd…" with the byte count, for drawing. */
export function abbreviate(hex: string, chars = 24): string {
  return hex.length <= chars ? hex : `${hex.slice(0, chars)}…`;
}
