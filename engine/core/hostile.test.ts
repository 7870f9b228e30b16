// The hostile-input catalogue (issue 8; table in docs/reliability.md). Each case feeds one malformed
// or out-of-place input to a connection and checks the exact outcome: the SSH_MSG_DISCONNECT reason
// (RFC 4253 §11.1) with the field and offset the error event names, or SSH_MSG_UNIMPLEMENTED
// (RFC 4253 §11.4) when the connection must go on. Cases already in connection-behaviour.test.ts
// and version-exchange.test.ts are referenced, not repeated.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createDiffieHellman, createECDH, createHash, getDiffieHellman } from 'node:crypto';
import { createClient, createServer, type Connection } from './connection.ts';
import { REASON } from './errors.ts';
import { MAX_PACKET_LENGTH } from './binary-packet.ts';
import { decodeMessage, encodeMessage, type SshMessage } from '../wire/messages.ts';
import { fromHex } from '../wire/codec.ts';
import { SIGNATURES, generateEd25519, publicKeyBlob } from '../algorithms/signatures.ts';
import { seededEnv } from '../env.ts';
import type { SshEvent } from '../events.ts';
import {
  HOSTILE_VERSION,
  InterceptedPair,
  TAKEOVER_CIPHER,
  drain,
  drainTransmit,
  errorsOf,
  hostileConfigs,
  packetsOf,
  plainMessage,
  plainPacket,
  rawFrame,
  type PacketEvent,
} from './hostile-helpers.ts';

const enc = new TextEncoder();
const chacha = { algorithms: { cipher: [TAKEOVER_CIPHER] } };

/** A fresh server that has read our version line and the KEXINIT of a real client. */
function serverAfterKexinit(seed: string, c: Parameters<typeof hostileConfigs>[1] = {}, s: Parameters<typeof hostileConfigs>[2] = {}) {
  const cfg = hostileConfigs(seed, c, s);
  const client = createClient(cfg.client);
  const server = createServer(cfg.server);
  server.receive(client.pollTransmit()!); // version line + KEXINIT
  drain(server);
  drainTransmit(server);
  return { server, client, cfg };
}

/** A fresh server that has read only the version line of a real client (whose KEXINIT is still queued in its events). */
function serverAfterKexinitParts(seed: string) {
  const cfg = hostileConfigs(seed);
  const client = createClient(cfg.client);
  const server = createServer(cfg.server);
  const out = client.pollTransmit()!;
  server.receive(out.subarray(0, out.indexOf(0x0a) + 1));
  drain(server);
  drainTransmit(server);
  return { server, client };
}

/** A fresh server that has only read a version line. */
function serverAfterVersion(seed: string): Connection {
  const server = createServer(hostileConfigs(seed).server);
  server.receive(HOSTILE_VERSION);
  drain(server);
  drainTransmit(server);
  return server;
}

/** The one error event of `events`, with the DISCONNECT that must follow it. */
function theError(conn: Connection, events: SshEvent[]) {
  const errors = errorsOf(events, conn.side);
  expect(errors).toHaveLength(1);
  expect(conn.closed).toBe(true);
  const sent = packetsOf(events, conn.side).filter((p) => p.dir === (conn.side === 'client' ? 'c2s' : 's2c') && p.msg === 'SSH_MSG_DISCONNECT');
  expect(sent).toHaveLength(1);
  // The DISCONNECT on the wire carries the same reason code as the error event (RFC 4253 §11.1).
  const reasonOnWire = new DataView(sent[0]!.payload.buffer, sent[0]!.payload.byteOffset).getUint32(1);
  expect(reasonOnWire).toBe(errors[0]!.reason);
  return errors[0]!;
}

/** A pair driven until the client has a session channel open; the client side can then be taken over. */
function openSessionPair(seed: string, s: Parameters<typeof hostileConfigs>[2] = {}) {
  const pair = new InterceptedPair(hostileConfigs(seed, chacha, { ...chacha, ...s }));
  let ch = -1;
  let remoteId = -1;
  pair.pump((e, from) => {
    if (from !== 'client') return;
    if (e.type === 'auth' && e.result === 'success') ch = pair.client.command({ type: 'open-session' });
    if (e.type === 'channel' && e.change === 'open' && e.id === ch) remoteId = (e.detail as { remoteId: number }).remoteId;
  });
  expect(remoteId).toBeGreaterThanOrEqual(0);
  return { pair, ch, remoteId };
}


/**
 * In a key exchange reply with an ssh-ed25519 host key (the hostile setups' key), f or Q_S follows
 * packet_length (4), padding_length (1), the message number (1) and string K_S, whose blob is
 * string "ssh-ed25519" and string of the 32-byte key (RFC 8709 §4): 4 + 1 + 1 + 4 + (4 + 11 + 4 + 32).
 */
const F_OR_Q_S_OFFSET = 4 + 1 + 1 + 4 + (4 + 11 + 4 + 32);

describe('binary packet framing (RFC 4253 §6)', () => {
  it('packet_length 0 is refused as soon as its 4 bytes arrive', () => {
    const s = serverAfterVersion('len0');
    s.receive(new Uint8Array([0, 0, 0, 0]));
    const err = theError(s, drain(s));
    expect(err).toMatchObject({ reason: REASON.PROTOCOL_ERROR, field: 'packet_length', offset: 0, local: true });
  });

  it('packet_length 1..4 is too short to hold padding_length and 4 bytes of padding', () => {
    for (const len of [1, 2, 3, 4]) {
      const s = serverAfterVersion(`len-short-${len}`);
      s.receive(rawFrame(len, 4, 0).subarray(0, 4));
      const err = theError(s, drain(s));
      expect(err).toMatchObject({ reason: REASON.PROTOCOL_ERROR, field: 'packet_length', offset: 0 });
    }
  });

  it('padding_length larger than packet_length - 1 (no room for a message number)', () => {
    const s = serverAfterVersion('pad-too-long');
    s.receive(rawFrame(12, 12));
    const err = theError(s, drain(s));
    expect(err).toMatchObject({ reason: REASON.PROTOCOL_ERROR, field: 'padding_length', offset: 4 });
  });

  it('packet_length over the 256 KiB limit is refused from the length alone (nothing buffered)', () => {
    for (const len of [MAX_PACKET_LENGTH + 1, 0x7fffffff, 0xffffffff]) {
      const s = serverAfterVersion(`len-big-${len}`);
      s.receive(rawFrame(len, 4, 0).subarray(0, 4));
      const err = theError(s, drain(s));
      expect(err).toMatchObject({ reason: REASON.PROTOCOL_ERROR, field: 'packet_length', offset: 0 });
    }
    // At the limit the packet is accepted: the server waits for its body.
    const s = serverAfterVersion('len-limit');
    s.receive(rawFrame(MAX_PACKET_LENGTH, 4, 100));
    expect(errorsOf(drain(s))).toEqual([]);
    expect(s.closed).toBe(false);
  });

  it('a packet whose length (plus the 4 length bytes) is not a multiple of the 8-byte block', () => {
    const payload = encodeMessage({ name: 'SSH_MSG_IGNORE', data: new Uint8Array(0) });
    for (const len of [13, 14, 19]) {
      const s = serverAfterVersion(`len-block-${len}`);
      const pad = len - 1 - payload.length;
      s.receive(rawFrame(len, pad, len - 1, payload));
      const err = theError(s, drain(s));
      expect((len + 4) % 8).not.toBe(0);
      expect(err).toMatchObject({ reason: REASON.PROTOCOL_ERROR, field: 'packet_length', offset: 0 });
    }
  });

  it('padding_length below 4', () => {
    for (const pad of [0, 1, 3]) {
      const s = serverAfterVersion(`pad-${pad}`);
      s.receive(rawFrame(12, pad));
      const err = theError(s, drain(s));
      expect(err).toMatchObject({ reason: REASON.PROTOCOL_ERROR, field: 'padding_length', offset: 4 });
    }
  });

  it('an empty payload (no message number)', () => {
    const s = serverAfterVersion('empty-payload');
    s.receive(rawFrame(12, 11));
    const err = theError(s, drain(s));
    expect(err).toMatchObject({ reason: REASON.PROTOCOL_ERROR, field: 'payload', offset: 5 });
  });
});

