// Packet protection: every cipher × MAC round-trips, tampering is caught, and the wire bytes equal an
// independent computation with node:crypto (AES-CTR/GCM, ChaCha20, HMAC) and a bigint Poly1305.
import { describe, it, expect } from 'vitest';
import { createCipheriv, createHmac, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { CIPHERS, createOpener, createSealer, createNoneOpener, createNoneSealer, NONE_SEALER } from './ciphers.ts';
import { MACS } from './macs.ts';
import { IntegrityError, type DirectionKeys, type PacketOpener, type PacketSealer } from './types.ts';

const u8 = (b: Uint8Array | Buffer) => new Uint8Array(b);
const rnd = (n: number) => u8(randomBytes(n));
const cat = (...p: Uint8Array[]) => u8(Buffer.concat(p));
const be32 = (v: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v >>> 0);
  return u8(b);
};

/** RFC 4253 §6 packet with random padding for this sealer (independent of engine/core). */
function makePacket(payload: Uint8Array, s: { blockLen: number; lengthExcludedFromPadding: boolean }, extraBlocks = 0): Uint8Array {
  const block = Math.max(8, s.blockLen);
  const covered = (s.lengthExcludedFromPadding ? 1 : 5) + payload.length;
  let pad = block - (covered % block);
  if (pad < 4) pad += block;
  pad += extraBlocks * block;
  const len = 1 + payload.length + pad;
  return cat(be32(len), new Uint8Array([pad]), payload, rnd(pad));
}

function keysFor(cipher: string, mac: string | null): DirectionKeys {
  const c = CIPHERS[cipher]!;
  const m = mac ? MACS[mac]! : null;
  return { iv: rnd(Math.max(c.ivLen, 1)), key: rnd(c.keyLen), macKey: rnd(m?.keyLen ?? 0) };
}

function openWire(o: PacketOpener, seq: number, wire: Uint8Array): Uint8Array {
  const len = o.readLength(seq, wire.subarray(0, o.headLen));
  expect(4 + len + o.macLen).toBe(wire.length);
  return o.open(seq, wire);
}

const CIPHER_NAMES = Object.keys(CIPHERS).filter((c) => c !== 'none');
const MAC_NAMES = Object.keys(MACS);
const COMBOS: [string, string | null][] = CIPHER_NAMES.flatMap((c): [string, string | null][] => (CIPHERS[c]!.aead ? [[c, null]] : MAC_NAMES.map((m) => [c, m] as [string, string])));

// ---- independent references -------------------------------------------------------------------

/** Poly1305 (RFC 8439 §2.5) with bigint, straight from the definition. */
function poly1305Ref(key: Uint8Array, msg: Uint8Array): Uint8Array {
  const le = (b: Uint8Array) => b.reduceRight((acc, x) => (acc << 8n) | BigInt(x), 0n);
  const p = (1n << 130n) - 5n;
  const r = le(key.subarray(0, 16)) & 0x0ffffffc0ffffffc0ffffffc0fffffffn;
  const s = le(key.subarray(16, 32));
  let acc = 0n;
  for (let i = 0; i < msg.length; i += 16) {
    const chunk = msg.subarray(i, i + 16);
    const n = le(chunk) + (1n << BigInt(8 * chunk.length));
    acc = ((acc + n) * r) % p;
  }
  acc = (acc + s) & ((1n << 128n) - 1n);
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) out[i] = Number((acc >> BigInt(8 * i)) & 0xffn);
  return out;
}

function nodeChacha(key: Uint8Array, seq: number, counter: number, data: Uint8Array): Uint8Array {
  const iv = Buffer.alloc(16);
  iv.writeUInt32LE(counter, 0);
  iv.writeUInt32BE(seq >>> 0, 12); // nonce = uint64 BE seq: bytes 8..11 zero
  return u8(createCipheriv('chacha20', key, iv).update(data));
}

const nodeHash = { sha1: 'sha1', sha256: 'sha256', sha384: 'sha384', sha512: 'sha512' } as const;

