// Default preference lists, most preferred first (RFC 4253 §7.1), in OpenSSH 9.2's order
// (myproposal.h) restricted to what this engine implements.

import type { AlgorithmPrefs } from '../core/config.ts';

export const DEFAULT_KEX: readonly string[] = ['curve25519-sha256', 'curve25519-sha256@libssh.org'];
export const DEFAULT_HOST_KEY: readonly string[] = ['ssh-ed25519'];
export const DEFAULT_CIPHERS: readonly string[] = [
  'chacha20-poly1305@openssh.com',
  'aes128-ctr',
  'aes192-ctr',
  'aes256-ctr',
  'aes128-gcm@openssh.com',
  'aes256-gcm@openssh.com',
];
// umac-64/128 (in OpenSSH's list) are not implemented here.
export const DEFAULT_MACS: readonly string[] = [
  'hmac-sha2-256-etm@openssh.com',
  'hmac-sha2-512-etm@openssh.com',
  'hmac-sha1-etm@openssh.com',
  'hmac-sha2-256',
  'hmac-sha2-512',
  'hmac-sha1',
];
export const DEFAULT_COMPRESSION: readonly string[] = ['none'];

/** A fresh copy of the defaults (callers may mutate it). */
export function defaultAlgorithms(): AlgorithmPrefs {
  return {
    kex: [...DEFAULT_KEX],
    hostKey: [...DEFAULT_HOST_KEY],
    cipher: [...DEFAULT_CIPHERS],
    mac: [...DEFAULT_MACS],
    compression: [...DEFAULT_COMPRESSION],
  };
}

/** The defaults with the caller's overrides applied category by category. */
export function resolveAlgorithms(overrides?: Partial<AlgorithmPrefs>): AlgorithmPrefs {
  const d = defaultAlgorithms();
  if (!overrides) return d;
  return {
    kex: overrides.kex ? [...overrides.kex] : d.kex,
    hostKey: overrides.hostKey ? [...overrides.hostKey] : d.hostKey,
    cipher: overrides.cipher ? [...overrides.cipher] : d.cipher,
    mac: overrides.mac ? [...overrides.mac] : d.mac,
    compression: overrides.compression ? [...overrides.compression] : d.compression,
  };
}
