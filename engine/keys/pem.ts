// PEM private keys (RFC 7468) as ssh-keygen -m PEM / -m PKCS8 and OpenSSL write them:
//   "RSA PRIVATE KEY"  PKCS#1 RSAPrivateKey (RFC 8017 App. A.1.2)
//   "EC PRIVATE KEY"   SEC1 ECPrivateKey (RFC 5915 §3)
//   "PRIVATE KEY"      PKCS#8 PrivateKeyInfo / OneAsymmetricKey (RFC 5208 §5, RFC 5958 §2)
//                      with rsaEncryption, id-ecPublicKey or id-Ed25519 (RFC 8410 §7)
// and the dispatcher that also accepts "OPENSSH PRIVATE KEY".

import { bigintToBytes, bytesToBigint } from '../wire/codec.ts';
import { base64Decode, base64Encode } from './base64.ts';
import { TAG, children, derOid, derUint, expectTag, oidDer, readTlv, seq, tlv, uintDer } from './der.ts';
import { KeyFileError } from './errors.ts';
import { parseOpensshPrivateKey } from './openssh-private-key.ts';
import type { ReadKeyOptions } from './openssh-private-key.ts';
import { ecdsaFromScalar, ed25519FromSeed, privateKeyInconsistency } from './private-key-types.ts';
import type { SshEcdsaPrivateKey, SshPrivateKeyAny, SshRsaPrivateKey } from './private-key-types.ts';
import { ECDSA_CURVES } from './public-key.ts';
import type { EcdsaCurve } from './public-key.ts';
import { equalBytes } from '../wire/codec.ts';

/** RFC 5480 §2.1.1.1 named curves, RFC 8017 rsaEncryption, RFC 8410 id-Ed25519. */
const OID_CURVE: Record<string, EcdsaCurve> = {
  '1.2.840.10045.3.1.7': 'nistp256',
  '1.3.132.0.34': 'nistp384',
  '1.3.132.0.35': 'nistp521',
};
const CURVE_OID: Record<EcdsaCurve, string> = { nistp256: '1.2.840.10045.3.1.7', nistp384: '1.3.132.0.34', nistp521: '1.3.132.0.35' };
const OID_RSA = '1.2.840.113549.1.1.1';
const OID_EC = '1.2.840.10045.2.1';
const OID_ED25519 = '1.3.101.112';

export interface PemBlock {
  label: string;
  headers: Record<string, string>;
  der: Uint8Array;
  /** 1-based line of the BEGIN line. */
  line: number;
}

/** Reads the first PEM block (RFC 7468 §2; RFC 1421 headers such as Proc-Type are kept). */
export function readPem(text: string): PemBlock {
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  const begin = lines.findIndex((l) => /^-----BEGIN [A-Z0-9 ]+-----\s*$/.test(l.trim()));
  if (begin < 0) throw new KeyFileError('no "-----BEGIN …-----" line', { line: 1, field: 'armor' });
  const label = /^-----BEGIN ([A-Z0-9 ]+)-----/.exec(lines[begin]!.trim())![1]!;
  const headers: Record<string, string> = {};
  let b64 = '';
  let i = begin + 1;
  for (; i < lines.length; i++) {
    const l = lines[i]!.trim();
    if (l === `-----END ${label}-----`) break;
    const h = /^([A-Za-z-]+):\s*(.*)$/.exec(l);
    if (h && b64 === '') {
      headers[h[1]!] = h[2]!;
      continue;
    }
    const bad = l.search(/[^A-Za-z0-9+/=]/);
    if (bad >= 0) throw new KeyFileError(`invalid base64 character ${JSON.stringify(l[bad])}`, { line: i + 1, offset: bad, field: 'base64' });
    b64 += l;
  }
  if (i >= lines.length) throw new KeyFileError(`missing "-----END ${label}-----"`, { line: lines.length, field: 'armor' });
  const der = base64Decode(b64);
  if (!der) throw new KeyFileError('base64 body has an invalid length or padding', { line: i, field: 'base64' });
  return { label, headers, der, line: begin + 1 };
}

