// RSA host and user keys: one key type "ssh-rsa", three signature algorithms.
//
// Public key blob (RFC 4253 §6.6):  string "ssh-rsa" || mpint e || mpint n
// Signature blob:                   string algorithm || string S
//   ssh-rsa       RSASSA-PKCS1-v1_5 with SHA-1   (RFC 4253 §6.6; legacy: SHA-1 is broken for
//                                                  chosen-prefix collisions, OpenSSH 8.8 disabled it)
//   rsa-sha2-256  RSASSA-PKCS1-v1_5 with SHA-256 (RFC 8332 §3)
//   rsa-sha2-512  RSASSA-PKCS1-v1_5 with SHA-512 (RFC 8332 §3)
// S is the RFC 8017 §8.2.1 signature, an octet string as long as the modulus (RFC 8332 §3: "the
// same length (in octets) as the RSA modulus"). OpenSSH's verifier (ssh-rsa.c) also accepts a
// shorter S and left-pads it; so do we. Keys under 1024 bits are refused (OpenSSH
// SSH_RSA_MINIMUM_MODULUS_SIZE).
//
// Signing uses the CRT (RFC 8017 §5.1.2 2.b) with p, q and iqmp = q⁻¹ mod p, and checks the result
// with the public exponent before releasing it (a faulty CRT half would leak a factor of n).

import { sha256, sha512 } from '@noble/hashes/sha2.js';
import { sha1 } from '@noble/hashes/legacy.js';
import type { RsaPrivateKey, SignatureSpec } from './types.ts';
import { ascii, concat, constantTimeEqual, sshMpintFromUnsigned, sshString } from './bytes.ts';
import { bitLength, i2osp, minimalBytes, mod, modPow, os2ip } from './bigint-math.ts';
import { BlobCursor } from './ssh-blob.ts';

export const RSA_KEY_TYPE = 'ssh-rsa';
/** OpenSSH ssh-rsa.c / sshkey.h: smaller keys are refused. */
export const RSA_MIN_BITS = 1024;

interface RsaHash {
  name: 'sha1' | 'sha256' | 'sha512';
  fn: (data: Uint8Array) => Uint8Array;
  /** DER of DigestInfo up to the digest (RFC 8017 §9.2, note 1). */
  prefix: Uint8Array;
}

const hexBytes = (h: string) => new Uint8Array(h.match(/../g)!.map((x) => parseInt(x, 16)));

const HASHES: Record<string, RsaHash> = {
  'ssh-rsa': { name: 'sha1', fn: sha1, prefix: hexBytes('3021300906052b0e03021a05000414') },
  'rsa-sha2-256': { name: 'sha256', fn: sha256, prefix: hexBytes('3031300d060960864801650304020105000420') },
  'rsa-sha2-512': { name: 'sha512', fn: sha512, prefix: hexBytes('3051300d060960864801650304020305000440') },
};

/** RFC 4253 §6.6: the public key blob. */
export function rsaPublicKeyBlob(key: Pick<RsaPrivateKey, 'e' | 'n'>): Uint8Array {
  return concat(sshString(ascii(RSA_KEY_TYPE)), sshMpintFromUnsigned(minimalBytes(key.e)), sshMpintFromUnsigned(minimalBytes(key.n)));
}

/** EMSA-PKCS1-v1_5 encoding (RFC 8017 §9.2): 0x00 0x01 FF…FF 0x00 || DigestInfo || H, `k` bytes. */
export function emsaPkcs1v15(h: RsaHash, data: Uint8Array, k: number): Uint8Array {
  const t = concat(h.prefix, h.fn(data));
  if (k < t.length + 11) throw new Error('RSA modulus too short for this hash (RFC 8017 §9.2 step 3)');
  const em = new Uint8Array(k).fill(0xff);
  em[0] = 0x00;
  em[1] = 0x01;
  em[k - t.length - 1] = 0x00;
  em.set(t, k - t.length);
  return em;
}

/** RSASP1 with the CRT (RFC 8017 §5.1.2), checked with RSAVP1 before it leaves. */
export function rsaPrivate(key: RsaPrivateKey, m: bigint): bigint {
  const { p, q, iqmp, d, n, e } = key;
  const m1 = modPow(m, d % (p - 1n), p);
  const m2 = modPow(m, d % (q - 1n), q);
  const h = mod(iqmp * (m1 - m2), p);
  const s = m2 + h * q;
  if (modPow(s, e, n) !== m) throw new Error('RSA CRT signature failed its own check (inconsistent key?)');
  return s;
}

function rsaSpec(name: string): SignatureSpec {
  const h = HASHES[name]!;
  return {
    name,
    keyType: RSA_KEY_TYPE,
    sign(key, data) {
      if (key.type !== RSA_KEY_TYPE) throw new Error(`${name} cannot sign with a ${key.type} key`);
      const k = Math.ceil(bitLength(key.n) / 8);
      const em = emsaPkcs1v15(h, data, k);
      const s = rsaPrivate(key, os2ip(em));
      return concat(sshString(ascii(name)), sshString(i2osp(s, k)));
    },
    verify(publicKeyBlob, data, signatureBlob) {
      try {
        const pk = new BlobCursor(publicKeyBlob);
        if (pk.text() !== RSA_KEY_TYPE) return false;
        const e = pk.mpint();
        const n = pk.mpint();
        if (e === null || n === null || !pk.done()) return false;
        const bits = bitLength(n);
        if (bits < RSA_MIN_BITS || e < 3n || (e & 1n) === 0n) return false;
        const sig = new BlobCursor(signatureBlob);
        // OpenSSH ssh_rsa_verify: the blob must name exactly the negotiated algorithm.
        if (sig.text() !== name) return false;
        const sBytes = sig.string();
        if (!sBytes || !sig.done()) return false;
        const k = Math.ceil(bits / 8);
        if (sBytes.length > k) return false;
        const s = os2ip(sBytes);
        if (s >= n) return false; // RFC 8017 §5.2.2 step 1
        const em = i2osp(modPow(s, e, n), k);
        return constantTimeEqual(em, emsaPkcs1v15(h, data, k));
      } catch {
        return false;
      }
    },
  };
}

export const RSA_SIGNATURES: Record<string, SignatureSpec> = {
  'rsa-sha2-512': rsaSpec('rsa-sha2-512'),
  'rsa-sha2-256': rsaSpec('rsa-sha2-256'),
  'ssh-rsa': rsaSpec('ssh-rsa'),
};
