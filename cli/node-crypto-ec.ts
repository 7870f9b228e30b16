// ECDH and ECDSA verification on the NIST curves through OpenSSL (node:crypto), behind the
// engine's CryptoProvider (engine/algorithms/types.ts): ecdh-sha2-nistp* (RFC 5656 §4) and
// ecdsa-sha2-nistp* signatures (RFC 5656 §3.1.2). No signing: node:crypto draws a random k, and
// seeded sessions must stay reproducible, so the engine signs with noble's RFC 6979 k.

import { createECDH, createPublicKey, verify } from 'node:crypto';
import type { EcdsaCurveName } from '../engine/algorithms/types.ts';
import { view } from './node-buffers.ts';

interface NodeCurve {
  openssl: string;
  /** The curve's hash for ECDSA (RFC 5656 §6.2.1). */
  hash: string;
  /** DER SubjectPublicKeyInfo up to the uncompressed point (RFC 5480 §2), which follows it. */
  spkiPrefix: Buffer;
}

const CURVES: Record<EcdsaCurveName, NodeCurve> = {
  nistp256: { openssl: 'prime256v1', hash: 'sha256', spkiPrefix: Buffer.from('3059301306072a8648ce3d020106082a8648ce3d030107034200', 'hex') },
  nistp384: { openssl: 'secp384r1', hash: 'sha384', spkiPrefix: Buffer.from('3076301006072a8648ce3d020106052b81040022036200', 'hex') },
  nistp521: { openssl: 'secp521r1', hash: 'sha512', spkiPrefix: Buffer.from('30819b301006072a8648ce3d020106052b8104002303818600', 'hex') },
};

/** Q = d·G, uncompressed (0x04 || X || Y, SEC1 §2.3.3). */
export function ecdhPublicKey(curve: EcdsaCurveName, privateKey: Uint8Array): Uint8Array {
  const ecdh = createECDH(CURVES[curve].openssl);
  ecdh.setPrivateKey(privateKey);
  return view(ecdh.getPublicKey());
}

/** The x coordinate of d·Q_peer, fieldBytes long (SSH's K before mpint encoding, RFC 5656 §4). */
export function ecdh(curve: EcdsaCurveName, privateKey: Uint8Array, peerPublic: Uint8Array): Uint8Array {
  const e = createECDH(CURVES[curve].openssl);
  e.setPrivateKey(privateKey);
  return view(e.computeSecret(peerPublic));
}

/** ECDSA over data with the curve's hash; `signature` is r || s (IEEE P1363). False on anything malformed. */
export function ecdsaVerify(curve: EcdsaCurveName, publicPoint: Uint8Array, data: Uint8Array, signature: Uint8Array): boolean {
  const c = CURVES[curve];
  try {
    const key = createPublicKey({ key: Buffer.concat([c.spkiPrefix, publicPoint]), format: 'der', type: 'spki' });
    return verify(c.hash, data, { key, dsaEncoding: 'ieee-p1363' }, signature);
  } catch {
    return false;
  }
}
