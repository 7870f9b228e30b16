// Key-exchange methods (RFC 4253 §7, §8). Families: 'ecdh' (RFC 5656 §4 messages, used by RFC 8731),
// 'dh' (RFC 4253 §8), 'gex' (RFC 4419), 'hybrid' (PQ, K as string). This file holds curve25519 and
// the table of every method; the NIST curves are in kex-ecdh.ts, finite-field DH and group exchange
// in kex-dh.ts, the post-quantum hybrids in kex-hybrid.ts.
//
// curve25519-sha256 / curve25519-sha256@libssh.org, RFC 8731 §3: Q_C and Q_S are 32-byte X25519 public
// keys sent as strings; the 32-byte X25519 output is read as an unsigned big-endian integer and
// encoded as an mpint (§3.1); an all-zero shared secret must be rejected (§3.1, RFC 7748 §6.1).

import { x25519PublicKey, x25519SharedSecret } from './x25519.ts';
import type { KexClientState, KexResult, KexServerResult, KexSpec } from './types.ts';
import { KexError } from './types.ts';
import { hex, sshMpintFromUnsigned } from './bytes.ts';
import { ECDH_KEX } from './kex-ecdh.ts';
import { DH_KEX } from './kex-dh.ts';
import { HYBRID_KEX } from './kex-hybrid.ts';

function result(secret: Uint8Array, privateKey: Uint8Array): KexResult {
  const encodedK = sshMpintFromUnsigned(secret);
  return {
    encodedK,
    secret,
    privateKey,
    trace: [
      { name: 'X25519', label: 'X25519(private key, peer public key)', value: hex(secret) },
      { name: 'K', label: 'K = X25519 output as an unsigned big-endian integer, encoded as mpint (RFC 8731 §3.1)', value: hex(encodedK) },
    ],
  };
}

function curve25519(name: string): KexSpec {
  return {
    name,
    family: 'ecdh',
    hash: 'sha256',
    kEncoding: 'mpint',
    startClient(random, provider): KexClientState {
      const privateKey = random(32);
      const clientPublic = x25519PublicKey(privateKey, provider);
      return {
        clientPublic,
        finish: (serverPublic) => result(x25519SharedSecret(privateKey, serverPublic, 'server', provider), privateKey),
      };
    },
    respond(random, clientPublic, provider): KexServerResult {
      const privateKey = random(32);
      const serverPublic = x25519PublicKey(privateKey, provider);
      const r = result(x25519SharedSecret(privateKey, clientPublic, 'client', provider), privateKey);
      return { ...r, serverPublic };
    },
  };
}

/**
 * Every key exchange method, keyed by wire name. Legacy rows (diffie-hellman-group1-sha1,
 * -group14-sha1, -group-exchange-sha1) are here for teaching and old peers, not in DEFAULT_KEX.
 */
export const KEX: Record<string, KexSpec> = {
  ...HYBRID_KEX,
  // RFC 8731 §3
  'curve25519-sha256': curve25519('curve25519-sha256'),
  'curve25519-sha256@libssh.org': curve25519('curve25519-sha256@libssh.org'),
  // RFC 5656 §4
  ...ECDH_KEX,
  // RFC 4419, RFC 8268, RFC 4253 §8
  ...DH_KEX,
};

/** Methods kept for teaching and old peers: SHA-1 exchange hashes and the 1024-bit group (RFC 9142 §3.3). */
export const LEGACY_KEX: readonly string[] = ['diffie-hellman-group14-sha1', 'diffie-hellman-group-exchange-sha1', 'diffie-hellman-group1-sha1'];
