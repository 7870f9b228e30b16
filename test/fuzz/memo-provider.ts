// A CryptoProvider for the fuzzer that remembers the results of its public-key operations.
//
// Every engine input replays a recorded session up to its mutation point (sessions.ts), so the
// same X25519 scalar multiplications, Ed25519 signatures and MODP exponentiations are computed
// again for each of millions of inputs. They are pure functions of their arguments, so a table
// keyed by every argument byte gives exactly the result the computation would: a mutated key
// share or signature is a new key and is computed for real. The engine's code paths do not
// change: it calls these provider members exactly as it calls node:crypto's (cli/node-crypto.ts);
// for the recipes that run on noble the members call the same noble functions the engine would.
// Errors are not remembered: an argument that throws throws again each time.

import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { p256, p384, p521 } from '@noble/curves/nist.js';
import type { CryptoProvider, EcdsaCurveName } from '../../engine/algorithms/types.ts';
import { toHex } from '../../engine/wire/codec.ts';

/** Entries kept per table before it is emptied (a bound, so a long run's memory stays flat). */
const LIMIT = 4096;

function table<R>(): (key: string, compute: () => R) => R {
  const m = new Map<string, R>();
  return (key, compute) => {
    const hit = m.get(key);
    if (hit !== undefined) return hit;
    const r = compute();
    if (m.size >= LIMIT) m.clear();
    m.set(key, r);
    return r;
  };
}

const NIST = { nistp256: p256, nistp384: p384, nistp521: p521 } as const satisfies Record<EcdsaCurveName, unknown>;

/** `base` (node:crypto, or undefined for the engine's noble defaults) with remembered public-key operations. */
export function memoProvider(base: CryptoProvider | undefined): CryptoProvider {
  const pub = table<Uint8Array>();
  const shared = table<Uint8Array>();
  const signed = table<Uint8Array>();
  const verified = table<boolean>();
  const pow = table<bigint | null>();
  // results are handed out as copies: a caller may write into what it gets
  const copy = (u: Uint8Array) => u.slice();
  const out: CryptoProvider = {
    ...base,
    x25519PublicKey: (k) => copy(pub(toHex(k), () => (base?.x25519PublicKey ? base.x25519PublicKey(k) : x25519.getPublicKey(k)))),
    x25519: (k, p) => copy(shared(`${toHex(k)}/${toHex(p)}`, () => (base?.x25519 ? base.x25519(k, p) : x25519.getSharedSecret(k, p)))),
    ed25519Sign: (seed, publicKey, data) =>
      copy(signed(`${toHex(seed)}/${toHex(data)}`, () => (base?.ed25519Sign ? base.ed25519Sign(seed, publicKey, data) : ed25519.sign(data, seed)))),
    ed25519Verify: (publicKey, data, signature) =>
      verified(`${toHex(publicKey)}/${toHex(signature)}/${toHex(data)}`, () => (base?.ed25519Verify ? base.ed25519Verify(publicKey, data, signature) : ed25519.verify(signature, data, publicKey))),
  };
  // ECDH and ECDSA on the NIST curves: the calls the engine makes without these members
  out.ecdhPublicKey = (c, k) => copy(pub(`${c}/${toHex(k)}`, () => (base?.ecdhPublicKey ? base.ecdhPublicKey(c, k) : NIST[c].getPublicKey(k, false))));
  out.ecdh = (c, k, p) => copy(shared(`${c}/${toHex(k)}/${toHex(p)}`, () => (base?.ecdh ? base.ecdh(c, k, p) : NIST[c].getSharedSecret(k, p, true).slice(1))));
  out.ecdsaSign = (c, d, data) => copy(signed(`${c}/${toHex(d)}/${toHex(data)}`, () => (base?.ecdsaSign ? base.ecdsaSign(c, d, data) : NIST[c].sign(data, d, { prehash: true, lowS: false }))));
  out.ecdsaVerify = (c, q, data, sig) =>
    verified(`${c}/${toHex(q)}/${toHex(sig)}/${toHex(data)}`, () => (base?.ecdsaVerify ? base.ecdsaVerify(c, q, data, sig) : NIST[c].verify(sig, data, q, { prehash: true, lowS: false })));
  if (base?.modpPow) {
    const modp = base.modpPow;
    out.modpPow = (p, e, b) => pow(`${p.toString(16)}/${e.toString(16)}/${b?.toString(16) ?? ''}`, () => modp(p, e, b));
  }
  return out;
}
