// Public key blobs (RFC 4253 §6.6 "string certificate or public key format identifier, byte[n]
// key/certificate data") and the one-line text form "type base64 comment" of id_*.pub files,
// authorized_keys and known_hosts (sshd(8)).

import { p256, p384, p521 } from '@noble/curves/nist.js';
import type { FieldNode } from '../events.ts';
import { Reader, Writer, utf8 } from '../wire/codec.ts';
import { base64Decode, base64Encode } from './base64.ts';
import { KeyFileError, asKeyFileError } from './errors.ts';

export type EcdsaCurve = 'nistp256' | 'nistp384' | 'nistp521';
export type EcdsaKeyType = `ecdsa-sha2-${EcdsaCurve}`;

/** A parsed public key: its wire blob plus the typed parts inside it. */
export type SshPublicKey =
  // RFC 8709 §4: string "ssh-ed25519", string key (32 bytes)
  | { type: 'ssh-ed25519'; blob: Uint8Array; publicKey: Uint8Array }
  // RFC 4253 §6.6: string "ssh-rsa", mpint e, mpint n
  | { type: 'ssh-rsa'; blob: Uint8Array; e: bigint; n: bigint }
  // RFC 5656 §3.1: string "ecdsa-sha2-[identifier]", string [identifier], string Q
  | { type: EcdsaKeyType; blob: Uint8Array; curve: EcdsaCurve; Q: Uint8Array }
  // RFC 4253 §6.6: string "ssh-dss", mpint p, mpint q, mpint g, mpint y
  | { type: 'ssh-dss'; blob: Uint8Array; p: bigint; q: bigint; g: bigint; y: bigint }
  // OpenSSH PROTOCOL.u2f "Protocol Changes": string "sk-ssh-ed25519@openssh.com", string key, string application
  | { type: 'sk-ssh-ed25519@openssh.com'; blob: Uint8Array; publicKey: Uint8Array; application: string }
  // OpenSSH PROTOCOL.u2f: string "sk-ecdsa-sha2-nistp256@openssh.com", string curve, string Q, string application
  | { type: 'sk-ecdsa-sha2-nistp256@openssh.com'; blob: Uint8Array; curve: 'nistp256'; Q: Uint8Array; application: string };

export type SshPublicKeyType = SshPublicKey['type'];
/** The parts of a key without its blob (what `encodePublicKeyBlob` needs). */
export type SshPublicKeyParts = SshPublicKey extends infer K ? (K extends SshPublicKey ? Omit<K, 'blob'> : never) : never;

export const PUBLIC_KEY_TYPES: readonly SshPublicKeyType[] = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'ssh-rsa',
  'ssh-dss',
  'sk-ssh-ed25519@openssh.com',
  'sk-ecdsa-sha2-nistp256@openssh.com',
];

export function isPublicKeyType(name: string): name is SshPublicKeyType {
  return (PUBLIC_KEY_TYPES as readonly string[]).includes(name);
}

/** RFC 5656 §10.1: curve identifier → field size in bits and noble curve. */
export const ECDSA_CURVES: Record<EcdsaCurve, { bits: number; fieldBytes: number; curve: typeof p256 | typeof p384 | typeof p521 }> = {
  nistp256: { bits: 256, fieldBytes: 32, curve: p256 },
  nistp384: { bits: 384, fieldBytes: 48, curve: p384 },
  nistp521: { bits: 521, fieldBytes: 66, curve: p521 },
};

function checkPoint(r: Reader, field: string, curve: EcdsaCurve, Q: Uint8Array, at: number): void {
  // RFC 5656 §3.1 / SEC1 §2.3.3: OpenSSH only uses the uncompressed form 0x04 || X || Y.
  const spec = ECDSA_CURVES[curve];
  if (Q.length !== 1 + 2 * spec.fieldBytes || Q[0] !== 0x04) {
    r.fail(field, `is not an uncompressed ${curve} point (${Q.length} bytes)`, at);
  }
  try {
    spec.curve.Point.fromBytes(Q).assertValidity();
  } catch {
    r.fail(field, `is not a point on ${curve}`, at);
  }
}

function positive(r: Reader, name: string, v: bigint, at: number): bigint {
  if (v <= 0n) r.fail(name, 'must be a positive integer', at);
  return v;
}

