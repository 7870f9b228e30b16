// Which signature algorithm a client uses with a user key (publickey authentication, RFC 4252 §7).
// For every key type but RSA it is the key type itself. An RSA key can sign as rsa-sha2-512,
// rsa-sha2-256 or ssh-rsa, and the server tells which it accepts in the "server-sig-algs" extension
// of SSH_MSG_EXT_INFO (RFC 8308 §3.1, RFC 8332 §3.3).
//
// Same rule as OpenSSH's client (sshconnect2.c key_sig_algorithm): without server-sig-algs the key
// type's own name ("ssh-rsa", i.e. SHA-1) if our accepted list allows it; with server-sig-algs the
// first entry of our accepted list whose key type is the key's and that the server also lists.

import { DEFAULT_PUBKEY_ALGORITHMS } from './defaults.ts';

const RSA_ALGORITHMS = new Set(['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']);

/** The key type an algorithm signs with (RFC 8332 §3: the rsa-sha2-* names use "ssh-rsa" keys). */
export function keyTypeOfAlgorithm(alg: string): string {
  return RSA_ALGORITHMS.has(alg) ? 'ssh-rsa' : alg;
}

/**
 * The algorithm to sign with, or null when none is acceptable (OpenSSH then skips the key).
 * `serverSigAlgs` is the server-sig-algs list, or null when the server sent none.
 * `accepted` is our own list (OpenSSH PubkeyAcceptedAlgorithms; 9.2's default omits ssh-rsa, so an
 * RSA key is not offered to a server without server-sig-algs — pass a list with "ssh-rsa" for that).
 */
export function userKeyAlgorithm(
  key: { type: string },
  serverSigAlgs: readonly string[] | null,
  accepted: readonly string[] = DEFAULT_PUBKEY_ALGORITHMS,
): string | null {
  if (key.type !== 'ssh-rsa' || serverSigAlgs === null) {
    return accepted.includes(key.type) ? key.type : null;
  }
  for (const alg of accepted) {
    if (keyTypeOfAlgorithm(alg) !== key.type) continue;
    if (serverSigAlgs.includes(alg)) return alg;
  }
  return null;
}
