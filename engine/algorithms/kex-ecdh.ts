// Elliptic-curve Diffie-Hellman over the NIST curves, RFC 5656 §4 (family 'ecdh': the same
// SSH_MSG_KEX_ECDH_INIT { string Q_C } / SSH_MSG_KEX_ECDH_REPLY { string K_S, string Q_S,
// string signature } messages as curve25519).
//
//   ecdh-sha2-nistp256  SHA-256   (RFC 5656 §6.2.1: the hash follows the curve size)
//   ecdh-sha2-nistp384  SHA-384
//   ecdh-sha2-nistp521  SHA-512
//
// Q_C and Q_S are elliptic-curve points in SEC1 §2.3.3 uncompressed form (0x04 || X || Y; RFC 5656
// §4 leaves compression optional, OpenSSH sends and accepts only uncompressed points). Each side
// MUST check the peer's point is on the curve (RFC 5656 §4, SEC1 §3.2.2.1): an off-curve point would
// let the peer learn bits of our private key (invalid-curve attack). The shared secret K is the
// x coordinate of d·Q, as an unsigned integer encoded as mpint (RFC 5656 §4, SEC1 §3.3.1).

import { p256, p384, p521 } from '@noble/curves/nist.js';
import type { CryptoProvider, HashName, KexClientState, KexResult, KexServerResult, KexSpec } from './types.ts';
import { KexError } from './types.ts';
import { hex, sshMpintFromUnsigned } from './bytes.ts';

type NistCurve = typeof p256 | typeof p384 | typeof p521;

export interface EcdhCurveInfo {
  /** RFC 5656 §10.1 curve identifier. */
  id: 'nistp256' | 'nistp384' | 'nistp521';
  curve: NistCurve;
  /** Bytes of one coordinate (and of a private scalar). */
  fieldBytes: number;
  hash: HashName;
}

export const ECDH_CURVES: Record<EcdhCurveInfo['id'], EcdhCurveInfo> = {
  nistp256: { id: 'nistp256', curve: p256, fieldBytes: 32, hash: 'sha256' },
  nistp384: { id: 'nistp384', curve: p384, fieldBytes: 48, hash: 'sha384' },
  nistp521: { id: 'nistp521', curve: p521, fieldBytes: 66, hash: 'sha512' },
};

/**
 * A private scalar in [1, n-1] from `random` (FIPS 186-5 A.2.1 via noble's randomSecretKey, which
 * reduces a longer seed so the result is unbiased): seeded sessions stay reproducible.
 */
export function ecdhPrivateKey(info: EcdhCurveInfo, random: (n: number) => Uint8Array): Uint8Array {
  return info.curve.utils.randomSecretKey(random(info.curve.lengths.seed!));
}

/** Checks Q is an uncompressed point on the curve and not the point at infinity (RFC 5656 §4). */
export function checkEcPoint(info: EcdhCurveInfo, q: Uint8Array, who: string): void {
  const want = 1 + 2 * info.fieldBytes;
  if (q.length !== want || q[0] !== 0x04) {
    throw new KexError(`the ${who}'s ${info.id} public point must be ${want} bytes, uncompressed (0x04 || X || Y, SEC1 §2.3.3); got ${q.length} bytes starting ${q.length ? q[0]!.toString(16).padStart(2, '0') : '(empty)'}`);
  }
  try {
    info.curve.Point.fromBytes(q).assertValidity();
  } catch (e) {
    throw new KexError(`the ${who}'s public point is not on ${info.id} (RFC 5656 §4, SEC1 §3.2.2.1): ${(e as Error).message}`);
  }
}

function shared(info: EcdhCurveInfo, priv: Uint8Array, peer: Uint8Array, who: string, provider: CryptoProvider | undefined): Uint8Array {
  checkEcPoint(info, peer, who);
  try {
    if (provider?.ecdh) return provider.ecdh(info.id, priv, peer);
    // A compressed point: 0x02/0x03 || X. SSH's K is X alone.
    return info.curve.getSharedSecret(priv, peer, true).slice(1);
  } catch (e) {
    throw new KexError(`ECDH on ${info.id} failed: ${(e as Error).message}`);
  }
}

function publicPoint(info: EcdhCurveInfo, priv: Uint8Array, provider: CryptoProvider | undefined): Uint8Array {
  return provider?.ecdhPublicKey ? provider.ecdhPublicKey(info.id, priv) : info.curve.getPublicKey(priv, false);
}

function result(info: EcdhCurveInfo, x: Uint8Array, priv: Uint8Array): KexResult {
  const encodedK = sshMpintFromUnsigned(x);
  return {
    encodedK,
    secret: x,
    privateKey: priv,
    trace: [
      { name: 'd', label: `d: our private scalar on ${info.id} (PRIVATE — never sent)`, value: hex(priv) },
      { name: 'x', label: "x coordinate of d·Q_peer (our scalar times the peer's point)", value: hex(x) },
      { name: 'K', label: 'K = that x coordinate as an unsigned integer, encoded as mpint (RFC 5656 §4)', value: hex(encodedK) },
    ],
  };
}

export function ecdhKex(info: EcdhCurveInfo): KexSpec {
  const name = `ecdh-sha2-${info.id}`;
  return {
    name,
    family: 'ecdh',
    hash: info.hash,
    kEncoding: 'mpint',
    startClient(random, provider): KexClientState {
      const priv = ecdhPrivateKey(info, random);
      const clientPublic = publicPoint(info, priv, provider);
      return { clientPublic, finish: (serverPublic) => result(info, shared(info, priv, serverPublic, 'server', provider), priv) };
    },
    respond(random, clientPublic, provider): KexServerResult {
      checkEcPoint(info, clientPublic, 'client');
      const priv = ecdhPrivateKey(info, random);
      const serverPublic = publicPoint(info, priv, provider);
      return { ...result(info, shared(info, priv, clientPublic, 'client', provider), priv), serverPublic };
    },
  };
}

/** RFC 5656 §10.1 required curves, keyed by wire name. */
export const ECDH_KEX: Record<string, KexSpec> = {
  'ecdh-sha2-nistp256': ecdhKex(ECDH_CURVES.nistp256),
  'ecdh-sha2-nistp384': ecdhKex(ECDH_CURVES.nistp384),
  'ecdh-sha2-nistp521': ecdhKex(ECDH_CURVES.nistp521),
};