/** Reads the key fields after the type name (shared with the private key format). */
export function readPublicKeyBody(r: Reader, type: string, typeAt: number): SshPublicKeyParts {
  switch (type) {
    case 'ssh-ed25519': {
      const at = r.pos;
      const publicKey = r.string('key', { label: 'ED25519 public key (RFC 8709)' });
      if (publicKey.length !== 32) r.fail('key', `must be 32 bytes, got ${publicKey.length}`, at);
      return { type, publicKey };
    }
    case 'ssh-rsa': {
      let at = r.pos;
      const e = positive(r, 'e', r.mpint('e', { label: 'public exponent e' }), at);
      at = r.pos;
      const n = positive(r, 'n', r.mpint('n', { label: 'modulus n' }), at);
      return { type, e, n };
    }
    case 'ecdsa-sha2-nistp256':
    case 'ecdsa-sha2-nistp384':
    case 'ecdsa-sha2-nistp521': {
      const curve = type.slice('ecdsa-sha2-'.length) as EcdsaCurve;
      let at = r.pos;
      const id = r.text('curve', { label: 'curve identifier' });
      if (id !== curve) r.fail('curve', `"${id}" does not match key type ${type}`, at);
      at = r.pos;
      const Q = r.string('Q', { label: 'public point Q' });
      checkPoint(r, 'Q', curve, Q, at);
      return { type, curve, Q };
    }
    case 'ssh-dss': {
      const p = r.mpint('p');
      const q = r.mpint('q');
      const g = r.mpint('g');
      const y = r.mpint('y');
      return { type, p, q, g, y };
    }
    case 'sk-ssh-ed25519@openssh.com': {
      const at = r.pos;
      const publicKey = r.string('key');
      if (publicKey.length !== 32) r.fail('key', `must be 32 bytes, got ${publicKey.length}`, at);
      const application = r.text('application');
      return { type, publicKey, application };
    }
    case 'sk-ecdsa-sha2-nistp256@openssh.com': {
      let at = r.pos;
      const id = r.text('curve');
      if (id !== 'nistp256') r.fail('curve', `"${id}" does not match key type ${type}`, at);
      at = r.pos;
      const Q = r.string('Q');
      checkPoint(r, 'Q', 'nistp256', Q, at);
      const application = r.text('application');
      return { type, curve: 'nistp256', Q, application };
    }
    default:
      throw new KeyFileError(`unsupported key type "${type}"`, { field: 'type', offset: r.base + typeAt }, 'unsupported');
  }
}

function decodeBlob(blob: Uint8Array, base: number): { key: SshPublicKey; tree: FieldNode } {
  return asKeyFileError(() => {
    const r = new Reader(blob, { base, rootLabel: 'public key blob' });
    const typeAt = r.pos;
    const type = r.text('type', { label: 'key type' });
    const body = readPublicKeyBody(r, type, typeAt);
    r.end('key');
    return { key: { ...body, blob: blob.slice() } as SshPublicKey, tree: r.tree };
  });
}

/** Parses a public key blob; throws KeyFileError (field, offset) when malformed or unsupported. */
export function parsePublicKeyBlob(blob: Uint8Array, opts: { base?: number } = {}): SshPublicKey {
  return decodeBlob(blob, opts.base ?? 0).key;
}

/** The FieldNode tree of a public key blob (for the packet view). */
export function publicKeyBlobTree(blob: Uint8Array, opts: { base?: number } = {}): FieldNode {
  return decodeBlob(blob, opts.base ?? 0).tree;
}

/** Writes the blob fields of `parts` into `w` (shared with the private key writer). */
export function writePublicKeyBody(w: Writer, parts: SshPublicKeyParts): void {
  w.text('type', parts.type);
  switch (parts.type) {
    case 'ssh-ed25519':
      w.string('key', parts.publicKey);
      break;
    case 'ssh-rsa':
      w.mpint('e', parts.e).mpint('n', parts.n);
      break;
    case 'ecdsa-sha2-nistp256':
    case 'ecdsa-sha2-nistp384':
    case 'ecdsa-sha2-nistp521':
      w.text('curve', parts.curve).string('Q', parts.Q);
      break;
    case 'ssh-dss':
      w.mpint('p', parts.p).mpint('q', parts.q).mpint('g', parts.g).mpint('y', parts.y);
      break;
    case 'sk-ssh-ed25519@openssh.com':
      w.string('key', parts.publicKey).text('application', parts.application);
      break;
    case 'sk-ecdsa-sha2-nistp256@openssh.com':
      w.text('curve', parts.curve).string('Q', parts.Q).text('application', parts.application);
      break;
  }
}

export function encodePublicKeyBlob(parts: SshPublicKeyParts): Uint8Array {
  const w = new Writer({ rootLabel: 'public key blob' });
  writePublicKeyBody(w, parts);
  return w.toBytes();
}

/** Builds a typed key (with its blob) from parts. */
export function publicKeyFromParts(parts: SshPublicKeyParts): SshPublicKey {
  return { ...parts, blob: encodePublicKeyBlob(parts) } as SshPublicKey;
}

