// AES-GCM as OpenSSH uses it: RFC 5647 §7 with the OpenSSH PROTOCOL §1.6 names.
// The 12-byte nonce from the KDF is a 4-byte fixed field || an 8-byte invocation counter that is
// incremented as a 64-bit big-endian integer after every packet (RFC 5647 §7.1). packet_length is
// sent in clear and authenticated as the AAD (§7.3); the 16-byte tag follows (§7.4). The negotiated
// MAC is ignored (§5.1).

import { gcm } from '@noble/ciphers/aes.js';
import type { CipherSpec, CryptoProvider, DirectionKeys, PacketOpener, PacketSealer } from './types.ts';
import { IntegrityError } from './types.ts';
import { readUint32 } from './packet-none.ts';

/** Increments bytes 4..12 of the nonce as a 64-bit big-endian counter (RFC 5647 §7.1). */
export function incrementInvocation(nonce: Uint8Array): void {
  for (let i = 11; i >= 4; i--) {
    nonce[i] = (nonce[i]! + 1) & 0xff;
    if (nonce[i] !== 0) return;
  }
}

function setup(c: CipherSpec, keys: DirectionKeys) {
  if (keys.iv.length < 12) throw new Error(`${c.name} needs a 12-byte IV`);
  return { key: keys.key.slice(0, c.keyLen), nonce: keys.iv.slice(0, 12) };
}

// Classes, not closures made per connection: the compiled code of seal / sealPieces carries over to
// the next connection instead of being optimised again (a rekey or a new connection would
// otherwise pay the compiler again under bulk load).
class GcmSealer implements PacketSealer {
  readonly cipher: string;
  readonly mac = null;
  readonly blockLen: number;
  readonly macLen: number;
  readonly lengthExcludedFromPadding = true;
  protected readonly key: Uint8Array;
  protected readonly nonce: Uint8Array;

  constructor(
    c: CipherSpec,
    keys: DirectionKeys,
    protected readonly provider?: CryptoProvider,
  ) {
    this.cipher = c.name;
    this.blockLen = c.blockLen;
    this.macLen = c.tagLen;
    ({ key: this.key, nonce: this.nonce } = setup(c, keys));
  }

  seal(_seq: number, packet: Uint8Array): Uint8Array {
    const aad = packet.subarray(0, 4);
    const body = packet.subarray(4);
    const out = new Uint8Array(packet.length + this.macLen);
    out.set(aad);
    out.set(this.provider?.aesGcmEncrypt ? this.provider.aesGcmEncrypt(this.key, this.nonce, aad, body) : gcm(this.key, this.nonce, aad).encrypt(body), 4);
    incrementInvocation(this.nonce);
    return out;
  }
}

/** With a provider's aesGcmEncryptPieces: the bulk fast path (PacketSealer.sealPieces). */
class GcmPiecesSealer extends GcmSealer {
  sealPieces(_seq: number, pieces: readonly Uint8Array[]): Uint8Array[] {
    // RFC 5647 §7.3: packet_length (the first 4 bytes) is the AAD and travels in clear.
    const { aad, body } = splitLength(pieces);
    const r = this.provider!.aesGcmEncryptPieces!(this.key, this.nonce, aad, body);
    incrementInvocation(this.nonce);
    return [aad, ...r.pieces, r.tag];
  }
}

export function createGcmSealer(c: CipherSpec, keys: DirectionKeys, provider?: CryptoProvider): PacketSealer {
  return provider?.aesGcmEncryptPieces ? new GcmPiecesSealer(c, keys, provider) : new GcmSealer(c, keys, provider);
}

/** The packet's pieces as packet_length (a copy of the first 4 bytes) and the pieces after it. */
export function splitLength(pieces: readonly Uint8Array[]): { aad: Uint8Array; body: Uint8Array[] } {
  const first = pieces[0]!;
  if (first.length < 4) throw new Error('sealPieces: the first piece must hold packet_length');
  const body = first.length > 4 ? [first.subarray(4)] : [];
  for (let i = 1; i < pieces.length; i++) body.push(pieces[i]!);
  return { aad: first.slice(0, 4), body };
}

export function createGcmOpener(c: CipherSpec, keys: DirectionKeys, provider?: CryptoProvider): PacketOpener {
  const { key, nonce } = setup(c, keys);
  const dec = provider?.aesGcmDecrypt?.bind(provider);
  const openTo = provider?.aesGcmOpenTo?.bind(provider);
  const opener: PacketOpener = {
    cipher: c.name,
    mac: null,
    blockLen: c.blockLen,
    macLen: c.tagLen,
    headLen: 4,
    readLength: (_seq, head) => readUint32(head),
    open(seq, wire) {
      const plain = openBody(seq, wire);
      const out = new Uint8Array(4 + plain.length);
      out.set(wire.subarray(0, 4));
      out.set(plain, 4);
      return out;
    },
    openBody: (seq, wire) => openBody(seq, wire),
  };
  // packet_length is the AAD (RFC 5647 §7.3); the rest of the packet is ciphertext || tag
  function openBody(seq: number, wire: Uint8Array): Uint8Array {
    const aad = wire.subarray(0, 4);
    const body = wire.subarray(4);
    let plain: Uint8Array | null;
    if (dec) plain = dec(key, nonce, aad, body);
    else {
      try {
        plain = gcm(key, nonce, aad).decrypt(body);
      } catch {
        plain = null;
      }
    }
    incrementInvocation(nonce);
    if (!plain) throw new IntegrityError(`${c.name}: authentication tag mismatch on packet ${seq}`);
    return plain;
  }
  if (openTo) {
    // packet_length (the AAD, RFC 5647 §7.3) and the plaintext go straight to the caller's buffer
    opener.openTo = (seq, wire, out, at) => {
      const ok = openTo(key, nonce, wire, 4, out, at);
      incrementInvocation(nonce);
      if (!ok) throw new IntegrityError(`${c.name}: authentication tag mismatch on packet ${seq}`);
    };
  }
  return opener;
}
