// Finds the authorized_keys line (sshd(8) AUTHORIZED_KEYS FILE FORMAT) whose key blob equals the
// offered one. Options before the key type are skipped here; engine/keys/authorized-keys.ts parses
// and enforces them.

import { equalBytes } from '../wire/codec.ts';

function decodeBase64(s: string): Uint8Array | null {
  try {
    const bin = atob(s);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  } catch {
    return null;
  }
}

/** Returns the 1-based line number of the first line holding `blob`, or null. */
export function findAuthorizedLine(text: string, blob: Uint8Array): { line: number; text: string } | null {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    // The key is the first base64 token that follows a token naming a key type.
    const tokens = line.match(/"(?:[^"\\]|\\.)*"|[^\s]+/g) ?? [];
    for (let t = 0; t + 1 < tokens.length; t++) {
      if (!/^(ssh-|ecdsa-|sk-)/.test(tokens[t]!.replace(/^.*,/, ''))) continue;
      const b = decodeBase64(tokens[t + 1]!);
      if (b && equalBytes(b, blob)) return { line: i + 1, text: lines[i]! };
    }
  }
  return null;
}
