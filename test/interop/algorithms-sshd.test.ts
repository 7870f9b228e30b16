// Every classic algorithm against real OpenSSH 9.2, one short exec each:
//  1. our client (engine over TCP) → a private sshd, forcing each key exchange method (ECDH, the
//     fixed DH groups including the legacy SHA-1 ones enabled with "+", group exchange sha256/sha1,
//     and the sntrup761 hybrid), each host key algorithm (ed25519, ECDSA P-256/384/521, rsa-sha2-256/512,
//     ssh-rsa), each user key type (keys from ssh-keygen read with engine/keys), aes192-ctr and hmac-sha1(-etm);
//  2. the real ssh client → our server engine over TCP, forcing each kex and host key algorithm.
// sshd's log ("kex: algorithm: …", "kex: host key algorithm: …") confirms what was negotiated.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as net from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PEER_PATHS, requirePeers, requireRoot } from '../helpers/peers.ts';
import { removeDir, runCommand, sshKeygen, startSshd, tempDir, type KeyPair, type Sshd } from '../helpers/sshd.ts';
import { createClient, createServer } from '../../engine/core/connection.ts';
import type { ClientConfig, ServerConfig } from '../../engine/core/config.ts';
import { attachSocket, connectTcp } from '../../engine/adapters/node-tcp.ts';
import { respondToExec } from '../../engine/core/session-harness.ts';
import { defaultEnv } from '../../engine/env.ts';
import { nodeCryptoProvider } from '../../cli/node-crypto.ts';
import type { SshEvent } from '../../engine/events.ts';
import type { SshPrivateKey } from '../../engine/algorithms/types.ts';
import { publicKeyBlob } from '../../engine/algorithms/signatures.ts';
import { parseOpensshPrivateKey } from '../../engine/keys/openssh-private-key.ts';
import { formatPublicKeyLine } from '../../engine/keys/public-key.ts';

const ready =
  requirePeers([
    ['sshd', PEER_PATHS.sshd],
    ['ssh', PEER_PATHS.ssh],
    ['ssh-keygen', PEER_PATHS.sshKeygen],
  ]) && requireRoot();

/** The lead wires userKeyAlgorithm (server-sig-algs) into the client's publickey auth. */


interface Outcome {
  stdout: string;
  exitStatus: number | null;
  events: SshEvent[];
  error: string | null;
}

/** Our client engine over TCP: authenticate, exec `command`, collect stdout and the exit status. */
async function clientExec(port: number, cfg: ClientConfig, command: string): Promise<Outcome> {
  const socket = await connectTcp('127.0.0.1', port);
  const conn = createClient(cfg);
  const events: SshEvent[] = [];
  let stdout = '';
  let exitStatus: number | null = null;
  let error: string | null = null;
  let channel = -1;
  return await new Promise<Outcome>((resolve) => {
    const timer = setTimeout(() => {
      error ??= 'timeout';
      attached.destroy();
      resolve({ stdout, exitStatus, events, error });
    }, 30_000);
    const attached = attachSocket(conn, socket, (e) => {
      events.push(e);
      if (e.type === 'auth' && e.result === 'success') channel = conn.command({ type: 'open-session' });
      if (e.type === 'channel' && e.id === channel) {
        const d = (e.detail ?? {}) as { data?: Uint8Array; status?: number };
        if (e.change === 'open') conn.command({ type: 'exec', channel, command });
        if (e.change === 'data' && d.data) stdout += new TextDecoder().decode(d.data);
        if (e.change === 'exit-status') exitStatus = Number(d.status);
        if (e.change === 'close' || e.change === 'closed') if (!conn.closed) conn.command({ type: 'disconnect', description: 'done' });
      }
      if (e.type === 'error' && error === null && !(e.local && e.reason === 11)) error = e.message;
      if (e.type === 'closed') {
        clearTimeout(timer);
        attached.destroy();
        resolve({ stdout, exitStatus, events, error: exitStatus === null ? (error ?? e.message) : null });
      }
    });
    attached.pump();
  });
}

