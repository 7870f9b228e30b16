// `npx tsx bench/diagnose.ts`: the "why" behind the bench figures, with simple CPU timers
// (process.cpuUsage, so other load on the machine inflates the figures less than wall time).
// It prices every step of the two hot paths separately:
//   - the handshake: each public-key operation, noble (what the engine uses) vs node:crypto;
//     the whole in-memory session with and without trace;
//   - one 32 KiB SSH_MSG_CHANNEL_DATA packet on the send path: encodeMessage (schema + tree),
//     buildPacket (padding), seal per cipher, the equivalent direct encoding for comparison, and the
//     bulk fast path (channelDataPieces + PacketSealer.sealPieces) that connections use with trace off.
// Nothing here is a test; nothing is asserted but the sanity of the comparison encodings.

import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { createCipheriv, diffieHellman, generateKeyPairSync, sign, verify } from 'node:crypto';
import { createRequire } from 'node:module';
import { encodeMessage } from '../engine/wire/messages.ts';
import { buildPacket, channelDataPieces } from '../engine/core/binary-packet.ts';
import { createSealer } from '../engine/algorithms/ciphers.ts';
import { createClient, createServer, defaultEnv, generateEd25519, pumpPair, type Connection } from '../engine/index.ts';
import { equalBytes } from '../engine/wire/codec.ts';
import { nodeCryptoProvider } from '../cli/node-crypto.ts';
import { inMemoryRunner } from './in-memory.ts';
import { ADDON, ssh2AddonBuilt } from './ssh2-flavours.ts';

/** Median CPU microseconds per call of `f` over `n` calls (after a warm-up), in 5 batches. */
function cpuMicros(f: () => void, n: number): number {
  for (let i = 0; i < Math.max(3, n / 10); i++) f();
  const batches: number[] = [];
  for (let b = 0; b < 5; b++) {
    const c0 = process.cpuUsage();
    for (let i = 0; i < n; i++) f();
    const d = process.cpuUsage(c0);
    batches.push((d.user + d.system) / n);
  }
  return batches.sort((a, b) => a - b)[2]!;
}

function line(label: string, us: number, extra = ''): void {
  process.stdout.write(`  ${label.padEnd(58)} ${(us >= 1000 ? `${(us / 1000).toFixed(2)} ms` : `${us.toFixed(1)} µs`).padStart(10)}${extra ? `  ${extra}` : ''}\n`);
}

function handshake(): void {
  process.stdout.write('public-key operations of one session (each side does one of each):\n');
  const a = x25519.utils.randomSecretKey();
  const B = x25519.getPublicKey(x25519.utils.randomSecretKey());
  const sk = ed25519.utils.randomSecretKey();
  const pk = ed25519.getPublicKey(sk);
  const msg = new Uint8Array(32).fill(7);
  const sig = ed25519.sign(msg, sk);
  const nx = generateKeyPairSync('x25519');
  const nx2 = generateKeyPairSync('x25519');
  const ne = generateKeyPairSync('ed25519');
  const nsig = sign(null, msg, ne.privateKey);
  const rows: [string, () => void, () => void][] = [
    ['x25519 key pair (ephemeral Q_C / Q_S)', () => x25519.getPublicKey(a), () => generateKeyPairSync('x25519')],
    ['x25519 shared secret K', () => x25519.getSharedSecret(a, B), () => diffieHellman({ privateKey: nx.privateKey, publicKey: nx2.publicKey })],
    ['ed25519 sign (host key over H; user key over the auth request)', () => ed25519.sign(msg, sk), () => sign(null, msg, ne.privateKey)],
    ['ed25519 verify (client checks H; server checks the user)', () => ed25519.verify(sig, msg, pk), () => verify(null, msg, ne.publicKey, nsig)],
  ];
  let nobleTotal = 0;
  let nodeTotal = 0;
  for (const [label, noble, node] of rows) {
    const t1 = cpuMicros(noble, 40);
    const t2 = cpuMicros(node, 200);
    nobleTotal += 2 * t1;
    nodeTotal += 2 * t2;
    line(`${label}: noble`, t1, `node:crypto ${t2.toFixed(0)} µs`);
  }
  line('sum for one in-memory session (both sides): noble', nobleTotal, `node:crypto ${nodeTotal.toFixed(0)} µs`);
  process.stdout.write('whole in-memory session (publickey auth, exec, close):\n');
  for (const trace of [true, false]) {
    const run = inMemoryRunner({ label: '', trace, auth: 'publickey' });
    const us = cpuMicros(run, 10);
    line(`trace ${trace ? 'on ' : 'off'}, noble crypto`, us, `of which not public-key crypto ≈ ${((us - nobleTotal) / 1000).toFixed(1)} ms`);
  }
}

