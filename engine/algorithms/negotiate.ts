// Algorithm negotiation, RFC 4253 §7.1: for every category the chosen algorithm is the first one on
// the client's list that is also on the server's list. Key exchange adds conditions: the method must
// be supported by both sides, and a host key algorithm of the kind it needs (signature-capable, or
// encryption-capable for RFC 4432's RSA key exchange) must be in common. When the cipher carries its
// own authentication (RFC 5647 §5.1, PROTOCOL.chacha20poly1305) the MAC is not negotiated.

import type { NegotiationRow } from '../events.ts';
import { CIPHERS } from './ciphers.ts';

/** The ten name-lists of an SSH_MSG_KEXINIT (RFC 4253 §7.1), named as the message table names them. */
export interface KexinitLists {
  kexAlgorithms: string[];
  serverHostKeyAlgorithms: string[];
  encryptionC2S: string[];
  encryptionS2C: string[];
  macC2S: string[];
  macS2C: string[];
  compressionC2S: string[];
  compressionS2C: string[];
  languagesC2S: string[];
  languagesS2C: string[];
}

export const CATEGORIES = [
  'kex',
  'host key',
  'encryption c2s',
  'encryption s2c',
  'mac c2s',
  'mac s2c',
  'compression c2s',
  'compression s2c',
  'language c2s',
  'language s2c',
] as const;
export type Category = (typeof CATEGORIES)[number];

/**
 * Names that signal a feature rather than name a method: RFC 8308 §2.1 (ext-info-c / ext-info-s) and
 * OpenSSH PROTOCOL §1.10 strict KEX (kex-strict-c-v00@openssh.com / kex-strict-s-v00@openssh.com).
 */
export const PSEUDO_KEX = new Set(['ext-info-c', 'ext-info-s', 'kex-strict-c-v00@openssh.com', 'kex-strict-s-v00@openssh.com']);

/** RFC 4432 RSA key exchange needs an encryption-capable host key (an RSA key). */
const KEX_NEEDS_ENCRYPTION = new Set(['rsa1024-sha1', 'rsa2048-sha256']);
const ENCRYPTION_CAPABLE = new Set(['ssh-rsa']);
/** Every host key algorithm we know of signs; ssh-rsa also encrypts (RFC 4253 §6.6, RFC 4432 §3). */
const isSignatureCapable = (_alg: string) => true;

function firstCommon(client: string[], server: string[], ok: (a: string) => boolean = () => true): string | null {
  const s = new Set(server);
  for (const a of client) if (s.has(a) && ok(a)) return a;
  return null;
}

const NO_COMMON = 'no common algorithm';

function simpleRow(category: Category, client: string[], server: string[]): NegotiationRow {
  const chosen = firstCommon(client, server);
  if (chosen === null) return { category, client, server, chosen, rule: NO_COMMON };
  const rank = client.indexOf(chosen);
  const skipped = client.slice(0, rank);
  const rule =
    rank === 0
      ? `the client's first choice ${chosen}, which the server also supports (RFC 4253 §7.1)`
      : `the first algorithm on the client's list that the server also supports; the server does not offer ${skipped.join(', ')} (RFC 4253 §7.1)`;
  return { category, client, server, chosen, rule };
}

function kexRow(client: string[], server: string[], hostClient: string[], hostServer: string[]): NegotiationRow {
  const ignored = [...new Set([...client, ...server].filter((a) => PSEUDO_KEX.has(a)))];
  const c = client.filter((a) => !PSEUDO_KEX.has(a));
  const s = server.filter((a) => !PSEUDO_KEX.has(a));
  const sSet = new Set(s);
  const reasons: string[] = [];
  let chosen: string | null = null;
  for (const a of c) {
    if (!sSet.has(a)) {
      reasons.push(`${a}: not offered by the server`);
      continue;
    }
    const needEnc = KEX_NEEDS_ENCRYPTION.has(a);
    const host = firstCommon(hostClient, hostServer, needEnc ? (h) => ENCRYPTION_CAPABLE.has(h) : isSignatureCapable);
    if (host === null) {
      reasons.push(`${a}: no ${needEnc ? 'encryption' : 'signature'}-capable host key algorithm in common`);
      continue;
    }
    chosen = a;
    break;
  }
  const tail = ignored.length ? `; ignored pseudo-algorithms ${ignored.join(', ')}` : '';
  if (chosen === null) {
    return { category: 'kex', client, server, chosen, rule: `${NO_COMMON}${reasons.length ? ` (${reasons.join('; ')})` : ''}${tail}` };
  }
  const head =
    reasons.length === 0
      ? `the client's first key exchange method ${chosen}, supported by the server with a compatible host key algorithm in common (RFC 4253 §7.1)`
      : `the first client method the server supports with a compatible host key algorithm in common (RFC 4253 §7.1); skipped ${reasons.join('; ')}`;
  return { category: 'kex', client, server, chosen, rule: head + tail };
}

