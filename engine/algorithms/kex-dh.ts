// Finite-field Diffie-Hellman key exchange (family 'dh', RFC 4253 §8) and group exchange
// (family 'gex', RFC 4419).
//
// RFC 4253 §8: the client picks x and sends e = g^x mod p (SSH_MSG_KEXDH_INIT, mpint e); the server
// picks y, sends f = g^y mod p (SSH_MSG_KEXDH_REPLY, mpint f); both compute K = f^x = e^y mod p,
// which enters the exchange hash and the KDF as mpint K. Values of e or f outside [1, p-1] MUST NOT
// be accepted (§8); like OpenSSH's dh_pub_is_valid (dh.c) we also refuse 1 and p-1 (they give a
// K of 1 or ±1) and values with fewer than two bits set.
//
// Fixed groups: diffie-hellman-group1-sha1 (RFC 4253 §8.1, Oakley group 2, 1024 bits — removed from
// OpenSSH's defaults in 7.0: 1024-bit groups are within reach of nation-state precomputation, see
// "Logjam", and SHA-1 collisions weaken H), diffie-hellman-group14-sha1 (RFC 4253 §8.2; still
// accepted by OpenSSH 9.2's server but not offered by its client), and RFC 8268 §3's
// diffie-hellman-group14-sha256, -group16-sha512, -group18-sha512.
//
// Private exponent size as OpenSSH's dh_gen_key(dh, need) (dh.c): twice the number of bits of
// security wanted, at least 2 × 256, at most bits(p) - 1 ("Pollard Rho, Big step/Little Step attacks
// are O(sqrt(n)), so double requested need"). OpenSSH's `need` is the largest cipher/MAC key size in
// bits; our KexSpec does not carry it, so we use need = 256 (the largest key of every cipher here
// except chacha20-poly1305's 512-bit key pair): a 512-bit exponent.
//
// Group exchange (RFC 4419 §3): the client asks for a group size (min, n, max), the server picks a
// safe prime from its moduli file, then both run the exchange above in that group; the hash is
// SHA-256 for diffie-hellman-group-exchange-sha256 (RFC 4419 §4) and SHA-1 for the legacy -sha1.

import type { CryptoProvider, HashName, KexClientState, KexResult, KexServerResult, KexSpec } from './types.ts';
import { KexError } from './types.ts';
import { hex, sshMpintFromUnsigned } from './bytes.ts';
import { bitLength, minimalBytes, modPow, os2ip } from './bigint-math.ts';
import { MODP_GROUP_14, MODP_GROUP_16, MODP_GROUP_18, OAKLEY_GROUP_2 } from './modp-groups.ts';
import { chooseModulus, DH_GRP_MAX, DH_GRP_MIN, MODULI } from './moduli.ts';
import type { Modulus } from './moduli.ts';

/** Bits of security the exponent is sized for (see the header: OpenSSH's `need`). */
export const DH_DEFAULT_NEED_BITS = 256;

/** OpenSSH dh_gen_key: the private exponent's length in bits for a group of `pbits` bits. */
export function dhExponentBits(pbits: number, needBits = DH_DEFAULT_NEED_BITS): number {
  const need = Math.max(needBits, 256);
  return Math.min(need * 2, pbits - 1);
}

/**
 * A random private exponent of exactly `bits` bits (top bit set, as OpenSSL's DH_generate_key with
 * a length does), drawn from `random` so seeded sessions are reproducible.
 */
export function dhPrivateExponent(random: (n: number) => Uint8Array, bits: number): bigint {
  const bytes = Math.ceil(bits / 8);
  const raw = os2ip(random(bytes));
  const mask = (1n << BigInt(bits)) - 1n;
  return (raw & mask) | (1n << BigInt(bits - 1));
}

/** OpenSSH dh_pub_is_valid (dh.c) on top of RFC 4253 §8: 1 < y < p - 1 and at least two bits set. */
export function checkDhPublic(y: bigint, p: bigint, who: string): void {
  const what = who === 'client' ? 'e' : 'f';
  if (y <= 1n) throw new KexError(`the ${who}'s DH value ${what} = ${y} is not in 1 < ${what} < p-1 (RFC 4253 §8)`);
  if (y >= p - 1n) throw new KexError(`the ${who}'s DH value ${what} is ${y === p - 1n ? 'p-1' : '≥ p'}, not in 1 < ${what} < p-1 (RFC 4253 §8)`);
  let setBits = 0;
  for (let v = y; v > 0n && setBits < 2; v >>= 1n) if (v & 1n) setBits++;
  if (setBits < 2) throw new KexError(`the ${who}'s DH value ${what} has only one bit set (OpenSSH dh_pub_is_valid)`);
}

export interface DhGroup {
  p: bigint;
  g: bigint;
  /** Where the group came from, for the trace. */
  source: string;
}

/** base^x mod p through the provider's native MODP groups when it has this one, else with bigint. */
function dhPow(group: DhGroup, x: bigint, base: bigint | undefined, provider: CryptoProvider | undefined): bigint {
  if (provider?.modpPow && group.g === 2n) {
    const r = provider.modpPow(group.p, x, base);
    if (r !== null) return r;
  }
  return modPow(base ?? group.g, x, group.p);
}

