// The openssh-key-v1 private key format (OpenSSH PROTOCOL.key), what ssh-keygen writes by default:
//
//   -----BEGIN OPENSSH PRIVATE KEY-----
//   base64, 70 characters per line
//   -----END OPENSSH PRIVATE KEY-----
//
//   #define AUTH_MAGIC "openssh-key-v1"  (with its NUL)
//   string ciphername · string kdfname · string kdfoptions · uint32 N
//   string publickey1 … publickeyN
//   string encrypted(private section)  [+ AEAD tag]
//
//   private section: uint32 checkint · uint32 checkint · privatekey1 comment1 … · padding 1,2,3…
//
// A passphrase turns on kdfname "bcrypt" (kdfoptions = string salt || uint32 rounds) and a cipher
// (ssh-keygen's default: aes256-ctr), keyed with bcrypt_pbkdf(passphrase, salt, keyLen+ivLen, rounds).

import type { FieldNode } from '../events.ts';
import { Reader, Writer, equalBytes, utf8 } from '../wire/codec.ts';
import { base64Decode, base64Encode } from './base64.ts';
import { bcryptPbkdf } from './bcrypt-pbkdf.ts';
import { KeyFileError, asKeyFileError } from './errors.ts';
import { keyCipher } from './key-ciphers.ts';
import type { KeyCipher } from './key-ciphers.ts';
import { privateKeyInconsistency, publicKeyOf, publicPartsOf } from './private-key-types.ts';
import type { SshEd25519PrivateKey, SshPrivateKeyAny } from './private-key-types.ts';
import { encodePublicKeyBlob, parsePublicKeyBlob } from './public-key.ts';
import type { EcdsaCurve, SshPublicKey } from './public-key.ts';

export const OPENSSH_BEGIN = '-----BEGIN OPENSSH PRIVATE KEY-----';
export const OPENSSH_END = '-----END OPENSSH PRIVATE KEY-----';
/** PROTOCOL.key AUTH_MAGIC, NUL included. */
const AUTH_MAGIC = utf8('openssh-key-v1\0');
/** ssh-keygen's defaults (sshkey.c DEFAULT_CIPHERNAME, DEFAULT_ROUNDS). */
export const DEFAULT_KEY_CIPHER = 'aes256-ctr';
export const DEFAULT_KDF_ROUNDS = 16;
const SALT_LEN = 16;
const MAX_KEYS = 1024;
const lenientText = new TextDecoder('utf-8');

/** Everything readable without the passphrase. */
export interface OpensshKeyFile {
  cipher: string;
  kdf: string;
  salt?: Uint8Array;
  rounds?: number;
  publicKeys: SshPublicKey[];
  encrypted: boolean;
  /** The decoded binary and its field tree (the private section as one opaque string). */
  binary: Uint8Array;
  tree: FieldNode;
  /** The (possibly encrypted) private section and the AEAD tag, if any. */
  privateSection: Uint8Array;
  tag: Uint8Array;
}

export interface OpensshPrivateKeyResult {
  keys: SshPrivateKeyAny[];
  file: OpensshKeyFile;
  /** The decrypted private section's tree. */
  privateTree: FieldNode;
}

export interface ReadKeyOptions {
  passphrase?: string | Uint8Array;
  /**
   * Refuse bcrypt rounds above this (default 1000, ~20 s of work here; ssh-keygen uses 16): a
   * crafted file could otherwise keep the tab busy for hours.
   */
  maxRounds?: number;
}

/** Strips the armor and decodes the base64 (errors carry 1-based line numbers). */
export function decodeOpensshArmor(text: string): Uint8Array {
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  let i = 0;
  while (i < lines.length && lines[i]!.trim() === '') i++;
  if (i >= lines.length || lines[i]!.trim() !== OPENSSH_BEGIN) {
    throw new KeyFileError(`expected "${OPENSSH_BEGIN}"`, { line: Math.min(i, lines.length - 1) + 1, field: 'armor' });
  }
  let b64 = '';
  for (i++; i < lines.length; i++) {
    const l = lines[i]!.trim();
    if (l === OPENSSH_END) break;
    const bad = l.search(/[^A-Za-z0-9+/=]/);
    if (bad >= 0) throw new KeyFileError(`invalid base64 character ${JSON.stringify(l[bad])}`, { line: i + 1, offset: bad, field: 'base64' });
    b64 += l;
  }
  if (i >= lines.length) throw new KeyFileError(`missing "${OPENSSH_END}"`, { line: lines.length, field: 'armor' });
  const bin = base64Decode(b64);
  if (!bin) throw new KeyFileError('base64 body has an invalid length or padding', { line: i, field: 'base64' });
  return bin;
}

