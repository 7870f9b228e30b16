// Post-quantum hybrid key exchanges: a KEM and X25519 run side by side in one round trip
// (family 'hybrid': SSH_MSG_KEX_HYBRID_INIT { string Q_C } / SSH_MSG_KEX_HYBRID_REPLY
// { string K_S, string Q_S, string signature }, message ids 30/31).
//
// sntrup761x25519-sha512@openssh.com and sntrup761x25519-sha512 (draft-josefsson-ntruprime-ssh;
// OpenSSH kexsntrup761x25519.c, the default KEX of OpenSSH 9.0–9.8):
//   Q_C = sntrup761 public key (1158) || X25519 public key (32)
//   Q_S = sntrup761 ciphertext (1039) || X25519 public key (32)
//   K   = string SHA-512(sntrup761 shared secret (32) || X25519 shared secret (32))
// mlkem768x25519-sha256 (draft-kampanakis-curdle-ssh-pq-ke; OpenSSH kexmlkem768x25519.c, the
// default KEX of OpenSSH 10):
//   Q_C = ML-KEM-768 encapsulation key (1184) || X25519 public key (32)
//   Q_S = ML-KEM-768 ciphertext (1088) || X25519 public key (32)
//   K   = string SHA-256(ML-KEM shared secret (32) || X25519 shared secret (32))
//
// The X25519 half is RFC 7748 raw output (not an mpint as in RFC 8731), and an all-zero output is
// refused as in RFC 8731 §3 / OpenSSH kexc25519_shared_key_ext. K is encoded as an SSH string
// (RFC 4251 §5), so a leading zero byte of the hash stays — unlike the mpint K of the classic methods.
// The server checks the ML-KEM encapsulation key (FIPS 203 §7.2 modulus check) as OpenSSH does.

import { x25519PublicKey, x25519SharedSecret } from './x25519.ts';
import { sha256, sha512 } from '@noble/hashes/sha2.js';
import { ml_kem768 } from '@noble/post-quantum/ml-kem.js';
import type { HashName, KexClientState, KexResult, KexServerResult, KexSpec } from './types.ts';
import { KexError } from './types.ts';
import { concat, hex, sshString } from './bytes.ts';
import {
  SNTRUP761_CIPHERTEXT_BYTES,
  SNTRUP761_PUBLIC_KEY_BYTES,
  sntrup761Decapsulate,
  sntrup761Encapsulate,
  sntrup761Keypair,
} from './sntrup761.ts';

const X25519_BYTES = 32;

/** The post-quantum half of a hybrid: a KEM with fixed sizes. */
export interface HybridKem {
  /** Name used in messages and the trace, e.g. "sntrup761". */
  name: string;
  publicKeyBytes: number;
  ciphertextBytes: number;
  keypair(random: (n: number) => Uint8Array): { publicKey: Uint8Array; secretKey: Uint8Array };
  /** Throws KexError when the peer's public key is unusable. */
  encapsulate(publicKey: Uint8Array, random: (n: number) => Uint8Array): { ciphertext: Uint8Array; sharedSecret: Uint8Array };
  decapsulate(ciphertext: Uint8Array, secretKey: Uint8Array): Uint8Array;
}

export const SNTRUP761_KEM: HybridKem = {
  name: 'sntrup761',
  publicKeyBytes: SNTRUP761_PUBLIC_KEY_BYTES,
  ciphertextBytes: SNTRUP761_CIPHERTEXT_BYTES,
  keypair: sntrup761Keypair,
  // Every byte string of the right length is a usable sntrup761 public key (round 3 §3.2: Decode
  // reduces each digit), so there is nothing to validate beyond the length.
  encapsulate: sntrup761Encapsulate,
  decapsulate: sntrup761Decapsulate,
};

export const MLKEM768_KEM: HybridKem = {
  name: 'ML-KEM-768',
  publicKeyBytes: 1184,
  ciphertextBytes: 1088,
  // FIPS 203 §7.1 ML-KEM.KeyGen: d || z, 64 random bytes (as OpenSSH's libcrux call takes them).
  keypair: (random) => ml_kem768.keygen(random(64)),
  encapsulate(publicKey, random) {
    let r: { cipherText: Uint8Array; sharedSecret: Uint8Array };
    try {
      // FIPS 203 §7.2 ML-KEM.Encaps: the 32-byte message m; noble runs the modulus check first.
      r = ml_kem768.encapsulate(publicKey, random(32));
    } catch (e) {
      throw new KexError(`the client's ML-KEM-768 encapsulation key is invalid (FIPS 203 §7.2 modulus check): ${(e as Error).message}`);
    }
    return { ciphertext: r.cipherText, sharedSecret: r.sharedSecret };
  },
  // Implicit rejection (FIPS 203 §7.3): a bad ciphertext yields a pseudorandom key, never an error.
  decapsulate: (ciphertext, secretKey) => ml_kem768.decapsulate(ciphertext, secretKey),
};

