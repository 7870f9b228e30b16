// ECDSA host and user keys over the NIST curves, RFC 5656 §3.
//
// Public key blob (§3.1):   string "ecdsa-sha2-[identifier]" || string identifier || string Q
//   Q is the SEC1 §2.3.3 point encoding, uncompressed 0x04 || X || Y.
// Signature blob (§3.1.2):  string "ecdsa-sha2-[identifier]" || string ecdsa_signature_blob
//   ecdsa_signature_blob = mpint r || mpint s
// The message is hashed with the curve's hash (§6.2.1): SHA-256 for nistp256, SHA-384 for nistp384,
// SHA-512 for nistp521. We sign deterministically (RFC 6979), so seeded sessions reproduce; any
// valid (r, s) verifies, including the "high s" half that OpenSSL produces (noble's lowS: false).

import { p256, p384, p521 } from '@noble/curves/nist.js';
import type { EcdsaCurveName, EcdsaPrivateKey, SignatureSpec } from './types.ts';
import { ascii, concat, sshMpintFromUnsigned, sshString } from './bytes.ts';
import { i2osp, minimalBytes, os2ip } from './bigint-math.ts';
import { BlobCursor } from './ssh-blob.ts';

export interface EcdsaCurveSpec {
  id: EcdsaCurveName;
  curve: typeof p256 | typeof p384 | typeof p521;
  fieldBytes: number;
  /** RFC 5656 §6.2.1 */
  hash: 'sha256' | 'sha384' | 'sha512';
}

export const ECDSA_CURVE_SPECS: Record<EcdsaCurveName, EcdsaCurveSpec> = {
  nistp256: { id: 'nistp256', curve: p256, fieldBytes: 32, hash: 'sha256' },
  nistp384: { id: 'nistp384', curve: p384, fieldBytes: 48, hash: 'sha384' },
  nistp521: { id: 'nistp521', curve: p521, fieldBytes: 66, hash: 'sha512' },
};

/** RFC 5656 §3.1: the public key blob. */
export function ecdsaPublicKeyBlob(key: Pick<EcdsaPrivateKey, 'type' | 'curve' | 'Q'>): Uint8Array {
  return concat(sshString(ascii(key.type)), sshString(ascii(key.curve)), sshString(key.Q));
}

/** The ECDSA key with private scalar d (SEC1 §3.2.1: Q = d·G). */
export function ecdsaFromScalar(curve: EcdsaCurveName, d: bigint, comment?: string): EcdsaPrivateKey {
  const spec = ECDSA_CURVE_SPECS[curve];
  const Q = spec.curve.getPublicKey(i2osp(d, spec.fieldBytes), false);
  const key: EcdsaPrivateKey = { type: `ecdsa-sha2-${curve}`, curve, Q, d };
  if (comment !== undefined) key.comment = comment;
  return key;
}

/** A new ECDSA key whose scalar comes from `random` (seeded sessions stay reproducible). */
export function generateEcdsa(curve: EcdsaCurveName, random: (n: number) => Uint8Array, comment?: string): EcdsaPrivateKey {
  const spec = ECDSA_CURVE_SPECS[curve];
  const d = os2ip(spec.curve.utils.randomSecretKey(random(spec.curve.lengths.seed!)));
  return ecdsaFromScalar(curve, d, comment);
}

function ecdsaSpec(c: EcdsaCurveSpec): SignatureSpec {
  const name = `ecdsa-sha2-${c.id}`;
  const n = c.curve.Point.CURVE().n;
  return {
    name,
    keyType: name,
    sign(key, data, provider) {
      if (key.type !== name) throw new Error(`${name} cannot sign with a ${key.type} key`);
      const k = key as EcdsaPrivateKey;
      // prehash: the curve's hash (RFC 5656 §6.2.1); RFC 6979 deterministic k.
      const d = i2osp(k.d, c.fieldBytes);
      const compact = provider?.ecdsaSign ? provider.ecdsaSign(c.id, d, data) : c.curve.sign(data, d, { prehash: true, lowS: false });
      const r = os2ip(compact.subarray(0, c.fieldBytes));
      const s = os2ip(compact.subarray(c.fieldBytes));
      const inner = concat(sshMpintFromUnsigned(minimalBytes(r)), sshMpintFromUnsigned(minimalBytes(s)));
      return concat(sshString(ascii(name)), sshString(inner));
    },
    verify(publicKeyBlob, data, signatureBlob, provider) {
      try {
        const pk = new BlobCursor(publicKeyBlob);
        if (pk.text() !== name || pk.text() !== c.id) return false;
        const Q = pk.string();
        if (!Q || !pk.done()) return false;
        const sig = new BlobCursor(signatureBlob);
        if (sig.text() !== name) return false;
        const inner = sig.string();
        if (!inner || !sig.done()) return false;
        const rs = new BlobCursor(inner);
        const r = rs.mpint();
        const s = rs.mpint();
        if (r === null || s === null || !rs.done()) return false;
        if (r <= 0n || r >= n || s <= 0n || s >= n) return false;
        const compact = concat(i2osp(r, c.fieldBytes), i2osp(s, c.fieldBytes));
        if (provider?.ecdsaVerify) return provider.ecdsaVerify(c.id, Q, data, compact);
        return c.curve.verify(compact, data, Q, { prehash: true, lowS: false });
      } catch {
        return false;
      }
    },
  };
}

/** RFC 5656 §10.1 required curves. */
export const ECDSA_SIGNATURES: Record<string, SignatureSpec> = {
  'ecdsa-sha2-nistp256': ecdsaSpec(ECDSA_CURVE_SPECS.nistp256),
  'ecdsa-sha2-nistp384': ecdsaSpec(ECDSA_CURVE_SPECS.nistp384),
  'ecdsa-sha2-nistp521': ecdsaSpec(ECDSA_CURVE_SPECS.nistp521),
};
