// The browser path, run from Node: our client engine over engine/adapters/websocket.ts (with the
// `ws` package's WebSocket, which has the browser interface) through the bridge of
// `sshscope start` (startAppServer: the same HTTP server that serves the app) to a real OpenSSH
// sshd. Then the same through app/lib/real-server.ts (the logic behind the "Real server" form):
// password and key logins, a command's output, the host-key question against a browser-style
// known_hosts, a changed key refused, a refused target's reason.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { WebSocket } from 'ws';
import { createClient, defaultEnv, type SshEvent } from '../../engine/index.ts';
import { attachWebSocket, bridgeUrl, type WebSocketLike } from '../../engine/adapters/websocket.ts';
import { fingerprintSha256 } from '../../engine/keys/fingerprint.ts';
import { base64Decode } from '../../engine/keys/base64.ts';
import { startAppServer, type AppServer } from '../../cli/start.ts';
import { BRIDGE_CLOSE } from '../../cli/bridge.ts';
import { BrowserKnownHosts, memoryStorage } from '../../app/lib/browser-known-hosts.ts';
import { DEFAULT_FORM, loadPrivateKeyText, startRealSession, viewEvents, type HostKeyAnswer, type HostKeyQuestion, type RealServerForm, type RealSession } from '../../app/lib/real-server.ts';
import { buildSteps } from '../../app/lib/steps.ts';
import { PEER_PATHS, requirePeers, requireRoot } from '../helpers/peers.ts';
import { removeDir, runCommand, sshKeygen, startSshd, tempDir, type KeyPair, type Sshd } from '../helpers/sshd.ts';

const ready = requirePeers([
  ['sshd', PEER_PATHS.sshd],
  ['ssh-keygen', PEER_PATHS.sshKeygen],
]) && requireRoot();

