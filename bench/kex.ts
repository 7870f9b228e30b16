// Issue 8's figure "handshake time per KEX method": connect → exec true → close against the real
// sshd, one KEX method at a time (RFC 8731 curve25519, RFC 5656 ECDH, RFC 4419 group exchange,
// RFC 8268 DH groups, sntrup761x25519 from OpenSSH's PROTOCOL), for our client next to the ssh2
// npm client where ssh2 has the method, and OpenSSH's ssh (a whole process) as context.

import { EXEC_CIPHER, withTimeout, type Negotiated } from './common.ts';
import { ourExec } from './our-client.ts';
import { ssh2Exec } from './ssh2-client.ts';
import { opensshExec } from './openssh-client.ts';
import type { Peer } from './peer.ts';
import type { Row } from './report.ts';
import { summarize } from './stats.ts';

/** What OpenSSH 9.2's sshd offers by default, cheapest first; `ssh2` says whether the npm client has it. */
export const BENCH_KEX_METHODS: readonly { name: string; ssh2: boolean }[] = [
  { name: 'curve25519-sha256', ssh2: true },
  { name: 'ecdh-sha2-nistp256', ssh2: true },
  { name: 'ecdh-sha2-nistp384', ssh2: true },
  { name: 'ecdh-sha2-nistp521', ssh2: true },
  { name: 'sntrup761x25519-sha512@openssh.com', ssh2: false },
  { name: 'diffie-hellman-group14-sha256', ssh2: true },
  { name: 'diffie-hellman-group16-sha512', ssh2: true },
  { name: 'diffie-hellman-group-exchange-sha256', ssh2: true },
  { name: 'diffie-hellman-group18-sha512', ssh2: true },
];

const TIMEOUT = 120_000;

function cpuMs(since: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1000;
}

function expectKex(who: string, n: Negotiated | null, kex: string): void {
  if (n?.kex !== kex) throw new Error(`${who} negotiated ${n?.kex ?? 'nothing'}, expected ${kex}`);
}

export async function benchKex(peer: Peer, runs: number, warmup: number, rows: Row[], say: (s: string) => void, verbose: boolean): Promise<void> {
  for (const { name, ssh2 } of BENCH_KEX_METHODS) {
    const ours: number[] = [];
    const oursCpu: number[] = [];
    const theirs: number[] = [];
    const ssh: number[] = [];
    let ssh2Failure: string | null = ssh2 ? null : `ssh2 has no ${name}`;
    for (let i = 0; i < warmup + runs; i++) {
      const c0 = process.cpuUsage();
      const a = await withTimeout(ourExec(peer, EXEC_CIPHER, 'true', name), TIMEOUT, `our client ${name}`);
      const aCpu = cpuMs(c0);
      expectKex('our client', a.negotiated, name);
      let b: Awaited<ReturnType<typeof ssh2Exec>> | null = null;
      if (!ssh2Failure) {
        // the yardstick may fail where it claims support: say so in the row instead of ending the bench
        try {
          b = await withTimeout(ssh2Exec(peer, EXEC_CIPHER, 'true', name), TIMEOUT, `ssh2 ${name}`);
          expectKex('ssh2', b.negotiated, name);
        } catch (e) {
          ssh2Failure = `ssh2 failed: ${(e as Error).message}`;
          b = null;
        }
      }
      const c = await withTimeout(opensshExec(peer, EXEC_CIPHER, 'true', name), TIMEOUT, `ssh ${name}`);
      if (i < warmup) continue;
      ours.push(a.ms);
      oursCpu.push(aCpu);
      if (b) theirs.push(b.ms);
      ssh.push(c);
    }
    if (verbose) say(`  ${name}: ours ${summarize(ours).median.toFixed(1)} ms, ssh2 ${ssh2Failure ?? `${summarize(theirs).median.toFixed(1)} ms`}, ssh ${summarize(ssh).median.toFixed(1)} ms`);
    rows.push({
      what: `KEX ${name}: connect → exec true → close`,
      unit: 'ms',
      ours: summarize(ours),
      ...(!ssh2Failure ? { peerName: 'ssh2 npm client', peer: summarize(theirs) } : { peerName: 'ssh 9.2 (process)', peer: summarize(ssh) }),
      note: `our client CPU ${summarize(oursCpu).median.toFixed(1)} ms; OpenSSH ssh, whole process, ${summarize(ssh).median.toFixed(1)} ms${ssh2Failure ? `; ${ssh2Failure}` : ''}`,
    });
  }
}
