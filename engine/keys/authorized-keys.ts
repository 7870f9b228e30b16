// authorized_keys (sshd(8) "AUTHORIZED_KEYS FILE FORMAT"; OpenSSH auth2-pubkeyfile.c,
// auth-options.c): one key per line, optionally preceded by comma-separated options,
//
//   [options] keytype base64-key [comment]
//   restrict,command="echo \"hi\"",from="10.0.0.0/8,!10.0.0.1" ssh-ed25519 AAAA… alice@laptop
//
// Option values are double-quoted; inside them only \" is an escape.

import { equalBytes } from '../wire/codec.ts';
import { base64Encode } from './base64.ts';
import { KeyFileError } from './errors.ts';
import { matchHostAndIp } from './host-pattern.ts';
import { isPublicKeyType, readPublicKeyText } from './public-key.ts';
import type { SshPublicKey } from './public-key.ts';

export interface AuthorizedKeyOption {
  /** Lowercased option name as written, e.g. "no-pty", "command". */
  name: string;
  value?: string;
}

/** What the options allow, after `restrict` and the individual flags (auth-options.c sshauthopt). */
export interface AuthorizedKeyPolicy {
  pty: boolean;
  portForwarding: boolean;
  agentForwarding: boolean;
  x11Forwarding: boolean;
  userRc: boolean;
  certAuthority: boolean;
  command?: string;
  from?: string;
  /** Milliseconds since the epoch; the key is refused after it (the earliest expiry-time wins). */
  expiry?: number;
  environment: string[];
  permitOpen: string[];
  permitListen: string[];
  principals?: string;
  tunnel?: string;
  touchRequired: boolean;
  verifyRequired: boolean;
}

export interface AuthorizedKeyEntry {
  /** 1-based line number. */
  line: number;
  options: AuthorizedKeyOption[];
  policy: AuthorizedKeyPolicy;
  key: SshPublicKey;
  comment: string;
  text: string;
}

export interface AuthorizedKeysParse {
  entries: AuthorizedKeyEntry[];
  /** One error per broken line; the other lines still count. */
  errors: KeyFileError[];
}

/** Flag options; `negatable` ones also exist as "no-<name>" (auth-options.c opt_flag). */
const FLAGS: Record<string, { negatable: boolean }> = {
  restrict: { negatable: false },
  'cert-authority': { negatable: false },
  'port-forwarding': { negatable: true },
  'agent-forwarding': { negatable: true },
  'x11-forwarding': { negatable: true },
  'touch-required': { negatable: true },
  'verify-required': { negatable: false },
  pty: { negatable: true },
  'user-rc': { negatable: true },
};
const VALUED = ['command', 'principals', 'from', 'expiry-time', 'environment', 'permitopen', 'permitlisten', 'tunnel'];

function defaultPolicy(): AuthorizedKeyPolicy {
  return {
    pty: true,
    portForwarding: true,
    agentForwarding: true,
    x11Forwarding: true,
    userRc: true,
    certAuthority: false,
    environment: [],
    permitOpen: [],
    permitListen: [],
    touchRequired: true,
    verifyRequired: false,
  };
}

/**
 * parse_absolute_time() (misc.c): YYYYMMDD, YYYYMMDDHHMM or YYYYMMDDHHMMSS in local time,
 * or with a trailing "Z" in UTC. Returns milliseconds since the epoch or null.
 */
export function parseExpiryTime(s: string): number | null {
  const m = /^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2})?)?(Z|z)?$/.exec(s);
  if (!m) return null;
  const [y, mo, d, h = '0', mi = '0', se = '0'] = m.slice(1, 7).map((v) => v ?? undefined) as string[];
  const n = [y, mo, d, h, mi, se].map(Number) as [number, number, number, number, number, number];
  if (n[1] < 1 || n[1] > 12 || n[2] < 1 || n[2] > 31 || n[3] > 23 || n[4] > 59 || n[5] > 60) return null;
  return m[7] ? Date.UTC(n[0], n[1] - 1, n[2], n[3], n[4], n[5]) : new Date(n[0], n[1] - 1, n[2], n[3], n[4], n[5]).getTime();
}

/** permitopen/permitlisten "host:port" with port a number or "*", host may be "[v6]" (auth-options.c). */
function validPermit(v: string, listen: boolean): boolean {
  let host: string;
  let port: string;
  if (v.startsWith('[')) {
    const close = v.indexOf(']:');
    if (close < 0) return false;
    host = v.slice(1, close);
    port = v.slice(close + 2);
  } else {
    const colon = v.lastIndexOf(':');
    if (colon < 0) return listen && /^(\d+|\*)$/.test(v);
    host = v.slice(0, colon);
    port = v.slice(colon + 1);
  }
  if (host === '' || /[\s]/.test(host)) return false;
  if (port === '*') return true;
  return /^\d{1,5}$/.test(port) && Number(port) <= 65535 && (listen || Number(port) > 0);
}

