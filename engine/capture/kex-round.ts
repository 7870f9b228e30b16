// One key exchange seen in a capture: its transcript (RFC 4253 §7.1 KEXINITs, §8 / RFC 5656 §4 /
// RFC 4419 §3 / hybrid drafts' init and reply) and, with a key-log secret, the exchange hash H
// (built by engine/core/exchange-hash.ts, the same as live sessions), the keys A–F (RFC 4253 §7.2)
// and one packet opener per direction.

import { x25519 } from '@noble/curves/ed25519.js';
import { p256, p384, p521 } from '@noble/curves/nist.js';
import { CIPHERS, createOpener, deriveKeys, hash, hashLen, KEX, MACS, SIGNATURES, type CryptoProvider, type DirectionKeys, type EcdsaCurveName, type Negotiated, type PacketOpener, type KexFamily } from '../algorithms/index.ts';
import { sshMpintFromUnsigned, sshString } from '../algorithms/bytes.ts';
import { exchangeHashInput } from '../core/exchange-hash.ts';
import { toHex } from '../wire/codec.ts';
import type { FieldNode, KdfStep } from '../events.ts';
import type { KeylogSecret } from './keylog.ts';

export interface KexTranscript {
  vC: string;
  vS: string;
  iC: Uint8Array;
  iS: Uint8Array;
  negotiated: Negotiated;
  family: KexFamily;
  clientPublic?: Uint8Array;
  serverPublic?: Uint8Array;
  hostKey?: Uint8Array;
  signature?: Uint8Array;
  gex?: { min: number; n: number; max: number; p?: bigint; g?: bigint };
}

export interface RoundKeys {
  H: Uint8Array;
  hInput: { bytes: Uint8Array; tree: FieldNode };
  sessionId: Uint8Array;
  steps: KdfStep[];
  openers: { c2s: PacketOpener; s2c: PacketOpener };
  /** The keys of each direction (RFC 4253 §7.2: IV, key, MAC key), to position fresh openers after a gap. */
  dirKeys: { c2s: DirectionKeys; s2c: DirectionKeys };
  /** Which key-log line gave the secret. */
  secret: KeylogSecret;
  /** Whether the server's signature over H verifies with its host key (proof that the secret is right). */
  signatureVerified: boolean;
}

/** The family of a method, from the table, or from its name when we do not implement it. */
export function kexFamily(name: string): KexFamily {
  const spec = KEX[name];
  if (spec) return spec.family;
  if (name.includes('group-exchange')) return 'gex';
  if (name.startsWith('diffie-hellman')) return 'dh';
  if (name.includes('mlkem') || name.includes('sntrup')) return 'hybrid';
  return 'ecdh';
}

const NIST: Record<string, typeof p256 | typeof p384 | typeof p521> = { 'ecdh-sha2-nistp256': p256, 'ecdh-sha2-nistp384': p384, 'ecdh-sha2-nistp521': p521 };

/** K's raw value from a PRIVATE_KEY line (curve25519 and NIST ECDH only), or null. */
function sharedFromPrivate(kex: string, priv: Uint8Array, peerPublic: Uint8Array, provider: CryptoProvider | undefined): Uint8Array | null {
  try {
    if (kex.startsWith('curve25519-sha256')) return provider?.x25519 ? provider.x25519(priv, peerPublic) : x25519.getSharedSecret(priv, peerPublic);
    const curve = NIST[kex];
    if (!curve) return null;
    const id = kex.slice('ecdh-sha2-'.length) as EcdsaCurveName;
    if (provider?.ecdh) return provider.ecdh(id, priv, peerPublic); // throws on a point not on the curve
    return curve.getSharedSecret(priv, peerPublic).slice(1); // K = x coordinate (RFC 5656 §4)
  } catch {
    return null;
  }
  return null;
}

/** K as it enters H and the KDF: mpint for classic methods, string for the PQ hybrids. */
function encodeK(kex: string, raw: Uint8Array): Uint8Array {
  const spec = KEX[kex]!;
  if (spec.kEncoding === 'mpint') return sshMpintFromUnsigned(raw);
  const n = hashLen(spec.hash);
  if (raw.length >= n) return sshString(raw);
  const padded = new Uint8Array(n); // a writer that dropped leading zero bytes
  padded.set(raw, n - raw.length);
  return sshString(padded);
}

