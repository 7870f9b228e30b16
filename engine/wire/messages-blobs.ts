// Sub-structures carried inside SSH strings, decoded into subtrees of the message tree:
// public key blobs (RFC 4253 §6.6, RFC 5656 §3.1, RFC 8709 §4, OpenSSH PROTOCOL.u2f), signature blobs
// (RFC 4253 §6.6, RFC 5656 §3.1.2, RFC 8332 §3, RFC 8709 §6), encoded terminal modes (RFC 4254 §8),
// and extension values (RFC 8308 §3.1). A blob that does not parse stays an opaque string: these
// parsers only explain bytes, they never make a message fail to decode.

import { DecodeError, Reader } from './codec.ts';
import type { FieldNode } from '../events.ts';

export type BlobKind = 'public-key' | 'signature' | 'terminal-modes' | 'name-list' | 'text-or-bytes' | 'ecdsa-signature' | 'ecdh-public' | 'hybrid-client' | 'hybrid-server' | 'compression-lists';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes `bytes` as UTF-8, or returns undefined when they are not valid UTF-8. */
export function tryUtf8(bytes: Uint8Array): string | undefined {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}

function doc(r: Reader, text: string): void {
  r.lastNode!.doc = text;
}

// ---- public keys -----------------------------------------------------------------------------

const ECDSA_CURVES: Record<string, { curve: string; qLen: number }> = {
  'ecdsa-sha2-nistp256': { curve: 'nistp256', qLen: 65 },
  'ecdsa-sha2-nistp384': { curve: 'nistp384', qLen: 97 },
  'ecdsa-sha2-nistp521': { curve: 'nistp521', qLen: 133 },
};

/** RFC 4253 §6.6 / RFC 5656 §3.1 / RFC 8709 §4: string key type, then the type's fields. */
function publicKey(r: Reader): string {
  const type = r.text('keyType', { label: 'key type' });
  doc(r, 'The public key algorithm this blob belongs to; the fields after it depend on it.');
  switch (type) {
    case 'ssh-ed25519':
    case 'sk-ssh-ed25519@openssh.com': {
      // RFC 8709 §4
      const k = r.string('key', { label: 'ed25519 public key' });
      doc(r, 'The 32-byte Ed25519 public key (a compressed curve point, RFC 8032 §5.1.5).');
      if (k.length !== 32) r.fail('key', `an Ed25519 key is 32 bytes, not ${k.length}`, r.pos - 4 - k.length);
      if (type.startsWith('sk-')) {
        r.text('application', { label: 'application' });
        doc(r, 'FIDO application string the security key was registered for, usually "ssh:" (OpenSSH PROTOCOL.u2f).');
      }
      return `${type} public key`;
    }
    case 'ssh-rsa': {
      // RFC 4253 §6.6
      r.mpint('e', { label: 'e (public exponent)' });
      doc(r, 'RSA public exponent e, usually 65537.');
      const n = r.mpint('n', { label: 'n (modulus)' });
      doc(r, 'RSA modulus n = p·q; its bit length is the key size.');
      return `ssh-rsa public key, ${n.toString(2).length} bits`;
    }
    case 'ssh-dss': {
      // RFC 4253 §6.6
      for (const [name, d] of [
        ['p', 'DSA prime modulus p.'],
        ['q', 'DSA prime divisor q of p-1.'],
        ['g', 'DSA generator g.'],
        ['y', 'DSA public key y = g^x mod p.'],
      ] as const) {
        r.mpint(name, { label: name });
        doc(r, d);
      }
      return 'ssh-dss public key';
    }
    default: {
      const ec = ECDSA_CURVES[type] ?? (type === 'sk-ecdsa-sha2-nistp256@openssh.com' ? ECDSA_CURVES['ecdsa-sha2-nistp256'] : undefined);
      if (ec) {
        // RFC 5656 §3.1
        const curve = r.text('curve', { label: 'curve identifier' });
        doc(r, 'Name of the elliptic curve, repeated from the key type (RFC 5656 §3.1).');
        if (curve !== ec.curve) r.fail('curve', `curve ${JSON.stringify(curve)} does not match key type ${type}`, r.pos - 4 - curve.length);
        r.string('Q', { label: 'Q (public point)' });
        doc(r, 'The public point Q, uncompressed: 0x04 || x || y (SEC 1 §2.3.3).');
        if (type.startsWith('sk-')) {
          r.text('application', { label: 'application' });
          doc(r, 'FIDO application string the security key was registered for (OpenSSH PROTOCOL.u2f).');
        }
        return `${type} public key`;
      }
      r.rest('keyData', { label: 'key data' });
      doc(r, `Fields of a ${type} key; this inspector does not break them down.`);
      return `${type} public key`;
    }
  }
}

