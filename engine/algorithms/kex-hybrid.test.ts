import { describe, it, expect } from 'vitest';
import { createHash, createPrivateKey, createPublicKey, diffieHellman } from 'node:crypto';
import { ml_kem768 } from '@noble/post-quantum/ml-kem.js';
import { HYBRID_KEX } from './kex-hybrid.ts';
import { KEX } from './kex.ts';
import { KexError } from './types.ts';
import { seededEnv } from '../env.ts';
import { generateEd25519 } from './signatures.ts';
import { runExec } from '../core/session-harness.ts';
import type { ClientConfig, ServerConfig } from '../core/config.ts';
import type { SshEvent } from '../events.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** node:crypto X25519 from raw keys (independent of noble). */
function nodeX25519(priv: Uint8Array, pub: Uint8Array): Uint8Array {
  const privateKey = createPrivateKey({ key: Buffer.concat([Buffer.from('302e020100300506032b656e04220420', 'hex'), priv]), format: 'der', type: 'pkcs8' });
  const publicKey = createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b656e032100', 'hex'), pub]), format: 'der', type: 'spki' });
  return new Uint8Array(diffieHellman({ privateKey, publicKey }));
}

/** A reproducible byte source that remembers every chunk it handed out. */
function recordingRandom(seed: string) {
  let n = 0;
  const calls: Uint8Array[] = [];
  const random = (len: number) => {
    const out = new Uint8Array(len);
    for (let o = 0; o < len; o += 64) {
      out.set(createHash('sha512').update(`${seed}:${n++}`).digest().subarray(0, Math.min(64, len - o)), o);
    }
    calls.push(out);
    return out;
  };
  return { random, calls };
}

const CASES = [
  { name: 'sntrup761x25519-sha512@openssh.com', hash: 'sha512', pk: 1158, ct: 1039, kem: 'sntrup761' },
  { name: 'sntrup761x25519-sha512', hash: 'sha512', pk: 1158, ct: 1039, kem: 'sntrup761' },
  { name: 'mlkem768x25519-sha256', hash: 'sha256', pk: 1184, ct: 1088, kem: 'ML-KEM-768' },
] as const;