export function isOpensshPrivateKey(text: string): boolean {
  return text.trimStart().startsWith(OPENSSH_BEGIN);
}

function parseFile(bin: Uint8Array): OpensshKeyFile {
  return asKeyFileError(() => {
    const r = new Reader(bin, { rootLabel: 'openssh-key-v1' });
    const magic = r.bytes('magic', AUTH_MAGIC.length, { label: 'AUTH_MAGIC "openssh-key-v1\\0"' });
    if (!equalBytes(magic, AUTH_MAGIC)) r.fail('magic', 'is not "openssh-key-v1\\0"', 0);
    let at = r.pos;
    const cipher = r.text('ciphername');
    const spec = keyCipher(cipher);
    if (!spec) throw new KeyFileError(`unsupported cipher "${cipher}"`, { field: 'ciphername', offset: at }, 'unsupported');
    at = r.pos;
    const kdf = r.text('kdfname');
    if (kdf !== 'none' && kdf !== 'bcrypt') throw new KeyFileError(`unsupported KDF "${kdf}"`, { field: 'kdfname', offset: at }, 'unsupported');
    if ((kdf === 'none') !== (cipher === 'none')) r.fail('kdfname', `kdf "${kdf}" does not go with cipher "${cipher}"`, at);
    at = r.pos;
    const kdfOptions = r.string('kdfoptions');
    const out: Partial<OpensshKeyFile> = { cipher, kdf, encrypted: cipher !== 'none' };
    if (kdf === 'bcrypt') {
      const ko = new Reader(kdfOptions, { base: at + 4, rootPath: 'kdfoptions' });
      out.salt = ko.string('salt');
      const roundsAt = ko.pos;
      out.rounds = ko.uint32('rounds');
      if (out.rounds < 1) ko.fail('rounds', 'must be at least 1', roundsAt);
      if (out.salt.length === 0) ko.fail('salt', 'must not be empty', 0);
      ko.end('kdfoptions');
    } else if (kdfOptions.length !== 0) {
      r.fail('kdfoptions', 'must be empty when kdfname is "none"', at);
    }
    at = r.pos;
    const n = r.uint32('nkeys', { label: 'number of keys' });
    if (n < 1 || n > MAX_KEYS) r.fail('nkeys', `${n} keys is not supported`, at);
    const publicKeys: SshPublicKey[] = [];
    for (let k = 0; k < n; k++) {
      const blobAt = r.offset + 4;
      const blob = r.string(`publickey${k + 1}`);
      publicKeys.push(asKeyFileError(() => parsePublicKeyBlob(blob, { base: blobAt }), { prefix: `publickey${k + 1}` }));
    }
    at = r.pos;
    const privateSection = r.string('private', { label: out.encrypted ? `encrypted private section (${cipher})` : 'private section' });
    if (privateSection.length % spec.blockLen !== 0) {
      r.fail('private', `length ${privateSection.length} is not a multiple of the ${spec.blockLen}-byte block`, at);
    }
    const tag = r.bytes('tag', spec.tagLen, { label: 'authentication tag' });
    r.end('file');
    return { ...out, publicKeys, binary: bin, tree: r.tree, privateSection, tag } as OpensshKeyFile;
  });
}

/** Reads the armor and the cleartext header (cipher, KDF, public keys) without a passphrase. */
export function inspectOpensshPrivateKey(text: string): OpensshKeyFile {
  return parseFile(decodeOpensshArmor(text));
}

function passBytes(p: string | Uint8Array): Uint8Array {
  return typeof p === 'string' ? utf8(p) : p;
}

function deriveKeyIv(spec: KeyCipher, pass: Uint8Array, salt: Uint8Array, rounds: number): { key: Uint8Array; iv: Uint8Array } {
  const kiv = bcryptPbkdf(pass, salt, spec.keyLen + spec.ivLen, rounds);
  return { key: kiv.subarray(0, spec.keyLen), iv: kiv.subarray(spec.keyLen) };
}