function hostKeyRow(client: string[], server: string[], kex: string | null): NegotiationRow {
  const needEnc = kex !== null && KEX_NEEDS_ENCRYPTION.has(kex);
  const chosen = firstCommon(client, server, needEnc ? (h) => ENCRYPTION_CAPABLE.has(h) : isSignatureCapable);
  if (chosen === null) return { category: 'host key', client, server, chosen, rule: NO_COMMON };
  const base = simpleRow('host key', client, server);
  if (base.chosen === chosen) return base;
  return { category: 'host key', client, server, chosen, rule: `the first common algorithm that can encrypt, as ${kex} requires (RFC 4253 §7.1, RFC 4432)` };
}

function macRow(category: Category, client: string[], server: string[], cipher: string | null): NegotiationRow {
  if (cipher !== null && CIPHERS[cipher]?.aead) {
    return { category, client, server, chosen: null, rule: 'implicit: the cipher authenticates' };
  }
  return simpleRow(category, client, server);
}

function languageRow(category: Category, client: string[], server: string[]): NegotiationRow {
  const chosen = firstCommon(client, server);
  if (chosen !== null) return simpleRow(category, client, server);
  return { category, client, server, chosen: null, rule: 'no language negotiated: an empty name-list means none (RFC 4253 §7.1)' };
}

/** One row per category, client's preference first (RFC 4253 §7.1). Never throws. */
export function negotiate(client: KexinitLists, server: KexinitLists): NegotiationRow[] {
  const kex = kexRow(client.kexAlgorithms, server.kexAlgorithms, client.serverHostKeyAlgorithms, server.serverHostKeyAlgorithms);
  const host = hostKeyRow(client.serverHostKeyAlgorithms, server.serverHostKeyAlgorithms, kex.chosen);
  const encC = simpleRow('encryption c2s', client.encryptionC2S, server.encryptionC2S);
  const encS = simpleRow('encryption s2c', client.encryptionS2C, server.encryptionS2C);
  return [
    kex,
    host,
    encC,
    encS,
    macRow('mac c2s', client.macC2S, server.macC2S, encC.chosen),
    macRow('mac s2c', client.macS2C, server.macS2C, encS.chosen),
    simpleRow('compression c2s', client.compressionC2S, server.compressionC2S),
    simpleRow('compression s2c', client.compressionS2C, server.compressionS2C),
    languageRow('language c2s', client.languagesC2S, server.languagesC2S),
    languageRow('language s2c', client.languagesS2C, server.languagesS2C),
  ];
}

/** The rows that make negotiation fail (chosen null where an algorithm is required). */
export function failedRows(rows: NegotiationRow[]): NegotiationRow[] {
  return rows.filter((r) => r.chosen === null && r.rule.startsWith(NO_COMMON) && !r.category.startsWith('language'));
}

/** The chosen algorithms, once negotiation succeeded (mac is null for AEAD ciphers). */
export interface Negotiated {
  kex: string;
  hostKey: string;
  cipherC2S: string;
  cipherS2C: string;
  macC2S: string | null;
  macS2C: string | null;
  compressionC2S: string;
  compressionS2C: string;
}

/** Collapses rows into the chosen algorithms; null when any required category has no common algorithm. */
export function chosenAlgorithms(rows: NegotiationRow[]): Negotiated | null {
  if (failedRows(rows).length > 0) return null;
  const get = (c: Category) => rows.find((r) => r.category === c)?.chosen ?? null;
  return {
    kex: get('kex')!,
    hostKey: get('host key')!,
    cipherC2S: get('encryption c2s')!,
    cipherS2C: get('encryption s2c')!,
    macC2S: get('mac c2s'),
    macS2C: get('mac s2c'),
    compressionC2S: get('compression c2s')!,
    compressionS2C: get('compression s2c')!,
  };
}

/**
 * RFC 4253 §7.1 first_kex_packet_follows: the guessed packet is right when both sides list the same
 * key exchange method first and the same host key algorithm first (OpenSSH kex.c proposals_match).
 */
export function guessMatches(
  client: Pick<KexinitLists, 'kexAlgorithms' | 'serverHostKeyAlgorithms'>,
  server: Pick<KexinitLists, 'kexAlgorithms' | 'serverHostKeyAlgorithms'>,
): boolean {
  return (
    client.kexAlgorithms[0] !== undefined &&
    client.kexAlgorithms[0] === server.kexAlgorithms[0] &&
    client.serverHostKeyAlgorithms[0] === server.serverHostKeyAlgorithms[0]
  );
}
