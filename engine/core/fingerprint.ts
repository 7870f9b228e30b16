// The SHA256 fingerprint shown when a host key is checked (as ssh-keygen -l prints it).

import { sha256 } from '@noble/hashes/sha2.js';
import { base64Encode } from '../keys/base64.ts';

export function fingerprintOf(blob: Uint8Array): string {
  return `SHA256:${base64Encode(sha256(blob), false)}`;
}