function chosen(events: SshEvent[], category: string): string | null {
  const n = events.find((e) => e.type === 'negotiated') as { rows: { category: string; chosen: string | null }[] } | undefined;
  return n?.rows.find((r) => r.category === category)?.chosen ?? null;
}

const KEXES = [
  'ecdh-sha2-nistp256',
  'ecdh-sha2-nistp384',
  'ecdh-sha2-nistp521',
  'diffie-hellman-group14-sha256',
  'diffie-hellman-group16-sha512',
  'diffie-hellman-group18-sha512',
  'diffie-hellman-group-exchange-sha256',
  'diffie-hellman-group14-sha1',
  'diffie-hellman-group1-sha1',
  'diffie-hellman-group-exchange-sha1',
  'sntrup761x25519-sha512@openssh.com',
  'sntrup761x25519-sha512',
  'curve25519-sha256',
];
const LEGACY_KEX = ['diffie-hellman-group14-sha1', 'diffie-hellman-group1-sha1', 'diffie-hellman-group-exchange-sha1'];
const HOST_KEY_ALGS = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];

describe.skipIf(!ready)('our client → real sshd: every classic algorithm', () => {
  let sshd: Sshd;
  let dir: string;
  const userKeys: Record<string, { pair: KeyPair; key: SshPrivateKey }> = {};

  beforeAll(async () => {
    dir = tempDir('sshscope-alg-');
    const p384 = await sshKeygen(dir, 'host_p384', 'ecdsa', { bits: 384 });
    const p521 = await sshKeygen(dir, 'host_p521', 'ecdsa', { bits: 521 });
    for (const [name, type, bits] of [
      ['ed25519', 'ed25519', undefined],
      ['p256', 'ecdsa', 256],
      ['p384', 'ecdsa', 384],
      ['p521', 'ecdsa', 521],
      ['rsa', 'rsa', 2048],
    ] as const) {
      const pair = await sshKeygen(dir, `id_${name}`, type, bits ? { bits } : {});
      userKeys[name] = { pair, key: parseOpensshPrivateKey(readFileSync(pair.path, 'utf8')) as SshPrivateKey };
    }
    sshd = await startSshd({
      extraConfig: [
        `HostKey ${p384.path}`,
        `HostKey ${p521.path}`,
        `KexAlgorithms +${LEGACY_KEX.join(',')}`,
        'HostKeyAlgorithms +ssh-rsa',
        'PubkeyAcceptedAlgorithms +ssh-rsa',
      ].join('\n'),
      authorizedKeys: Object.values(userKeys).map((u) => u.pair.pub),
    });
  }, 120_000);

  afterAll(async () => {
    await sshd?.stop();
    if (dir) removeDir(dir);
  });

  const cfg = (algorithms: ClientConfig['algorithms'], key: SshPrivateKey = userKeys['ed25519']!.key): ClientConfig => ({
    env: defaultEnv(),
    username: sshd.user,
    keys: [key],
    authMethods: ['publickey'],
    hostKeyCheck: () => 'unknown',
    acceptUnknownHostKey: true,
    algorithms,
    trace: false,
  });

  it.each(KEXES)('kex %s', async (kex) => {
    const r = await clientExec(sshd.port, cfg({ kex: [kex], hostKey: ['ssh-ed25519'] }), `echo kex ${kex}`);
    expect(r.error).toBe(null);
    expect(r.stdout).toBe(`kex ${kex}\n`);
    expect(r.exitStatus).toBe(0);
    expect(chosen(r.events, 'kex')).toBe(kex);
    expect(sshd.logText()).toContain(`kex: algorithm: ${kex}`);
  });

  it.each(HOST_KEY_ALGS)('host key %s (the signature over H verifies)', async (hk) => {
    const r = await clientExec(sshd.port, cfg({ kex: ['curve25519-sha256'], hostKey: [hk] }), `echo hk ${hk}`);
    expect(r.error).toBe(null);
    expect(r.stdout).toBe(`hk ${hk}\n`);
    expect(chosen(r.events, 'host key')).toBe(hk);
    expect(sshd.logText()).toContain(`kex: host key algorithm: ${hk}`);
  });

  // The CLI's provider does ECDH and ECDSA verification in OpenSSL (cli/node-crypto-ec.ts)
  it.each(['nistp256', 'nistp384', 'nistp521'])('through node:crypto: ecdh-sha2-%s with an ecdsa-sha2 host key on the same curve', async (curve) => {
    const kex = `ecdh-sha2-${curve}`;
    const hk = `ecdsa-sha2-${curve}`;
    const r = await clientExec(sshd.port, { ...cfg({ kex: [kex], hostKey: [hk] }), env: defaultEnv(nodeCryptoProvider) }, `echo node ${curve}`);
    expect(r.error).toBe(null);
    expect(r.stdout).toBe(`node ${curve}\n`);
    expect(chosen(r.events, 'kex')).toBe(kex);
    expect(chosen(r.events, 'host key')).toBe(hk);
  });

  it.each(['p256', 'p384', 'p521', 'ed25519'])('user key %s (publickey auth)', async (name) => {
    const r = await clientExec(sshd.port, cfg({ kex: ['curve25519-sha256'] }, userKeys[name]!.key), `echo user ${name}`);
    expect(r.error).toBe(null);
    expect(r.stdout).toBe(`user ${name}\n`);
  });

  it('RSA user key (this sshd also accepts ssh-rsa)', async () => {
    const r = await clientExec(sshd.port, cfg({ kex: ['curve25519-sha256'] }, userKeys['rsa']!.key), 'echo user rsa');
    expect(r.error).toBe(null);
    expect(r.stdout).toBe('user rsa\n');
  });

  it.each([
    ['aes192-ctr', 'hmac-sha1'],
    ['aes192-ctr', 'hmac-sha1-etm@openssh.com'],
    ['aes128-ctr', 'hmac-sha1'],
  ])('cipher %s with mac %s', async (cipher, mac) => {
    const r = await clientExec(sshd.port, cfg({ kex: ['ecdh-sha2-nistp256'], cipher: [cipher], mac: [mac] }), 'echo sym');
    expect(r.error).toBe(null);
    expect(r.stdout).toBe('sym\n');
    expect(sshd.logText()).toContain(`kex: client->server cipher: ${cipher} MAC: ${mac}`);
  });
});