/** The ed25519 blob of RFC 8709 §4 for a 32-byte public key. */
export function ed25519PublicKeyBlob(publicKey: Uint8Array): Uint8Array {
  return encodePublicKeyBlob({ type: 'ssh-ed25519', publicKey });
}

function bitLength(v: bigint): number {
  return v <= 0n ? 0 : v.toString(2).length;
}

/** OpenSSH sshkey_size(): the number ssh-keygen -l prints first. */
export function keyBits(key: SshPublicKeyParts): number {
  switch (key.type) {
    case 'ssh-ed25519':
    case 'sk-ssh-ed25519@openssh.com':
      return 256;
    case 'ssh-rsa':
      return bitLength(key.n);
    case 'ssh-dss':
      return bitLength(key.p);
    default:
      return ECDSA_CURVES[key.curve].bits;
  }
}

/** OpenSSH sshkey_type(): the short label in "(ED25519)" and "[ED25519 256]". */
export function keyTypeLabel(key: Pick<SshPublicKey, 'type'>): string {
  switch (key.type) {
    case 'ssh-ed25519':
      return 'ED25519';
    case 'ssh-rsa':
      return 'RSA';
    case 'ssh-dss':
      return 'DSA';
    case 'sk-ssh-ed25519@openssh.com':
      return 'ED25519-SK';
    case 'sk-ecdsa-sha2-nistp256@openssh.com':
      return 'ECDSA-SK';
    default:
      return 'ECDSA';
  }
}

export interface PublicKeyLine {
  key: SshPublicKey;
  /** Everything after the separator that follows the base64, without the line end ('' if none). */
  comment: string;
}

const WS = /[ \t]/;

/**
 * Reads "type base64[ comment]" starting at `text[start]` (OpenSSH sshkey_read): the type token
 * must name a known key type and agree with the type inside the blob. `line` is reported in errors;
 * offsets are character columns (0-based) in `text`.
 */
export function readPublicKeyText(text: string, start: number, line?: number): { key: SshPublicKey; end: number } {
  let i = start;
  while (i < text.length && WS.test(text[i]!)) i++;
  const typeAt = i;
  while (i < text.length && !WS.test(text[i]!)) i++;
  const type = text.slice(typeAt, i);
  if (type === '') throw new KeyFileError('missing key type', { line, offset: typeAt, field: 'type' });
  if (!isPublicKeyType(type)) throw new KeyFileError(`unsupported key type "${type.slice(0, 64)}"`, { line, offset: typeAt, field: 'type' }, 'unsupported');
  while (i < text.length && WS.test(text[i]!)) i++;
  const b64At = i;
  while (i < text.length && !WS.test(text[i]!) && text[i] !== '\r' && text[i] !== '\n') i++;
  const b64 = text.slice(b64At, i);
  if (b64 === '') throw new KeyFileError('missing base64 key data', { line, offset: b64At, field: 'base64' });
  const blob = base64Decode(b64);
  if (!blob) throw new KeyFileError('invalid base64 key data', { line, offset: b64At, field: 'base64' });
  let key: SshPublicKey;
  try {
    key = parsePublicKeyBlob(blob);
  } catch (e) {
    if (e instanceof KeyFileError) {
      throw new KeyFileError(e.reason, { line, offset: b64At, field: `blob.${e.field ?? ''}${e.offset !== undefined ? `@${e.offset}` : ''}` }, e.code);
    }
    throw e;
  }
  if (key.type !== type) throw new KeyFileError(`key type "${type}" does not match the blob's "${key.type}"`, { line, offset: typeAt, field: 'type' });
  return { key, end: i };
}

/** Parses one public key line as in id_ed25519.pub: "ssh-ed25519 AAAA… comment". */
export function parsePublicKeyLine(text: string, opts: { line?: number } = {}): PublicKeyLine {
  const lineText = text.replace(/[\r\n]+$/, '');
  const { key, end } = readPublicKeyText(lineText, 0, opts.line);
  // OpenSSH sshkey_try_load_public: the comment starts one character after the base64.
  const comment = end < lineText.length ? lineText.slice(end + 1) : '';
  return { key, comment };
}

/** Formats "type base64 comment" (no trailing newline), as ssh-keygen writes id_*.pub. */
export function formatPublicKeyLine(key: SshPublicKey | Uint8Array, comment?: string): string {
  const k = key instanceof Uint8Array ? parsePublicKeyBlob(key) : key;
  const s = `${k.type} ${base64Encode(k.blob)}`;
  return comment ? `${s} ${comment}` : s;
}

/** UTF-8 bytes of a public key line followed by "\n", as ssh-keygen writes the .pub file. */
export function publicKeyFileBytes(key: SshPublicKey, comment?: string): Uint8Array {
  return utf8(formatPublicKeyLine(key, comment) + '\n');
}
