// The step ssh-copy-id(1) performs on the server: append the public key line to
// ~/.ssh/authorized_keys unless that key is already there. Its remote script is
//   { [ -z "$(tail -1c .ssh/authorized_keys 2>/dev/null)" ] || echo >> .ssh/authorized_keys; } &&
//   cat >> .ssh/authorized_keys
// i.e. existing bytes are kept as they are, and a newline is added first when the file does not
// end with one.

import { equalBytes } from '../wire/codec.ts';
import { parseAuthorizedKeys } from './authorized-keys.ts';
import { parsePublicKeyLine } from './public-key.ts';

export interface CopyIdResult {
  text: string;
  added: boolean;
  reason: string;
  /** When not added because present: the line that already holds the key. */
  line?: number;
}

/** Adds `publicKeyLine` ("type base64 comment", as in id_ed25519.pub) to authorized_keys text. */
export function copyId(authorizedKeysText: string, publicKeyLine: string): CopyIdResult {
  const lineText = publicKeyLine.replace(/[\r\n]+$/, '');
  const { key } = parsePublicKeyLine(lineText); // throws KeyFileError for a broken key line
  const existing = parseAuthorizedKeys(authorizedKeysText).entries.find((e) => equalBytes(e.key.blob, key.blob));
  if (existing) {
    return { text: authorizedKeysText, added: false, reason: `key already present on line ${existing.line}`, line: existing.line };
  }
  const sep = authorizedKeysText.length > 0 && !authorizedKeysText.endsWith('\n') ? '\n' : '';
  return { text: `${authorizedKeysText}${sep}${lineText}\n`, added: true, reason: 'key appended' };
}