/**
 * Parses the options field (sshauthopt_parse). `text` starts at the options; returns the options,
 * the policy and where the options end. Throws KeyFileError with the column of the problem.
 */
export function parseAuthorizedKeyOptions(text: string, start = 0, line?: number): { options: AuthorizedKeyOption[]; policy: AuthorizedKeyPolicy; end: number } {
  const options: AuthorizedKeyOption[] = [];
  const policy = defaultPolicy();
  const fail = (reason: string, at: number): never => {
    throw new KeyFileError(reason, { line, offset: at, field: 'options' });
  };
  let i = start;
  const seen = new Set<string>();
  while (i < text.length && text[i] !== ' ' && text[i] !== '\t') {
    const at = i;
    const rest = text.slice(i).toLowerCase();
    let matched = false;
    for (const [flag, { negatable }] of Object.entries(FLAGS)) {
      let positive: boolean | null = null;
      if (rest.startsWith(flag)) positive = true;
      else if (negatable && rest.startsWith(`no-${flag}`)) positive = false;
      if (positive === null) continue;
      const name = positive ? flag : `no-${flag}`;
      i += name.length;
      options.push({ name });
      switch (flag) {
        case 'restrict':
          Object.assign(policy, { pty: false, portForwarding: false, agentForwarding: false, x11Forwarding: false, userRc: false });
          break;
        case 'cert-authority':
          policy.certAuthority = true;
          break;
        case 'port-forwarding':
          policy.portForwarding = positive;
          break;
        case 'agent-forwarding':
          policy.agentForwarding = positive;
          break;
        case 'x11-forwarding':
          policy.x11Forwarding = positive;
          break;
        case 'touch-required':
          policy.touchRequired = positive;
          break;
        case 'verify-required':
          policy.verifyRequired = true;
          break;
        case 'pty':
          policy.pty = positive;
          break;
        case 'user-rc':
          policy.userRc = positive;
          break;
      }
      matched = true;
      break;
    }
    if (!matched) {
      const name = VALUED.find((n) => rest.startsWith(`${n}=`));
      if (!name) fail(`unsupported option "${text.slice(at).split(/[,\s=]/)[0]}"`, at);
      i += name!.length + 1;
      // opt_dequote: a double-quoted string where only \" is an escape.
      if (text[i] !== '"') fail(`${name}: missing start quote`, i);
      i++;
      let value = '';
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\' && text[i + 1] === '"') i++;
        value += text[i++];
      }
      if (i >= text.length) fail(`${name}: missing end quote`, at);
      i++;
      options.push({ name: name!, value });
      switch (name) {
        case 'command':
          if (seen.has(name)) fail('multiple "command" clauses', at);
          policy.command = value;
          break;
        case 'principals':
          if (seen.has(name)) fail('multiple "principals" clauses', at);
          policy.principals = value;
          break;
        case 'from':
          if (seen.has(name)) fail('multiple "from" clauses', at);
          policy.from = value;
          break;
        case 'expiry-time': {
          const t = parseExpiryTime(value);
          if (t === null) fail('invalid expires time', at);
          if (policy.expiry === undefined || t! < policy.expiry) policy.expiry = t!;
          break;
        }
        case 'environment':
          if (!/^[A-Za-z0-9_]+=/.test(value)) fail('invalid environment string', at);
          policy.environment.push(value);
          break;
        case 'permitopen':
        case 'permitlisten':
          if (!validPermit(value, name === 'permitlisten')) fail(`invalid ${name} "${value}"`, at);
          (name === 'permitopen' ? policy.permitOpen : policy.permitListen).push(value);
          break;
        case 'tunnel':
          if (!/^(any|\d+)$/.test(value)) fail('invalid tun device', at);
          policy.tunnel = value;
          break;
      }
      seen.add(name!);
    }
    if (i >= text.length || text[i] === ' ' || text[i] === '\t') break;
    if (text[i] !== ',') fail('unknown key option', i);
    i++;
    if (i >= text.length) fail('unexpected end-of-options', i);
  }
  return { options, policy, end: i };
}

/** sshkey_advance_past_options(): the end of the options field (whitespace outside quotes). */
function optionsEnd(text: string, i: number, line: number): number {
  let quoted = false;
  for (; i < text.length && (quoted || (text[i] !== ' ' && text[i] !== '\t')); i++) {
    if (text[i] === '\\' && text[i + 1] === '"') i++;
    else if (text[i] === '"') quoted = !quoted;
  }
  if (quoted) throw new KeyFileError('unterminated quote in options', { line, offset: i, field: 'options' });
  return i;
}

