// `npx tsx bench/profile-bulk.ts [ours|ssh2|ssh2-pure] [cipher] [MiB] [runs]`: only bulk uploads of one client
// into the real sshd's `cat > /dev/null`, printing MB per client CPU-second per run. Meant to run
// under `node --cpu-prof --import ./node_modules/tsx/dist/esm/index.mjs bench/profile-bulk.ts …`
// so that a profile holds one client's hot path and nothing else of the bench.

import { randomFillSync } from 'node:crypto';
import { randomPayload } from './common.ts';
import { ourBulk } from './our-client.ts';
import { ssh2Bulk } from './ssh2-client.ts';
import { startPeer } from './peer.ts';

const who = process.argv[2] ?? 'ours';
const cipher = process.argv[3] ?? 'aes128-gcm@openssh.com';
const mib = Number(process.argv[4] ?? 64);
const runs = Number(process.argv[5] ?? 3);
const data = randomPayload(mib << 20, (b) => randomFillSync(b));
const peer = await startPeer();
try {
  const run = who === 'ours' ? ourBulk : (p: typeof peer, c: string, d: Uint8Array) => ssh2Bulk(p, c, d, who === 'ssh2-pure' ? 'pure' : 'installed');
  await run(peer, cipher, data.subarray(0, 8 << 20)); // warm-up
  for (let i = 0; i < runs; i++) {
    const r0 = process.resourceUsage();
    const s = await run(peer, cipher, data);
    const r1 = process.resourceUsage();
    const user = r1.userCPUTime - r0.userCPUTime;
    const system = r1.systemCPUTime - r0.systemCPUTime;
    const cpuS = (user + system) / 1e6;
    process.stdout.write(`${who} ${cipher} ${mib} MiB: ${(s.bytes / 1e3 / s.ms).toFixed(0)} MB/s wall, ${(s.bytes / 1e6 / cpuS).toFixed(0)} MB per CPU-second (user ${(user / 1e3).toFixed(0)} ms, system ${(system / 1e3).toFixed(0)} ms, ${r1.minorPageFault - r0.minorPageFault} minor page faults)\n`);
  }
} finally {
  await peer.stop();
}
