// The cipher table (RFC 4253 §6.3) and the packet-protection factories.
// Rows: RFC 4344 §4 aes*-ctr; RFC 5647 + OpenSSH PROTOCOL §1.6 aes*-gcm@openssh.com;
// OpenSSH PROTOCOL.chacha20poly1305 chacha20-poly1305@openssh.com; "none" (RFC 4253 §6.3) before NEWKEYS.

import type { CipherSpec, CryptoProvider, DirectionKeys, PacketOpener, PacketSealer } from './types.ts';
import { MACS } from './macs.ts';
import { createNoneOpener, createNoneSealer } from './packet-none.ts';
import { createCtrOpener, createCtrSealer } from './packet-ctr.ts';
import { createGcmOpener, createGcmSealer } from './packet-gcm.ts';
import { createChachaOpener, createChachaSealer } from './packet-chacha.ts';

export { createNoneOpener, createNoneSealer, NONE_SEALER } from './packet-none.ts';

type Mode = 'none' | 'ctr' | 'gcm' | 'chacha';

interface CipherRow extends CipherSpec {
  mode: Mode;
}

const row = (name: string, mode: Mode, keyLen: number, ivLen: number, blockLen: number, aead: boolean, tagLen: number): CipherRow => ({
  name,
  mode,
  keyLen,
  ivLen,
  blockLen,
  aead,
  tagLen,
});

/** Keyed by wire name. blockLen is the padding block: max(8, cipher block) (RFC 4253 §6). */
export const CIPHERS: Record<string, CipherSpec> = {
  // RFC 4253 §6.3: no encryption; only valid before the first NEWKEYS here.
  none: row('none', 'none', 0, 0, 8, false, 0),
  // RFC 4344 §4: AES in SDCTR mode, 16-byte block, IV = initial counter.
  'aes128-ctr': row('aes128-ctr', 'ctr', 16, 16, 16, false, 0),
  'aes192-ctr': row('aes192-ctr', 'ctr', 24, 16, 16, false, 0),
  'aes256-ctr': row('aes256-ctr', 'ctr', 32, 16, 16, false, 0),
  // RFC 5647 §7.1 + OpenSSH PROTOCOL §1.6: 12-byte IV (4 fixed + 8 invocation counter), 16-byte tag,
  // packet_length in clear as AAD.
  'aes128-gcm@openssh.com': row('aes128-gcm@openssh.com', 'gcm', 16, 12, 16, true, 16),
  'aes256-gcm@openssh.com': row('aes256-gcm@openssh.com', 'gcm', 32, 12, 16, true, 16),
  // OpenSSH PROTOCOL.chacha20poly1305: two 256-bit keys (K_2 || K_1), no IV, 16-byte Poly1305 tag.
  'chacha20-poly1305@openssh.com': row('chacha20-poly1305@openssh.com', 'chacha', 64, 0, 8, true, 16),
};

function lookup(cipher: string, mac: string | null): { c: CipherRow; needMac: boolean } {
  const c = CIPHERS[cipher] as CipherRow | undefined;
  if (!c) throw new Error(`unsupported cipher ${cipher}`);
  const needMac = !c.aead && mac !== null && mac !== 'none';
  if (needMac && !MACS[mac!]) throw new Error(`unsupported MAC ${mac}`);
  return { c, needMac };
}

/** The sending side of one direction: cipher + MAC (or AEAD, MAC ignored: RFC 5647 §5.1). */
export function createSealer(cipher: string, mac: string | null, keys: DirectionKeys, provider?: CryptoProvider): PacketSealer {
  const { c, needMac } = lookup(cipher, mac);
  switch (c.mode) {
    case 'gcm':
      return createGcmSealer(c, keys, provider);
    case 'chacha':
      return createChachaSealer(c, keys, provider);
    case 'ctr':
    case 'none':
      if (!needMac) {
        if (c.mode === 'none') return createNoneSealer();
        throw new Error(`${cipher} needs a MAC`);
      }
      return createCtrSealer(c, MACS[mac!]!, keys, provider);
  }
}

/** The receiving side of one direction. */
export function createOpener(cipher: string, mac: string | null, keys: DirectionKeys, provider?: CryptoProvider): PacketOpener {
  const { c, needMac } = lookup(cipher, mac);
  switch (c.mode) {
    case 'gcm':
      return createGcmOpener(c, keys, provider);
    case 'chacha':
      return createChachaOpener(c, keys, provider);
    case 'ctr':
    case 'none':
      if (!needMac) {
        if (c.mode === 'none') return createNoneOpener();
        throw new Error(`${cipher} needs a MAC`);
      }
      return createCtrOpener(c, MACS[mac!]!, keys, provider);
  }
}
