// Key fingerprints as OpenSSH prints them (sshkey.c sshkey_fingerprint): "SHA256:" + unpadded
// base64 of SHA-256(blob) (the default since OpenSSH 6.8) and the legacy "MD5:" + colon hex.

import { sha256 } from '@noble/hashes/sha2.js';
import { md5 } from '@noble/hashes/legacy.js';
import { base64Encode } from './base64.ts';
import { keyBits, keyTypeLabel, parsePublicKeyBlob } from './public-key.ts';
import type { SshPublicKey } from './public-key.ts';
import { randomart } from './randomart.ts';

export type FingerprintHash = 'sha256' | 'md5';

/** "SHA256:<unpadded base64 of SHA-256(blob)>" (sshkey.c fingerprint_b64). */
export function fingerprintSha256(blob: Uint8Array): string {
  return `SHA256:${base64Encode(sha256(blob), false)}`;
}

/** "MD5:aa:bb:…" (sshkey.c fingerprint_hex), what `ssh-keygen -l -E md5` prints. */
export function fingerprintMd5(blob: Uint8Array): string {
  return `MD5:${Array.from(md5(blob), (b) => b.toString(16).padStart(2, '0')).join(':')}`;
}

export function fingerprint(blob: Uint8Array, hash: FingerprintHash = 'sha256'): string {
  return hash === 'md5' ? fingerprintMd5(blob) : fingerprintSha256(blob);
}

/** The raw digest the randomart walks over. */
export function fingerprintDigest(blob: Uint8Array, hash: FingerprintHash = 'sha256'): Uint8Array {
  return hash === 'md5' ? md5(blob) : sha256(blob);
}

function asKey(key: SshPublicKey | Uint8Array): SshPublicKey {
  return key instanceof Uint8Array ? parsePublicKeyBlob(key) : key;
}

/**
 * One line of `ssh-keygen -l -f FILE` (ssh-keygen.c fingerprint_one_key):
 * "256 SHA256:… comment (ED25519)"; an empty comment prints "no comment".
 */
export function fingerprintLine(key: SshPublicKey | Uint8Array, comment?: string, hash: FingerprintHash = 'sha256'): string {
  const k = asKey(key);
  return `${keyBits(k)} ${fingerprint(k.blob, hash)} ${comment ? comment : 'no comment'} (${keyTypeLabel(k)})`;
}

/** The picture under `ssh-keygen -l -v` for this key, e.g. "+--[ED25519 256]--+ …". */
export function keyRandomart(key: SshPublicKey | Uint8Array, hash: FingerprintHash = 'sha256'): string {
  const k = asKey(key);
  return randomart(fingerprintDigest(k.blob, hash), {
    keyType: `${keyTypeLabel(k)} ${keyBits(k)}`,
    hashLabel: hash === 'md5' ? 'MD5' : 'SHA256',
    typeOnly: keyTypeLabel(k),
  });
}