describe.each(CASES)('$name', ({ name, hash, pk, ct, kem }) => {
  const spec = HYBRID_KEX[name]!;

  it('is a hybrid-family method with K as a string, registered in KEX', () => {
    expect([spec.name, spec.family, spec.hash, spec.kEncoding]).toEqual([name, 'hybrid', hash, 'string']);
    expect(KEX[name]).toBe(spec);
  });

  it('both sides derive K = string HASH(PQ secret || X25519 secret), checked with node:crypto', () => {
    const c = recordingRandom(`${name}-client`);
    const s = recordingRandom(`${name}-server`);
    const client = spec.startClient(c.random);
    expect(client.clientPublic.length).toBe(pk + 32);
    const cX = c.calls.at(-1)!; // the X25519 private key is drawn last, after the KEM key pair
    const server = spec.respond(s.random, client.clientPublic);
    expect(server.serverPublic.length).toBe(ct + 32);
    const sX = s.calls.at(-1)!;
    const done = client.finish(server.serverPublic);

    // X25519 half, computed independently from the captured private keys and the sent public keys.
    const xShared = nodeX25519(cX, server.serverPublic.subarray(ct));
    expect(hex(nodeX25519(sX, client.clientPublic.subarray(pk)))).toBe(hex(xShared));

    const pqClient = done.trace!.find((t) => t.name === kem)!.value;
    const pqServer = server.trace!.find((t) => t.name === kem)!.value;
    expect(pqClient).toBe(pqServer);
    expect(pqClient).toHaveLength(64);
    expect(done.trace!.find((t) => t.name === 'X25519')!.value).toBe(hex(xShared));

    const k = createHash(hash).update(Buffer.concat([Buffer.from(pqClient, 'hex'), xShared])).digest();
    const len = Buffer.alloc(4);
    len.writeUInt32BE(k.length);
    const expectedK = hex(Buffer.concat([len, k]));
    expect(hex(done.encodedK)).toBe(expectedK);
    expect(hex(server.encodedK)).toBe(expectedK);
    expect(hex(done.secret)).toBe(hex(k));
    expect(done.trace!.map((t) => t.name)).toEqual([kem, 'X25519', 'combine', 'K']);
  });

  it('is reproducible from its randomness', () => {
    const a = spec.startClient(recordingRandom('same').random);
    const b = spec.startClient(recordingRandom('same').random);
    expect(hex(a.clientPublic)).toBe(hex(b.clientPublic));
    const ra = spec.respond(recordingRandom('srv').random, a.clientPublic);
    const rb = spec.respond(recordingRandom('srv').random, b.clientPublic);
    expect(hex(ra.serverPublic)).toBe(hex(rb.serverPublic));
    expect(hex(ra.encodedK)).toBe(hex(rb.encodedK));
  });

  it('rejects Q_C and Q_S of the wrong length with a KexError naming the field', () => {
    const client = spec.startClient(recordingRandom('len').random);
    expect(() => spec.respond(recordingRandom('x').random, client.clientPublic.subarray(1))).toThrow(KexError);
    expect(() => spec.respond(recordingRandom('x').random, client.clientPublic.subarray(1))).toThrow(new RegExp(`Q_C must be ${pk + 32} bytes`));
    const server = spec.respond(recordingRandom('x').random, client.clientPublic);
    expect(() => client.finish(concat(server.serverPublic, new Uint8Array(1)))).toThrow(new RegExp(`Q_S must be ${ct + 32} bytes.*got ${ct + 33}`));
    expect(() => client.finish(new Uint8Array(0))).toThrow(KexError);
  });

  it('refuses a low-order X25519 point (all-zero shared secret)', () => {
    const client = spec.startClient(recordingRandom('zero').random);
    const badQc = client.clientPublic.slice();
    badQc.fill(0, pk); // the X25519 public key 0 is a point of small order
    expect(() => spec.respond(recordingRandom('y').random, badQc)).toThrow(KexError);
    const server = spec.respond(recordingRandom('y').random, client.clientPublic);
    const badQs = server.serverPublic.slice();
    badQs.fill(0, ct);
    expect(() => client.finish(badQs)).toThrow(/X25519/);
  });

  it('a tampered ciphertext gives a different K without an error (implicit rejection)', () => {
    const client = spec.startClient(recordingRandom('tamper').random);
    const server = spec.respond(recordingRandom('t').random, client.clientPublic);
    const bad = server.serverPublic.slice();
    bad[10]! ^= 0x80;
    const done = client.finish(bad);
    expect(hex(done.encodedK)).not.toBe(hex(server.encodedK));
    expect(done.encodedK.length).toBe(server.encodedK.length);
  });
});

describe('mlkem768x25519-sha256 specifics', () => {
  const spec = HYBRID_KEX['mlkem768x25519-sha256']!;

  it('puts a real ML-KEM-768 encapsulation key in Q_C: noble encapsulates to it and the client recovers the key', () => {
    const c = recordingRandom('mlkem-direct');
    const client = spec.startClient(c.random);
    // Encapsulate with the library directly (not through our respond) and hand-build Q_S.
    const { cipherText, sharedSecret } = ml_kem768.encapsulate(client.clientPublic.subarray(0, 1184), new Uint8Array(32).fill(7));
    const xServerPriv = new Uint8Array(32).fill(9);
    const xServerPub = new Uint8Array(createPublicKey(createPrivateKey({ key: Buffer.concat([Buffer.from('302e020100300506032b656e04220420', 'hex'), xServerPriv]), format: 'der', type: 'pkcs8' })).export({ format: 'der', type: 'spki' }).subarray(12));
    const done = client.finish(concat(cipherText, xServerPub));
    const xShared = nodeX25519(xServerPriv, client.clientPublic.subarray(1184));
    const k = createHash('sha256').update(Buffer.concat([sharedSecret, xShared])).digest();
    expect(hex(done.secret)).toBe(hex(k));
  });

  it('the server refuses an encapsulation key that fails the FIPS 203 modulus check', () => {
    const client = spec.startClient(recordingRandom('modulus').random);
    const bad = client.clientPublic.slice();
    bad.fill(0xff, 0, 3); // two 12-bit coefficients of 4095 >= q = 3329
    expect(() => spec.respond(recordingRandom('z').random, bad)).toThrow(/ML-KEM-768 encapsulation key is invalid/);
  });
});