describe('binary packet framing, any length and padding (fast-check against the RFC 4253 §6 rules)', () => {
  it('the outcome is what the rules predict, checked in their order, and receive() never throws', () => {
    const frame = fc.oneof(
      fc.record({ len: fc.integer({ min: 0, max: 700 }), pad: fc.integer({ min: 0, max: 255 }), seed: fc.nat() }),
      fc.record({ len: fc.integer({ min: MAX_PACKET_LENGTH - 2, max: 0xffffffff }), pad: fc.integer({ min: 0, max: 255 }), seed: fc.nat() }),
    );
    fc.assert(
      fc.property(frame, ({ len, pad, seed }) => {
        const { server } = serverAfterKexinit(`framing-prop-${seed % 4}`, { strictKex: false }, { strictKex: false });
        const bodyLength = len >= 5 && len <= MAX_PACKET_LENGTH ? len - 1 : 0;
        // A body of IGNOREs-to-be: first payload byte 2 (SSH_MSG_IGNORE), the rest from the seed.
        const body = new Uint8Array(bodyLength).map((_, i) => (i === 0 ? 2 : (seed >>> (i % 24)) & 0xff));
        server.receive(rawFrame(len, pad, bodyLength, body));
        const events = drain(server);
        const errors = errorsOf(events);
        let want: { field: string; offset: number } | null = null;
        if (len < 5 || len > MAX_PACKET_LENGTH) want = { field: 'packet_length', offset: 0 };
        else if (pad < 4 || pad > len - 1) want = { field: 'padding_length', offset: 4 };
        else if ((len + 4) % 8 !== 0) want = { field: 'packet_length', offset: 0 };
        else if (len - 1 - pad === 0) want = { field: 'payload', offset: 5 };
        if (want) {
          expect(errors).toHaveLength(1);
          expect(errors[0]).toMatchObject({ reason: REASON.PROTOCOL_ERROR, ...want });
          expect(server.closed).toBe(true);
        } else {
          // Well framed: whatever the message says, the framing fields are not blamed.
          for (const e of errors) expect(['packet_length', 'padding_length']).not.toContain(e.field);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('binary packet framing after NEWKEYS (chacha20-poly1305: the tag is right, the framing is not)', () => {
  const cases: [string, Uint8Array, Record<string, unknown>][] = [
    ['packet_length 0', rawFrame(0, 0, 0), { field: 'packet_length', offset: 0 }],
    ['packet_length over 256 KiB', rawFrame(300_000, 4, 8), { field: 'packet_length', offset: 0 }],
    // chacha20-poly1305 pads without the length field (PROTOCOL.chacha20poly1305): packet_length % 8 must be 0.
    ['packet_length 13, not a multiple of 8', rawFrame(13, 4, 12, new Uint8Array([2, 0, 0, 0, 0])), { field: 'packet_length', offset: 0 }],
    ['padding_length 3', rawFrame(16, 3, 15, new Uint8Array([2, 0, 0, 0, 0])), { field: 'padding_length', offset: 4 }],
    ['empty payload', rawFrame(8, 7, 7), { field: 'payload', offset: 5 }],
  ];
  for (const [label, frame, where] of cases) {
    it(label, () => {
      const { pair } = openSessionPair(`enc-${label}`);
      pair.injectFrame('client', frame);
      const err = theError(pair.server, pair.pump());
      expect(err).toMatchObject({ reason: REASON.PROTOCOL_ERROR, ...where });
    });
  }
});

describe('bad MAC or AEAD tag (RFC 4253 §6.4; more in connection-behaviour.test.ts "a corrupted encrypted packet…")', () => {
  const combos: [string, string | null][] = [
    ['chacha20-poly1305@openssh.com', null],
    ['aes256-gcm@openssh.com', null],
    ['aes128-ctr', 'hmac-sha2-256'],
    ['aes256-ctr', 'hmac-sha2-512-etm@openssh.com'],
    ['aes192-ctr', 'hmac-sha1'],
  ];
  for (const [cipher, mac] of combos) {
    for (const where of ['last byte of the tag', 'first byte after packet_length'] as const) {
      it(`${cipher}${mac ? ` + ${mac}` : ''}: ${where} flipped → MAC_ERROR naming the mac`, () => {
        const algorithms = { cipher: [cipher], ...(mac ? { mac: [mac] } : {}) };
        let flipped: PacketEvent | null = null;
        const pair = new InterceptedPair(hostileConfigs(`mac-${cipher}-${mac}-${where}`, { algorithms }, { algorithms }), (from, pkt) => {
          if (from !== 'client' || flipped || pkt.msg !== 'SSH_MSG_USERAUTH_REQUEST') return 'pass';
          flipped = pkt;
          const bad = pkt.wire.slice();
          const i = where === 'last byte of the tag' ? bad.length - 1 : 4;
          bad[i] = bad[i]! ^ 0x01;
          return bad;
        });
        const events = pair.pump();
        expect(flipped).not.toBeNull();
        const err = theError(pair.server, events);
        expect(err).toMatchObject({ reason: REASON.MAC_ERROR, field: 'mac' });
        expect(pair.server.authenticated).toBe(false);
      });
    }
  }
});

describe('strict key exchange (OpenSSH PROTOCOL §1.10)', () => {
  it('a second KEXINIT during the initial exchange is fatal', () => {
    const { server, client } = serverAfterKexinit('second-kexinit');
    // The client's own KEXINIT again: well-formed, but the exchange already has the peer's.
    const kexinit = packetsOf(drain(client)).find((p) => p.msg === 'SSH_MSG_KEXINIT')!;
    server.receive(plainPacket(kexinit.payload));
    const err = theError(server, drain(server));
    expect(err).toMatchObject({ reason: REASON.PROTOCOL_ERROR, field: 'msg-id', offset: 5 });
    expect(err.message).toMatch(/second SSH_MSG_KEXINIT/);
  });

  for (const msg of [
    { name: 'SSH_MSG_IGNORE', data: enc.encode('padding') },
    { name: 'SSH_MSG_DEBUG', alwaysDisplay: true, message: 'hello', language: '' },
  ] as SshMessage[]) {
    it(`${msg.name} during the initial exchange is fatal under strict KEX, harmless without it`, () => {
      for (const strict of [true, false]) {
        const { server } = serverAfterKexinit(`stray-${msg.name}-${strict}`, { strictKex: strict });
        server.receive(plainMessage(msg));
        const events = drain(server);
        if (strict) {
          const err = theError(server, events);
          expect(err).toMatchObject({ reason: REASON.PROTOCOL_ERROR, field: 'msg-id', offset: 5 });
          expect(err.message).toMatch(/strict KEX/);
        } else {
          expect(errorsOf(events)).toEqual([]);
          expect(server.closed).toBe(false);
        }
      }
    });
  }

  it('an IGNORE before the KEXINIT that offers strict KEX: KEXINIT was not the first packet', () => {
    const cfg = hostileConfigs('ignore-first');
    const client = createClient(cfg.client);
    const server = createServer(cfg.server);
    const fromClient = client.pollTransmit()!;
    const lf = fromClient.indexOf(0x0a);
    server.receive(fromClient.subarray(0, lf + 1));
    server.receive(plainMessage({ name: 'SSH_MSG_IGNORE', data: new Uint8Array(0) }));
    server.receive(fromClient.subarray(lf + 1));
    const err = theError(server, drain(server));
    expect(err).toMatchObject({ reason: REASON.PROTOCOL_ERROR, field: 'msg-id', offset: 5 });
    expect(err.message).toMatch(/not the first packet/);
  });
});

describe('unknown message numbers (RFC 4253 §11.4)', () => {
  it('get SSH_MSG_UNIMPLEMENTED with their sequence number, and the session goes on', () => {
    const pair = new InterceptedPair(hostileConfigs('unimplemented', chacha, chacha), (from, p) => (from === 'client' && p.msg === 'SSH_MSG_SERVICE_REQUEST' ? 'drop' : 'pass'));
    pair.pump();
    expect(pair.isTakenOver('client')).toBe(true);
    // Unassigned numbers (RFC 4250 §4.1); 8 is NEWCOMPRESS and 192/193 are OpenSSH PING/PONG (PROTOCOL §1.9).
    const ids = [150, 200, 255, 9, 19, 29];
    const seqs: number[] = [];
    for (const id of ids) {
      seqs.push(pair.expectedSeq('client'));
      pair.inject('client', new Uint8Array([id, 0xde, 0xad]));
    }
    // Then what the client should have said: the service request still works.
    pair.inject('client', { name: 'SSH_MSG_SERVICE_REQUEST', serviceName: 'ssh-userauth' });
    const events = pair.pump();
    expect(errorsOf(events)).toEqual([]);
    expect(pair.server.closed).toBe(false);
    const replies = packetsOf(events, 'server').filter((p) => p.dir === 's2c' && p.msg === 'SSH_MSG_UNIMPLEMENTED');
    expect(replies.map((p) => new DataView(p.payload.buffer, p.payload.byteOffset).getUint32(1))).toEqual(seqs);
    // Under strict KEX the sequence numbers restarted at NEWKEYS: 0 was the (dropped) SERVICE_REQUEST.
    expect(seqs[0]).toBe(0);
    expect(packetsOf(events, 'server').some((p) => p.dir === 's2c' && p.msg === 'SSH_MSG_SERVICE_ACCEPT')).toBe(true);
    expect(pair.client.closed).toBe(false);
  });

  it('before NEWKEYS without strict KEX: UNIMPLEMENTED too (strict KEX case: connection-behaviour.test.ts "strict KEX: a stray message…")', () => {
    const { server } = serverAfterKexinit('unimpl-plain', { strictKex: false });
    server.receive(plainPacket(new Uint8Array([200, 1])));
    const events = drain(server);
    expect(errorsOf(events)).toEqual([]);
    const reply = packetsOf(events).find((p) => p.msg === 'SSH_MSG_UNIMPLEMENTED')!;
    // The client's KEXINIT was packet 0, ours is 1.
    expect(new DataView(reply.payload.buffer, reply.payload.byteOffset).getUint32(1)).toBe(1);
  });
});

describe('messages out of order for the phase', () => {
  it('NEWKEYS when no key exchange is running', () => {
    const { pair } = openSessionPair('stray-newkeys');
    pair.inject('client', { name: 'SSH_MSG_NEWKEYS' });
    const err = theError(pair.server, pair.pump());
    expect(err).toMatchObject({ reason: REASON.PROTOCOL_ERROR, field: 'msg-id', offset: 5 });
  });

  it('a second SERVICE_REQUEST for ssh-userauth', () => {
    const { pair } = openSessionPair('second-service');
    pair.inject('client', { name: 'SSH_MSG_SERVICE_REQUEST', serviceName: 'ssh-userauth' });
    const err = theError(pair.server, pair.pump());
    expect(err).toMatchObject({ reason: REASON.SERVICE_NOT_AVAILABLE, field: 'service name', offset: 6 });
  });

  it('USERAUTH_REQUEST after success is ignored (RFC 4252 §5.1), the session goes on', () => {
    const { pair, remoteId } = openSessionPair('auth-after-success');
    pair.inject('client', { name: 'SSH_MSG_USERAUTH_REQUEST', user: 'mallory', service: 'ssh-connection', method: 'none' });
    pair.inject('client', { name: 'SSH_MSG_CHANNEL_DATA', recipientChannel: remoteId, data: enc.encode('still here') });
    const events = pair.pump();
    expect(errorsOf(events)).toEqual([]);
    expect(packetsOf(events, 'server').some((p) => p.dir === 's2c' && p.msg.startsWith('SSH_MSG_USERAUTH'))).toBe(false);
    const data = events.find((e) => e.side === 'server' && e.type === 'channel' && e.change === 'data') as { detail: { data: Uint8Array } } | undefined;
    expect(new TextDecoder().decode(data?.detail.data)).toBe('still here');
  });

  it('NEWKEYS before the key exchange finished', () => {
    const { server } = serverAfterKexinit('early-newkeys');
    server.receive(plainMessage({ name: 'SSH_MSG_NEWKEYS' }));
    const err = theError(server, drain(server));
    expect(err).toMatchObject({ reason: REASON.PROTOCOL_ERROR, field: 'msg-id', offset: 5 });
  });

  it('a server-only KEX message (ECDH_REPLY) sent to a server', () => {
    const { server } = serverAfterKexinit('reply-to-server', { algorithms: { kex: ['curve25519-sha256'] } });
    server.receive(plainMessage({ name: 'SSH_MSG_KEX_ECDH_REPLY', hostKey: new Uint8Array(0), qS: new Uint8Array(32), signature: new Uint8Array(0) }));
    const err = theError(server, drain(server));
    expect(err).toMatchObject({ reason: REASON.PROTOCOL_ERROR, field: 'msg-id', offset: 5 });
  });

  it('USERAUTH_REQUEST before SERVICE_REQUEST', () => {
    const pair = new InterceptedPair(hostileConfigs('auth-before-service', chacha, chacha), (from, p) => (from === 'client' && p.msg === 'SSH_MSG_SERVICE_REQUEST' ? 'drop' : 'pass'));
    pair.pump();
    pair.inject('client', { name: 'SSH_MSG_USERAUTH_REQUEST', user: 'alice', service: 'ssh-connection', method: 'none' });
    const err = theError(pair.server, pair.pump());
    expect(err).toMatchObject({ reason: REASON.PROTOCOL_ERROR, field: 'msg-id', offset: 5 });
    expect(err.message).toMatch(/USERAUTH_REQUEST/);
  });

  it('a service other than ssh-userauth', () => {
    const pair = new InterceptedPair(hostileConfigs('bad-service', chacha, chacha), (from, p) => (from === 'client' && p.msg === 'SSH_MSG_SERVICE_REQUEST' ? 'drop' : 'pass'));
    pair.pump();
    pair.inject('client', { name: 'SSH_MSG_SERVICE_REQUEST', serviceName: 'ssh-connection' });
    const err = theError(pair.server, pair.pump());
    expect(err).toMatchObject({ reason: REASON.SERVICE_NOT_AVAILABLE, field: 'service name', offset: 6 });
  });

  it('CHANNEL_OPEN before authentication', () => {
    const pair = new InterceptedPair(hostileConfigs('open-before-auth', chacha, chacha), (from, p) => (from === 'client' && p.msg === 'SSH_MSG_USERAUTH_REQUEST' ? 'drop' : 'pass'));
    pair.pump();
    expect(pair.isTakenOver('client')).toBe(true);
    pair.inject('client', { name: 'SSH_MSG_CHANNEL_OPEN', channelType: 'session', senderChannel: 0, initialWindowSize: 65536, maximumPacketSize: 32768 });
    const events = pair.pump();
    const err = theError(pair.server, events);
    expect(err).toMatchObject({ reason: REASON.PROTOCOL_ERROR, field: 'msg-id', offset: 5 });
    expect(err.message).toMatch(/CHANNEL_OPEN/);
    expect(pair.server.authenticated).toBe(false);
  });

  it('USERAUTH_SUCCESS sent to a server (a client-only message)', () => {
    const pair = new InterceptedPair(hostileConfigs('success-to-server', chacha, chacha), (from, p) => (from === 'client' && p.msg === 'SSH_MSG_USERAUTH_REQUEST' ? 'drop' : 'pass'));
    pair.pump();
    pair.inject('client', { name: 'SSH_MSG_USERAUTH_SUCCESS' });
    const err = theError(pair.server, pair.pump());
    expect(err).toMatchObject({ reason: REASON.PROTOCOL_ERROR, field: 'msg-id', offset: 5 });
    expect(pair.server.authenticated).toBe(false);
  });
});

describe('key exchange values', () => {
  const kexServer = (seed: string, kex: string) => serverAfterKexinit(seed, { algorithms: { kex: [kex] } }, { algorithms: { kex: [kex] } }).server;

  it('an all-zero X25519 share from the client (RFC 8731 §3: all-zero shared secret)', () => {
    const s = kexServer('x25519-zero', 'curve25519-sha256');
    s.receive(plainMessage({ name: 'SSH_MSG_KEX_ECDH_INIT', qC: new Uint8Array(32) }));
    const err = theError(s, drain(s));
    expect(err).toMatchObject({ reason: REASON.KEY_EXCHANGE_FAILED, field: 'Q_C', offset: 6 });
  });

  it('other low-order X25519 points and wrong lengths', () => {
    // RFC 7748 §6.1 / libsodium's blocklist: 1 and the order-8 point give an all-zero secret too.
    const one = new Uint8Array(32);
    one[0] = 1;
    const order8 = fromHex('e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800');
    for (const [i, qC] of [one, order8, new Uint8Array(31), new Uint8Array(33)].entries()) {
      const s = kexServer(`x25519-bad-${i}`, 'curve25519-sha256');
      s.receive(plainMessage({ name: 'SSH_MSG_KEX_ECDH_INIT', qC }));
      const err = theError(s, drain(s));
      expect(err).toMatchObject({ reason: REASON.KEY_EXCHANGE_FAILED, field: 'Q_C', offset: 6 });
    }
  });

  it('a P-256 point that is not on the curve (RFC 5656 §4), checked against node:crypto', () => {
    // A valid point from node:crypto, then y+1: node:crypto must refuse it too (independent truth).
    const good = createECDH('prime256v1');
    good.generateKeys();
    const point = Uint8Array.from(good.getPublicKey());
    const bad = point.slice();
    bad[64] = bad[64]! ^ 1;
    expect(() => createECDH('prime256v1').computeSecret(bad)).toThrow();
    const s = kexServer('p256-off-curve', 'ecdh-sha2-nistp256');
    s.receive(plainMessage({ name: 'SSH_MSG_KEX_ECDH_INIT', qC: bad }));
    const err = theError(s, drain(s));
    expect(err).toMatchObject({ reason: REASON.KEY_EXCHANGE_FAILED, field: 'Q_C', offset: 6 });
    // The valid point is accepted: the server answers with its reply.
    const ok = kexServer('p256-on-curve', 'ecdh-sha2-nistp256');
    ok.receive(plainMessage({ name: 'SSH_MSG_KEX_ECDH_INIT', qC: point }));
    expect(errorsOf(drain(ok))).toEqual([]);
    expect(ok.closed).toBe(false);
  });

  it('a compressed or infinity P-256 point', () => {
    for (const [i, qC] of [new Uint8Array([0]), Uint8Array.from([0x02, ...new Uint8Array(32).fill(7)])].entries()) {
      const s = kexServer(`p256-form-${i}`, 'ecdh-sha2-nistp256');
      s.receive(plainMessage({ name: 'SSH_MSG_KEX_ECDH_INIT', qC }));
      const err = theError(s, drain(s));
      expect(err).toMatchObject({ reason: REASON.KEY_EXCHANGE_FAILED, field: 'Q_C', offset: 6 });
    }
  });

  it('DH e outside 1 < e < p-1 (RFC 4253 §8), with p from node:crypto modp14', () => {
    const p = BigInt('0x' + getDiffieHellman('modp14').getPrime('hex'));
    for (const [label, e] of [['-5 (two\'s complement on the wire)', -5n], ['0', 0n], ['1', 1n], ['p-1', p - 1n], ['p', p], ['p+1', p + 1n]] as const) {
      const s = kexServer(`dh-${label}`, 'diffie-hellman-group14-sha256');
      s.receive(plainMessage({ name: 'SSH_MSG_KEXDH_INIT', e }));
      const err = theError(s, drain(s));
      expect(err, label).toMatchObject({ reason: REASON.KEY_EXCHANGE_FAILED, field: 'e', offset: 6 });
    }
    // A real e from node:crypto in the same group is accepted.
    const dh = createDiffieHellman(getDiffieHellman('modp14').getPrime(), new Uint8Array([2]));
    dh.generateKeys();
    const s = kexServer('dh-ok', 'diffie-hellman-group14-sha256');
    s.receive(plainMessage({ name: 'SSH_MSG_KEXDH_INIT', e: BigInt('0x' + dh.getPublicKey('hex')) }));
    expect(errorsOf(drain(s))).toEqual([]);
  });

  it('DH f outside 1 < f < p-1 from the server', () => {
    const p = BigInt('0x' + getDiffieHellman('modp14').getPrime('hex'));
    for (const [label, f] of [['1', 1n], ['p-1', p - 1n]] as const) {
      const kex = { algorithms: { kex: ['diffie-hellman-group14-sha256'] } };
      const pair = new InterceptedPair(hostileConfigs(`dh-f-${label}`, kex, kex), (from, pkt) => {
        if (from !== 'server' || pkt.msg !== 'SSH_MSG_KEXDH_REPLY') return 'pass';
        const reply = decodeMessage(pkt.payload, { kex: 'dh' }).msg;
        return plainMessage({ ...reply, f });
      });
      const err = theError(pair.client, pair.pump());
      expect(err).toMatchObject({ reason: REASON.KEY_EXCHANGE_FAILED, field: 'f', offset: F_OR_Q_S_OFFSET });
    }
  });

  it('an all-zero X25519 share from the server', () => {
    const pair = new InterceptedPair(hostileConfigs('x25519-zero-server', { algorithms: { kex: ['curve25519-sha256'] } }), (from, pkt) => {
      if (from !== 'server' || pkt.msg !== 'SSH_MSG_KEX_ECDH_REPLY') return 'pass';
      const reply = decodeMessage(pkt.payload, { kex: 'ecdh' }).msg;
      return plainMessage({ ...reply, qS: new Uint8Array(32) });
    });
    const err = theError(pair.client, pair.pump());
    expect(err).toMatchObject({ reason: REASON.KEY_EXCHANGE_FAILED, field: 'Q_S', offset: F_OR_Q_S_OFFSET });
  });

  describe('group exchange (RFC 4419)', () => {
    const gex = { algorithms: { kex: ['diffie-hellman-group-exchange-sha256'] } };
    const replaceGroup = (seed: string, group: { p: bigint; g: bigint }) =>
      new InterceptedPair(hostileConfigs(seed, gex, gex), (from, pkt) => (from === 'server' && pkt.msg === 'SSH_MSG_KEX_DH_GEX_GROUP' ? plainMessage({ name: 'SSH_MSG_KEX_DH_GEX_GROUP', ...group }) : 'pass'));

    it('a group smaller than the client asked for (the 1024-bit modp2 from node:crypto)', () => {
      const p = BigInt('0x' + getDiffieHellman('modp2').getPrime('hex'));
      const pair = replaceGroup('gex-small', { p, g: 2n });
      const err = theError(pair.client, pair.pump());
      expect(err).toMatchObject({ reason: REASON.KEY_EXCHANGE_FAILED, field: 'p', offset: 6 });
      expect(err.message).toMatch(/1024-bit group/);
    });

    it('a generator g outside 2..p-2 (g = 1, g = p-1)', () => {
      const p = BigInt('0x' + getDiffieHellman('modp14').getPrime('hex'));
      for (const g of [1n, p - 1n]) {
        const pair = replaceGroup(`gex-g-${g === 1n ? 1 : 'p-1'}`, { p, g });
        const err = theError(pair.client, pair.pump());
        expect(err).toMatchObject({ reason: REASON.KEY_EXCHANGE_FAILED, field: 'g' });
      }
    });

    it('a request with min > n > max', () => {
      const { server } = serverAfterKexinit('gex-order', gex, gex);
      server.receive(plainMessage({ name: 'SSH_MSG_KEX_DH_GEX_REQUEST', min: 8192, n: 4096, max: 2048 }));
      const err = theError(server, drain(server));
      expect(err).toMatchObject({ reason: REASON.KEY_EXCHANGE_FAILED, field: 'n', offset: 10 });
    });
  });

  it('a hybrid (mlkem768x25519) client share of the wrong length', () => {
    const kex = { algorithms: { kex: ['mlkem768x25519-sha256'] } };
    for (const len of [0, 32, 1184, 1184 + 31, 1184 + 33]) {
      const { server } = serverAfterKexinit(`hybrid-len-${len}`, kex, kex);
      server.receive(plainMessage({ name: 'SSH_MSG_KEX_HYBRID_INIT', qC: new Uint8Array(len) }));
      const err = theError(server, drain(server));
      expect(err, String(len)).toMatchObject({ reason: REASON.KEY_EXCHANGE_FAILED, field: 'Q_C', offset: 6 });
    }
  });

  it("a host-key signature over the wrong H (RFC 4253 §8): the server's real key, signing other bytes", () => {
    const cfg = hostileConfigs('wrong-h', { algorithms: { kex: ['curve25519-sha256'] } });
    let realH: Uint8Array | null = null;
    let wrongH: Uint8Array | null = null;
    const pair = new InterceptedPair(cfg, (from, pkt, pr) => {
      if (from !== 'server' || pkt.msg !== 'SSH_MSG_KEX_ECDH_REPLY') return 'pass';
      const h = pr.events.find((e) => e.type === 'exchange-hash' && e.side === 'server') as Extract<SshEvent, { type: 'exchange-hash' }>;
      realH = h.H;
      // SHA-256 (node:crypto) of H with one bit flipped: a well-formed signature, over the wrong H.
      const flipped = h.H.slice();
      flipped[0] = flipped[0]! ^ 1;
      wrongH = Uint8Array.from(createHash('sha256').update(flipped).digest());
      const reply = decodeMessage(pkt.payload, { kex: 'ecdh' }).msg;
      const signature = SIGNATURES['ssh-ed25519']!.sign(cfg.hostKey, wrongH);
      return plainMessage({ ...reply, signature });
    });
    const events = pair.pump();
    expect(realH).not.toBeNull();
    expect(wrongH).not.toBeNull();
    // Our signature really is valid for the bytes it signed (so only H is wrong).
    const reply = packetsOf(events, 'client').find((p) => p.msg === 'SSH_MSG_KEX_ECDH_REPLY')!;
    const decoded = decodeMessage(reply.payload, { kex: 'ecdh' }).msg;
    expect(SIGNATURES['ssh-ed25519']!.verify(decoded.hostKey as Uint8Array, wrongH!, decoded.signature as Uint8Array)).toBe(true);
    const err = theError(pair.client, events);
    // after Q_S: string of 32 bytes (RFC 8731 §3)
    expect(err).toMatchObject({ reason: REASON.KEY_EXCHANGE_FAILED, field: 'signature of H', offset: F_OR_Q_S_OFFSET + 4 + 32 });
    expect(pair.client.sessionId).toBeNull();
  });
});

describe('identification line (RFC 4253 §4.2; more in version-exchange.test.ts)', () => {
  it('a 255-byte line (CR LF included) is accepted, a 256-byte one refused', () => {
    for (const total of [255, 256]) {
      const s = createServer(hostileConfigs(`line-${total}`).server);
      const line = `SSH-2.0-${'x'.repeat(total - 'SSH-2.0-'.length - 2)}\r\n`;
      expect(line.length).toBe(total);
      s.receive(enc.encode(line));
      const events = drain(s);
      if (total === 255) {
        expect(errorsOf(events)).toEqual([]);
        expect(events.some((e) => e.type === 'version' && e.dir === 'c2s')).toBe(true);
      } else {
        const err = theError(s, events);
        expect(err).toMatchObject({ reason: REASON.PROTOCOL_ERROR, field: 'identification', offset: 0 });
      }
    }
  });

  it('a line that never ends is refused once it passes 255 bytes, and nothing more is buffered', () => {
    for (const side of ['client', 'server'] as const) {
      const cfg = hostileConfigs(`endless-${side}`);
      const conn = side === 'client' ? createClient(cfg.client) : createServer(cfg.server);
      drain(conn);
      drainTransmit(conn);
      const chunk = enc.encode('SSH-2.0-'.padEnd(64, 'y'));
      let fed = 0;
      while (!conn.closed && fed < 10 * 1024 * 1024) {
        conn.receive(chunk);
        fed += chunk.length;
      }
      // Closed within one chunk of the limit, long before 10 MiB.
      expect(fed).toBeGreaterThan(255);
      expect(fed).toBeLessThanOrEqual(255 + chunk.length);
      const err = theError(conn, drain(conn));
      expect(err).toMatchObject({ reason: REASON.PROTOCOL_ERROR, field: 'identification', offset: 0 });
      drainTransmit(conn); // the DISCONNECT
      // After the end, input is ignored: no events, no bytes out.
      for (let i = 0; i < 1000; i++) conn.receive(chunk);
      expect(drain(conn)).toEqual([]);
      expect(conn.pollTransmit()).toBeNull();
    }
  });

  it('a server that never sends its version line, only other lines: the client stops after 1024 of them', () => {
    const c = createClient(hostileConfigs('preamble-flood').client);
    drain(c);
    drainTransmit(c);
    let lines = 0;
    while (!c.closed && lines < 100_000) {
      c.receive(enc.encode('not yet\r\n'));
      lines++;
    }
    // OpenSSH's client allows 1024 such lines (sshconnect.c / kex.c).
    expect(lines).toBe(1025);
    const err = theError(c, drain(c));
    expect(err).toMatchObject({ reason: REASON.PROTOCOL_ERROR, field: 'identification' });
  });
});

// Channel offsets (RFC 4254 §5.2, §5.3): the recipient channel follows the message number (packet
// offset 6); CHANNEL_DATA's data is at 10, EXTENDED_DATA's, after the data type code, at 14.
describe('channels (RFC 4254 §5)', () => {
  it('data beyond the maximum packet size the receiver announced', () => {
    const { pair, remoteId } = openSessionPair('beyond-max-packet', { channelWindow: 65536, channelMaxPacket: 1024 });
    pair.inject('client', { name: 'SSH_MSG_CHANNEL_DATA', recipientChannel: remoteId, data: new Uint8Array(1024) });
    expect(errorsOf(pair.pump())).toEqual([]);
    pair.inject('client', { name: 'SSH_MSG_CHANNEL_DATA', recipientChannel: remoteId, data: new Uint8Array(1025) });
    const err = theError(pair.server, pair.pump());
    expect(err).toMatchObject({ reason: REASON.PROTOCOL_ERROR, field: 'data', offset: 10 });
    expect(err.message).toMatch(/maximum packet size 1024/);
  });

  it('data beyond the window (the receiver grants none: manual window, nothing consumed)', () => {
    const { pair, remoteId } = openSessionPair('beyond-window', { channelWindow: 4096, channelMaxPacket: 4096, manualWindow: true });
    pair.inject('client', { name: 'SSH_MSG_CHANNEL_DATA', recipientChannel: remoteId, data: new Uint8Array(3000) });
    pair.inject('client', { name: 'SSH_MSG_CHANNEL_DATA', recipientChannel: remoteId, data: new Uint8Array(1096) });
    expect(errorsOf(pair.pump())).toEqual([]);
    pair.inject('client', { name: 'SSH_MSG_CHANNEL_DATA', recipientChannel: remoteId, data: new Uint8Array(1) });
    const err = theError(pair.server, pair.pump());
    expect(err).toMatchObject({ reason: REASON.PROTOCOL_ERROR, field: 'data', offset: 10 });
    expect(err.message).toMatch(/exceed the window of 0/);
  });

  it('extended data beyond the window counts against the same window', () => {
    const { pair, remoteId } = openSessionPair('ext-beyond-window', { channelWindow: 2048, channelMaxPacket: 4096, manualWindow: true });
    pair.inject('client', { name: 'SSH_MSG_CHANNEL_EXTENDED_DATA', recipientChannel: remoteId, dataTypeCode: 1, data: new Uint8Array(2049) });
    const err = theError(pair.server, pair.pump());
    expect(err).toMatchObject({ reason: REASON.PROTOCOL_ERROR, field: 'data', offset: 14 });
  });

  it('data for a channel that was never opened', () => {
    const { pair, remoteId } = openSessionPair('never-opened');
    pair.inject('client', { name: 'SSH_MSG_CHANNEL_DATA', recipientChannel: remoteId + 7, data: enc.encode('hi') });
    const err = theError(pair.server, pair.pump());
    expect(err).toMatchObject({ reason: REASON.PROTOCOL_ERROR, field: 'recipient channel', offset: 6 });
  });

  it('data for a channel after both sides closed it', () => {
    const { pair, remoteId } = openSessionPair('after-close');
    pair.inject('client', { name: 'SSH_MSG_CHANNEL_CLOSE', recipientChannel: remoteId });
    const closing = pair.pump();
    expect(errorsOf(closing)).toEqual([]);
    expect(packetsOf(closing, 'server').some((p) => p.dir === 's2c' && p.msg === 'SSH_MSG_CHANNEL_CLOSE')).toBe(true);
    pair.inject('client', { name: 'SSH_MSG_CHANNEL_DATA', recipientChannel: remoteId, data: enc.encode('late') });
    const err = theError(pair.server, pair.pump());
    expect(err).toMatchObject({ reason: REASON.PROTOCOL_ERROR, field: 'recipient channel', offset: 6 });
  });

  it('data after EOF on the channel', () => {
    const { pair, remoteId } = openSessionPair('after-eof');
    pair.inject('client', { name: 'SSH_MSG_CHANNEL_EOF', recipientChannel: remoteId });
    pair.inject('client', { name: 'SSH_MSG_CHANNEL_DATA', recipientChannel: remoteId, data: enc.encode('late') });
    const err = theError(pair.server, pair.pump());
    expect(err).toMatchObject({ reason: REASON.PROTOCOL_ERROR, field: 'data', offset: 10 });
  });
});

describe('a name-list of 100 000 names (RFC 4251 §5)', () => {
  // One-letter names: 100 000 of them fit in one packet (2 bytes each with the comma, under 256 KiB).
  const names = Array.from({ length: 100_000 }, (_, i) => String.fromCharCode(97 + (i % 26)));
  const kex = ['curve25519-sha256'];

  for (const sender of ['client', 'server'] as const) {
    it(`sent by the ${sender} in its KEXINIT: decodes, negotiation finds the real method at the end, the session completes`, () => {
      const huge = { algorithms: { kex: [...names, ...kex] } };
      const short = { algorithms: { kex } };
      const pair = new InterceptedPair(hostileConfigs(`huge-namelist-${sender}`, sender === 'client' ? huge : short, sender === 'client' ? short : huge));
      let authed = false;
      const events = pair.pump((e, from) => {
        if (from === 'client' && e.type === 'auth' && e.result === 'success') authed = true;
      });
      expect(errorsOf(events)).toEqual([]);
      expect(authed).toBe(true);
      const receiver = sender === 'client' ? 'server' : 'client';
      const seen = packetsOf(events, receiver).find((p) => p.dir === (sender === 'client' ? 'c2s' : 's2c') && p.msg === 'SSH_MSG_KEXINIT')!;
      expect(seen.payload.length).toBeGreaterThan(100_000 * 2);
      expect(seen.payload.length).toBeLessThanOrEqual(MAX_PACKET_LENGTH);
      const row = (events.find((e) => e.side === receiver && e.type === 'negotiated') as Extract<SshEvent, { type: 'negotiated' }>).rows.find((r) => r.category.startsWith('kex'))!;
      expect(row[sender].length).toBeGreaterThanOrEqual(100_001);
      expect(row.chosen).toBe('curve25519-sha256');
    });
  }

  it('names that are empty, non-ASCII or contain NUL are refused, naming the list (RFC 4251 §5)', () => {
    for (const list of ['curve25519-sha256,,x', 'curve25519-sha256,', ',curve25519-sha256', 'curve25519-sha256,\u00e9', 'curve25519-sha256,a\u0000b']) {
      const { server, client } = serverAfterKexinitParts(`bad-names-${list.length}-${list.charCodeAt(list.length - 1)}`);
      // The client's KEXINIT with its kex_algorithms (at payload offset 17) replaced by `list`.
      const p = packetsOf(drain(client)).find((e) => e.msg === 'SSH_MSG_KEXINIT')!.payload;
      const oldLen = new DataView(p.buffer, p.byteOffset).getUint32(17);
      const bytes = new TextEncoder().encode(list);
      const np = new Uint8Array(p.length - oldLen + bytes.length);
      np.set(p.subarray(0, 17));
      new DataView(np.buffer).setUint32(17, bytes.length);
      np.set(bytes, 21);
      np.set(p.subarray(21 + oldLen), 21 + bytes.length);
      server.receive(plainPacket(np));
      const err = theError(server, drain(server));
      // Packet offset 22 = 5 (header) + 1 (message number) + 16 (cookie): the list's length field.
      expect(err, JSON.stringify(list)).toMatchObject({ reason: REASON.PROTOCOL_ERROR, field: 'payload.kexAlgorithms', offset: 22 });
    }
  });

  it('one whose packet would exceed 256 KiB is refused by its length before any decoding', () => {
    const { server } = serverAfterKexinit('huge-namelist-big');
    const names = Array.from({ length: 100_000 }, (_, i) => `algorithm-${i}`).join(',');
    expect(names.length).toBeGreaterThan(MAX_PACKET_LENGTH);
    const frame = plainPacket(encodeMessage({ name: 'SSH_MSG_IGNORE', data: enc.encode(names) }));
    server.receive(frame.subarray(0, 4));
    const err = theError(server, drain(server));
    expect(err).toMatchObject({ reason: REASON.PROTOCOL_ERROR, field: 'packet_length', offset: 0 });
  });
});

describe('the same rules on the client side (a hostile server)', () => {
  it('an unknown message number gets UNIMPLEMENTED with its sequence number, then authentication proceeds', () => {
    const pair = new InterceptedPair(hostileConfigs('client-unimpl', chacha, chacha), (from, p) => (from === 'server' && p.msg === 'SSH_MSG_SERVICE_ACCEPT' ? 'drop' : 'pass'));
    pair.pump();
    const seq = pair.expectedSeq('server');
    pair.inject('server', new Uint8Array([150, 7]));
    pair.inject('server', { name: 'SSH_MSG_SERVICE_ACCEPT', serviceName: 'ssh-userauth' });
    const events = pair.pump();
    expect(errorsOf(events, 'client')).toEqual([]);
    const sent = packetsOf(events, 'client').filter((p) => p.dir === 'c2s');
    const unimpl = sent.find((p) => p.msg === 'SSH_MSG_UNIMPLEMENTED')!;
    expect(new DataView(unimpl.payload.buffer, unimpl.payload.byteOffset).getUint32(1)).toBe(seq);
    expect(sent.some((p) => p.msg === 'SSH_MSG_USERAUTH_REQUEST')).toBe(true);
  });

  const clientChannel = (seed: string, window: number, maxPacket: number) => {
    const pair = new InterceptedPair(hostileConfigs(seed, { ...chacha, channelWindow: window, channelMaxPacket: maxPacket, manualWindow: true }, chacha));
    let ch = -1;
    let open = false;
    pair.pump((e, from) => {
      if (from !== 'client') return;
      if (e.type === 'auth' && e.result === 'success') ch = pair.client.command({ type: 'open-session' });
      if (e.type === 'channel' && e.change === 'open' && e.id === ch) open = true;
    });
    expect(open).toBe(true);
    return { pair, ch };
  };

  it('server data beyond the maximum packet size the client announced', () => {
    const { pair, ch } = clientChannel('client-max-packet', 8192, 1024);
    pair.inject('server', { name: 'SSH_MSG_CHANNEL_DATA', recipientChannel: ch, data: new Uint8Array(1025) });
    const err = theError(pair.client, pair.pump());
    expect(err).toMatchObject({ reason: REASON.PROTOCOL_ERROR, field: 'data', offset: 10 });
  });

  it("server data beyond the client's window", () => {
    const { pair, ch } = clientChannel('client-window', 2048, 4096);
    pair.inject('server', { name: 'SSH_MSG_CHANNEL_DATA', recipientChannel: ch, data: new Uint8Array(2048) });
    expect(errorsOf(pair.pump(), 'client')).toEqual([]);
    pair.inject('server', { name: 'SSH_MSG_CHANNEL_DATA', recipientChannel: ch, data: new Uint8Array(1) });
    const err = theError(pair.client, pair.pump());
    expect(err).toMatchObject({ reason: REASON.PROTOCOL_ERROR, field: 'data', offset: 10 });
  });

  it('an authentication reply the client did not ask for: PK_OK while its "none" query is pending', () => {
    let dropped = false;
    const pair = new InterceptedPair(hostileConfigs('client-unasked-pk-ok', chacha, chacha), (from, pkt) => {
      if (from !== 'server' || dropped || pkt.msg !== 'SSH_MSG_USERAUTH_FAILURE') return 'pass';
      dropped = true;
      return 'drop';
    });
    pair.pump();
    expect(dropped).toBe(true);
    pair.inject('server', { name: 'SSH_MSG_USERAUTH_PK_OK', algorithm: 'ssh-ed25519', publicKey: publicKeyBlob(generateEd25519((n) => seededEnv('unasked-key').randomBytes(n))) });
    const err = theError(pair.client, pair.pump());
    expect(err).toMatchObject({ reason: REASON.PROTOCOL_ERROR, field: 'msg-id', offset: 5 });
  });

  it('a second confirmation for a channel that is already open', () => {
    const { pair, ch } = clientChannel('client-confirm-twice', 8192, 1024);
    pair.inject('server', { name: 'SSH_MSG_CHANNEL_OPEN_CONFIRMATION', recipientChannel: ch, senderChannel: 1, initialWindowSize: 10, maximumPacketSize: 10, typeData: new Uint8Array(0) });
    const err = theError(pair.client, pair.pump());
    expect(err).toMatchObject({ reason: REASON.PROTOCOL_ERROR, field: 'recipient channel', offset: 6 });
    expect(err.message).toMatch(/confirmed twice/);
  });

  it('a confirmation for a channel the client never opened', () => {
    const { pair, ch } = clientChannel('client-stray-confirm', 8192, 1024);
    pair.inject('server', { name: 'SSH_MSG_CHANNEL_OPEN_CONFIRMATION', recipientChannel: ch + 41, senderChannel: 1, initialWindowSize: 10, maximumPacketSize: 10, typeData: new Uint8Array(0) });
    const err = theError(pair.client, pair.pump());
    expect(err).toMatchObject({ reason: REASON.PROTOCOL_ERROR, field: 'recipient channel', offset: 6 });
  });
});

describe('fixed after this catalogue found them', () => {
  it('message numbers 101–127 after authentication get UNIMPLEMENTED (RFC 4253 §11.4), the session goes on', () => {
    const { pair, remoteId } = openSessionPair('unassigned-connection-range');
    const seq = pair.expectedSeq('client');
    pair.inject('client', new Uint8Array([110, 1, 2, 3]));
    pair.inject('client', { name: 'SSH_MSG_CHANNEL_EOF', recipientChannel: remoteId });
    const events = pair.pump();
    expect(errorsOf(events, 'server')).toEqual([]);
    const unimpl = packetsOf(events, 'server').find((p) => p.msg === 'SSH_MSG_UNIMPLEMENTED' && p.dir === 's2c')!;
    expect(new DataView(unimpl.payload.buffer, unimpl.payload.byteOffset).getUint32(1)).toBe(seq);
    expect(events.some((e) => e.side === 'server' && e.type === 'channel' && e.change === 'eof')).toBe(true);
  });

  it('a WINDOW_ADJUST that would pass 2^32-1 bytes ends the connection (RFC 4254 §5.2)', () => {
    const { pair, remoteId } = openSessionPair('window-overflow');
    pair.inject('client', { name: 'SSH_MSG_CHANNEL_WINDOW_ADJUST', recipientChannel: remoteId, bytesToAdd: 0xffffffff });
    const err = theError(pair.server, pair.pump());
    expect(err).toMatchObject({ reason: REASON.PROTOCOL_ERROR, field: 'bytes to add', offset: 10 });
  });

  it('an eleventh session on one connection is refused (OpenSSH MaxSessions 10)', () => {
    const { pair } = openSessionPair('max-sessions');
    for (let i = 1; i <= 10; i++) pair.inject('client', { name: 'SSH_MSG_CHANNEL_OPEN', channelType: 'session', senderChannel: 100 + i, initialWindowSize: 65536, maximumPacketSize: 32768 });
    const events = pair.pump();
    expect(errorsOf(events, 'server')).toEqual([]);
    const replies = packetsOf(events, 'server').filter((p) => p.dir === 's2c' && p.msg.startsWith('SSH_MSG_CHANNEL_OPEN_'));
    // One session was open already: nine more are confirmed, the tenth new one is refused.
    expect(replies.map((p) => p.msg)).toEqual([...Array(9).fill('SSH_MSG_CHANNEL_OPEN_CONFIRMATION'), 'SSH_MSG_CHANNEL_OPEN_FAILURE']);
  });
});
