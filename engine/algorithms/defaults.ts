// Default preference lists, most preferred first (RFC 4253 §7.1), in OpenSSH 9.2's order
// (myproposal.h) restricted to what this engine implements.

import type { AlgorithmPrefs } from '../core/config.ts';

// OpenSSH 9.2 KEX_CLIENT_KEX / KEX_SERVER_KEX (myproposal.h) as Debian 12 ships it (9.2p1-2+deb12u10
// also offers the RFC name sntrup761x25519-sha512 first; `ssh -G` / `sshd -T` print the list), every
// entry proven against the real sshd and ssh in test/interop/algorithms-sshd.test.ts. Not offered: the legacy
// diffie-hellman-group1-sha1, -group14-sha1, -group-exchange-sha1 (SHA-1, RFC 9142 §3.3), and
// mlkem768x25519-sha256 (OpenSSH 10's default, unknown to 9.2, so not proven against a real peer here).
export const DEFAULT_KEX: readonly string[] = [
  'sntrup761x25519-sha512',
  'sntrup761x25519-sha512@openssh.com',
  'curve25519-sha256',
  'curve25519-sha256@libssh.org',
  'ecdh-sha2-nistp256',
  'ecdh-sha2-nistp384',
  'ecdh-sha2-nistp521',
  'diffie-hellman-group-exchange-sha256',
  'diffie-hellman-group16-sha512',
  'diffie-hellman-group18-sha512',
  'diffie-hellman-group14-sha256',
];
/** OpenSSH 9.2 HostKeyAlgorithms default without certificates and security keys; no ssh-rsa (SHA-1) since 8.8. */
export const DEFAULT_HOST_KEY: readonly string[] = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
];
/**
 * PubkeyAcceptedAlgorithms: OpenSSH 9.2 KEX_DEFAULT_PK_ALG (myproposal.h) without certificates and
 * security keys; ssh-rsa (SHA-1) is not accepted by default since OpenSSH 8.8.
 */
export const DEFAULT_PUBKEY_ALGORITHMS: readonly string[] = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
];
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
// Only "none" until the connection compresses. (OpenSSH 9.2's client sends "none,zlib@openssh.com,zlib"
// with Compression=no — none first, so none is chosen — and "zlib@openssh.com,zlib,none" with
// Compression=yes, kex.c compression_alg_list; its sshd offers "none,zlib@openssh.com".)
export const DEFAULT_COMPRESSION: readonly string[] = ['none'];
/** What to offer when compression is asked for (OpenSSH 9.2 sshconnect2.c, Compression=yes). */
export const COMPRESSION_WHEN_ASKED: readonly string[] = ['zlib@openssh.com', 'zlib', 'none'];

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
