// Captures the capture benchmark reads, made by the bench itself:
//  - bulk: `sshscope connect --pcap` pushes N MiB of random bytes into `cat > /dev/null` on the real
//    sshd (curve25519-sha256 + aes128-gcm, so that tshark 4.0 can decrypt it from the file's
//    Decryption Secrets Block);
//  - interactive: an in-memory session of our client and server (node:crypto provider) where the
//    client sends many small CHANNEL_DATA packets to `cat`, each echoed back, every packet in its
//    own TCP segment, written with engine/capture/pcapng-writer.ts.

import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createClient, createServer, defaultEnv, generateEd25519, KEX, type Connection, type SshEvent } from '../engine/index.ts';
import { writeSessionPcapng, type SessionChunk } from '../engine/capture/pcapng-writer.ts';
import { nodeCryptoProvider } from '../cli/node-crypto.ts';
import { keylogLines, keylogOf, legacyKeylogLines } from '../cli/keylog.ts';
import type { Peer } from './peer.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Runs `sshscope connect --pcap out` sending `inputFile` into `cat > /dev/null` on the peer. */
export function bulkCapture(peer: Peer, inputFile: string, out: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const args = ['bin/sshscope.js', 'connect', '-p', String(peer.port), '-i', peer.keyPath, '--known-hosts', peer.knownHostsPath, '--kex', 'curve25519-sha256', '--ciphers', 'aes128-gcm@openssh.com', '--pcap', out, `${peer.user}@${peer.host}`, 'cat > /dev/null'];
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`sshscope connect --pcap exited ${code}: ${err}`))));
    createReadStream(inputFile).pipe(child.stdin);
  });
}

/**
 * An interactive-like session in memory: `messages` small CHANNEL_DATA packets (`size` bytes of
 * data each) from the client, each echoed by the server; every transmit is one TCP segment.
 * Returns the pcapng bytes.
 */
export function interactiveCapture(messages: number, size = 24): Uint8Array {
  const rnd = (n: number) => crypto.getRandomValues(new Uint8Array(n));
  const algorithms = { kex: ['curve25519-sha256'], cipher: ['aes128-gcm@openssh.com'] };
  const client = createClient({ env: defaultEnv(nodeCryptoProvider), username: 'alice', password: 'pw', hostKeyCheck: () => 'unknown', acceptUnknownHostKey: true, trace: false, algorithms });
  const server = createServer({ env: defaultEnv(nodeCryptoProvider), hostKeys: [generateEd25519(rnd)], users: [{ name: 'alice', password: 'pw' }], trace: false, algorithms });
  const chunks: SessionChunk[] = [];
  const keylog: string[] = [];
  let t = Date.now();
  const move = (from: Connection, to: Connection, dir: 'c2s' | 's2c'): boolean => {
    let moved = false;
    let out: Uint8Array | null;
    while ((out = from.pollTransmit())) {
      chunks.push({ dir, bytes: out, timeMs: (t += 0.05) });
      to.receive(out);
      moved = true;
    }
    return moved;
  };
  let channel = -1;
  let serverChannel = -1;
  let started = false;
  let sent = 0;
  let done = false;
  const onClient = (e: SshEvent) => {
    if (e.type === 'keys') {
      const info = keylogOf(e);
      if (info) keylog.push(...keylogLines(info, 'client', KEX[e.kex]?.kEncoding ?? 'mpint'), ...legacyKeylogLines(info, 'client'));
    } else if (e.type === 'auth' && e.result === 'success') channel = client.command({ type: 'open-session' });
    else if (e.type === 'channel' && e.id === channel) {
      if (e.change === 'open') client.command({ type: 'exec', channel, command: 'cat' });
      else if (e.change === 'request-success' || (e.change === 'request' && (e.detail as { accepted?: boolean }).accepted)) started = true;
      else if (e.change === 'closed' || e.change === 'close') done = true;
    }
  };
  const onServer = (e: SshEvent) => {
    if (e.type !== 'channel') return;
    const d = e.detail as { request?: string; data?: Uint8Array };
    if (e.change === 'request' && d.request === 'exec') serverChannel = e.id;
    else if (e.change === 'data' && d.data) server.command({ type: 'data', channel: e.id, data: d.data });
    else if (e.change === 'eof') {
      server.command({ type: 'exit-status', channel: e.id, status: 0 });
      server.command({ type: 'eof', channel: e.id });
      server.command({ type: 'close', channel: e.id });
    }
  };
  const pump = () => {
    for (let round = 0; round < 1000; round++) {
      let e: SshEvent | null;
      let moved = false;
      while ((e = client.pollEvent())) {
        onClient(e);
        moved = true;
      }
      while ((e = server.pollEvent())) {
        onServer(e);
        moved = true;
      }
      moved = move(client, server, 'c2s') || moved;
      moved = move(server, client, 's2c') || moved;
      if (!moved) return;
    }
  };
  pump();
  if (serverChannel < 0 && !started) throw new Error('interactive capture: the exec did not start');
  const data = rnd(size);
  while (sent < messages) {
    client.command({ type: 'data', channel, data });
    sent++;
    pump();
  }
  client.command({ type: 'eof', channel });
  pump();
  if (!done) client.command({ type: 'close', channel });
  client.command({ type: 'disconnect', description: 'bench done' });
  pump();
  return writeSessionPcapng({ client: { ip: '10.0.0.1', port: 50500 }, server: { ip: '10.0.0.2', port: 22 }, chunks, keylog: keylog.join('\n') + '\n' });
}
