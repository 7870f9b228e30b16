// known_hosts (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT"; OpenSSH hostfile.c): one key per line,
//
//   [@cert-authority|@revoked] hostpatterns keytype base64-key [comment]
//
// hostpatterns is a comma-separated list with '*', '?' and '!' (match.c), "[host]:port" for a
// port other than 22, or one hashed name "|1|base64(salt)|base64(HMAC-SHA1(salt, name))".

import { hmac } from '@noble/hashes/hmac.js';
import { sha1 } from '@noble/hashes/legacy.js';
import { equalBytes, utf8 } from '../wire/codec.ts';
import { base64Decode, base64Encode } from './base64.ts';
import { KeyFileError } from './errors.ts';
import { matchHostname } from './host-pattern.ts';
import { parsePublicKeyBlob, readPublicKeyText } from './public-key.ts';
import type { SshPublicKey } from './public-key.ts';

export type KnownHostsMarker = 'cert-authority' | 'revoked';

export interface KnownHostsEntry {
  /** 1-based line number. */
  line: number;
  marker?: KnownHostsMarker;
  /** The host field as written: a pattern list or a hashed name. */
  hosts: string;
  /** For hashed names: the 20-byte salt and HMAC-SHA1. */
  hashed?: { salt: Uint8Array; hash: Uint8Array };
  key: SshPublicKey;
  comment: string;
  /** The line's text as it was. */
  text: string;
}

export interface KnownHostsParse {
  entries: KnownHostsEntry[];
  /** Broken lines (each reported once; the rest of the file still counts). */
  errors: KeyFileError[];
}

/** hostfile.c HASH_MAGIC and the SHA-1 digest length used for salt and hash. */
const HASH_MAGIC = '|1|';
const SHA1_LEN = 20;

/** put_host_port(): "host" for port 22 (or 0), "[host]:port" otherwise. */
export function knownHostsName(host: string, port = 22): string {
  return port === 22 || port === 0 ? host : `[${host}]:${port}`;
}

/** HMAC-SHA1 keyed by the salt over the name (hostfile.c host_hash). */
export function hashHostName(name: string, salt: Uint8Array): Uint8Array {
  return hmac(sha1, salt, utf8(name));
}

/** "|1|salt|hash" for a name (already in "[host]:port" form when needed). */
export function formatHashedName(name: string, salt: Uint8Array): string {
  if (salt.length !== SHA1_LEN) throw new RangeError(`known_hosts salt must be ${SHA1_LEN} bytes`);
  return `${HASH_MAGIC}${base64Encode(salt)}|${base64Encode(hashHostName(name, salt))}`;
}

function parseHashed(field: string, line: number): { salt: Uint8Array; hash: Uint8Array } {
  // "|1|" salt "|" hash — anything else starting with '|' is a bad hash (hostfile.c extract_salt).
  const rest = field.slice(HASH_MAGIC.length);
  const bar = rest.indexOf('|');
  if (!field.startsWith(HASH_MAGIC) || bar < 0) throw new KeyFileError('hashed host name is not "|1|salt|hash"', { line, offset: 0, field: 'hosts' });
  const salt = base64Decode(rest.slice(0, bar));
  const hash = base64Decode(rest.slice(bar + 1));
  if (!salt || salt.length !== SHA1_LEN) throw new KeyFileError('hashed host name has a bad salt', { line, offset: HASH_MAGIC.length, field: 'hosts.salt' });
  if (!hash || hash.length !== SHA1_LEN) throw new KeyFileError('hashed host name has a bad hash', { line, offset: HASH_MAGIC.length + bar + 1, field: 'hosts.hash' });
  return { salt, hash };
}

function parseLine(raw: string, line: number): KnownHostsEntry | null {
  const text = raw.replace(/\r$/, '');
  let i = 0;
  while (i < text.length && (text[i] === ' ' || text[i] === '\t')) i++;
  if (i >= text.length || text[i] === '#') return null;
  let marker: KnownHostsMarker | undefined;
  if (text[i] === '@') {
    // hostfile.c check_markers: the marker must be followed by whitespace.
    const m = /^@(cert-authority|revoked)[ \t]/.exec(text.slice(i));
    if (!m) throw new KeyFileError('invalid marker (expected @cert-authority or @revoked)', { line, offset: i, field: 'marker' });
    marker = m[1] as KnownHostsMarker;
    i += m[0].length;
    while (i < text.length && (text[i] === ' ' || text[i] === '\t')) i++;
  }
  const hostsAt = i;
  while (i < text.length && text[i] !== ' ' && text[i] !== '\t') i++;
  const hosts = text.slice(hostsAt, i);
  while (i < text.length && (text[i] === ' ' || text[i] === '\t')) i++;
  if (i >= text.length || text[i] === '#') throw new KeyFileError('truncated before key type', { line, offset: i, field: 'type' });
  const entry: Partial<KnownHostsEntry> = { line, hosts, text: raw };
  if (marker) entry.marker = marker;
  if (hosts.startsWith('|')) entry.hashed = parseHashed(hosts, line);
  const { key, end } = readPublicKeyText(text, i, line);
  entry.key = key;
  entry.comment = text.slice(end).trim();
  return entry as KnownHostsEntry;
}

