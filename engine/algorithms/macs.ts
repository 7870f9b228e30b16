// The MAC table (RFC 4253 §6.4). hmac-sha1: RFC 4253 §6.4; hmac-sha2-256/512: RFC 6668 §2;
// the -etm@openssh.com variants (encrypt-then-mac): OpenSSH PROTOCOL §1.5.

import type { MacSpec } from './types.ts';

const mac = (name: string, hash: MacSpec['hash'], len: number, etm: boolean): MacSpec => ({ name, keyLen: len, macLen: len, etm, hash });

/** Keyed by wire name. Key length = digest length (RFC 4253 §6.4, RFC 6668 §2). */
export const MACS: Record<string, MacSpec> = {
  'hmac-sha1': mac('hmac-sha1', 'sha1', 20, false),
  'hmac-sha2-256': mac('hmac-sha2-256', 'sha256', 32, false),
  'hmac-sha2-512': mac('hmac-sha2-512', 'sha512', 64, false),
  'hmac-sha1-etm@openssh.com': mac('hmac-sha1-etm@openssh.com', 'sha1', 20, true),
  'hmac-sha2-256-etm@openssh.com': mac('hmac-sha2-256-etm@openssh.com', 'sha256', 32, true),
  'hmac-sha2-512-etm@openssh.com': mac('hmac-sha2-512-etm@openssh.com', 'sha512', 64, true),
};
