// What is in a key file, whatever kind it is — the input of `ssh-keygen -l -f FILE`: a private
// key (openssh-key-v1 or PEM), or a list of public keys (id_*.pub, authorized_keys, known_hosts).
// Each key comes with the label ssh-keygen -l prints as its "comment".

import { KeyFileError } from './errors.ts';
import { fingerprintLine } from './fingerprint.ts';
import type { FingerprintHash } from './fingerprint.ts';
import { inspectOpensshPrivateKey, isOpensshPrivateKey, parseOpensshPrivateKey } from './openssh-private-key.ts';
import type { ReadKeyOptions } from './openssh-private-key.ts';
import { parsePrivateKeyFile } from './pem.ts';
import { publicKeyOf } from './private-key-types.ts';
import { isPublicKeyType, readPublicKeyText } from './public-key.ts';
import type { SshPublicKey } from './public-key.ts';

export type KeyFileKind = 'openssh-private' | 'pem-private' | 'key-list';

export interface KeyFileKey {
  key: SshPublicKey;
  /** What ssh-keygen -l prints after the fingerprint ('' when it would say "no comment"). */
  comment: string;
  /** 1-based line in a key list. */
  line?: number;
}

export interface KeyFileSummary {
  kind: KeyFileKind;
  keys: KeyFileKey[];
  /** Private keys: protected by a passphrase (and which cipher). */
  encrypted?: boolean;
  cipher?: string;
  /** Key lists: lines that hold no readable key. */
  errors: KeyFileError[];
}

function skipField(text: string, i: number): number {
  // like sshkey_advance_past_options: up to whitespace outside double quotes
  let quoted = false;
  for (; i < text.length && (quoted || (text[i] !== ' ' && text[i] !== '\t')); i++) {
    if (text[i] === '\\' && text[i + 1] === '"') i++;
    else if (text[i] === '"') quoted = !quoted;
  }
  return i;
}

function readKeyList(text: string): KeyFileSummary {
  const keys: KeyFileKey[] = [];
  const errors: KeyFileError[] = [];
  const lines = text.split('\n');
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  lines.forEach((raw, idx) => {
    const line = idx + 1;
    const t = raw.replace(/\r$/, '');
    let i = 0;
    while (i < t.length && (t[i] === ' ' || t[i] === '\t')) i++;
    if (i >= t.length || t[i] === '#' || t[i] === '@') return; // comments; known_hosts markers are not listed
    try {
      let field = '';
      const first = t.slice(i).split(/[ \t]/, 1)[0]!;
      if (!isPublicKeyType(first)) {
        // an authorized_keys options field or a known_hosts host field
        const end = skipField(t, i);
        field = t.slice(i, end);
        i = end;
      }
      const { key, end } = readPublicKeyText(t, i, line);
      const comment = t.slice(end).trim() || field;
      keys.push({ key, comment, line });
    } catch (e) {
      if (e instanceof KeyFileError) errors.push(e);
      else throw e;
    }
  });
  return { kind: 'key-list', keys, errors };
}

/**
 * Reads any key file. Encrypted openssh-key-v1 files still show their public key (it is stored in
 * the clear) unless a passphrase is given; encrypted PEM files throw.
 */
export function readKeyFile(text: string, opts: ReadKeyOptions = {}): KeyFileSummary {
  if (isOpensshPrivateKey(text)) {
    const info = inspectOpensshPrivateKey(text);
    if (info.encrypted && opts.passphrase === undefined) {
      return { kind: 'openssh-private', keys: info.publicKeys.map((key) => ({ key, comment: '' })), encrypted: true, cipher: info.cipher, errors: [] };
    }
    const k = parseOpensshPrivateKey(text, opts);
    return { kind: 'openssh-private', keys: [{ key: publicKeyOf(k), comment: k.comment ?? '' }], encrypted: info.encrypted, cipher: info.cipher, errors: [] };
  }
  if (/^\s*-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(text)) {
    // ssh-keygen -l prints "no comment" for PEM keys: the format has none
    return { kind: 'pem-private', keys: [{ key: publicKeyOf(parsePrivateKeyFile(text, opts)), comment: '' }], encrypted: false, errors: [] };
  }
  return readKeyList(text);
}

/** The lines `ssh-keygen -l [-E md5] -f FILE` prints for this file. */
export function fingerprintKeyFile(text: string, hash: FingerprintHash = 'sha256', opts: ReadKeyOptions = {}): string[] {
  return readKeyFile(text, opts).keys.map((k) => fingerprintLine(k.key, k.comment, hash));
}
