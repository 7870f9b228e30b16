// The Wireshark SSH key log (epan/dissectors/packet-ssh.c ssh_keylog_process_line), one secret per
// line, hex everywhere, keyed by the 16-byte cookie of an SSH_MSG_KEXINIT (RFC 4253 §7.1):
//   <cookie> SHARED_SECRET <K>       K's value (for mpint methods its magnitude)
//   <cookie> PRIVATE_KEY <key>       the ephemeral private key of the side whose cookie it is
//   <cookie> <key>                   the old two-field form (Wireshark ≤ 4.0) = PRIVATE_KEY
// Lines starting with '#' and blank lines are ignored. pcapng Decryption Secrets Blocks of type
// 0x5353484b carry the same text.

import { fromHex } from '../wire/codec.ts';

export interface KeylogSecret {
  /** Lower-case hex of the KEXINIT cookie. */
  cookie: string;
  kind: 'shared-secret' | 'private-key';
  value: Uint8Array;
  /** 1-based line number in its source. */
  line: number;
}

export interface Keylog {
  secrets: KeylogSecret[];
  /** Lines that could not be read, with the reason. */
  errors: string[];
}

const HEX = /^[0-9a-fA-F]+$/;

export function parseKeylog(text: string, source = 'key log'): Keylog {
  const secrets: KeylogSecret[] = [];
  const errors: string[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const f = line.split(/\s+/);
    const bad = (why: string) => errors.push(`${source} line ${i + 1}: ${why}`);
    let kind: KeylogSecret['kind'];
    let value: string;
    if (f.length === 2) {
      kind = 'private-key';
      value = f[1]!;
    } else if (f.length === 3 && (f[1] === 'SHARED_SECRET' || f[1] === 'PRIVATE_KEY')) {
      kind = f[1] === 'SHARED_SECRET' ? 'shared-secret' : 'private-key';
      value = f[2]!;
    } else return bad(`expected "<cookie> SHARED_SECRET|PRIVATE_KEY <hex>" or "<cookie> <hex>"`);
    const cookie = f[0]!;
    if (cookie.length !== 32 || !HEX.test(cookie)) return bad('the cookie must be 32 hex digits (16 bytes)');
    if (value.length % 2 === 1) value = '0' + value;
    if (value.length === 0 || !HEX.test(value)) return bad('the secret is not hex');
    secrets.push({ cookie: cookie.toLowerCase(), kind, value: fromHex(value), line: i + 1 });
  });
  return { secrets, errors };
}

/** Merges key logs; later secrets for the same cookie and kind come after earlier ones. */
export function mergeKeylogs(...logs: Keylog[]): Keylog {
  return { secrets: logs.flatMap((l) => l.secrets), errors: logs.flatMap((l) => l.errors) };
}