const HASHES: Partial<Record<HashName, (data: Uint8Array) => Uint8Array>> = { sha256, sha512 };

/** The split of Q_C or Q_S into its KEM part and its X25519 part, with a length check. */
function split(value: Uint8Array, kemBytes: number, what: string, kemPart: string): [Uint8Array, Uint8Array] {
  const want = kemBytes + X25519_BYTES;
  if (value.length !== want) {
    throw new KexError(`${what} must be ${want} bytes (${kemPart} ${kemBytes} || X25519 public key ${X25519_BYTES}), got ${value.length}`);
  }
  return [value.subarray(0, kemBytes), value.subarray(kemBytes)];
}

function combine(kem: HybridKem, hashName: HashName, pqSecret: Uint8Array, xSecret: Uint8Array, pqHow: string): KexResult {
  const h = HASHES[hashName]!;
  const joined = concat(pqSecret, xSecret);
  const k = h(joined);
  const encodedK = sshString(k);
  const H = hashName.toUpperCase().replace('SHA', 'SHA-');
  return {
    encodedK,
    secret: k,
    trace: [
      { name: kem.name, label: `${kem.name} shared secret (${pqHow})`, value: hex(pqSecret) },
      { name: 'X25519', label: 'X25519 shared secret: X25519(own private key, peer public key), raw 32 bytes (RFC 7748 §5)', value: hex(xSecret) },
      { name: 'combine', label: `${H}(${kem.name} secret || X25519 secret): both halves must be broken to learn K`, value: hex(k) },
      { name: 'K', label: `K = the ${H} output as an SSH string (RFC 4251 §5), not an mpint`, value: hex(encodedK) },
    ],
  };
}

/** A hybrid KEX row: `kem` + X25519, combined with `hashName`. */
export function hybridKex(name: string, kem: HybridKem, hashName: HashName): KexSpec {
  if (!HASHES[hashName]) throw new Error(`hybrid KEX ${name}: unsupported hash ${hashName}`);
  return {
    name,
    family: 'hybrid',
    hash: hashName,
    kEncoding: 'string',
    startClient(random, provider): KexClientState {
      // Same order as OpenSSH: the KEM key pair first, then the X25519 key.
      const { publicKey, secretKey } = kem.keypair(random);
      const xPrivate = random(X25519_BYTES);
      const clientPublic = concat(publicKey, x25519PublicKey(xPrivate, provider));
      return {
        clientPublic,
        finish(serverPublic) {
          const [ciphertext, xServer] = split(serverPublic, kem.ciphertextBytes, 'Q_S', `${kem.name} ciphertext`);
          const pqSecret = kem.decapsulate(ciphertext, secretKey);
          const xSecret = x25519SharedSecret(xPrivate, xServer, 'server', provider);
          return combine(kem, hashName, pqSecret, xSecret, 'decapsulated from the ciphertext in Q_S with our secret key');
        },
      };
    },
    respond(random, clientPublic, provider): KexServerResult {
      const [kemPublic, xClient] = split(clientPublic, kem.publicKeyBytes, 'Q_C', `${kem.name} public key`);
      const { ciphertext, sharedSecret } = kem.encapsulate(kemPublic, random);
      const xPrivate = random(X25519_BYTES);
      const xSecret = x25519SharedSecret(xPrivate, xClient, 'client', provider);
      const serverPublic = concat(ciphertext, x25519PublicKey(xPrivate, provider));
      return { ...combine(kem, hashName, sharedSecret, xSecret, "encapsulated to the client's public key in Q_C"), serverPublic };
    },
  };
}

/** Keyed by wire name; the lead merges these rows into KEX (engine/algorithms/kex.ts). */
export const HYBRID_KEX: Record<string, KexSpec> = {
  'sntrup761x25519-sha512@openssh.com': hybridKex('sntrup761x25519-sha512@openssh.com', SNTRUP761_KEM, 'sha512'),
  'sntrup761x25519-sha512': hybridKex('sntrup761x25519-sha512', SNTRUP761_KEM, 'sha512'),
  'mlkem768x25519-sha256': hybridKex('mlkem768x25519-sha256', MLKEM768_KEM, 'sha256'),
};