export type KeysOutcome = { ok: true; keys: RoundKeys } | { ok: false; reason: string };

/**
 * Derives H, the keys and the openers from the first matching secret (either side's cookie).
 * Several candidates: the one whose H the host key's signature verifies wins.
 */
export function roundKeys(t: KexTranscript, secrets: KeylogSecret[], previousSessionId: Uint8Array | null, provider?: CryptoProvider): KeysOutcome {
  const n = t.negotiated;
  const spec = KEX[n.kex];
  if (!spec) return { ok: false, reason: `key exchange ${n.kex} is not implemented here` };
  if (!t.clientPublic || !t.serverPublic || !t.hostKey) return { ok: false, reason: 'the key exchange messages are missing from the capture' };
  if (t.family === 'gex' && (t.gex?.p === undefined || t.gex.g === undefined)) return { ok: false, reason: 'the group exchange request or group is missing' };
  const cookieC = toHex(t.iC.subarray(1, 17));
  const cookieS = toHex(t.iS.subarray(1, 17));
  const candidates = secrets.filter((s) => s.cookie === cookieC || s.cookie === cookieS);
  if (candidates.length === 0) return { ok: false, reason: `no key-log secret for client cookie ${cookieC} or server cookie ${cookieS}` };
  for (const c of [n.cipherC2S, n.cipherS2C]) if (!CIPHERS[c]) return { ok: false, reason: `cipher ${c} is not implemented here` };
  let first: RoundKeys | null = null;
  let lastReason = '';
  for (const s of candidates) {
    let raw: Uint8Array | null = s.value;
    if (s.kind === 'private-key') {
      raw = sharedFromPrivate(n.kex, s.value, s.cookie === cookieC ? t.serverPublic : t.clientPublic, provider);
      if (!raw) {
        lastReason = `a PRIVATE_KEY line (line ${s.line}) works only for curve25519 and NIST ECDH here, not ${n.kex}`;
        continue;
      }
    }
    const encodedK = encodeK(n.kex, raw);
    const hInput = exchangeHashInput({
      family: t.family,
      vC: t.vC,
      vS: t.vS,
      iC: t.iC,
      iS: t.iS,
      kS: t.hostKey,
      clientPublic: t.clientPublic,
      serverPublic: t.serverPublic,
      encodedK,
      ...(t.gex && t.gex.p !== undefined && t.gex.g !== undefined ? { gex: { min: t.gex.min, n: t.gex.n, max: t.gex.max, p: t.gex.p, g: t.gex.g } } : {}),
    });
    const H = hash(spec.hash, hInput.bytes, provider);
    const sig = SIGNATURES[n.hostKey];
    const signatureVerified = !!(sig && t.signature && sig.verify(t.hostKey, H, t.signature, provider));
    const sessionId = previousSessionId ?? H;
    const mC = n.macC2S ? MACS[n.macC2S] : null;
    const mS = n.macS2C ? MACS[n.macS2C] : null;
    const cC = CIPHERS[n.cipherC2S]!;
    const cS = CIPHERS[n.cipherS2C]!;
    const d = deriveKeys(spec.hash, encodedK, H, sessionId, { A: cC.ivLen, B: cS.ivLen, C: cC.keyLen, D: cS.keyLen, E: mC?.keyLen ?? 0, F: mS?.keyLen ?? 0 }, provider);
    let openers: RoundKeys['openers'];
    const dirKeys: RoundKeys['dirKeys'] = { c2s: { iv: d.keys.A, key: d.keys.C, macKey: d.keys.E }, s2c: { iv: d.keys.B, key: d.keys.D, macKey: d.keys.F } };
    try {
      openers = {
        c2s: createOpener(n.cipherC2S, n.macC2S, dirKeys.c2s, provider),
        s2c: createOpener(n.cipherS2C, n.macS2C, dirKeys.s2c, provider),
      };
    } catch (e) {
      return { ok: false, reason: (e as Error).message };
    }
    const keys: RoundKeys = { H, hInput, sessionId, steps: d.steps, openers, dirKeys, secret: s, signatureVerified };
    if (signatureVerified) return { ok: true, keys };
    first ??= keys;
  }
  if (first) return { ok: true, keys: first };
  return { ok: false, reason: lastReason };
}