function readPrivateKey(r: Reader, index: number): SshPrivateKeyAny {
  r.enter(`key${index}`, `private key ${index}`);
  const typeAt = r.pos;
  const type = r.text('type', { label: 'key type' });
  let key: SshPrivateKeyAny;
  switch (type) {
    case 'ssh-ed25519': {
      // PROTOCOL.key / sshkey.c: string pk (32), string sk (64 = seed || pk)
      let at = r.pos;
      const pk = r.string('pk', { label: 'public key' });
      if (pk.length !== 32) r.fail('pk', `must be 32 bytes, got ${pk.length}`, at);
      at = r.pos;
      const sk = r.string('sk', { label: 'seed || public key' });
      if (sk.length !== 64) r.fail('sk', `must be 64 bytes, got ${sk.length}`, at);
      if (!equalBytes(sk.subarray(32), pk)) r.fail('sk', 'second half differs from the public key', at);
      key = { type, publicKey: pk, seed: sk.slice(0, 32) };
      break;
    }
    case 'ecdsa-sha2-nistp256':
    case 'ecdsa-sha2-nistp384':
    case 'ecdsa-sha2-nistp521': {
      // RFC 5656 §3.1 public part, then mpint d
      const curve = type.slice('ecdsa-sha2-'.length) as EcdsaCurve;
      const at = r.pos;
      const id = r.text('curve');
      if (id !== curve) r.fail('curve', `"${id}" does not match key type ${type}`, at);
      const Q = r.string('Q', { label: 'public point Q' });
      const d = r.mpint('d', { label: 'private scalar d' });
      key = { type, curve, Q, d };
      break;
    }
    case 'ssh-rsa': {
      // sshkey.c ssh_rsa_serialize_private: n, e, d, iqmp, p, q
      const n = r.mpint('n');
      const e = r.mpint('e');
      const d = r.mpint('d');
      const iqmp = r.mpint('iqmp');
      const p = r.mpint('p');
      const q = r.mpint('q');
      key = { type, n, e, d, iqmp, p, q };
      break;
    }
    default:
      throw new KeyFileError(`unsupported private key type "${type}"`, { field: `private.key${index}.type`, offset: typeAt }, 'unsupported');
  }
  const comment = lenientText.decode(r.string('comment'));
  if (comment !== '') key.comment = comment;
  r.exit(type);
  return key;
}

/** Parses an openssh-key-v1 file: every key, the header and the private section's tree. */
export function readOpensshPrivateKey(text: string, opts: ReadKeyOptions = {}): OpensshPrivateKeyResult {
  const file = inspectOpensshPrivateKey(text);
  const spec = keyCipher(file.cipher)!;
  let plain: Uint8Array;
  if (file.encrypted) {
    if (opts.passphrase === undefined || passBytes(opts.passphrase).length === 0) {
      throw new KeyFileError(`private key is encrypted with ${file.cipher}/${file.kdf}; passphrase required`, { field: 'ciphername' }, 'passphrase-required');
    }
    const maxRounds = opts.maxRounds ?? 1000;
    if (file.rounds! > maxRounds) {
      throw new KeyFileError(`bcrypt rounds ${file.rounds} exceed the limit of ${maxRounds}`, { field: 'kdfoptions.rounds' }, 'unsupported');
    }
    const { key, iv } = deriveKeyIv(spec, passBytes(opts.passphrase), file.salt!, file.rounds!);
    const data = new Uint8Array(file.privateSection.length + file.tag.length);
    data.set(file.privateSection);
    data.set(file.tag, file.privateSection.length);
    const dec = spec.decrypt(key, iv, data);
    if (!dec) throw new KeyFileError('incorrect passphrase supplied to decrypt private key', { field: 'tag' }, 'wrong-passphrase');
    plain = dec;
  } else {
    plain = file.privateSection;
  }
  return asKeyFileError(
    () => {
      const r = new Reader(plain, { rootLabel: 'private section', rootPath: 'private' });
      const c1 = r.uint32('checkint1');
      const c2 = r.uint32('checkint2');
      if (c1 !== c2) {
        if (file.encrypted) throw new KeyFileError('incorrect passphrase supplied to decrypt private key', { field: 'private.checkint2', offset: 4 }, 'wrong-passphrase');
        r.fail('checkint2', `differs from checkint1 (${c2} ≠ ${c1})`, 4);
      }
      const keys: SshPrivateKeyAny[] = [];
      for (let k = 0; k < file.publicKeys.length; k++) {
        const at = r.pos;
        const key = readPrivateKey(r, k + 1);
        const pub = file.publicKeys[k]!;
        if (!equalBytes(encodePublicKeyBlob(publicPartsOf(key)), pub.blob)) r.fail(`key${k + 1}`, 'does not match public key in the header', at);
        const why = privateKeyInconsistency(key);
        if (why) r.fail(`key${k + 1}`, why, at);
        keys.push(key);
      }
      // PROTOCOL.key: padding bytes 1, 2, 3 … up to the cipher block size.
      const padAt = r.pos;
      const pad = r.rest('padding');
      if (pad.length >= spec.blockLen) r.fail('padding', `${pad.length} bytes of padding exceed the block size ${spec.blockLen}`, padAt);
      for (let i = 0; i < pad.length; i++) if (pad[i] !== i + 1) r.fail('padding', `byte ${i} is ${pad[i]}, expected ${i + 1}`, padAt + i);
      return { keys, file, privateTree: r.tree };
    },
    { prefix: undefined },
  );
}