// sshd has offered only delayed compression since OpenSSH 7.4 ("Compression yes" = delayed), so plain
// "zlib" is proven with the real ssh client against our server below.
describe.skipIf(!ready)('our client → real sshd (Compression yes): delayed zlib@openssh.com', () => {
  let sshd: Sshd;
  let dir: string;
  let key: SshPrivateKey;
  beforeAll(async () => {
    dir = tempDir('sshscope-alg-zlib-');
    const pair = await sshKeygen(dir, 'id_ed25519', 'ed25519');
    key = parseOpensshPrivateKey(readFileSync(pair.path, 'utf8')) as SshPrivateKey;
    sshd = await startSshd({ extraConfig: 'Compression yes', authorizedKeys: [pair.pub] });
  }, 60_000);
  afterAll(async () => {
    await sshd?.stop();
    if (dir) removeDir(dir);
  });
  it.each(['zlib@openssh.com'])('compression %s (RFC 4253 §6.2, OpenSSH PROTOCOL §1.2)', async (comp) => {
    // a long, compressible command line and output: `seq` prints 2000 lines
    const r = await clientExec(sshd.port, { env: defaultEnv(), username: sshd.user, keys: [key], authMethods: ['publickey'], hostKeyCheck: () => 'unknown', acceptUnknownHostKey: true, algorithms: { compression: [comp] } }, 'seq 1 2000');
    expect(r.error).toBe(null);
    expect(r.stdout).toBe(Array.from({ length: 2000 }, (_, i) => `${i + 1}\n`).join(''));
    expect(chosen(r.events, 'compression c2s')).toBe(comp);
    expect(chosen(r.events, 'compression s2c')).toBe(comp);
    expect(sshd.logText()).toContain(`compression: ${comp}`);
  });
});

