// Wireshark SSH key log lines (the "SSH key log file" preference, tshark -o ssh.keylog_file:FILE).
//
// Format, as Wireshark's epan/dissectors/packet-ssh.c (ssh_keylog_process_line) reads it, one
// secret per line, hex everywhere:
//   <cookie hex> SHARED_SECRET <K hex>
//   <cookie hex> PRIVATE_KEY <ephemeral private key hex>
//   <cookie hex> <private key hex>              (old two-field form = PRIVATE_KEY; Wireshark ≤ 4.0)
// The cookie is the 16-byte random cookie of an SSH_MSG_KEXINIT (RFC 4253 §7.1). Wireshark keeps
// one entry per cookie (a later line with the same cookie replaces an earlier one), and when a key
// exchange completes (ssh_keylog_hash_write_secret) it looks up the SERVER's KEXINIT cookie first
// and then the CLIENT's:
//   - SHARED_SECRET: either cookie works; the value is K itself (Wireshark re-encodes it as an
//     mpint, adding the 0x00 sign byte when the top bit is set, so we write K's magnitude without
//     leading zero bytes).
//   - PRIVATE_KEY: must be filed under the cookie of the side that owns the private key — with the
//     client's cookie it combines the key with the server's public value (f / Q_S), with the
//     server's cookie with the client's (e / Q_C).
// So we write PRIVATE_KEY under our own side's cookie and SHARED_SECRET under the peer's cookie:
// the two lines never replace each other, and the SHARED_SECRET line (which works for every KEX
// method, including the post-quantum hybrids Wireshark cannot recompute) is the one found first
// when we are the client. A rekey brings fresh cookies, so every exchange gets its own lines.

export interface KeylogInfo {
  /** Hex of the client's KEXINIT cookie. */
  cookie: string;
  /** Hex of the server's KEXINIT cookie. */
  serverCookie: string;
  /** Hex of K's value. */
  sharedSecret: string;
  /** Hex of our ephemeral private key, when the method has one. */
  privateKey?: string;
}

/** Strips leading zero bytes of an mpint value's hex (keeps at least one byte). */
function magnitude(hex: string): string {
  let h = hex.toLowerCase();
  if (h.length % 2) h = '0' + h;
  while (h.length > 2 && h.startsWith('00')) h = h.slice(2);
  return h;
}

/**
 * The key log lines for one key exchange, seen from `side` (whose ephemeral key privateKey is).
 * `kEncoding` 'string' (PQ hybrids) keeps K's bytes exactly.
 */
export function keylogLines(info: KeylogInfo, side: 'client' | 'server', kEncoding: 'mpint' | 'string' = 'mpint'): string[] {
  const own = side === 'client' ? info.cookie : info.serverCookie;
  const peer = side === 'client' ? info.serverCookie : info.cookie;
  const k = kEncoding === 'mpint' ? magnitude(info.sharedSecret) : info.sharedSecret.toLowerCase();
  const lines: string[] = [];
  if (info.privateKey) lines.push(`${own.toLowerCase()} PRIVATE_KEY ${info.privateKey.toLowerCase()}`);
  lines.push(`${peer.toLowerCase()} SHARED_SECRET ${k}`);
  return lines;
}

/** Pulls the keylog member out of a 'keys' event, if the engine attached one. */
export function keylogOf(event: unknown): KeylogInfo | null {
  if (!event || typeof event !== 'object') return null;
  const k = (event as { keylog?: unknown }).keylog;
  if (!k || typeof k !== 'object') return null;
  const r = k as Record<string, unknown>;
  if (typeof r.cookie !== 'string' || typeof r.serverCookie !== 'string' || typeof r.sharedSecret !== 'string') return null;
  const info: KeylogInfo = { cookie: r.cookie, serverCookie: r.serverCookie, sharedSecret: r.sharedSecret };
  if (typeof r.privateKey === 'string' && r.privateKey) info.privateKey = r.privateKey;
  return info;
}

/**
 * The old two-field form `<cookie> <private key>` that Wireshark ≤ 4.0 (Debian 12's tshark) reads:
 * only a private key, only for curve25519, filed under our own cookie (Wireshark 4.0 looks the
 * server's cookie up first, then the client's, and combines the key with the other side's public
 * value). Nothing when the method has no private key to log.
 */
export function legacyKeylogLines(info: KeylogInfo, side: 'client' | 'server'): string[] {
  if (!info.privateKey) return [];
  const own = side === 'client' ? info.cookie : info.serverCookie;
  return [`${own.toLowerCase()} ${info.privateKey.toLowerCase()}`];
}

