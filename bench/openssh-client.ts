// Context for target 2: the real OpenSSH client's wall time for the same connect → `true` →
// close (a whole process: fork/exec, config, handshake, auth, exec, exit), same algorithms.

import { spawn } from 'node:child_process';
import { PEER_PATHS } from '../test/helpers/peers.ts';
import { BENCH_HOST_KEY, BENCH_KEX } from './common.ts';
import type { Peer } from './peer.ts';

export function sshArgs(peer: Peer, cipher: string, command: string, kex: string = BENCH_KEX): string[] {
  return [
    '-F', '/dev/null',
    '-p', String(peer.port),
    '-i', peer.keyPath,
    '-o', 'IdentitiesOnly=yes',
    '-o', 'BatchMode=yes',
    '-o', `UserKnownHostsFile=${peer.knownHostsPath}`,
    '-o', 'StrictHostKeyChecking=yes',
    '-o', `KexAlgorithms=${kex}`,
    '-o', `HostKeyAlgorithms=${BENCH_HOST_KEY}`,
    '-o', `Ciphers=${cipher}`,
    '-T',
    `${peer.user}@${peer.host}`,
    command,
  ];
}

/** Runs ssh once; resolves with the wall time in ms (throws when ssh fails). */
export function opensshExec(peer: Peer, cipher: string, command = 'true', kex: string = BENCH_KEX): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(PEER_PATHS.ssh, sshArgs(peer, cipher, command, kex), { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - t0;
      if (code === 0) resolve(ms);
      else reject(new Error(`ssh exited with ${code}: ${err.trim()}`));
    });
  });
}