/** Seals a stream of packets the way the specs say, with node:crypto. */
function referenceSealer(cipher: string, mac: string | null, keys: DirectionKeys) {
  const c = CIPHERS[cipher]!;
  if (c.name.includes('-ctr')) {
    const m = MACS[mac!]!;
    const stream = createCipheriv(`aes-${c.keyLen * 8}-ctr`, keys.key, keys.iv);
    const hm = (data: Uint8Array) => u8(createHmac(nodeHash[m.hash], keys.macKey).update(data).digest()).subarray(0, m.macLen);
    return (seq: number, packet: Uint8Array) => {
      if (m.etm) {
        const body = cat(packet.subarray(0, 4), u8(stream.update(packet.subarray(4))));
        return cat(body, hm(cat(be32(seq), body)));
      }
      return cat(u8(stream.update(packet)), hm(cat(be32(seq), packet)));
    };
  }
  if (c.name.includes('-gcm')) {
    const iv = Buffer.from(keys.iv.subarray(0, 12));
    let invocation = iv.readBigUInt64BE(4);
    return (_seq: number, packet: Uint8Array) => {
      const nonce = Buffer.from(iv);
      nonce.writeBigUInt64BE(invocation, 4);
      invocation = (invocation + 1n) & 0xffffffffffffffffn;
      const g = createCipheriv(`aes-${c.keyLen * 8}-gcm` as 'aes-128-gcm', keys.key, nonce);
      g.setAAD(packet.subarray(0, 4));
      const ct = Buffer.concat([g.update(packet.subarray(4)), g.final()]);
      return cat(packet.subarray(0, 4), u8(ct), u8(g.getAuthTag()));
    };
  }
  // chacha20-poly1305@openssh.com
  const k2 = keys.key.subarray(0, 32);
  const k1 = keys.key.subarray(32, 64);
  return (seq: number, packet: Uint8Array) => {
    const encLen = nodeChacha(k1, seq, 0, packet.subarray(0, 4));
    const polyKey = nodeChacha(k2, seq, 0, new Uint8Array(32));
    const body = nodeChacha(k2, seq, 1, packet.subarray(4));
    const ct = cat(encLen, body);
    return cat(ct, poly1305Ref(polyKey, ct));
  };
}

// ---- tests -------------------------------------------------------------------------------------

describe('bigint Poly1305 reference', () => {
  it('matches RFC 8439 §2.5.2', () => {
    const key = Buffer.from('85d6be7857556d337f4452fe42d506a80103808afb0db2fd4abff6af4149f51b', 'hex');
    const msg = Buffer.from('Cryptographic Forum Research Group');
    expect(Buffer.from(poly1305Ref(key, msg)).toString('hex')).toBe('a8061dc1305136c6c22b8baf0c0127a9');
  });
});

describe('tables', () => {
  it('have the sizes of their specifications', () => {
    expect(CIPHERS['aes128-ctr']).toMatchObject({ keyLen: 16, ivLen: 16, blockLen: 16, aead: false });
    expect(CIPHERS['aes192-ctr']).toMatchObject({ keyLen: 24, ivLen: 16, blockLen: 16 });
    expect(CIPHERS['aes256-ctr']).toMatchObject({ keyLen: 32, ivLen: 16, blockLen: 16 });
    expect(CIPHERS['aes128-gcm@openssh.com']).toMatchObject({ keyLen: 16, ivLen: 12, blockLen: 16, aead: true, tagLen: 16 });
    expect(CIPHERS['aes256-gcm@openssh.com']).toMatchObject({ keyLen: 32, ivLen: 12, blockLen: 16, aead: true, tagLen: 16 });
    expect(CIPHERS['chacha20-poly1305@openssh.com']).toMatchObject({ keyLen: 64, ivLen: 0, blockLen: 8, aead: true, tagLen: 16 });
    expect(MACS['hmac-sha2-256']).toMatchObject({ keyLen: 32, macLen: 32, etm: false, hash: 'sha256' });
    expect(MACS['hmac-sha2-512-etm@openssh.com']).toMatchObject({ keyLen: 64, macLen: 64, etm: true, hash: 'sha512' });
    expect(MACS['hmac-sha1']).toMatchObject({ keyLen: 20, macLen: 20, etm: false, hash: 'sha1' });
  });

  it('report the framing parameters of each mode', () => {
    const ctr = createOpener('aes128-ctr', 'hmac-sha2-256', keysFor('aes128-ctr', 'hmac-sha2-256'));
    expect([ctr.headLen, ctr.blockLen, ctr.macLen]).toEqual([16, 16, 32]);
    const etm = createSealer('aes256-ctr', 'hmac-sha1-etm@openssh.com', keysFor('aes256-ctr', 'hmac-sha1-etm@openssh.com'));
    expect([etm.blockLen, etm.macLen, etm.lengthExcludedFromPadding]).toEqual([16, 20, true]);
    const gcm = createOpener('aes128-gcm@openssh.com', 'hmac-sha2-256', keysFor('aes128-gcm@openssh.com', null));
    expect([gcm.headLen, gcm.blockLen, gcm.macLen, gcm.mac]).toEqual([4, 16, 16, null]);
    const cc = createSealer('chacha20-poly1305@openssh.com', null, keysFor('chacha20-poly1305@openssh.com', null));
    expect([cc.blockLen, cc.macLen, cc.lengthExcludedFromPadding]).toEqual([8, 16, true]);
  });

  it('reject unknown names', () => {
    expect(() => createSealer('des-cbc', null, keysFor('aes128-ctr', null))).toThrow(/unsupported cipher/);
    expect(() => createOpener('aes128-ctr', 'umac-64@openssh.com', keysFor('aes128-ctr', null))).toThrow(/unsupported MAC/);
  });
});