export function writePem(label: string, der: Uint8Array): string {
  const b64 = base64Encode(der).replace(/.{64}/g, '$&\n').replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

function top(der: Uint8Array, what: string) {
  const root = expectTag(readTlv(der, 0, what), TAG.SEQUENCE, what);
  if (root.end !== der.length) throw new KeyFileError(`${der.length - root.end} trailing bytes`, { field: what, offset: root.end });
  return children(der, root, what);
}

function checked<K extends SshPrivateKeyAny>(k: K, what: string): K {
  const why = privateKeyInconsistency(k);
  if (why) throw new KeyFileError(why, { field: what });
  return k;
}

/** PKCS#1 RSAPrivateKey ::= SEQUENCE { version, n, e, d, p, q, dP, dQ, qInv } */
export function parsePkcs1(der: Uint8Array): SshRsaPrivateKey {
  const f = top(der, 'RSAPrivateKey');
  const version = derUint(f[0], 'RSAPrivateKey.version');
  if (version !== 0n) throw new KeyFileError(`unsupported version ${version} (multi-prime)`, { field: 'RSAPrivateKey.version' }, 'unsupported');
  const [n, e, d, p, q] = [1, 2, 3, 4, 5].map((i) => derUint(f[i], `RSAPrivateKey.${['', 'n', 'e', 'd', 'p', 'q'][i]}`)) as [bigint, bigint, bigint, bigint, bigint];
  const iqmp = derUint(f[8], 'RSAPrivateKey.qInv');
  return checked({ type: 'ssh-rsa', n, e, d, iqmp, p, q }, 'RSAPrivateKey');
}

/** SEC1 ECPrivateKey ::= SEQUENCE { version 1, privateKey OCTET STRING, [0] parameters, [1] publicKey } */
export function parseSec1(der: Uint8Array, curveFromOuter?: EcdsaCurve): SshEcdsaPrivateKey {
  const f = top(der, 'ECPrivateKey');
  if (derUint(f[0], 'ECPrivateKey.version') !== 1n) throw new KeyFileError('version must be 1', { field: 'ECPrivateKey.version' });
  const dField = expectTag(f[1], TAG.OCTET_STRING, 'ECPrivateKey.privateKey');
  const d = bytesToBigint(dField.content);
  let curve = curveFromOuter;
  let Q: Uint8Array | undefined;
  for (const c of f.slice(2)) {
    if (c.tag === TAG.context(0)) {
      const oid = derOid(readTlv(der.subarray(0, c.end), c.contentStart, 'ECPrivateKey.parameters'), 'ECPrivateKey.parameters');
      curve = OID_CURVE[oid];
      if (!curve) throw new KeyFileError(`unsupported curve ${oid}`, { field: 'ECPrivateKey.parameters' }, 'unsupported');
    } else if (c.tag === TAG.context(1)) {
      const bits = expectTag(readTlv(der.subarray(0, c.end), c.contentStart, 'ECPrivateKey.publicKey'), TAG.BIT_STRING, 'ECPrivateKey.publicKey');
      Q = bits.content.subarray(1);
    }
  }
  if (!curve) throw new KeyFileError('no curve named', { field: 'ECPrivateKey.parameters' });
  // SEC1 §3.2.1: d in [1, n−1]; Q is derived from it, so check before deriving
  const order = ECDSA_CURVES[curve].curve.Point.CURVE().n;
  if (d <= 0n || d >= order) throw new KeyFileError(`private scalar out of range for ${curve} (must be 1 … n−1, SEC1 §3.2.1)`, { field: 'ECPrivateKey.privateKey', offset: dField.contentStart });
  const key = ecdsaFromScalar(curve, d);
  if (Q && !equalBytes(Q, key.Q)) throw new KeyFileError('public key does not derive from the private key', { field: 'ECPrivateKey.publicKey' });
  return checked(key, 'ECPrivateKey');
}

/** PKCS#8 PrivateKeyInfo ::= SEQUENCE { version, AlgorithmIdentifier, privateKey OCTET STRING, … } */
export function parsePkcs8(der: Uint8Array): SshPrivateKeyAny {
  const f = top(der, 'PrivateKeyInfo');
  const version = derUint(f[0], 'PrivateKeyInfo.version');
  if (version > 1n) throw new KeyFileError(`unsupported version ${version}`, { field: 'PrivateKeyInfo.version' }, 'unsupported');
  const alg = expectTag(f[1], TAG.SEQUENCE, 'PrivateKeyInfo.algorithm');
  const algParts = children(der, alg, 'AlgorithmIdentifier');
  const oid = derOid(algParts[0], 'AlgorithmIdentifier.algorithm');
  const inner = expectTag(f[2], TAG.OCTET_STRING, 'PrivateKeyInfo.privateKey').content;
  switch (oid) {
    case OID_RSA:
      return parsePkcs1(inner);
    case OID_EC: {
      const cOid = derOid(algParts[1], 'AlgorithmIdentifier.parameters');
      const curve = OID_CURVE[cOid];
      if (!curve) throw new KeyFileError(`unsupported curve ${cOid}`, { field: 'AlgorithmIdentifier.parameters' }, 'unsupported');
      return parseSec1(inner, curve);
    }
    case OID_ED25519: {
      // RFC 8410 §7: CurvePrivateKey ::= OCTET STRING (the 32-byte seed)
      const seed = expectTag(readTlv(inner, 0, 'CurvePrivateKey'), TAG.OCTET_STRING, 'CurvePrivateKey').content;
      if (seed.length !== 32) throw new KeyFileError(`Ed25519 seed must be 32 bytes, got ${seed.length}`, { field: 'CurvePrivateKey' });
      return ed25519FromSeed(seed.slice());
    }
    default:
      throw new KeyFileError(`unsupported key algorithm ${oid}`, { field: 'AlgorithmIdentifier.algorithm' }, 'unsupported');
  }
}

/** Reads any supported private key file: openssh-key-v1, PKCS#1, SEC1 or PKCS#8 PEM. */
export function parsePrivateKeyFile(text: string, opts: ReadKeyOptions = {}): SshPrivateKeyAny {
  if (text.includes('-----BEGIN OPENSSH PRIVATE KEY-----')) return parseOpensshPrivateKey(text, opts);
  const pem = readPem(text);
  if (pem.headers['Proc-Type']?.includes('ENCRYPTED') || pem.label === 'ENCRYPTED PRIVATE KEY') {
    throw new KeyFileError(`PEM key "${pem.label}" is encrypted (${pem.headers['DEK-Info'] ?? 'PKCS#8 PBES2'}); encrypted PEM is not supported — convert it with ssh-keygen -p -f FILE`, { line: pem.line, field: 'armor' }, 'unsupported');
  }
  const withLine = <T>(fn: () => T): T => {
    try {
      return fn();
    } catch (e) {
      if (e instanceof KeyFileError && e.line === undefined) throw new KeyFileError(e.reason, { line: pem.line, field: e.field, offset: e.offset }, e.code);
      throw e;
    }
  };
  switch (pem.label) {
    case 'RSA PRIVATE KEY':
      return withLine(() => parsePkcs1(pem.der));
    case 'EC PRIVATE KEY':
      return withLine(() => parseSec1(pem.der));
    case 'PRIVATE KEY':
      return withLine(() => parsePkcs8(pem.der));
    default:
      throw new KeyFileError(`unsupported PEM block "${pem.label}"`, { line: pem.line, field: 'armor' }, 'unsupported');
  }
}

/** PKCS#1 DER (dP, dQ computed). */
export function encodePkcs1(k: SshRsaPrivateKey): Uint8Array {
  return seq(uintDer(0n), uintDer(k.n), uintDer(k.e), uintDer(k.d), uintDer(k.p), uintDer(k.q), uintDer(k.d % (k.p - 1n)), uintDer(k.d % (k.q - 1n)), uintDer(k.iqmp));
}

/** SEC1 DER with parameters and public key. */
export function encodeSec1(k: SshEcdsaPrivateKey, withParams = true): Uint8Array {
  const size = ECDSA_CURVES[k.curve].fieldBytes;
  const parts = [uintDer(1n), tlv(TAG.OCTET_STRING, bigintToBytes(k.d, size))];
  if (withParams) parts.push(tlv(TAG.context(0), oidDer(CURVE_OID[k.curve])));
  const bits = new Uint8Array(k.Q.length + 1);
  bits.set(k.Q, 1);
  parts.push(tlv(TAG.context(1), tlv(TAG.BIT_STRING, bits)));
  return seq(...parts);
}

/** PKCS#8 PrivateKeyInfo DER (version 0). */
export function encodePkcs8(k: SshPrivateKeyAny): Uint8Array {
  switch (k.type) {
    case 'ssh-rsa':
      return seq(uintDer(0n), seq(oidDer(OID_RSA), tlv(TAG.NULL, new Uint8Array(0))), tlv(TAG.OCTET_STRING, encodePkcs1(k)));
    case 'ssh-ed25519':
      return seq(uintDer(0n), seq(oidDer(OID_ED25519)), tlv(TAG.OCTET_STRING, tlv(TAG.OCTET_STRING, k.seed)));
    default:
      return seq(uintDer(0n), seq(oidDer(OID_EC), oidDer(CURVE_OID[k.curve])), tlv(TAG.OCTET_STRING, encodeSec1(k, false)));
  }
}

/** Writes a PEM private key: 'pkcs1' (rsa), 'sec1' (ecdsa) or 'pkcs8' (any). */
export function writePemPrivateKey(k: SshPrivateKeyAny, format: 'pkcs1' | 'sec1' | 'pkcs8' = 'pkcs8'): string {
  if (format === 'pkcs1') {
    if (k.type !== 'ssh-rsa') throw new KeyFileError('PKCS#1 holds RSA keys only', { field: 'type' }, 'unsupported');
    return writePem('RSA PRIVATE KEY', encodePkcs1(k));
  }
  if (format === 'sec1') {
    if (k.type === 'ssh-rsa' || k.type === 'ssh-ed25519') throw new KeyFileError('SEC1 holds EC keys only', { field: 'type' }, 'unsupported');
    return writePem('EC PRIVATE KEY', encodeSec1(k));
  }
  return writePem('PRIVATE KEY', encodePkcs8(k));
}
