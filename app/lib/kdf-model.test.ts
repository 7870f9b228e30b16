import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CIPHER_CHOICES, DEFAULT_SCENARIO, runScenario } from './scenario.ts';
import { buildSteps } from './steps.ts';
import { kdfModel } from './kdf-model.ts';
import { CIPHERS, MACS } from '../../engine/index.ts';

const hashOf = (algo: string) => (...parts: (Buffer | Uint8Array)[]) => createHash(algo).update(Buffer.concat(parts.map((p) => Buffer.from(p)))).digest();
const sha256 = hashOf('sha256');

describe('key-derivation model', () => {
  it('H is SHA-256 of the concatenated inputs, recomputed with node:crypto', () => {
    const m = kdfModel(buildSteps(runScenario(DEFAULT_SCENARIO).events))!;
    expect(m.inputs.map((i) => i.name)).toEqual(['V_C', 'V_S', 'I_C', 'I_S', 'K_S', 'Q_C', 'Q_S', 'K']);
    const input = Buffer.concat(m.inputs.map((i) => Buffer.from(i.hex, 'hex')));
    expect(sha256(input).toString('hex')).toBe(m.H);
    expect(m.sessionId).toBe(m.H);
    expect(m.inputs[0]!.text).toMatch(/^SSH-2\.0-/);
  });

  it('derives A–F as RFC 4253 §7.2 says (node:crypto), with key lengths of the chosen algorithms', () => {
    for (const cipher of CIPHER_CHOICES) {
      const run = runScenario({ ...DEFAULT_SCENARIO, cipher });
      const steps = buildSteps(run.events);
      const m = kdfModel(steps)!;
      expect(m.keys.map((k) => k.letter)).toEqual(['A', 'B', 'C', 'D', 'E', 'F']);
      const hash = hashOf(m.hash);
      const K = Buffer.from(m.K, 'hex');
      const H = Buffer.from(m.H, 'hex');
      const spec = CIPHERS[cipher]!;
      const mac = spec.aead ? null : MACS[DEFAULT_SCENARIO.mac]!;
      const want: Record<string, number> = { A: spec.ivLen, B: spec.ivLen, C: spec.keyLen, D: spec.keyLen, E: mac?.keyLen ?? 0, F: mac?.keyLen ?? 0 };
      for (const k of m.keys) {
        expect(k.value.length / 2, `${cipher} ${k.letter}`).toBe(want[k.letter]);
        if (!k.needed) continue;
        let out = hash(K, H, Buffer.from(k.letter), H);
        while (out.length < want[k.letter]!) out = Buffer.concat([out, hash(K, H, out)]);
        expect(k.value).toBe(out.subarray(0, want[k.letter]).toString('hex'));
      }
      // inputs become known no later than H; keys after H
      expect(Math.max(...m.inputs.map((i) => i.knownAt))).toBeLessThanOrEqual(m.hAt);
      expect(m.keysAt).toBeGreaterThan(m.hAt);
    }
  });
});

describe('key-derivation model for every key exchange method', () => {
  it('H = HASH(inputs) and A–F follow from K and H, for each KEX the client can ask for', async () => {
    const { KEX_CHOICES } = await import('./scenario.ts');
    for (const kex of KEX_CHOICES) {
      const run = runScenario({ ...DEFAULT_SCENARIO, kex });
      const m = kdfModel(buildSteps(run.events));
      expect(m, kex).not.toBeNull();
      expect(m!.kex).toBe(kex);
      const hash = (...parts: Buffer[]) => createHash(m!.hash).update(Buffer.concat(parts)).digest();
      expect(hash(...m!.inputs.map((i) => Buffer.from(i.hex, 'hex'))).toString('hex'), kex).toBe(m!.H);
      const c = m!.keys.find((k) => k.letter === 'C')!;
      const K = Buffer.from(m!.K, 'hex');
      const H = Buffer.from(m!.H, 'hex');
      let out = hash(K, H, Buffer.from('C'), H);
      while (out.length < c.value.length / 2) out = Buffer.concat([out, hash(K, H, out)]);
      expect(c.value, kex).toBe(out.subarray(0, c.value.length / 2).toString('hex'));
      expect(run.stdout).toBe('hello from sshscope\n');
    }
  }, 60_000);
});
