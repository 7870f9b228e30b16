import { describe, it, expect } from 'vitest';
import { checkPrimeSync, createDiffieHellman, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { KEX } from './kex.ts';
import { MODULI, MODULI_TEXT, parseModuli, chooseModulus } from './moduli.ts';
import { MODP_GROUP_14, MODP_GROUP_16, MODP_GROUP_18 } from './modp-groups.ts';

const big = (b: Uint8Array) => BigInt('0x' + (Buffer.from(b).toString('hex') || '0'));
const rnd = (n: number) => new Uint8Array(randomBytes(n));
const bitsOf = (v: bigint) => v.toString(2).length;

describe('moduli table (moduli(5), OpenSSH dh.c parse_prime)', () => {
  it('has two safe primes of each size OpenSSH ships', () => {
    const sizes = MODULI.map((m) => m.size);
    for (const s of [2048, 3072, 4096, 6144, 7680, 8192]) expect(sizes.filter((x) => x === s).length).toBe(2);
    for (const m of MODULI) expect(bitsOf(m.p)).toBe(m.size);
  });

  it.skipIf(!existsSync('/etc/ssh/moduli'))('every line is copied from the system /etc/ssh/moduli', () => {
    const system = new Set(readFileSync('/etc/ssh/moduli', 'utf8').split('\n').map((l) => l.trim()));
    const ours = MODULI_TEXT.split('\n').filter((l) => l && !l.startsWith('#'));
    expect(ours.length).toBe(12);
    for (const l of ours) expect(system.has(l)).toBe(true);
  });

  it('the 2048-bit entries are safe primes (node:crypto checkPrime)', () => {
    for (const m of MODULI.filter((x) => x.size === 2048)) {
      expect(checkPrimeSync(m.p)).toBe(true);
      expect(checkPrimeSync((m.p - 1n) / 2n)).toBe(true);
    }
  });

  it('skips lines OpenSSH would skip', () => {
    const good = MODULI_TEXT.split('\n')[1]!;
    const f = good.split(' ');
    const variant = (i: number, v: string) => f.map((x, j) => (j === i ? v : x)).join(' ');
    expect(parseModuli(good).length).toBe(1);
    expect(parseModuli(variant(1, '1')).length).toBe(0); // not a safe prime
    expect(parseModuli(variant(2, '1')).length).toBe(0); // composite
    expect(parseModuli(variant(2, '0')).length).toBe(0); // untested
    expect(parseModuli(variant(3, '0')).length).toBe(0); // no trials
    expect(parseModuli(variant(4, '2048')).length).toBe(0); // size mismatch
    expect(parseModuli('# comment\n\n' + good).length).toBe(1);
  });
});

describe('choose_dh (OpenSSH dh.c) and the gex request', () => {
  const spec = KEX['diffie-hellman-group-exchange-sha256']!;
  it('asks like OpenSSH kexgexc.c: min 2048, n = dh_estimate, max 8192', () => {
    expect(spec.gex!.request(128)).toEqual({ min: 2048, n: 3072, max: 8192 });
    expect(spec.gex!.request(256)).toEqual({ min: 2048, n: 8192, max: 8192 });
    expect(spec.gex!.request(64)).toEqual({ min: 2048, n: 2048, max: 8192 });
  });

  it('picks the smallest size ≥ n within [min, max], else the largest below n', () => {
    const size = (min: number, n: number, max: number) => {
      const g = spec.gex!.chooseGroup(min, n, max);
      return g ? bitsOf(g.p) : null;
    };
    expect(size(2048, 8192, 8192)).toBe(8192);
    expect(size(2048, 3072, 8192)).toBe(3072);
    expect(size(2048, 3000, 8192)).toBe(3072);
    expect(size(2048, 5000, 8192)).toBe(6144);
    expect(size(2048, 7680, 8192)).toBe(7680);
    expect(size(2048, 8192, 7000)).toBe(6144);
    expect(size(1024, 1024, 1024)).toBe(null); // clamped to min 2048 > max
    expect(size(1024, 1024, 2048)).toBe(2048);
    expect(size(9000, 9000, 10000)).toBe(null); // clamped: min 9000 > max 8192
  });

  it('falls back to the fixed groups when no moduli entry fits (dh_new_group_fallback)', () => {
    expect(chooseModulus(2048, 2048, 2048, [])!.p).toBe(MODP_GROUP_14.p);
    expect(chooseModulus(2048, 4096, 4096, [])!.p).toBe(MODP_GROUP_16.p);
    expect(chooseModulus(2048, 8192, 8192, [])!.p).toBe(MODP_GROUP_18.p);
    expect(chooseModulus(2048, 2048, 2047, [])).toBe(null);
  });

  it.each(['diffie-hellman-group-exchange-sha256', 'diffie-hellman-group-exchange-sha1'])('%s: inGroup runs DH in the chosen group, as node:crypto does', (name) => {
    const s = KEX[name]!;
    expect(s.family).toBe('gex');
    expect(s.hash).toBe(name.endsWith('sha1') ? 'sha1' : 'sha256');
    expect(() => s.startClient(rnd)).toThrow();
    const g = s.gex!.chooseGroup(2048, 2048, 8192)!;
    const inner = s.gex!.inGroup(g.p, g.g);
    expect(inner.family).toBe('dh');
    const nodeDh = createDiffieHellman(Buffer.from(g.p.toString(16), 'hex'), Buffer.from(g.g.toString(16).padStart(2, '0'), 'hex'));
    nodeDh.generateKeys();
    const c = inner.startClient(rnd);
    const r = c.finish(new Uint8Array(nodeDh.getPublicKey()));
    expect(big(r.secret)).toBe(big(nodeDh.computeSecret(Buffer.from(c.clientPublic))));
    const sv = inner.respond(rnd, new Uint8Array(nodeDh.getPublicKey()));
    expect(big(sv.secret)).toBe(big(nodeDh.computeSecret(Buffer.from(sv.serverPublic))));
  });
});
