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

describe('key-derivation model across a rekey (RFC 4253 §9)', () => {
  it('each round has its own K and H; session_id stays the first H; A–F use both', async () => {
    const { runExec } = await import('../../engine/core/session-harness.ts');
    const { generateEd25519, seededEnv } = await import('../../engine/index.ts');
    const { kdfRounds } = await import('./kdf-model.ts');
    const hk = seededEnv('rekey/hk');
    const hostKey = generateEd25519((n) => hk.randomBytes(n));
    const events: import('../../engine/index.ts').SshEvent[] = [];
    const algorithms = { kex: ['curve25519-sha256'], cipher: ['aes128-ctr'], mac: ['hmac-sha2-256'] };
    runExec(
      { env: seededEnv('rekey/c'), username: 'alice', password: 'pw', hostKeyCheck: () => 'unknown', acceptUnknownHostKey: true, rekeyBytes: 4096, algorithms },
      { env: seededEnv('rekey/s'), hostKeys: [hostKey], users: [{ name: 'alice', password: 'pw' }], rekeyBytes: 4096, algorithms },
      'cat',
      new Uint8Array(20000).fill(0x61),
      { onEvent: (e) => void events.push(e) },
    );
    const steps = buildSteps(events);
    const n = kdfRounds(steps);
    expect(n).toBeGreaterThanOrEqual(2);
    const m0 = kdfModel(steps, 0)!;
    const m1 = kdfModel(steps, 1)!;
    expect(m1.round).toBe(1);
    expect(m1.rounds).toBe(n);
    expect(m1.H).not.toBe(m0.H);
    expect(m1.K).not.toBe(m0.K);
    expect(m1.sessionId).toBe(m0.H);
    // H1 = SHA-256(inputs of round 1), recomputed independently
    expect(sha256(Buffer.concat(m1.inputs.map((i) => Buffer.from(i.hex, 'hex')))).toString('hex')).toBe(m1.H);
    const K = Buffer.from(m1.K, 'hex');
    const H = Buffer.from(m1.H, 'hex');
    const sid = Buffer.from(m0.H, 'hex');
    const c = m1.keys.find((k) => k.letter === 'C')!;
    expect(c.value).toBe(sha256(K, H, Buffer.from('C'), sid).subarray(0, 16).toString('hex'));
    // the round's KEXINITs are known only after the previous round's keys
    const ic = m1.inputs.find((i) => i.name === 'I_C')!;
    expect(ic.knownAt).toBeGreaterThan(m0.keysAt);
    expect(m1.hAt).toBeGreaterThan(m0.keysAt);
    // out of range → clamped to the last round
    expect(kdfModel(steps, 99)!.round).toBe(n - 1);
  });
});
