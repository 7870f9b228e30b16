// The yardstick: the `ssh2` npm package doing exactly what our client does against the same sshd,
// pinned to the same algorithms; in either of its two builds (ssh2-flavours.ts).

import type { ClientChannel, Ssh2Negotiated } from 'ssh2';
import { BENCH_HOST_KEY, BENCH_KEX, type BulkSample, type ExecSample, type Negotiated } from './common.ts';
import { CHUNK } from './our-client.ts';
import type { Peer } from './peer.ts';
import { ssh2Of, type Ssh2Flavour } from './ssh2-flavours.ts';

function negotiatedOf(n: Ssh2Negotiated): Negotiated {
  return { kex: n.kex, hostKey: n.serverHostKey, cipherC2S: n.cs.cipher, cipherS2C: n.sc.cipher };
}

interface Hooks {
  onStream?: (stream: ClientChannel) => void;
  onExit?: () => void;
}

function session(peer: Peer, cipher: string, command: string, hooks: Hooks = {}, kex: string = BENCH_KEX, flavour: Ssh2Flavour = 'installed'): Promise<{ exitStatus: number | null; negotiated: Negotiated | null }> {
  return new Promise((resolve, reject) => {
    const c = new (ssh2Of(flavour).Client)();
    let negotiated: Negotiated | null = null;
    let exitStatus: number | null = null;
    let failed: Error | null = null;
    c.on('handshake', (n) => (negotiated = negotiatedOf(n)));
    c.on('error', (err) => (failed = err));
    c.on('ready', () => {
      c.exec(command, (err, stream) => {
        if (err) {
          failed = err;
          c.end();
          return;
        }
        stream.on('exit', (code: number | null) => {
          exitStatus = code;
          hooks.onExit?.();
        });
        stream.on('close', () => c.end());
        stream.on('data', () => {});
        stream.stderr.on('data', () => {});
        hooks.onStream?.(stream);
      });
    });
    c.on('close', () => (failed ? reject(failed) : resolve({ exitStatus, negotiated })));
    c.connect({
      host: peer.host,
      port: peer.port,
      username: peer.user,
      privateKey: peer.keyText,
      algorithms: { kex: [kex], serverHostKey: [BENCH_HOST_KEY], cipher: [cipher] },
      readyTimeout: 20_000,
    });
  });
}

export async function ssh2Exec(peer: Peer, cipher: string, command = 'true', kex: string = BENCH_KEX): Promise<ExecSample> {
  const t0 = performance.now();
  const r = await session(peer, cipher, command, {}, kex);
  return { ms: performance.now() - t0, exitStatus: r.exitStatus, negotiated: r.negotiated };
}

export async function ssh2Bulk(peer: Peer, cipher: string, data: Uint8Array, flavour: Ssh2Flavour = 'installed'): Promise<BulkSample> {
  let t0 = 0;
  let t1 = 0;
  let off = 0;
  const r = await session(peer, cipher, 'cat > /dev/null', {
    onStream: (stream) => {
      t0 = performance.now();
      const feed = (): void => {
        while (off < data.length) {
          const end = Math.min(data.length, off + CHUNK);
          const ok = stream.write(data.subarray(off, end));
          off = end;
          if (!ok) {
            stream.once('drain', feed);
            return;
          }
        }
        stream.end();
      };
      feed();
    },
    onExit: () => {
      t1 = performance.now();
    },
  }, BENCH_KEX, flavour);
  if (off < data.length) throw new Error(`ssh2: only ${off} of ${data.length} bytes were sent`);
  return { bytes: data.length, ms: t1 - t0, exitStatus: r.exitStatus, negotiated: r.negotiated };
}
