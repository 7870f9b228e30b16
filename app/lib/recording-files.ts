// What the hosts view can still show for a log that came without its files (a recording or a
// capture): the server's host key K_S from the key exchange reply (RFC 4253 §8, RFC 5656 §4) and
// the client's public key from a publickey USERAUTH_REQUEST (RFC 4252 §7), both as OpenSSH
// public-key lines "<type> <base64>" (no comment: the wire does not carry one).

import type { SshEvent } from '../../engine/index.ts';
import { base64Encode } from '../../engine/keys/base64.ts';
import type { HostFiles } from './scenario.ts';
import { findField } from './hex.ts';
import { hexToBytes } from './recording.ts';

function keyLine(e: Extract<SshEvent, { type: 'packet' }>, field: string): string | null {
  const n = findField(e.tree, field);
  if (!n || typeof n.value !== 'string' || !/^[0-9a-f]+$/i.test(n.value) || n.value.length % 2) return null;
  const type = n.children?.find((c) => c.path.endsWith('.keyType'))?.value;
  if (typeof type !== 'string' || !type) return null;
  return `${type} ${base64Encode(hexToBytes(n.value))}`;
}

export function filesFromEvents(events: readonly SshEvent[]): Partial<HostFiles> {
  const out: Partial<HostFiles> = {};
  for (const e of events) {
    if (e.type !== 'packet') continue;
    if (!out.hostPublicKey && e.dir === 's2c' && /^SSH_MSG_(KEX_ECDH_REPLY|KEXDH_REPLY|KEX_HYBRID_REPLY|KEX_DH_GEX_REPLY)$/.test(e.msg)) {
      const line = keyLine(e, 'hostKey');
      if (line) out.hostPublicKey = line;
    }
    if (!out.clientPublicKey && e.dir === 'c2s' && e.msg === 'SSH_MSG_USERAUTH_REQUEST') {
      const line = keyLine(e, 'publicKey');
      if (line) out.clientPublicKey = line;
    }
    if (out.hostPublicKey && out.clientPublicKey) break;
  }
  return out;
}