describe.skipIf(!ready)('our client → real sshd with OpenSSH 9.2 defaults: RSA user keys sign rsa-sha2-512', () => {
  let sshd: Sshd;
  let dir: string;
  let key: SshPrivateKey;
  beforeAll(async () => {
    dir = tempDir('sshscope-alg-rsa-');
    const pair = await sshKeygen(dir, 'id_rsa', 'rsa', { bits: 2048 });
    key = parseOpensshPrivateKey(readFileSync(pair.path, 'utf8')) as SshPrivateKey;
    sshd = await startSshd({ authorizedKeys: [pair.pub] });
  }, 60_000);
  afterAll(async () => {
    await sshd?.stop();
    if (dir) removeDir(dir);
  });
  it('logs in with an RSA key through server-sig-algs', async () => {
    const r = await clientExec(sshd.port, { env: defaultEnv(), username: sshd.user, keys: [key], authMethods: ['publickey'], hostKeyCheck: () => 'unknown', acceptUnknownHostKey: true }, 'echo rsa2');
    expect(r.error).toBe(null);
    expect(r.stdout).toBe('rsa2\n');
    expect(sshd.logText()).toMatch(/pkalg rsa-sha2-512/);
  });
});

// ---------------------------------------------------------------------------------------------

/** Our server engine on a loopback port, answering `echo …` (engine/core/session-harness.ts). */
async function startOurServer(cfg: Omit<ServerConfig, 'env'>): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    const conn = createServer({ ...cfg, env: defaultEnv(), trace: false });
    const attached = attachSocket(conn, socket, (e) => respondToExec(conn, e), { side: 'server' });
    attached.pump();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