// ---- signatures ------------------------------------------------------------------------------

/** RFC 5656 §3.1.2: the ECDSA signature blob is mpint r, mpint s. */
function ecdsaSignature(r: Reader): string {
  r.mpint('r', { label: 'r' });
  doc(r, 'ECDSA signature value r.');
  r.mpint('s', { label: 's' });
  doc(r, 'ECDSA signature value s.');
  return 'ECDSA (r, s)';
}

/** RFC 4253 §6.6: string signature format identifier, then the signature blob. */
function signature(r: Reader): string {
  const alg = r.text('algorithm', { label: 'signature algorithm' });
  doc(r, 'The signature format, e.g. ssh-ed25519 or rsa-sha2-256 (RFC 8332).');
  const ecdsa = alg.startsWith('ecdsa-sha2-') || alg === 'sk-ecdsa-sha2-nistp256@openssh.com';
  const blob = r.string('blob', { label: 'signature blob' });
  doc(r, ecdsa ? 'The ECDSA signature: mpint r, mpint s (RFC 5656 §3.1.2).' : alg.includes('ed25519') ? 'The 64-byte Ed25519 signature R || S (RFC 8032 §5.1.6).' : alg.startsWith('rsa-') || alg === 'ssh-rsa' ? 'The RSA PKCS#1 v1.5 signature, as long as the modulus (RFC 8332 §3).' : 'The signature bytes.');
  if (ecdsa) expandBlob(r.lastNode!, blob, 'ecdsa-signature');
  if (alg.startsWith('sk-')) {
    // OpenSSH PROTOCOL.u2f "Signature encoding"
    r.byte('flags', { label: 'flags' });
    doc(r, 'FIDO flags: bit 0 user present, bit 2 user verified.');
    r.uint32('counter', { label: 'counter' });
    doc(r, 'FIDO signature counter of the security key.');
  }
  return `${alg} signature`;
}

// ---- terminal modes --------------------------------------------------------------------------

/** RFC 4254 §8 opcodes (plus IUTF8, RFC 8160). */
export const TERMINAL_MODES: Readonly<Record<number, string>> = {
  0: 'TTY_OP_END', 1: 'VINTR', 2: 'VQUIT', 3: 'VERASE', 4: 'VKILL', 5: 'VEOF', 6: 'VEOL', 7: 'VEOL2', 8: 'VSTART',
  9: 'VSTOP', 10: 'VSUSP', 11: 'VDSUSP', 12: 'VREPRINT', 13: 'VWERASE', 14: 'VLNEXT', 15: 'VFLUSH', 16: 'VSWTCH',
  17: 'VSTATUS', 18: 'VDISCARD', 30: 'IGNPAR', 31: 'PARMRK', 32: 'INPCK', 33: 'ISTRIP', 34: 'INLCR', 35: 'IGNCR',
  36: 'ICRNL', 37: 'IUCLC', 38: 'IXON', 39: 'IXANY', 40: 'IXOFF', 41: 'IMAXBEL', 42: 'IUTF8', 50: 'ISIG', 51: 'ICANON',
  52: 'XCASE', 53: 'ECHO', 54: 'ECHOE', 55: 'ECHOK', 56: 'ECHONL', 57: 'NOFLSH', 58: 'TOSTOP', 59: 'IEXTEN',
  60: 'ECHOCTL', 61: 'ECHOKE', 62: 'PENDIN', 70: 'OPOST', 71: 'OLCUC', 72: 'ONLCR', 73: 'OCRNL', 74: 'ONOCR',
  75: 'ONLRET', 90: 'CS7', 91: 'CS8', 92: 'PARENB', 93: 'PARODD', 128: 'TTY_OP_ISPEED', 129: 'TTY_OP_OSPEED',
};

function modeValue(op: number, v: number): string {
  if (op >= 1 && op <= 18) {
    // special characters: show ^C notation; 255 is _POSIX_VDISABLE
    if (v === 255) return `${v} (disabled)`;
    if (v < 32) return `${v} (^${String.fromCharCode(v + 64)})`;
    if (v === 127) return `${v} (^?)`;
    return String(v);
  }
  if (op === 128 || op === 129) return `${v} baud`;
  return v === 0 ? '0 (off)' : v === 1 ? '1 (on)' : String(v);
}