function bulk(): void {
  const env = defaultEnv(nodeCryptoProvider);
  const data = new Uint8Array(32768).fill(0x5a);
  const msg = { name: 'SSH_MSG_CHANNEL_DATA', recipientChannel: 0, data } as const;
  process.stdout.write('one 32 KiB SSH_MSG_CHANNEL_DATA packet on the send path (RFC 4254 §5.2, RFC 4253 §6):\n');
  let payload = encodeMessage(msg);
  const tEncode = cpuMicros(() => (payload = encodeMessage(msg)), 500);
  // the same bytes without schema, tree or hex: byte 94, uint32 recipient, string data
  const direct = (): Uint8Array => {
    const p = new Uint8Array(9 + data.length);
    const dv = new DataView(p.buffer);
    p[0] = 94;
    dv.setUint32(1, 0);
    dv.setUint32(5, data.length);
    p.set(data, 9);
    return p;
  };
  if (!equalBytes(direct(), payload)) throw new Error('direct encoding differs from encodeMessage');
  const tDirect = cpuMicros(direct, 500);
  line('encodeMessage (schema, FieldNode tree, hex of the first 4 KiB)', tEncode, `${(32768 / tEncode).toFixed(0)} MB/s`);
  line('the same payload written directly', tDirect, `${(32768 / tDirect).toFixed(0)} MB/s`);
  for (const cipher of ['chacha20-poly1305@openssh.com', 'aes128-gcm@openssh.com']) {
    const keys = { iv: new Uint8Array(12).fill(1), key: new Uint8Array(64).fill(2), macKey: new Uint8Array(0) };
    const sealer = createSealer(cipher, null, keys, nodeCryptoProvider);
    let pkt = buildPacket(payload, sealer, (n) => env.randomBytes(n));
    const tBuild = cpuMicros(() => (pkt = buildPacket(payload, sealer, (n) => env.randomBytes(n))), 500);
    let seq = 0;
    const tSeal = cpuMicros(() => sealer.seal(seq++, pkt), 500);
    line(`buildPacket (padding from env.randomBytes), ${cipher}`, tBuild, `${(32768 / tBuild).toFixed(0)} MB/s`);
    line(`seal with node:crypto, ${cipher}`, tSeal, `${(32768 / tSeal).toFixed(0)} MB/s`);
    const all = tEncode + tBuild + tSeal;
    line(`  general path total (encode + build + seal)`, all, `${(32768 / all).toFixed(0)} MB per CPU-second, encode is ${((tEncode / all) * 100).toFixed(0)}%`);
    // the bulk fast path (trace off): header, data and padding sealed where they lie
    const tPieces = cpuMicros(() => sealer.sealPieces!(seq++, channelDataPieces(0, data, null, sealer, (n) => env.randomBytes(n))), 500);
    line(`  fast path: channelDataPieces + sealPieces, ${cipher}`, tPieces, `${(32768 / tPieces).toFixed(0)} MB per CPU-second`);
  }
  yardstickSeal();
}

/**
 * What one 32 KiB packet costs the yardstick's C++ addon (ssh2-flavours.ts), which keeps its
 * OpenSSL objects from packet to packet and encrypts in place, next to the node:crypto pieces every one of
 * our packets needs: a new cipher object (node:crypto cannot give an existing one a new IV) and an
 * update that returns a newly allocated buffer.
 */
