// Context for target 1 (there is no in-memory peer): the ssh2 npm client against an ssh2 npm
// server over loopback TCP — same algorithms, publickey auth, exec answered with exit-status 0.

import ssh2, { type ServerChannel } from 'ssh2';
import { BENCH_HOST_KEY, BENCH_KEX, EXEC_CIPHER } from './common.ts';

const { Client, Server, utils } = ssh2;

export interface Ssh2Pair {
  run(): Promise<void>;
  stop(): Promise<void>;
}

/** `hostKeyText` and `userKeyText`: OpenSSH ed25519 private key files; `userPub` its public line. */
export function startSsh2Pair(hostKeyText: string, userKeyText: string, userPub: string, user: string): Promise<Ssh2Pair> {
  const allowed = utils.parseKey(userPub);
  if (allowed instanceof Error) throw allowed;
  const allowedBlob = allowed.getPublicSSH();
  const algorithms = { kex: [BENCH_KEX], serverHostKey: [BENCH_HOST_KEY], cipher: [EXEC_CIPHER] };
  const server = new Server({ hostKeys: [hostKeyText], algorithms }, (client) => {
    // publickey as a real server does it: the key must be the allowed one and, when signed,
    // the signature must verify (ssh2 has the client query first, then sign)
    client.on('authentication', (ctx) => {
      const ok =
        ctx.method === 'publickey' &&
        ctx.username === user &&
        !!ctx.key &&
        Buffer.from(ctx.key.data).equals(allowedBlob) &&
        (!ctx.signature || allowed.verify(ctx.blob!, ctx.signature, ctx.hashAlgo) === true);
      if (ok) ctx.accept();
      else ctx.reject(['publickey']);
    });
    client.on('error', () => {});
    client.on('session', (accept) => {
      const session = accept();
      session.on('exec', (acceptExec: () => ServerChannel) => {
        const ch = acceptExec();
        ch.exit(0);
        ch.end();
      });
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const port = server.address().port;
      resolve({
        run: () =>
          new Promise<void>((done, fail) => {
            const c = new Client();
            let err: Error | null = null;
            c.on('error', (e) => (err = e));
            c.on('ready', () =>
              c.exec('true', (e, stream) => {
                if (e) return fail(e);
                stream.on('close', () => c.end());
                stream.resume();
              }),
            );
            c.on('close', () => (err ? fail(err) : done()));
            c.connect({ host: '127.0.0.1', port, username: user, privateKey: userKeyText, algorithms, readyTimeout: 20_000 });
          }),
        stop: () => new Promise<void>((r) => server.close(() => r())),
      });
    });
  });
}