describe.skipIf(!ready)('browser client path → bridge → real sshd (from Node)', () => {
  let sshd: Sshd;
  let app: AppServer;
  let dir: string;
  let key: KeyPair;
  let encKey: KeyPair;
  const logLines: string[] = [];
  const endpoint = () => `ws://127.0.0.1:${app.server.port}/bridge`;
  const origin = () => `http://127.0.0.1:${app.server.port}`;
  const makeWs = (url: string): WebSocketLike => new WebSocket(url, { origin: origin() }) as unknown as WebSocketLike;

  beforeAll(async () => {
    dir = tempDir('sshscope-bridge-ws-');
    key = await sshKeygen(dir, 'id_ecdsa', 'ecdsa');
    encKey = await sshKeygen(dir, 'id_enc', 'ed25519', { passphrase: 'open sesame' });
    sshd = await startSshd({ authorizedKeys: [key.pub, encKey.pub] });
    // no app build is needed to reach the bridge: the static root may be any directory
    app = await startAppServer({ root: dir, log: (l) => logLines.push(l) });
  });

  afterAll(async () => {
    await app?.close();
    await sshd?.stop();
    if (dir) removeDir(dir);
  });

  it('engine/adapters/websocket.ts: password login and exec over the bridge; host key = the sshd key ssh-keygen printed', async () => {
    const events: SshEvent[] = [];
    let hostFp = '';
    const conn = createClient({ username: sshd.user, password: sshd.password, authMethods: ['password'], env: defaultEnv(), hostKeyCheck: (info) => ((hostFp = info.fingerprint), 'known') });
    let channel = -1;
    let out = '';
    let status: number | null = null;
    const ws = makeWs(bridgeUrl(endpoint(), '127.0.0.1', sshd.port));
    const done = new Promise<void>((resolve) => {
      const a = attachWebSocket(conn, ws, (e) => {
        events.push(e);
        if (e.type === 'auth' && e.result === 'success') channel = conn.command({ type: 'open-session' });
        if (e.type === 'channel' && e.id === channel) {
          const d = e.detail as { data?: Uint8Array; status?: number };
          if (e.change === 'open') conn.command({ type: 'exec', channel, command: 'echo "bridged $((6*7))"; exit 5' });
          if (e.change === 'data' && d.data) out += new TextDecoder().decode(d.data);
          if (e.change === 'exit-status') status = d.status ?? null;
          if (e.change === 'closed') conn.command({ type: 'disconnect', description: 'done' });
        }
        if (e.type === 'closed') resolve();
      });
      void a;
    });
    await done;
    expect(out).toBe('bridged 42\n');
    expect(status).toBe(5);
    // the host key the engine saw over the bridge is the sshd's own (independent: the key file's blob)
    const blobs = Object.values(sshd.hostKeys).map((l) => fingerprintSha256(base64Decode(l.split(' ')[1]!)!));
    expect(blobs).toContain(hostFp);
    const ssh = await runCommand(PEER_PATHS.sshKeygen, ['-l', '-f', `${sshd.hostKeyPaths.ed25519}.pub`]);
    expect(ssh.stdout).toContain(blobs[0]);
    // the real sshd logged our login
    expect(sshd.logText()).toMatch(/Accepted password for sshscope-test/);
    expect(events.some((e) => e.type === 'version' && e.dir === 's2c' && e.line.startsWith('SSH-2.0-OpenSSH_'))).toBe(true);
  });

  function session(form: Partial<RealServerForm>, kh: BrowserKnownHosts, answer: HostKeyAnswer, asked: HostKeyQuestion[] = []): Promise<RealSession> {
    return new Promise((resolve, reject) => {
      startRealSession({
        endpoint: endpoint(),
        form: { ...DEFAULT_FORM, host: '127.0.0.1', port: sshd.port, user: sshd.user, ...form },
        knownHosts: kh,
        makeWebSocket: makeWs,
        askHostKey: async (q) => {
          asked.push(q);
          return answer;
        },
        onEnd: resolve,
      }).catch(reject);
    });
  }

  it('real-server.ts: an unknown host asks (fingerprint, randomart), "save" stores the line ssh writes; the next login finds it known', async () => {
    const kh = new BrowserKnownHosts(memoryStorage());
    const asked: HostKeyQuestion[] = [];
    const s = await session({ password: sshd.password, command: 'echo first; id -un' }, kh, 'save', asked);
    expect(s.endReason, s.events.filter((e) => e.type === 'error' || e.type === 'closed').map((e) => JSON.stringify(e)).join('\n')).not.toMatch(/fail/i);
    expect(s.stdout).toBe(`first\n${sshd.user}\n`);
    expect(s.exitStatus).toBe(0);
    expect(asked).toHaveLength(1);
    expect(asked[0]!.verdict).toBe('unknown');
    // the key offered first by default is ed25519: the sshd's line, as the sshd helper wrote it
    const hostLine = sshd.knownHostsLine('ed25519').split(' ').slice(-2).join(' ');
    expect(kh.text).toBe(`[127.0.0.1]:${sshd.port} ${hostLine}\n`);
    expect(asked[0]!.fingerprint).toBe(fingerprintSha256(base64Decode(hostLine.split(' ')[1]!)!));
    // randomart as ssh-keygen -lv draws it
    const lv = await runCommand(PEER_PATHS.sshKeygen, ['-lv', '-f', `${sshd.hostKeyPaths.ed25519}.pub`]);
    expect(lv.stdout).toContain(asked[0]!.randomart);
    // the real ssh accepts the exported file as its known_hosts (StrictHostKeyChecking=yes)
    writeFileSync(`${dir}/exported_known_hosts`, kh.text);
    const real = await runCommand(PEER_PATHS.ssh, ['-p', String(sshd.port), '-i', key.path, '-o', 'IdentitiesOnly=yes', '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes', '-o', `UserKnownHostsFile=${dir}/exported_known_hosts`, '-o', 'HostKeyAlgorithms=ssh-ed25519', `${sshd.user}@127.0.0.1`, 'echo real-ssh-ok']);
    expect(real.stdout, real.stderr).toBe('real-ssh-ok\n');
    const again: HostKeyQuestion[] = [];
    const s2 = await session({ password: sshd.password, command: 'echo second' }, kh, 'refuse', again);
    expect(again).toHaveLength(0);
    expect(s2.stdout).toBe('second\n');
    // views: the one-sided log becomes steps through phase 5, with the server's packets
    const steps = buildSteps(viewEvents(s2.events));
    expect(steps.some((st) => st.phase === 5)).toBe(true);
    expect(steps.some((st) => st.event.type === 'packet' && st.event.dir === 's2c' && st.event.msg === 'SSH_MSG_KEXINIT')).toBe(true);
    expect(steps.some((st) => st.event.type === 'host-key-check' && st.event.result === 'known')).toBe(true);
  });

  it('real-server.ts: a key file (ecdsa from ssh-keygen) and an encrypted one with its passphrase', async () => {
    const kh = new BrowserKnownHosts(memoryStorage());
    const loaded = loadPrivateKeyText(readFileSync(key.path, 'utf8'));
    if (!loaded.ok) throw new Error(loaded.message);
    expect(loaded.publicLine).toBe(key.pub);
    const s = await session({ key: loaded.key, command: 'echo keyed' }, kh, 'once');
    expect(s.stdout).toBe('keyed\n');
    expect(kh.text).toBe(''); // "once" does not save
    expect(sshd.logText()).toMatch(/Accepted publickey for sshscope-test .*ECDSA/);

    const encText = readFileSync(encKey.path, 'utf8');
    const need = loadPrivateKeyText(encText);
    expect(need).toMatchObject({ ok: false, needPassphrase: true, wrong: false });
    expect(loadPrivateKeyText(encText, 'wrong')).toMatchObject({ ok: false, needPassphrase: true, wrong: true });
    const enc = loadPrivateKeyText(encText, 'open sesame');
    if (!enc.ok) throw new Error(enc.message);
    const s2 = await session({ key: enc.key, command: 'echo unlocked' }, kh, 'once');
    expect(s2.stdout).toBe('unlocked\n');
  });

  it('real-server.ts: no command = a shell with a pty; typed lines run and their output comes back', async () => {
    const kh = new BrowserKnownHosts(memoryStorage());
    const s = await new Promise<RealSession>((resolve, reject) => {
      let sent = false;
      startRealSession({
        endpoint: endpoint(),
        form: { ...DEFAULT_FORM, host: '127.0.0.1', port: sshd.port, user: sshd.user, password: sshd.password, command: '' },
        knownHosts: kh,
        makeWebSocket: makeWs,
        askHostKey: async () => 'once',
        onUpdate: (rs) => {
          // the shell is ready once it printed anything (a prompt): type two lines
          if (!sent && rs.authenticated && rs.stdout.length > 0) {
            sent = true;
            rs.send('echo "shell-$((2+3))"\n');
            rs.send('exit\n');
          }
        },
        onEnd: resolve,
      }).catch(reject);
    });
    expect(s.execCommand).toBeNull();
    expect(s.stdout).toContain('shell-5');
    // only a pty echoes what was typed (the command line itself, unexpanded): the pty-req was granted
    expect(s.stdout).toContain('echo "shell-$((2+3))"');
    expect(sshd.logText()).toMatch(/session_pty_req|Allocated pty|pty-req/i);
  });

  it('real-server.ts: a changed host key is refused (never accepted, even when told "once")', async () => {
    const kh = new BrowserKnownHosts(memoryStorage());
    // another key recorded for this host: the ecdsa user key posing as the host key
    kh.replace(`[127.0.0.1]:${sshd.port} ${key.pub.split(' ').slice(0, 2).join(' ')}\n`);
    const asked: HostKeyQuestion[] = [];
    const s = await session({ password: sshd.password, command: 'echo never' }, kh, 'once', asked);
    expect(asked.map((q) => q.verdict)).toEqual(['changed']);
    expect(asked[0]!.line).toBe(1);
    expect(s.stdout).toBe('');
    expect(s.authenticated).toBe(false);
    expect(s.events.some((e) => e.type === 'host-key-check' && e.result === 'rejected')).toBe(true);
  });

  it('real-server.ts: a closed port ends with the bridge reason (4502 ECONNREFUSED)', async () => {
    const { freePort } = await import('../helpers/sshd.ts');
    const closed = await freePort();
    const s = await session({ port: closed, password: 'x' }, new BrowserKnownHosts(memoryStorage()), 'refuse');
    expect(s.closeCode).toBe(BRIDGE_CLOSE.connectFailed);
    expect(s.bridgeRefusal).toBe(`connect to 127.0.0.1:${closed}: ECONNREFUSED`);
    expect(logLines.some((l) => l.startsWith(`bridge: refused (4502) 127.0.0.1:${closed}`))).toBe(true);
  });

  it('real-server.ts: a target not on the allow list ends with the bridge reason (4403)', async () => {
    const other = await startAppServer({ root: dir, allow: [{ host: '127.0.0.1', port: 1 }] });
    try {
      const s = await new Promise<RealSession>((resolve, reject) => {
        startRealSession({
          endpoint: `ws://127.0.0.1:${other.server.port}/bridge`,
          form: { ...DEFAULT_FORM, host: '127.0.0.1', port: sshd.port, user: sshd.user, password: 'x' },
          knownHosts: new BrowserKnownHosts(memoryStorage()),
          makeWebSocket: (url) => new WebSocket(url, { origin: `http://127.0.0.1:${other.server.port}` }) as unknown as WebSocketLike,
          askHostKey: async () => 'refuse',
          onEnd: resolve,
        }).catch(reject);
      });
      expect(s.closeCode).toBe(BRIDGE_CLOSE.targetNotAllowed);
      expect(s.endReason).toContain(`target not allowed: 127.0.0.1:${sshd.port}`);
      expect(s.bridgeRefusal).toContain('--allow');
    } finally {
      await other.close();
    }
  });
});