/** The first (in practice the only) private key of an openssh-key-v1 file. */
export function parseOpensshPrivateKey(text: string, opts: ReadKeyOptions = {}): SshPrivateKeyAny {
  return readOpensshPrivateKey(text, opts).keys[0]!;
}

/** Same, but only ed25519; other types give an 'unsupported' error. */
export function parseOpensshPrivateKeyEd25519(text: string, opts: ReadKeyOptions = {}): SshEd25519PrivateKey {
  const k = parseOpensshPrivateKey(text, opts);
  if (k.type !== 'ssh-ed25519') throw new KeyFileError(`key type ${k.type} is not ssh-ed25519`, { field: 'type' }, 'unsupported');
  return k;
}

export interface WriteKeyOptions {
  /** Randomness for checkints (and salt when encrypting). */
  random: (n: number) => Uint8Array;
  passphrase?: string | Uint8Array;
  /** Default aes256-ctr when a passphrase is given. */
  cipher?: string;
  /** bcrypt rounds, default 16 (ssh-keygen -a). */
  rounds?: number;
  /** Overrides key.comment. */
  comment?: string;
}

function writePrivateKey(w: Writer, key: SshPrivateKeyAny, comment: string): void {
  w.text('type', key.type);
  switch (key.type) {
    case 'ssh-ed25519': {
      const sk = new Uint8Array(64);
      sk.set(key.seed);
      sk.set(key.publicKey, 32);
      w.string('pk', key.publicKey).string('sk', sk);
      break;
    }
    case 'ssh-rsa':
      w.mpint('n', key.n).mpint('e', key.e).mpint('d', key.d).mpint('iqmp', key.iqmp).mpint('p', key.p).mpint('q', key.q);
      break;
    default:
      w.text('curve', key.curve).string('Q', key.Q).mpint('d', key.d);
  }
  w.string('comment', utf8(comment));
}

/** Wraps base64 at 70 columns between the armor lines (sshkey.c sshbuf_dtob64 with wrap). */
export function armorOpenssh(bin: Uint8Array): string {
  const b64 = base64Encode(bin);
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 70) lines.push(b64.slice(i, i + 70));
  return `${OPENSSH_BEGIN}\n${lines.join('\n')}\n${OPENSSH_END}\n`;
}

/** Writes an openssh-key-v1 file as ssh-keygen does (optionally passphrase-protected). */
export function writeOpensshPrivateKey(key: SshPrivateKeyAny, opts: WriteKeyOptions): string {
  const encrypted = opts.passphrase !== undefined && passBytes(opts.passphrase).length > 0;
  const cipherName = encrypted ? (opts.cipher ?? DEFAULT_KEY_CIPHER) : 'none';
  const spec = keyCipher(cipherName);
  if (!spec) throw new KeyFileError(`unsupported cipher "${cipherName}"`, { field: 'ciphername' }, 'unsupported');
  const rounds = opts.rounds ?? DEFAULT_KDF_ROUNDS;
  const salt = encrypted ? opts.random(SALT_LEN) : new Uint8Array(0);

  const priv = new Writer({ rootLabel: 'private section' });
  const check = opts.random(4);
  priv.bytes('checkint1', check).bytes('checkint2', check);
  writePrivateKey(priv, key, opts.comment ?? key.comment ?? '');
  const padded = new Writer();
  let plain = priv.toBytes();
  const padLen = (spec.blockLen - (plain.length % spec.blockLen)) % spec.blockLen;
  padded.bytes('private', plain);
  for (let i = 1; i <= padLen; i++) padded.byte('pad', i);
  plain = padded.toBytes();

  let section = plain;
  if (encrypted) {
    const { key: k, iv } = deriveKeyIv(spec, passBytes(opts.passphrase!), salt, rounds);
    section = spec.encrypt(k, iv, plain);
  }
  const w = new Writer({ rootLabel: 'openssh-key-v1' });
  w.bytes('magic', AUTH_MAGIC).text('ciphername', cipherName).text('kdfname', encrypted ? 'bcrypt' : 'none');
  if (encrypted) {
    const ko = new Writer();
    ko.string('salt', salt).uint32('rounds', rounds);
    w.string('kdfoptions', ko.toBytes());
  } else {
    w.string('kdfoptions', new Uint8Array(0));
  }
  w.uint32('nkeys', 1).string('publickey1', publicKeyOf(key).blob);
  // For AEADs the tag follows the string (its length covers the ciphertext only).
  const body = section.subarray(0, plain.length);
  const tag = section.subarray(plain.length);
  w.string('private', body).bytes('tag', tag);
  return armorOpenssh(w.toBytes());
}