function yardstickSeal(): void {
  const key = new Uint8Array(64).fill(7);
  const packet = Buffer.alloc(32768 + 64 + 16, 0x5a);
  process.stdout.write('the same packet elsewhere (µs of CPU per 32 KiB packet):\n');
  const addon = ssh2Addon();
  if (addon) {
    const chacha = new addon.ChaChaPolyCipher(Buffer.from(key));
    let seq = 0;
    line("ssh2's C++ addon, chacha20-poly1305 seal (in place)", cpuMicros(() => chacha.encrypt(packet, seq++), 500));
    const gcm = new addon.AESGCMCipher('aes-128-gcm', Buffer.from(key.subarray(0, 16)), Buffer.alloc(12, 1));
    line("ssh2's C++ addon, aes128-gcm seal (in place)", cpuMicros(() => gcm.encrypt(packet), 500));
  } else {
    process.stdout.write("  ssh2's C++ addon is not built here (no compiler at install): nothing to compare\n");
  }
  const iv16 = new Uint8Array(16);
  const iv12 = new Uint8Array(12);
  line("node:crypto createCipheriv('chacha20') alone", cpuMicros(() => createCipheriv('chacha20', key.subarray(0, 32), iv16), 2000));
  line("node:crypto createCipheriv('chacha20-poly1305') alone", cpuMicros(() => createCipheriv('chacha20-poly1305', key.subarray(0, 32), iv12, { authTagLength: 16 }), 2000));
  line("node:crypto createCipheriv('aes-128-gcm') alone", cpuMicros(() => createCipheriv('aes-128-gcm', key.subarray(0, 16), iv12), 2000));
  const body = packet.subarray(0, 32768);
  const c = createCipheriv('chacha20', key.subarray(0, 32), iv16);
  line('node:crypto update of 32 KiB, chacha20 (new output buffer)', cpuMicros(() => c.update(body), 500));
  const g = createCipheriv('aes-128-gcm', key.subarray(0, 16), iv12);
  line('node:crypto update of 32 KiB, aes-128-gcm (new output buffer)', cpuMicros(() => g.update(body), 500));
}

interface Ssh2Addon {
  ChaChaPolyCipher: new (key: Buffer) => { encrypt(packet: Buffer, seq: number): void };
  AESGCMCipher: new (name: string, key: Buffer, iv: Buffer) => { encrypt(packet: Buffer): void };
}

function ssh2Addon(): Ssh2Addon | null {
  return ssh2AddonBuilt ? (createRequire(import.meta.url)(ADDON) as Ssh2Addon) : null;
}

/**
 * The whole send path of a real Connection, engine only (no socket): after an in-memory handshake
 * with a server that grants a 4 GiB window, `data` commands of 64 KiB and pollTransmit() until
 * `bytes` went out; the output is dropped. CPU µs per 32 KiB packet.
 */
function connectionSendPath(cipher: string, bytes: number, trace: boolean): number {
  const random = (n: number) => defaultEnv().randomBytes(n);
  const hostKey = generateEd25519(random);
  const algorithms = { kex: ['curve25519-sha256'], hostKey: ['ssh-ed25519'], cipher: [cipher] };
  const client = createClient({ env: defaultEnv(nodeCryptoProvider), username: 'u', password: 'p', authMethods: ['password'], hostKeyCheck: () => 'known', trace, algorithms });
  const server = createServer({ env: defaultEnv(nodeCryptoProvider), hostKeys: [hostKey], users: [{ name: 'u', password: 'p' }], trace, algorithms, channelWindow: 0xffffffff });
  let channel = -1;
  let open = false;
  pumpPair(client, server, (e, from: Connection) => {
    if (from === client && e.type === 'auth' && e.result === 'success') channel = client.command({ type: 'open-session' });
    if (from === client && e.type === 'channel' && e.change === 'open') open = true;
  });
  if (!open) throw new Error('diagnose: the in-memory session did not open a channel');
  const chunk = new Uint8Array(65536).fill(0x33);
  const c0 = process.cpuUsage();
  for (let sent = 0; sent < bytes; sent += chunk.length) {
    client.command({ type: 'data', channel, data: chunk });
    while (client.pollTransmit() !== null);
    while (client.pollEvent() !== null);
  }
  const d = process.cpuUsage(c0);
  return (d.user + d.system) / (bytes / 32768);
}

function sendPath(): void {
  process.stdout.write('the send path of a Connection (channel flow control, encode, pad, seal, transmit queue), no socket:\n');
  for (const cipher of ['chacha20-poly1305@openssh.com', 'aes128-gcm@openssh.com']) {
    for (const trace of [false, true]) {
      connectionSendPath(cipher, 8 << 20, trace); // warm-up
      const us = connectionSendPath(cipher, 64 << 20, trace);
      line(`${cipher}, trace ${trace ? 'on' : 'off'}, per 32 KiB packet`, us, `${(32768 / us).toFixed(0)} MB per CPU-second`);
    }
  }
}

const what = process.argv[2] ?? 'all';
if (what === 'all' || what === 'handshake') handshake();
if (what === 'all' || what === 'bulk') bulk();
if (what === 'all' || what === 'send') sendPath();