/** RFC 4254 §8: opcode byte; opcodes 1-159 take a uint32 argument; 0 ends the list. */
function terminalModes(r: Reader): string {
  let i = 0;
  while (r.remaining > 0) {
    const node = r.enter(String(i), `mode ${i}`);
    const op = r.byte('opcode', { label: 'opcode' });
    const name = TERMINAL_MODES[op] ?? `opcode ${op}`;
    if (op === 0) {
      doc(r, 'TTY_OP_END: the end of the mode list.');
      r.exit();
      node.label = 'TTY_OP_END';
      node.doc = 'Ends the list of terminal modes (RFC 4254 §8).';
      break;
    }
    if (op >= 160) {
      doc(r, `Opcode ${op}: RFC 4254 §8 defines no argument size for 160-255, so parsing stops here.`);
      r.exit();
      node.label = name;
      node.doc = 'An opcode this inspector cannot step over (RFC 4254 §8 defines no argument for it).';
      break;
    }
    doc(r, `${name}: which terminal setting follows.`);
    const v = r.uint32('value', { label: 'value' });
    doc(r, op <= 18 ? 'The character for this function (255 disables it).' : op >= 128 ? 'Terminal speed in baud.' : 'Flag: 0 off, 1 on.');
    r.exit();
    node.label = `${name} = ${modeValue(op, v)}`;
    node.doc = 'One encoded terminal mode: opcode byte, uint32 argument (RFC 4254 §8).';
    i++;
  }
  if (r.remaining > 0) {
    r.rest('unparsed', { label: 'after the last opcode' });
    doc(r, 'Bytes after TTY_OP_END or after an opcode without a defined argument; OpenSSH ignores them.');
  }
  return `${i} terminal mode${i === 1 ? '' : 's'}`;
}

// ---- key-exchange values ---------------------------------------------------------------------

/** RFC 8731 §3 (X25519: 32 bytes) or RFC 5656 §4 / SEC 1 §2.3.3 (uncompressed NIST point 04 || x || y). */
function ecdhPublic(r: Reader): string {
  const n = r.remaining;
  if (n === 32) {
    r.bytes('u', 32, { label: 'X25519 public key' });
    doc(r, 'The u-coordinate of the ephemeral Curve25519 point, little-endian (RFC 7748 §5).');
    return 'X25519 public key (32 bytes)';
  }
  const half = { 65: 32, 97: 48, 133: 66 }[n];
  if (half === undefined) r.fail('point', `${n} bytes is neither an X25519 key nor an uncompressed NIST P-256/384/521 point`);
  const form = r.byte('form', { label: 'point form' });
  if (form !== 4) r.fail('form', `point form 0x${form.toString(16)} is not 0x04 (uncompressed)`, r.pos - 1);
  doc(r, '0x04: an uncompressed point, x and y follow (SEC 1 §2.3.3).');
  r.bytes('x', half, { label: 'x' });
  doc(r, 'x coordinate of the ephemeral public point.');
  r.bytes('y', half, { label: 'y' });
  doc(r, 'y coordinate of the ephemeral public point.');
  return `NIST P-${{ 32: 256, 48: 384, 66: 521 }[half]} point`;
}

/** Post-quantum KEM part sizes (FIPS 203 ML-KEM-768; sntrup761 as in OpenSSH). */
const HYBRID: { kem: string; client: number; server: number; rfc: string }[] = [
  { kem: 'ML-KEM-768', client: 1184, server: 1088, rfc: 'draft-ietf-sshm-mlkem-hybrid-kex' },
  { kem: 'sntrup761', client: 1158, server: 1039, rfc: 'draft-josefsson-ntruprime-ssh' },
];

/** The hybrid KEX shares: post-quantum part || X25519 public key, told apart by length. */
function hybrid(side: 'client' | 'server'): (r: Reader) => string {
  return (r: Reader): string => {
    const h = HYBRID.find((x) => x[side] + 32 === r.remaining);
    if (!h) r.fail('share', `${r.remaining} bytes matches no known hybrid KEX (ML-KEM-768 or sntrup761 with X25519)`);
    if (side === 'client') {
      r.bytes('kemPublicKey', h.client, { label: `${h.kem} public key` });
      doc(r, `The client's ephemeral ${h.kem} encapsulation key (${h.rfc}).`);
    } else {
      r.bytes('kemCiphertext', h.server, { label: `${h.kem} ciphertext` });
      doc(r, `The ${h.kem} ciphertext: a shared secret encapsulated to the client's key (${h.rfc}).`);
    }
    r.bytes('x25519', 32, { label: 'X25519 public key' });
    doc(r, 'The classical half: an ephemeral X25519 public key (RFC 7748).');
    return `${h.kem} ${side === 'client' ? 'public key' : 'ciphertext'} + X25519 public key`;
  };
}

