// The exchange hash H: its input is built with the same Writer as every message, so the UI can show
// each ingredient with its bytes. RFC 4253 §8 (DH), RFC 5656 §4 (ECDH), RFC 8731 §3 (curve25519),
// RFC 4419 §3 (group exchange).

import { Writer, bytesToBigint, toHex } from '../wire/codec.ts';
import type { FieldNode } from '../events.ts';
import type { KexFamily } from '../algorithms/types.ts';

export interface ExchangeHashParts {
  family: KexFamily;
  /** Identification lines without CR LF. */
  vC: string;
  vS: string;
  /** The KEXINIT payloads, message id included. */
  iC: Uint8Array;
  iS: Uint8Array;
  /** The server's host key blob. */
  kS: Uint8Array;
  clientPublic: Uint8Array;
  serverPublic: Uint8Array;
  /** K with its length prefix, exactly as the KDF uses it. */
  encodedK: Uint8Array;
  /** Group exchange only: the request and the group. */
  gex?: { min: number; n: number; max: number; p: bigint; g: bigint };
}

export function exchangeHashInput(p: ExchangeHashParts): { bytes: Uint8Array; tree: FieldNode } {
  const w = new Writer({ rootLabel: 'exchange hash input', capacity: 2048 + p.iC.length + p.iS.length });
  w.text('V_C', p.vC, { label: "V_C: client's identification string" });
  w.text('V_S', p.vS, { label: "V_S: server's identification string" });
  w.string('I_C', p.iC, { label: "I_C: payload of the client's SSH_MSG_KEXINIT" });
  w.string('I_S', p.iS, { label: "I_S: payload of the server's SSH_MSG_KEXINIT" });
  w.string('K_S', p.kS, { label: "K_S: the server's public host key" });
  if (p.family === 'gex' && p.gex) {
    w.uint32('min', p.gex.min, { label: 'min: minimal group size requested' });
    w.uint32('n', p.gex.n, { label: 'n: preferred group size requested' });
    w.uint32('max', p.gex.max, { label: 'max: maximal group size requested' });
    w.mpint('p', p.gex.p, { label: 'p: the safe prime' });
    w.mpint('g', p.gex.g, { label: 'g: the generator' });
  }
  if (p.family === 'dh' || p.family === 'gex') {
    w.mpint('e', bytesToBigint(p.clientPublic), { label: "e: the client's public value g^x mod p" });
    w.mpint('f', bytesToBigint(p.serverPublic), { label: "f: the server's public value g^y mod p" });
  } else {
    w.string('Q_C', p.clientPublic, { label: "Q_C: the client's ephemeral public key" });
    w.string('Q_S', p.serverPublic, { label: "Q_S: the server's ephemeral public key" });
  }
  w.enter('K', 'K: the shared secret');
  w.bytes('length', p.encodedK.subarray(0, 4), { label: 'length' });
  const value = p.encodedK.subarray(4);
  w.bytes('value', value, { label: 'value', display: toHex(value) });
  w.exit();
  return { bytes: w.toBytes(), tree: w.tree };
}