describe('none (before the first NEWKEYS)', () => {
  it('passes packets through with 8-byte blocks and a 4-byte head', () => {
    const s: PacketSealer = createNoneSealer();
    const o = createNoneOpener();
    expect([s.blockLen, s.macLen, s.lengthExcludedFromPadding, NONE_SEALER.cipher]).toEqual([8, 0, false, 'none']);
    expect([o.headLen, o.blockLen, o.macLen]).toEqual([4, 8, 0]);
    const p = makePacket(rnd(33), s);
    const wire = s.seal(0, p);
    expect(wire).toEqual(p);
    expect(openWire(o, 0, wire)).toEqual(p);
  });
});

describe.each(COMBOS)('%s + %s', (cipher, mac) => {
  it('produces the same wire bytes as node:crypto over several packets', () => {
    const keys = keysFor(cipher, mac);
    const sealer = createSealer(cipher, mac, keys);
    const ref = referenceSealer(cipher, mac, keys);
    const seqs = [3, 4, 5, 0xfffffffe, 0xffffffff, 0];
    for (const [i, seq] of seqs.entries()) {
      const packet = makePacket(rnd(i * 37), sealer, i % 2);
      expect(Buffer.from(sealer.seal(seq, packet)).toString('hex')).toBe(Buffer.from(ref(seq, packet)).toString('hex'));
    }
  });

  it('round-trips random payloads (property)', () => {
    const keys = keysFor(cipher, mac);
    const sealer = createSealer(cipher, mac, keys);
    const opener = createOpener(cipher, mac, keys);
    let seq = 0;
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.nat(3), (payload, extra) => {
        const packet = makePacket(payload, sealer, extra);
        const wire = sealer.seal(seq, packet);
        expect(wire.length).toBe(packet.length + sealer.macLen);
        expect(openWire(opener, seq, wire)).toEqual(packet);
        seq++;
      }),
      { numRuns: 40 },
    );
  });

  it('throws IntegrityError when any bit of the wire changes', () => {
    const keys = keysFor(cipher, mac);
    const sealer = createSealer(cipher, mac, keys);
    const packets = Array.from({ length: 24 }, (_, i) => makePacket(rnd(20 + i), sealer));
    const wires = packets.map((p, i) => sealer.seal(i, p));
    for (let i = 0; i < wires.length; i++) {
      // a fresh opener that has consumed packets 0..i-1 (stream ciphers keep state)
      const opener = createOpener(cipher, mac, keys);
      for (let j = 0; j < i; j++) openWire(opener, j, wires[j]!);
      const bad = wires[i]!.slice();
      const bit = (i * 997 + 13) % (bad.length * 8);
      bad[bit >> 3]! ^= 1 << (bit & 7);
      // readLength sees the unmodified head (a changed length would be refused by the framing)
      opener.readLength(i, wires[i]!.subarray(0, opener.headLen));
      expect(() => opener.open(i, bad)).toThrow(IntegrityError);
    }
  });

  it('refuses a packet opened with the wrong sequence number', () => {
    const keys = keysFor(cipher, mac);
    const sealer = createSealer(cipher, mac, keys);
    const opener = createOpener(cipher, mac, keys);
    const wire = sealer.seal(7, makePacket(rnd(50), sealer));
    if (cipher.startsWith('chacha')) {
      // the length is encrypted under the sequence number: check with the true head, wrong seq for open
      opener.readLength(7, wire.subarray(0, 4));
    } else opener.readLength(8, wire.subarray(0, opener.headLen));
    if (CIPHERS[cipher]!.name.includes('gcm')) {
      // gcm ignores seq: its nonce is the invocation counter, so the packet opens
      expect(opener.open(8, wire).length).toBe(wire.length - 16);
    } else expect(() => opener.open(8, wire)).toThrow(IntegrityError);
  });
});

describe('aes-ctr keystream continuity', () => {
  it('carries the 128-bit counter across packets and wraps at 2^128 (RFC 4344 §4)', () => {
    const keys = keysFor('aes128-ctr', 'hmac-sha2-256');
    keys.iv = u8(Buffer.from('fffffffffffffffffffffffffffffffe', 'hex'));
    const sealer = createSealer('aes128-ctr', 'hmac-sha2-256', keys);
    const ref = referenceSealer('aes128-ctr', 'hmac-sha2-256', keys);
    for (let seq = 0; seq < 4; seq++) {
      const p = makePacket(rnd(40), sealer);
      expect(sealer.seal(seq, p)).toEqual(ref(seq, p));
    }
  });
});

describe('aes-gcm invocation counter', () => {
  it('increments the 64-bit counter with carry and wraps (RFC 5647 §7.1)', () => {
    const keys = keysFor('aes256-gcm@openssh.com', null);
    keys.iv = u8(Buffer.from('01020304fffffffffffffffe', 'hex'));
    const sealer = createSealer('aes256-gcm@openssh.com', null, keys);
    const opener = createOpener('aes256-gcm@openssh.com', null, keys);
    const ref = referenceSealer('aes256-gcm@openssh.com', null, keys);
    for (let seq = 0; seq < 4; seq++) {
      const p = makePacket(rnd(40), sealer);
      const w = sealer.seal(seq, p);
      expect(w).toEqual(ref(seq, p));
      expect(openWire(opener, seq, w)).toEqual(p);
    }
  });
});