function parseLine(raw: string, line: number): AuthorizedKeyEntry | null {
  const text = raw.replace(/\r$/, '');
  let i = 0;
  while (i < text.length && (text[i] === ' ' || text[i] === '\t')) i++;
  if (i >= text.length || text[i] === '#') return null;
  const firstToken = text.slice(i).split(/[ \t]/, 1)[0]!;
  let options: AuthorizedKeyOption[] = [];
  let policy = defaultPolicy();
  if (!isPublicKeyType(firstToken)) {
    const end = optionsEnd(text, i, line);
    const parsed = parseAuthorizedKeyOptions(text.slice(0, end), i, line);
    options = parsed.options;
    policy = parsed.policy;
    i = end;
    while (i < text.length && (text[i] === ' ' || text[i] === '\t')) i++;
    if (i >= text.length) throw new KeyFileError('no key after the options', { line, offset: i, field: 'type' });
  }
  const { key, end } = readPublicKeyText(text, i, line);
  return { line, options, policy, key, comment: text.slice(end).trim(), text: raw };
}

/** Parses authorized_keys text: good lines in `entries`, one KeyFileError per broken line. */
export function parseAuthorizedKeys(text: string): AuthorizedKeysParse {
  const entries: AuthorizedKeyEntry[] = [];
  const errors: KeyFileError[] = [];
  const lines = text.split('\n');
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  lines.forEach((raw, idx) => {
    try {
      const e = parseLine(raw, idx + 1);
      if (e) entries.push(e);
    } catch (err) {
      if (err instanceof KeyFileError) errors.push(err);
      else throw err;
    }
  });
  return { entries, errors };
}

export interface AuthorizedKeyContext {
  /** The client's IP address (sshd's remote_ip). */
  clientAddress?: string;
  /** The client's host name; sshd with UseDNS no uses the address. */
  clientHost?: string;
  /** For expiry-time; milliseconds since the epoch (default: no expiry check). */
  now?: number;
}

export interface AuthorizedKeyMatch {
  entry: AuthorizedKeyEntry | null;
  /** Why it matched, or why nothing did. */
  reason: string;
  /** Lines that held the key but refused it, with the reason (sshd goes on to the next line). */
  rejected: { line: number; reason: string }[];
}

/** Why this line, which holds the key, does not authorise it (auth_authorise_keyopts), or null. */
function refusal(e: AuthorizedKeyEntry, ctx: AuthorizedKeyContext): string | null {
  if (e.policy.certAuthority) return 'line is marked cert-authority (it trusts a CA for certificates, not this plain key)';
  if (e.policy.expiry !== undefined && ctx.now !== undefined && ctx.now > e.policy.expiry) return 'key has expired (expiry-time)';
  if (e.policy.from !== undefined) {
    const ip = ctx.clientAddress ?? null;
    const host = ctx.clientHost ?? ip;
    const m = matchHostAndIp(host, ip, e.policy.from);
    if (m === -1) return `invalid from="${e.policy.from}" criteria`;
    if (m === 0) return `not from a permitted host (host=${host ?? '?'}, ip=${ip ?? '?'}, required=${e.policy.from})`;
  }
  return null;
}

/** Finds the first line holding `blob` whose options let this client in (auth2-pubkeyfile.c). */
export function findAuthorizedKey(entries: readonly AuthorizedKeyEntry[], blob: Uint8Array, ctx: AuthorizedKeyContext = {}): AuthorizedKeyMatch {
  const rejected: { line: number; reason: string }[] = [];
  for (const e of entries) {
    if (!equalBytes(e.key.blob, blob)) continue;
    const why = refusal(e, ctx);
    if (why) {
      rejected.push({ line: e.line, reason: why });
      continue;
    }
    return { entry: e, reason: `matched line ${e.line}`, rejected };
  }
  const reason = rejected.length ? `key found but refused: ${rejected.map((r) => `line ${r.line}: ${r.reason}`).join('; ')}` : 'key not found in authorized_keys';
  return { entry: null, reason, rejected };
}

/**
 * Formats one authorized_keys line: options (values double-quoted, '"' escaped as \"), key, comment.
 * A value ending in a backslash cannot be written (sshd would read `\"` as an escaped quote).
 */
export function formatAuthorizedKeyLine(options: readonly AuthorizedKeyOption[], key: SshPublicKey, comment?: string): string {
  const opts = options.map((o) => {
    if (o.value === undefined) return o.name;
    if (o.value.endsWith('\\')) throw new KeyFileError(`option ${o.name}: a value cannot end with a backslash`, { field: 'options' });
    return `${o.name}="${o.value.replace(/"/g, '\\"')}"`;
  });
  const keyText = `${key.type} ${base64Encode(key.blob)}`;
  const parts = [opts.join(','), keyText, comment ?? ''].filter((p) => p !== '');
  return parts.join(' ');
}