describe.skipIf(!ready)('real ssh → our server: every classic algorithm', () => {
  let dir: string;
  let server: { port: number; close(): Promise<void> };
  let user: KeyPair;
  const hostPubs: Record<string, string> = {};
  const userPairs: Record<string, KeyPair> = {};
  let hostKeysUsed: SshPrivateKey[] = [];

  beforeAll(async () => {
    dir = tempDir('sshscope-alg-serve-');
    user = await sshKeygen(dir, 'id_user', 'ed25519');
    for (const [name, type, bits] of [
      ['p256', 'ecdsa', 256],
      ['p384', 'ecdsa', 384],
      ['p521', 'ecdsa', 521],
      ['rsa', 'rsa', 2048],
    ] as const) userPairs[name] = await sshKeygen(dir, `id_${name}`, type, { bits });
    const hostKeys: SshPrivateKey[] = [];
    for (const [name, type, bits] of [
      ['ed25519', 'ed25519', undefined],
      ['p256', 'ecdsa', 256],
      ['p384', 'ecdsa', 384],
      ['p521', 'ecdsa', 521],
      ['rsa', 'rsa', 2048],
    ] as const) {
      const pair = await sshKeygen(dir, `host_${name}`, type, bits ? { bits } : {});
      const key = parseOpensshPrivateKey(readFileSync(pair.path, 'utf8')) as SshPrivateKey;
      // the engine's public key blob equals ssh-keygen's .pub
      expect(formatPublicKeyLine(publicKeyBlob(key))).toBe(pair.pub.split(' ').slice(0, 2).join(' '));
      hostKeys.push(key);
      hostPubs[name] = pair.pub;
    }
    hostKeysUsed = hostKeys;
    server = await startOurServer({
      hostKeys,
      users: [{ name: 'alice', authorizedKeys: [user.pub, ...Object.values(userPairs).map((p) => p.pub)].join('\n') + '\n' }],
      algorithms: { kex: KEXES, hostKey: HOST_KEY_ALGS },
    });
    writeFileSync(`${dir}/known_hosts`, Object.values(hostPubs).map((p) => `[127.0.0.1]:${server.port} ${p}`).join('\n') + '\n');
  }, 120_000);

  afterAll(async () => {
    await server?.close();
    if (dir) removeDir(dir);
  });

  const ssh = (opts: string[], command: string, identity = user.path) =>
    runCommand(PEER_PATHS.ssh, [
      '-p', String(server.port),
      '-F', '/dev/null',
      '-o', `UserKnownHostsFile=${dir}/known_hosts`,
      '-o', 'StrictHostKeyChecking=yes',
      '-o', 'BatchMode=yes',
      '-o', 'IdentitiesOnly=yes',
      '-i', identity,
      '-v',
      ...opts,
      'alice@127.0.0.1',
      command,
    ]);

  it.each(KEXES)('ssh -o KexAlgorithms=%s', async (kex) => {
    const r = await ssh(['-o', `KexAlgorithms=${kex}`, '-o', 'HostKeyAlgorithms=ssh-ed25519'], `echo kex ${kex}`);
    expect(r.stderr).toContain(`kex: algorithm: ${kex}`);
    expect(r.stdout).toBe(`kex ${kex}\n`);
    expect(r.code).toBe(0);
  });

  it.each([
    ['p256', 'ecdsa-sha2-nistp256'],
    ['p384', 'ecdsa-sha2-nistp384'],
    ['p521', 'ecdsa-sha2-nistp521'],
    ['rsa', 'rsa-sha2-512'],
  ])('user key %s: ssh signs with %s and our server verifies', async (name, alg) => {
    const r = await ssh(['-o', 'KexAlgorithms=curve25519-sha256', '-o', 'HostKeyAlgorithms=ssh-ed25519'], `echo user ${name}`, userPairs[name]!.path);
    // ssh 9.2 never signs with ssh-rsa (SHA-1) by default, so an RSA login here is rsa-sha2-512/256,
    // picked from the server-sig-algs our server sent (RFC 8308 §3.1).
    expect(r.stderr).toMatch(/Authenticated to .* using "publickey"/);
    if (alg.startsWith('rsa')) expect(r.stderr).toContain(`server-sig-algs=<`);
    expect(r.stdout).toBe(`user ${name}\n`);
    expect(r.code).toBe(0);
  });

  it.each(['zlib', 'zlib@openssh.com'])('ssh -C against a server offering only %s: a long echo comes back intact', async (comp) => {
    const text = Array.from({ length: 400 }, (_, i) => `line-${i % 37}-abcdefgh`).join(' ');
    const z = await startOurServer({ hostKeys: hostKeysUsed, users: [{ name: 'alice', authorizedKeys: user.pub }], algorithms: { compression: [comp] } });
    try {
      writeFileSync(`${dir}/known_hosts_z`, Object.values(hostPubs).map((p) => `[127.0.0.1]:${z.port} ${p}`).join('\n') + '\n');
      const r = await runCommand(PEER_PATHS.ssh, ['-p', String(z.port), '-F', '/dev/null', '-o', `UserKnownHostsFile=${dir}/known_hosts_z`, '-o', 'StrictHostKeyChecking=yes', '-o', 'BatchMode=yes', '-o', 'IdentitiesOnly=yes', '-i', user.path, '-C', '-v', 'alice@127.0.0.1', `echo ${text}`]);
      expect(r.stderr).toContain(`compression: ${comp}`);
      expect(r.stdout).toBe(`${text}\n`);
      expect(r.code).toBe(0);
    } finally {
      await z.close();
    }
  });

  it.each(HOST_KEY_ALGS)('ssh -o HostKeyAlgorithms=%s (known_hosts match, signature verified)', async (hk) => {
    const r = await ssh(['-o', 'KexAlgorithms=curve25519-sha256', '-o', `HostKeyAlgorithms=${hk}`, '-o', `PubkeyAcceptedAlgorithms=ssh-ed25519`], `echo hk ${hk}`);
    expect(r.stderr).toContain(`kex: host key algorithm: ${hk}`);
    expect(r.stdout).toBe(`hk ${hk}\n`);
    expect(r.code).toBe(0);
  });
});
