// The attempt limit as OpenSSH's sshd applies it (scenario `password-login` says what is checked
// here): with `MaxAuthTries 2`, the first wrong password is answered with USERAUTH_FAILURE listing
// the methods that can continue (RFC 4252 §5.1) — the client's opening `none` query is not counted
// — and the second one reaches the limit, and instead of a
// second failure sshd sends SSH_MSG_DISCONNECT with reason 2, PROTOCOL_ERROR, and the description
// "Too many authentication failures" (RFC 4252 §4 lets a server limit attempts). Our client talks to
// a real sshd on loopback and reports what arrived; then the real ssh client, answering a wrong
// password every time, gets the same ending from sshd and from `sshscope serve --max-auth-tries 2`.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PEER_PATHS, requirePeers, requireRoot } from '../helpers/peers.ts';
import { startSshd, type Sshd } from '../helpers/sshd.ts';
import { runSsh } from '../helpers/ssh.ts';
import { spawnServe, type ServeProcess } from '../helpers/serve.ts';
import { createClient } from '../../engine/index.ts';
import { attachSocket, connectTcp } from '../../engine/adapters/node-tcp.ts';
import type { SshEvent } from '../../engine/events.ts';

const ready = requirePeers([
  ['sshd', PEER_PATHS.sshd],
  ['ssh', PEER_PATHS.ssh],
]) && requireRoot();

describe.skipIf(!ready)('MaxAuthTries against a real sshd', () => {
  let sshd: Sshd;
  let serve: ServeProcess;
  beforeAll(async () => {
    sshd = await startSshd({ extraConfig: 'MaxAuthTries 2\n' });
    serve = await spawnServe(['--user', 'alice:the-right-one', '--max-auth-tries', '2']);
  });
  afterAll(async () => {
    await serve?.stop();
    await sshd?.stop();
  });

  it('two wrong passwords: one USERAUTH_FAILURE for the first, DISCONNECT reason 2 "Too many authentication failures" for the second', async () => {
    const client = createClient({ username: sshd.user, authMethods: ['password'], hostKeyCheck: () => 'known' });
    const wrong = ['not-it-1', 'not-it-2', 'not-it-3'];
    let asked = 0;
    const events: SshEvent[] = [];
    const socket = await connectTcp('127.0.0.1', sshd.port);
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    const link = attachSocket(client, socket, (e) => {
      events.push(e);
      if (e.type === 'decision' && e.kind === 'password') client.answer(e.id, wrong[asked++] ?? null);
    });
    link.pump();
    await closed;

    expect(asked).toBe(2);
    const received = events.filter((e): e is Extract<SshEvent, { type: 'packet' }> => e.type === 'packet' && e.dir === 's2c');
    // a failure for the opening `none` query (which sshd does not count) and one for the first password
    expect(received.filter((e) => e.msg === 'SSH_MSG_USERAUTH_FAILURE')).toHaveLength(2);
    const auth = events.filter((e): e is Extract<SshEvent, { type: 'auth' }> => e.type === 'auth').map((e) => `${e.method} ${e.result}`);
    expect(auth).toEqual(['none failure', 'password failure']);
    // the last packet from sshd, read by hand (RFC 4253 §11.1: byte 1, uint32 reason code, string description)
    const last = received.at(-1)!.payload;
    const view = new DataView(last.buffer, last.byteOffset, last.byteLength);
    expect(last[0]).toBe(1);
    expect(view.getUint32(1)).toBe(2);
    const descriptionLength = view.getUint32(5);
    expect(new TextDecoder().decode(last.subarray(9, 9 + descriptionLength))).toBe('Too many authentication failures');
    expect(events.at(-1)).toMatchObject({ type: 'closed', reason: 2 });
    expect(sshd.logText()).toMatch(/maximum authentication attempts exceeded for sshscope-test/);
  });

  it('the real ssh client, wrong password every time: the same ending from sshd and from sshscope serve --max-auth-tries 2', async () => {
    for (const [port, user] of [
      [sshd.port, sshd.user],
      [serve.port, 'alice'],
    ] as const) {
      // ssh would ask up to three times; the server stops it at the second wrong answer
      const r = await runSsh(['-o', 'NumberOfPasswordPrompts=3', '-p', String(port), `${user}@127.0.0.1`, 'true'], { password: 'not-it' });
      expect(r.code, r.stderr).toBe(255);
      expect(r.stderr).toMatch(/Received disconnect from 127\.0\.0\.1 port \d+:2: Too many authentication failures/);
    }
  });

  it('sshscope serve refuses a --max-auth-tries that is not a whole number from 1', async () => {
    await expect(spawnServe(['--max-auth-tries', '0'])).rejects.toThrow(/--max-auth-tries wants a whole number from 1 to 9999, not "0"/);
  });
});