function dhResult(group: DhGroup, x: bigint, own: bigint, peer: bigint, side: 'client' | 'server', provider?: CryptoProvider): KexResult {
  const k = dhPow(group, x, peer, provider);
  const secret = minimalBytes(k);
  const encodedK = sshMpintFromUnsigned(secret);
  const xBytes = minimalBytes(x);
  const [e, f] = side === 'client' ? [own, peer] : [peer, own];
  const mine = side === 'client' ? 'x' : 'y';
  return {
    encodedK,
    secret,
    privateKey: xBytes,
    trace: [
      { name: 'p', label: `p: the ${bitLength(group.p)}-bit safe prime (${group.source})`, value: group.p.toString(16) },
      { name: 'g', label: 'g: the generator', value: group.g.toString(16) },
      { name: mine, label: `${mine}: our private exponent, ${bitLength(x)} bits (PRIVATE — never sent)`, value: x.toString(16) },
      { name: 'e', label: "e = g^x mod p: the client's public value", value: e.toString(16) },
      { name: 'f', label: "f = g^y mod p: the server's public value", value: f.toString(16) },
      { name: 'K', label: `K = ${side === 'client' ? 'f^x' : 'e^y'} mod p = g^(xy) mod p, encoded as mpint (RFC 4253 §8)`, value: hex(encodedK) },
    ],
  };
}

/** A 'dh'-family KexSpec in a fixed group. */
export function dhKex(name: string, group: DhGroup, hashName: HashName, needBits = DH_DEFAULT_NEED_BITS): KexSpec {
  const pbits = bitLength(group.p);
  const keygen = (random: (n: number) => Uint8Array, provider: CryptoProvider | undefined) => {
    const x = dhPrivateExponent(random, dhExponentBits(pbits, needBits));
    return { x, pub: dhPow(group, x, undefined, provider) };
  };
  return {
    name,
    family: 'dh',
    hash: hashName,
    kEncoding: 'mpint',
    startClient(random, provider): KexClientState {
      const { x, pub } = keygen(random, provider);
      return {
        clientPublic: minimalBytes(pub),
        finish(serverPublic) {
          const f = os2ip(serverPublic);
          checkDhPublic(f, group.p, 'server');
          return dhResult(group, x, pub, f, 'client', provider);
        },
      };
    },
    respond(random, clientPublic, provider): KexServerResult {
      const e = os2ip(clientPublic);
      checkDhPublic(e, group.p, 'client');
      const { x: y, pub: f } = keygen(random, provider);
      return { ...dhResult(group, y, f, e, 'server', provider), serverPublic: minimalBytes(f) };
    },
  };
}

/**
 * OpenSSH dh_estimate (dh.c): the group size that matches `bits` of symmetric security
 * (NIST SP 800-57 part 1 table 2).
 */
export function dhEstimate(bits: number): number {
  if (bits <= 112) return 2048;
  if (bits <= 128) return 3072;
  if (bits <= 192) return 7680;
  return 8192;
}

/** A 'gex'-family KexSpec (RFC 4419): the server chooses from `moduli`. */
export function gexKex(name: string, hashName: HashName, moduli: readonly Modulus[] = MODULI): KexSpec {
  const unused = (): never => {
    throw new Error(`${name}: the group is chosen first (RFC 4419 §3); use gex.inGroup(p, g)`);
  };
  return {
    name,
    family: 'gex',
    hash: hashName,
    kEncoding: 'mpint',
    startClient: unused,
    respond: unused,
    gex: {
      // OpenSSH kexgexc.c: min = DH_GRP_MIN, n = dh_estimate(need), max = DH_GRP_MAX.
      request(securityBits) {
        return { min: DH_GRP_MIN, n: dhEstimate(securityBits), max: DH_GRP_MAX };
      },
      // OpenSSH kexgexs.c clamps the request to [DH_GRP_MIN, DH_GRP_MAX] and calls choose_dh.
      chooseGroup(min, n, max) {
        const lo = Math.max(DH_GRP_MIN, min);
        const hi = Math.min(DH_GRP_MAX, max);
        const want = Math.min(DH_GRP_MAX, Math.max(DH_GRP_MIN, n));
        if (hi < lo) return null;
        const c = chooseModulus(lo, want, hi, moduli);
        return c ? { p: c.p, g: c.g } : null;
      },
      inGroup(p, g) {
        const known = moduli.find((m) => m.p === p);
        const source = known ? `group exchange, moduli line ${known.line}` : 'group exchange (RFC 4419), chosen by the server';
        return dhKex(name, { p, g, source }, hashName);
      },
    },
  };
}

const fixed = (g: { p: bigint; g: bigint; source: string }): DhGroup => ({ p: g.p, g: g.g, source: g.source });

/** The 'dh' and 'gex' rows, keyed by wire name. */
export const DH_KEX: Record<string, KexSpec> = {
  // RFC 8268 §3 (SHOULD / MAY implement)
  'diffie-hellman-group14-sha256': dhKex('diffie-hellman-group14-sha256', fixed(MODP_GROUP_14), 'sha256'),
  'diffie-hellman-group16-sha512': dhKex('diffie-hellman-group16-sha512', fixed(MODP_GROUP_16), 'sha512'),
  'diffie-hellman-group18-sha512': dhKex('diffie-hellman-group18-sha512', fixed(MODP_GROUP_18), 'sha512'),
  // RFC 4253 §8.2 — legacy: SHA-1 exchange hash
  'diffie-hellman-group14-sha1': dhKex('diffie-hellman-group14-sha1', fixed(MODP_GROUP_14), 'sha1'),
  // RFC 4253 §8.1 — legacy: 1024-bit group and SHA-1 (RFC 9142 §3.3: MUST NOT)
  'diffie-hellman-group1-sha1': dhKex('diffie-hellman-group1-sha1', fixed(OAKLEY_GROUP_2), 'sha1'),
  // RFC 4419 §4.2 / §4.1 (the -sha1 one is legacy)
  'diffie-hellman-group-exchange-sha256': gexKex('diffie-hellman-group-exchange-sha256', 'sha256'),
  'diffie-hellman-group-exchange-sha1': gexKex('diffie-hellman-group-exchange-sha1', 'sha1'),
};
