// Key derivation, RFC 4253 §7.2:
//   Initial IV client to server:     HASH(K || H || "A" || session_id)
//   Initial IV server to client:     HASH(K || H || "B" || session_id)
//   Encryption key client to server: HASH(K || H || "C" || session_id)
//   Encryption key server to client: HASH(K || H || "D" || session_id)
//   Integrity key client to server:  HASH(K || H || "E" || session_id)
//   Integrity key server to client:  HASH(K || H || "F" || session_id)
// and when more bytes are needed: K2 = HASH(K || H || K1), K3 = HASH(K || H || K1 || K2), ...
// K is encoded as in the exchange hash (mpint, or string for the PQ hybrids) with its length prefix.

import type { KdfStep } from '../events.ts';
import type { CryptoProvider, HashName } from './types.ts';
import { hash } from './hashes.ts';
import { concat, hex } from './bytes.ts';

export type KeyLetter = 'A' | 'B' | 'C' | 'D' | 'E' | 'F';
export const KEY_LETTERS: readonly KeyLetter[] = ['A', 'B', 'C', 'D', 'E', 'F'];

/** What each letter is for (RFC 4253 §7.2). */
export const KEY_LABELS: Record<KeyLetter, string> = {
  A: 'Initial IV client to server',
  B: 'Initial IV server to client',
  C: 'Encryption key client to server',
  D: 'Encryption key server to client',
  E: 'Integrity key client to server',
  F: 'Integrity key server to client',
};

export interface DerivedKeys {
  keys: Record<KeyLetter, Uint8Array>;
  steps: KdfStep[];
}

export function deriveKeys(
  hashName: HashName,
  encodedK: Uint8Array,
  H: Uint8Array,
  sessionId: Uint8Array,
  need: Record<KeyLetter, number>,
  provider?: CryptoProvider,
): DerivedKeys {
  const steps: KdfStep[] = [
    { name: 'K', label: 'Shared secret K (encoded as in the exchange hash)', value: hex(encodedK) },
    { name: 'H', label: 'Exchange hash H', value: hex(H) },
    { name: 'session_id', label: 'Session identifier (H of the first key exchange)', value: hex(sessionId) },
  ];
  const kh = concat(encodedK, H);
  const keys = {} as Record<KeyLetter, Uint8Array>;
  for (const letter of KEY_LETTERS) {
    const want = need[letter] ?? 0;
    if (!Number.isInteger(want) || want < 0) throw new Error(`invalid key length ${want} for ${letter}`);
    const rounds: Uint8Array[] = [];
    let have = 0;
    if (want > 0) {
      const k1 = hash(hashName, concat(kh, new Uint8Array([letter.charCodeAt(0)]), sessionId), provider);
      rounds.push(k1);
      have = k1.length;
      steps.push({ name: `${letter}.1`, label: `${KEY_LABELS[letter]}, round 1`, value: hex(k1), formula: `HASH(K || H || "${letter}" || session_id)` });
    }
    while (have < want) {
      const kn = hash(hashName, concat(kh, ...rounds), provider);
      rounds.push(kn);
      have += kn.length;
      const n = rounds.length;
      const prior = rounds.slice(0, -1).map((_, i) => `${letter}.${i + 1}`).join(' || ');
      steps.push({ name: `${letter}.${n}`, label: `${KEY_LABELS[letter]}, round ${n}`, value: hex(kn), formula: `HASH(K || H || ${prior})` });
    }
    const key = concat(...rounds).slice(0, want);
    keys[letter] = key;
    const joined = rounds.map((_, i) => `${letter}.${i + 1}`).join(' || ');
    steps.push({
      name: letter,
      label: `${KEY_LABELS[letter]} (${want} bytes)`,
      value: hex(key),
      formula: want === 0 ? 'not needed' : `first ${want} bytes of ${joined}`,
    });
  }
  return { keys, steps };
}
