import { describe, it, expect } from 'vitest';
import { Buffer } from 'node:buffer';
import { createPublicKey } from 'node:crypto';
import { clientConfigFor, DEFAULT_FORM, formProblems, loadPrivateKeyText, targetLabel, viewEvents } from './real-server.ts';
import { buildSteps } from './steps.ts';
import { ED25519_ENCRYPTED, ED25519_ENCRYPTED_PASSPHRASE, ED25519_ENCRYPTED_PUBLIC, ED25519_PRIVATE, ED25519_PUBLIC } from '../../engine/keys/fixtures.test-data.ts';
import { DEFAULT_KEX } from '../../engine/algorithms/defaults.ts';
import { runSession } from './session-runner.ts';
import { DEFAULT_SCENARIO, scenarioSetup } from './scenario.ts';
import type { SshEvent } from '../../engine/index.ts';

describe('loadPrivateKeyText', () => {
  it('reads an ssh-keygen ed25519 key: its public line is the .pub ssh-keygen wrote', () => {
    const r = loadPrivateKeyText(ED25519_PRIVATE);
    if (!r.ok) throw new Error(r.message);
    expect(r.publicLine).toBe(ED25519_PUBLIC.trim());
    // the raw 32-byte public key inside the blob is the one node:crypto derives as SPKI (independent)
    const blob = Buffer.from(ED25519_PUBLIC.split(' ')[1]!, 'base64');
    const jwk = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: blob.subarray(blob.length - 32).toString('base64url') }, format: 'jwk' }).export({ format: 'jwk' });
    expect(jwk.x).toBe(Buffer.from((r.key as unknown as { publicKey: Uint8Array }).publicKey).toString('base64url'));
  });

  it('asks for the passphrase of an encrypted key, says when it is wrong, opens with the right one', () => {
    expect(loadPrivateKeyText(ED25519_ENCRYPTED)).toMatchObject({ ok: false, needPassphrase: true, wrong: false });
    expect(loadPrivateKeyText(ED25519_ENCRYPTED, 'nope')).toMatchObject({ ok: false, needPassphrase: true, wrong: true });
    const r = loadPrivateKeyText(ED25519_ENCRYPTED, ED25519_ENCRYPTED_PASSPHRASE);
    expect(r.ok && r.publicLine).toBe(ED25519_ENCRYPTED_PUBLIC.trim());
  });

  it('refuses what is not a key, with a message', () => {
    const r = loadPrivateKeyText('hello');
    expect(r).toMatchObject({ ok: false, needPassphrase: false });
    expect((r as { message: string }).message.length).toBeGreaterThan(0);
  });
});

describe('the form', () => {
  it('targetLabel brackets IPv6', () => {
    expect(targetLabel('127.0.0.1', 22)).toBe('127.0.0.1:22');
    expect(targetLabel('::1', 2222)).toBe('[::1]:2222');
  });

  it('formProblems names each missing piece', () => {
    expect(formProblems({ ...DEFAULT_FORM, user: 'u', password: 'p' })).toEqual([]);
    expect(formProblems({ ...DEFAULT_FORM, host: 'a b', port: 0, user: '', password: '' })).toEqual(['real.err.host', 'real.err.port', 'real.err.user', 'real.err.auth']);
  });

  it('clientConfigFor: a chosen algorithm goes first, the defaults follow; methods follow what was given', async () => {
    const key = loadPrivateKeyText(ED25519_PRIVATE);
    if (!key.ok) throw new Error(key.message);
    const cfg = await clientConfigFor({ ...DEFAULT_FORM, user: ' alice ', password: 'pw', key: key.key, kex: 'curve25519-sha256' });
    expect(cfg.username).toBe('alice');
    expect(cfg.authMethods).toEqual(['publickey', 'password']);
    expect(cfg.algorithms?.kex?.[0]).toBe('curve25519-sha256');
    expect([...cfg.algorithms!.kex!].sort()).toEqual([...DEFAULT_KEX].sort());
    expect(cfg.algorithms?.cipher).toBeUndefined();
    const pwOnly = await clientConfigFor({ ...DEFAULT_FORM, user: 'bob', password: 'pw' });
    expect(pwOnly.authMethods).toEqual(['password']);
    expect(pwOnly.algorithms).toBeUndefined();
  });
});

describe('viewEvents', () => {
  it('a client-only log keeps every packet of both directions once, like the two-sided log does', () => {
    // independent truth: the in-memory pair logs both sides; its steps are what the views show
    const setup = scenarioSetup({ ...DEFAULT_SCENARIO, tamper: null });
    const both = runSession(setup.client, setup.server, 'echo hi').events;
    const clientOnly = both.filter((e) => e.side === 'client');
    const want = buildSteps(both).filter((s) => s.event.type === 'packet').map((s) => `${(s.event as { dir: string }).dir} ${(s.event as { msg: string }).msg}`);
    const got = buildSteps(viewEvents(clientOnly)).filter((s) => s.event.type === 'packet').map((s) => `${(s.event as { dir: string }).dir} ${(s.event as { msg: string }).msg}`);
    // same packets; the order is the client's (what it received interleaves with what it sent)
    expect([...got].sort()).toEqual([...want].sort());
    expect(got.filter((g) => g.startsWith('c2s'))).toEqual(want.filter((w) => w.startsWith('c2s')));
    expect(got.filter((g) => g.startsWith('s2c'))).toEqual(want.filter((w) => w.startsWith('s2c')));
    // the server's verdicts on authentication appear (as received by the client)
    const auth = buildSteps(viewEvents(clientOnly)).filter((s) => s.event.type === 'auth').map((s) => (s.event as Extract<SshEvent, { type: 'auth' }>).result);
    expect(auth).toContain('success');
    expect(buildSteps(viewEvents(clientOnly)).some((s) => s.phase === 5)).toBe(true);
  });
});