/** Parses known_hosts text; broken lines are collected in `errors` and skipped. */
export function parseKnownHostsFile(text: string): KnownHostsParse {
  const entries: KnownHostsEntry[] = [];
  const errors: KeyFileError[] = [];
  const lines = text.split('\n');
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  lines.forEach((raw, idx) => {
    try {
      const e = parseLine(raw, idx + 1);
      if (e) entries.push(e);
    } catch (err) {
      if (err instanceof KeyFileError) errors.push(err);
      else throw err;
    }
  });
  return { entries, errors };
}

/** The usable entries of a known_hosts file (broken lines skipped, as ssh does). */
export function parseKnownHosts(text: string): KnownHostsEntry[] {
  return parseKnownHostsFile(text).entries;
}

/** Does this entry's host field name `name` ("host" or "[host]:port", lowercase)? */
export function entryMatchesName(entry: Pick<KnownHostsEntry, 'hosts' | 'hashed'>, name: string): boolean {
  if (entry.hashed) return equalBytes(hashHostName(name, entry.hashed.salt), entry.hashed.hash);
  return matchHostname(name, entry.hosts) === 1;
}

export type HostLookupResult = 'known' | 'unknown' | 'changed' | 'revoked';

export interface HostLookup {
  result: HostLookupResult;
  /**
   * known: the first line with this key; changed: the offending line (as ssh reports it, the last
   * line for this host with another key); revoked: the @revoked line.
   */
  line?: number;
  /** Known only under the bare host name (ssh's fallback for a non-standard port). */
  withoutPort?: boolean;
}

/**
 * Checks a host key the way ssh does (hostfile.c check_hostkeys_by_key_or_type): a @revoked entry
 * for this key wins; an entry with the same key is "known"; any other key recorded for this host
 * — of the same algorithm or not (OpenSSH 9.2 reports "Offending ED25519 key" for an ECDSA host
 * key) — means "changed"; otherwise "unknown". @cert-authority lines only vouch for host
 * certificates and are ignored for plain keys. Host names compare case-insensitively; port 22
 * uses the bare name, and for other ports an unknown "[host]:port" falls back to a matching key
 * under the bare name, as ssh does (turn off with portFallback: false, as HostKeyAlias does).
 */
export function lookupHost(
  entries: readonly KnownHostsEntry[],
  host: string,
  port: number,
  keyBlob: Uint8Array | SshPublicKey,
  opts: { portFallback?: boolean } = {},
): HostLookup {
  const key = keyBlob instanceof Uint8Array ? parsePublicKeyBlob(keyBlob) : keyBlob;
  const res = lookupName(entries, knownHostsName(host.toLowerCase(), port), key);
  // sshconnect.c check_host_key, HOST_NEW: for a non-standard port (and no HostKeyAlias) ssh
  // checks again under the bare name, read-only; only a matching key there counts
  // ("found matching key w/out port").
  if (res.result === 'unknown' && port !== 22 && port !== 0 && opts.portFallback !== false) {
    const bare = lookupName(entries, host.toLowerCase(), key);
    if (bare.result === 'known') return { ...bare, withoutPort: true };
  }
  return res;
}

function lookupName(entries: readonly KnownHostsEntry[], name: string, key: SshPublicKey): HostLookup {
  let known: number | undefined;
  let changed: number | undefined;
  let revoked: number | undefined;
  for (const e of entries) {
    if (!entryMatchesName(e, name)) continue;
    if (e.marker === 'revoked') {
      if (revoked === undefined && equalBytes(e.key.blob, key.blob)) revoked = e.line;
      continue;
    }
    if (e.marker === 'cert-authority') continue;
    if (known !== undefined) continue;
    if (equalBytes(e.key.blob, key.blob)) known = e.line;
    else changed = e.line;
  }
  if (revoked !== undefined) return { result: 'revoked', line: revoked };
  if (known !== undefined) return { result: 'known', line: known };
  if (changed !== undefined) return { result: 'changed', line: changed };
  return { result: 'unknown' };
}

export interface FormatKnownHostsOptions {
  /** Write the hashed form (HashKnownHosts yes). */
  hash?: boolean;
  /** The 20-byte salt for the hashed form (required with hash: the engine has no ambient randomness). */
  salt?: Uint8Array;
  /** Appended after the key (ssh itself writes none). */
  comment?: string;
}

/**
 * A known_hosts line as ssh writes it (hostfile.c write_host_entry), without the newline:
 * "[127.0.0.1]:2222 ssh-ed25519 AAAA…" or "|1|salt|hash ssh-ed25519 AAAA…".
 */
export function formatKnownHostsLine(host: string, port: number, key: Uint8Array | SshPublicKey, opts: FormatKnownHostsOptions = {}): string {
  const k = key instanceof Uint8Array ? parsePublicKeyBlob(key) : key;
  const name = knownHostsName(host.toLowerCase(), port);
  let field = name;
  if (opts.hash) {
    if (!opts.salt) throw new RangeError('formatKnownHostsLine: hash needs a 20-byte salt');
    field = formatHashedName(name, opts.salt);
  }
  const line = `${field} ${k.type} ${base64Encode(k.blob)}`;
  return opts.comment ? `${line} ${opts.comment}` : line;
}