// ---- extension values ------------------------------------------------------------------------

/** A name-list without its length prefix, e.g. the value of server-sig-algs (RFC 8308 §3.1). */
function bareNameList(r: Reader): string {
  const start = r.pos;
  const raw = r.rest('names', { label: 'algorithm names' });
  const node = r.lastNode!;
  for (let i = 0; i < raw.length; i++) {
    if (raw[i]! < 0x21 || raw[i]! > 0x7e) r.fail('names', `byte ${i} is not printable US-ASCII`, start);
  }
  const s = tryUtf8(raw)!;
  const names = s === '' ? [] : s.split(',');
  if (names.some((n) => n === '')) r.fail('names', 'contains an empty name', start);
  node.kind = 'name-list';
  node.value = names;
  node.display = names.join(',') || '(empty)';
  node.doc = 'Comma-separated names (RFC 4251 §5 name-list contents).';
  return node.display;
}

/** RFC 8308 §3.2 delay-compression: name-list client-to-server, name-list server-to-client. */
function compressionLists(r: Reader): string {
  const c2s = r.nameList('compressionC2S', { label: 'compression_algorithms_client_to_server' });
  doc(r, 'Compression the sender can use client-to-server once authentication has succeeded.');
  const s2c = r.nameList('compressionS2C', { label: 'compression_algorithms_server_to_client' });
  doc(r, 'Compression the sender can use server-to-client once authentication has succeeded.');
  return `c2s ${c2s.join(',') || '(none)'}; s2c ${s2c.join(',') || '(none)'}`;
}

/** Text when the bytes are valid UTF-8, otherwise opaque bytes. */
function textOrBytes(r: Reader): string {
  const raw = r.rest('value', { label: 'value' });
  const node = r.lastNode!;
  const s = tryUtf8(raw);
  if (s !== undefined && raw.length > 0) {
    node.kind = 'text';
    node.value = s;
    node.display = JSON.stringify(s);
  }
  node.doc = 'The extension value; its meaning depends on the extension name.';
  return node.display ?? '';
}

const PARSERS: Record<BlobKind, (r: Reader) => string> = {
  'public-key': publicKey,
  signature,
  'terminal-modes': terminalModes,
  'name-list': bareNameList,
  'text-or-bytes': textOrBytes,
  'ecdsa-signature': ecdsaSignature,
  'ecdh-public': ecdhPublic,
  'hybrid-client': hybrid('client'),
  'hybrid-server': hybrid('server'),
  'compression-lists': compressionLists,
};

const KIND_NAMES: Record<BlobKind, string> = {
  'public-key': 'public key blob',
  signature: 'signature blob',
  'terminal-modes': 'terminal mode list',
  'name-list': 'name-list',
  'text-or-bytes': 'value',
  'ecdsa-signature': 'ECDSA signature',
  'ecdh-public': 'elliptic-curve public key',
  'hybrid-client': 'hybrid KEX client share',
  'hybrid-server': 'hybrid KEX server share',
  'compression-lists': 'pair of compression name-lists',
};

/**
 * Replaces the `contents` child of a string node with the subtree of `bytes` decoded as `kind`.
 * `node` is a string FieldNode whose first child is its length; its contents start at node.start + 4.
 * When the bytes do not parse as `kind`, the node keeps its opaque contents and says why.
 */
export function expandBlob(node: FieldNode, bytes: Uint8Array, kind: BlobKind): void {
  const sub = new Reader(bytes, { base: node.start + 4, rootPath: node.path, rootLabel: node.label, valueNodes: true });
  let summary: string;
  try {
    summary = PARSERS[kind](sub);
    sub.end('end');
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    const contents = node.children?.[1];
    if (contents) contents.display = `${bytes.length} bytes (not a well-formed ${KIND_NAMES[kind]}: ${e.reason})`;
    return;
  }
  node.children = [node.children![0]!, ...(sub.tree.children ?? [])];
  node.display = summary;
}
