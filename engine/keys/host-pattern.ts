// OpenSSH's pattern matching (match.c), shared by known_hosts host fields, authorized_keys
// from="…" and Match blocks: '*' and '?' wildcards, comma-separated lists, '!' negation (a
// negated match vetoes the whole list), and CIDR address lists (addrmatch.c).

/** match_pattern(): '*' matches any run (including empty), '?' exactly one character. */
export function matchPattern(s: string, pattern: string): boolean {
  // Iterative glob with single backtrack point (equivalent to OpenSSH's recursion).
  let si = 0;
  let pi = 0;
  let star = -1;
  let mark = 0;
  while (si < s.length) {
    if (pi < pattern.length && (pattern[pi] === '?' || pattern[pi] === s[si])) {
      si++;
      pi++;
    } else if (pi < pattern.length && pattern[pi] === '*') {
      star = pi++;
      mark = si;
    } else if (star >= 0) {
      pi = star + 1;
      si = ++mark;
    } else {
      return false;
    }
  }
  while (pi < pattern.length && pattern[pi] === '*') pi++;
  return pi === pattern.length;
}

/** OpenSSH keeps sub-patterns in a 1024-byte buffer; longer ones never match. */
const MAX_SUBPATTERN = 1023;

/**
 * match_pattern_list(): 1 if some positive sub-pattern matches and no negated one does,
 * -1 if a negated sub-pattern matches, 0 otherwise. `lower` lowercases the patterns
 * (the string must already be lowercase).
 */
export function matchPatternList(s: string, list: string, lower = false): 1 | 0 | -1 {
  let positive = false;
  for (let raw of list.split(',')) {
    let negated = false;
    if (raw.startsWith('!')) {
      negated = true;
      raw = raw.slice(1);
    }
    if (raw.length >= MAX_SUBPATTERN) return 0;
    const sub = lower ? raw.replace(/[A-Z]/g, (c) => c.toLowerCase()) : raw;
    if (matchPattern(s, sub)) {
      if (negated) return -1;
      positive = true;
    }
  }
  return positive ? 1 : 0;
}

/** match_hostname(): case-insensitive host against a pattern list. */
export function matchHostname(host: string, list: string): 1 | 0 | -1 {
  return matchPatternList(host.replace(/[A-Z]/g, (c) => c.toLowerCase()), list, true);
}

/** An IPv4 (4 bytes) or IPv6 (16 bytes) address. */
export interface IpAddr {
  family: 4 | 6;
  bytes: Uint8Array;
}

function parseIpv4(s: string): Uint8Array | null {
  const parts = s.split('.');
  if (parts.length !== 4) return null;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i]!;
    if (!/^\d{1,3}$/.test(p)) return null;
    const v = Number(p);
    if (v > 255) return null;
    out[i] = v;
  }
  return out;
}

function parseIpv6(s: string): Uint8Array | null {
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const words: number[][] = [];
  for (const half of halves) {
    const ws: number[] = [];
    if (half !== '') {
      const parts = half.split(':');
      for (let i = 0; i < parts.length; i++) {
        const p = parts[i]!;
        if (i === parts.length - 1 && p.includes('.')) {
          const v4 = parseIpv4(p);
          if (!v4) return null;
          ws.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
        } else {
          if (!/^[0-9a-fA-F]{1,4}$/.test(p)) return null;
          ws.push(parseInt(p, 16));
        }
      }
    }
    words.push(ws);
  }
  let all: number[];
  if (words.length === 2) {
    const fill = 8 - words[0]!.length - words[1]!.length;
    if (fill < 1) return null;
    all = [...words[0]!, ...new Array<number>(fill).fill(0), ...words[1]!];
  } else {
    all = words[0]!;
  }
  if (all.length !== 8) return null;
  const out = new Uint8Array(16);
  all.forEach((w, i) => {
    out[2 * i] = w >> 8;
    out[2 * i + 1] = w & 0xff;
  });
  return out;
}

/** addr_pton(): a numeric IPv4 or IPv6 address, or null. */
export function parseIpAddress(s: string): IpAddr | null {
  const v4 = parseIpv4(s);
  if (v4) return { family: 4, bytes: v4 };
  if (s.includes(':')) {
    const v6 = parseIpv6(s);
    if (v6) return { family: 6, bytes: v6 };
  }
  return null;
}

/**
 * addr_pton_cidr(): "addr[/len]" → network; null if not an address (-1 in OpenSSH),
 * 'invalid' when the mask is out of range or host bits are set (-2).
 */
export function parseCidr(s: string): { addr: IpAddr; maskLen: number } | null | 'invalid' {
  let maskLen: number | undefined;
  const slash = s.indexOf('/');
  let a = s;
  if (slash >= 0) {
    const m = s.slice(slash + 1);
    if (!/^\d+$/.test(m)) return null;
    maskLen = Number(m);
    if (maskLen > 128) return null;
    a = s.slice(0, slash);
  }
  const addr = parseIpAddress(a);
  if (!addr) return null;
  const full = addr.family === 4 ? 32 : 128;
  maskLen ??= full;
  if (maskLen > full) return 'invalid';
  for (let bit = maskLen; bit < full; bit++) {
    if (addr.bytes[bit >> 3]! & (0x80 >> (bit & 7))) return 'invalid';
  }
  return { addr, maskLen };
}

function netMatch(a: IpAddr, net: IpAddr, maskLen: number): boolean {
  if (a.family !== net.family) return false;
  for (let bit = 0; bit < maskLen; bit++) {
    const m = 0x80 >> (bit & 7);
    if ((a.bytes[bit >> 3]! & m) !== (net.bytes[bit >> 3]! & m)) return false;
  }
  return true;
}

/**
 * addr_match_list(): 1 match, 0 no match, -1 negated match, -2 malformed list entry.
 * Entries are CIDR networks or, failing that, wildcard patterns against the address text.
 */
export function addrMatchList(addr: string | null, list: string): 1 | 0 | -1 | -2 {
  let tryAddr: IpAddr | null = null;
  if (addr !== null) {
    tryAddr = parseIpAddress(addr);
    if (!tryAddr) return 0;
  }
  let ret: 1 | 0 = 0;
  for (let cp of list.split(',')) {
    const neg = cp.startsWith('!');
    if (neg) cp = cp.slice(1);
    if (cp === '') return -2;
    const net = parseCidr(cp);
    if (net === 'invalid') return -2;
    let hit = false;
    if (net) hit = tryAddr !== null && netMatch(tryAddr, net.addr, net.maskLen);
    else hit = addr !== null && matchPattern(addr, cp);
    if (hit) {
      if (neg) return -1;
      ret = 1;
    }
  }
  return ret;
}

/**
 * match_host_and_ip(): for from="…" — 1 if the client's name or address matches, 0 if not
 * (including any negated match), -1 if the pattern list is malformed.
 */
export function matchHostAndIp(host: string | null, ip: string | null, patterns: string): 1 | 0 | -1 {
  const mip = addrMatchList(ip, patterns);
  if (mip === -2) return -1;
  if (host === null || ip === null || mip === -1) return 0;
  const mhost = matchHostname(host, patterns);
  if (mhost === -1) return 0;
  if (mhost === 0 && mip === 0) return 0;
  return 1;
}