describe.each(Object.keys(HYBRID_KEX))('in-memory session with %s (session-harness runExec, seeded env)', (name) => {
  function session(seed: string) {
    const hostKeyEnv = seededEnv(`${seed}/hostkey`);
    const server: ServerConfig = {
      env: seededEnv(`${seed}/server`),
      hostKeys: [generateEd25519((n) => hostKeyEnv.randomBytes(n))],
      users: [{ name: 'alice', password: 'wonderland' }],
      algorithms: { kex: [name] },
    };
    const client: ClientConfig = {
      env: seededEnv(`${seed}/client`),
      username: 'alice',
      password: 'wonderland',
      authMethods: ['password'],
      hostKeyCheck: () => 'unknown',
      acceptUnknownHostKey: true,
      algorithms: { kex: [name, 'curve25519-sha256'] },
    };
    return runExec(client, server, 'echo hi');
  }

  it('negotiates it, exchanges hybrid messages of the right sizes and runs echo hi', () => {
    const r = session(`hybrid-${name}`);
    expect(r.events.filter((e) => e.type === 'error')).toEqual([]);
    expect(new TextDecoder().decode(r.stdout)).toBe('hi\n');
    expect(r.exitStatus).toBe(0);
    const negotiated = r.events.find((e) => e.type === 'negotiated' && e.side === 'client') as Extract<SshEvent, { type: 'negotiated' }>;
    expect(negotiated.rows.find((row) => row.category === 'kex')!.chosen).toBe(name);
    const sent = (msg: string, side: 'client' | 'server') =>
      r.events.find((e) => e.type === 'packet' && e.side === side && e.dir === (side === 'client' ? 'c2s' : 's2c') && e.msg === msg) as Extract<SshEvent, { type: 'packet' }> | undefined;
    const init = sent('SSH_MSG_KEX_HYBRID_INIT', 'client')!;
    const reply = sent('SSH_MSG_KEX_HYBRID_REPLY', 'server')!;
    const [pk, ct] = name.startsWith('mlkem') ? [1184, 1088] : [1158, 1039];
    // byte 30 || string Q_C
    expect(init.payload.length).toBe(1 + 4 + pk + 32);
    expect(init.payload[0]).toBe(30);
    expect(reply.payload[0]).toBe(31);
    expect(new DataView(reply.payload.buffer, reply.payload.byteOffset).getUint32(1)).toBeGreaterThan(0);
    expect(Array.from(r.client.sessionId!)).toEqual(Array.from(r.server.sessionId!));
    // Q_S sits after string K_S in the reply.
    const ksLen = new DataView(reply.payload.buffer, reply.payload.byteOffset).getUint32(1);
    expect(new DataView(reply.payload.buffer, reply.payload.byteOffset).getUint32(5 + ksLen)).toBe(ct + 32);
  });

  it('is byte-reproducible with the same seed', () => {
    const wire = (r: ReturnType<typeof session>) =>
      hex(Buffer.concat(r.events.filter((e) => e.type === 'packet' && e.side === 'client').map((e) => (e as { wire: Uint8Array }).wire)));
    expect(wire(session('repro'))).toBe(wire(session('repro')));
  });
});

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
