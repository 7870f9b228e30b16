// `sshscope mitm` between the real OpenSSH client and a real sshd (issue 7 §3): the client's
// command runs on the real server through both of our engines, both legs' events are recorded,
// the client's known_hosts ends up holding OUR host key (the lesson), and only loopback targets
// are accepted.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PEER_PATHS, requirePeers, requireRoot } from '../helpers/peers.ts';
import { runCommand, sshKeygen, startSshd, tempDir, removeDir, type KeyPair, type Sshd } from '../helpers/sshd.ts';
import { watchFeed } from '../../cli/classroom-watch.ts';

const ready =
  requirePeers([
    ['sshd', PEER_PATHS.sshd],
    ['ssh', PEER_PATHS.ssh],
    ['ssh-keygen', PEER_PATHS.sshKeygen],
    ['sshpass', PEER_PATHS.sshpass],
  ]) && requireRoot();

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface MitmProcess {
  child: ChildProcess;
  port: number;
  stdout: () => string;
  stderr: () => string;
  stop(): Promise<void>;
}

function spawnMitm(args: string[]): Promise<MitmProcess> {
  const child = spawn(process.execPath, ['bin/sshscope.js', 'mitm', '--listen', '127.0.0.1:0', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`sshscope mitm did not start\nstdout: ${out}\nstderr: ${err}`));
    }, 30_000);
    const check = () => {
      const m = /sshscope mitm listening on 127\.0\.0\.1:(\d+)/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      child.stdout!.off('data', check);
      resolve({
        child,
        port: Number(m[1]),
        stdout: () => out,
        stderr: () => err,
        stop: () =>
          new Promise<void>((res) => {
            if (child.exitCode !== null || child.signalCode !== null) return res();
            child.once('exit', () => res());
            child.kill('SIGTERM');
          }),
      });
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`sshscope mitm exited with ${code}\nstdout: ${out}\nstderr: ${err}`));
    });
  });
}

/** Runs the real ssh through sshpass (the password typed at ssh's prompt), collecting its output. */
function sshThrough(port: number, knownHosts: string, password: string, remote: string[], opts: { input?: string | Uint8Array; extra?: string[] } = {}): Promise<{ code: number | null; stdout: Uint8Array; stderr: string }> {
  const args = [
    '-e',
    PEER_PATHS.ssh,
    '-F',
    '/dev/null',
    // ssh keeps the first value of an option: the caller's come before our defaults
    ...(opts.extra ?? []),
    '-o',
    `UserKnownHostsFile=${knownHosts}`,
    '-o',
    'GlobalKnownHostsFile=/dev/null',
    '-o',
    'StrictHostKeyChecking=accept-new',
    '-o',
    'ConnectTimeout=10',
    '-o',
    'NumberOfPasswordPrompts=1',
    '-p',
    String(port),
    'sshscope-test@127.0.0.1',
    ...remote,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(PEER_PATHS.sshpass, args, { env: { ...process.env, SSHPASS: password }, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Uint8Array[] = [];
    let stderr = '';
    child.stdout.on('data', (d: Uint8Array) => out.push(new Uint8Array(d)));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const n = out.reduce((a, b) => a + b.length, 0);
      const stdout = new Uint8Array(n);
      let o = 0;
      for (const c of out) {
        stdout.set(c, o);
        o += c.length;
      }
      resolve({ code, stdout, stderr });
    });
    child.stdin.on('error', () => {});
    child.stdin.end(opts.input ?? '');
  });
}

interface Line {
  leg: 'client-side' | 'server-side';
  conn: number;
  event: { type: string; side: string; [k: string]: unknown };
}

const readJson = (file: string): Line[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Line);

/** "256 SHA256:… comment (ED25519)" lines of ssh-keygen -lf → the SHA256 fingerprints. */
async function fingerprints(file: string): Promise<string[]> {
  const r = await runCommand(PEER_PATHS.sshKeygen, ['-l', '-E', 'sha256', '-f', file]);
  expect(r.code, r.stderr).toBe(0);
  return [...r.stdout.matchAll(/SHA256:[A-Za-z0-9+/]+/g)].map((m) => m[0]);
}

describe.skipIf(!ready)('real ssh → sshscope mitm → real sshd', () => {
  let sshd: Sshd;
  let mitm: MitmProcess;
  let dir: string;
  let ourKey: KeyPair;
  let userKey: KeyPair;
  let jsonFile: string;

  beforeAll(async () => {
    dir = tempDir('sshscope-mitm-');
    ourKey = await sshKeygen(dir, 'mitm_host_ed25519', 'ed25519', { comment: '' });
    userKey = await sshKeygen(dir, 'id_user', 'ed25519');
    // the real server would accept this key directly: through the mitm it cannot be used
    sshd = await startSshd({ authorizedKeys: [userKey.pub], extraConfig: 'Subsystem sftp internal-sftp' });
    jsonFile = join(dir, 'mitm.jsonl');
    mitm = await spawnMitm(['--target', `127.0.0.1:${sshd.port}`, '--host-key', ourKey.path, '--json', jsonFile, '-v']);
  });

  afterAll(async () => {
    await mitm?.stop();
    await sshd?.stop();
    if (dir) removeDir(dir);
  });

  it('echo hi runs on the real server; both legs are in the JSON; known_hosts holds OUR key', async () => {
    const kh = join(dir, 'known_hosts_echo');
    // -i: the client first offers a key the real sshd accepts; we refuse it (its signature
    // would cover the wrong session id) and the client falls back to its password.
    const r = await sshThrough(mitm.port, kh, sshd.password, ['echo', 'hi'], { extra: ['-i', userKey.path, '-o', 'IdentitiesOnly=yes'] });
    expect(r.stderr).not.toMatch(/Permission denied/);
    expect(new TextDecoder().decode(r.stdout)).toBe('hi\n');
    expect(r.code).toBe(0);
    // the real ssh client told its user it is trusting a new key on first use
    expect(r.stderr).toMatch(/Permanently added/);

    // what the client recorded is our key, not any of sshd's
    const recorded = await fingerprints(kh);
    const ours = await fingerprints(`${ourKey.path}.pub`);
    expect(recorded).toEqual(ours);
    const real: string[] = [];
    for (const t of ['ed25519', 'ecdsa', 'rsa'] as const) real.push(...(await fingerprints(`${sshd.hostKeyPaths[t]}.pub`)));
    for (const fp of recorded) expect(real).not.toContain(fp);

    // the session ended: wait for the JSON to hold both legs' closing
    await waitFor(() => readJson(jsonFile).filter((l) => l.event.type === 'closed').length >= 2);
    const lines = readJson(jsonFile);
    const conn = lines[0]!.conn;
    const leg = (name: Line['leg']) => lines.filter((l) => l.leg === name && l.conn === conn).map((l) => l.event);
    const cs = leg('client-side');
    const ss = leg('server-side');
    expect(cs.every((e) => e.side === 'server')).toBe(true);
    expect(ss.every((e) => e.side === 'client')).toBe(true);

    // version lines: the real client's on the client side, the real server's on the server side
    const versions = (evs: Line['event'][]) => evs.filter((e) => e.type === 'version').map((e) => String(e.line));
    expect(versions(cs).some((v) => /^SSH-2\.0-OpenSSH_9\.2/.test(v))).toBe(true);
    expect(versions(ss).some((v) => /^SSH-2\.0-OpenSSH_9\.2/.test(v))).toBe(true);
    const kexinits = (evs: Line['event'][]) => evs.filter((e) => e.type === 'packet' && e.msg === 'SSH_MSG_KEXINIT').map((e) => e.dir);
    expect(kexinits(cs).sort()).toEqual(['c2s', 's2c']);
    expect(kexinits(ss).sort()).toEqual(['c2s', 's2c']);

    // authentication: the key was refused on the client side, the password accepted on both
    const auths = (evs: Line['event'][]) => evs.filter((e) => e.type === 'auth' && e.result !== 'attempt').map((e) => `${e.method}:${e.result}`);
    expect(auths(cs)).toContain('publickey:failure');
    expect(auths(cs).at(-1)).toBe('password:success');
    expect(auths(ss).at(-1)).toBe('password:success');
    expect(auths(ss)).not.toContain('publickey:failure');

    // the real server's host key as our client engine saw it is one of sshd's
    const hk = ss.find((e) => e.type === 'host-key-check');
    expect(real).toContain(hk?.fingerprint);

    // the exec on both legs, and the exit status 0 the real server reported, relayed
    const execOf = (evs: Line['event'][]) =>
      evs.filter((e) => e.type === 'packet' && e.msg === 'SSH_MSG_CHANNEL_REQUEST').map((e) => JSON.stringify(e.tree)).filter((t) => t.includes('"exec"'));
    expect(execOf(cs).length).toBe(1);
    expect(execOf(ss).length).toBe(1);
    expect(execOf(ss)[0]).toContain('echo hi');
    const exitOf = (evs: Line['event'][]) => evs.filter((e) => e.type === 'channel' && e.change === 'exit-status');
    expect(exitOf(ss).map((e) => (e.detail as { status: number }).status)).toEqual([0]);
    const exitPackets = cs.filter((e) => e.type === 'packet' && e.dir === 's2c' && e.msg === 'SSH_MSG_CHANNEL_REQUEST' && JSON.stringify(e.tree).includes('exit-status'));
    expect(exitPackets.length).toBe(1);

    // the -v trace names both legs
    expect(mitm.stderr()).toContain('client ⇄ mitm');
    expect(mitm.stderr()).toContain('mitm ⇄ server');
  });

  it("a client that already knows the real server's key sees REMOTE HOST IDENTIFICATION HAS CHANGED and never sends its password", async () => {
    const kh = join(dir, 'known_hosts_alias');
    // HostKeyAlias names the entry independently of the port: first record the real sshd's key …
    const direct = await sshThrough(sshd.port, kh, sshd.password, ['true'], { extra: ['-o', 'HostKeyAlias=lab-server', '-o', 'PubkeyAuthentication=no'] });
    expect(direct.code, direct.stderr).toBe(0);
    const ours = await fingerprints(`${ourKey.path}.pub`);
    // … then go through the mitm under the same name: strict checking refuses at once
    const strict = await sshThrough(mitm.port, kh, sshd.password, ['echo', 'hi'], { extra: ['-o', 'HostKeyAlias=lab-server', '-o', 'StrictHostKeyChecking=yes', '-o', 'PubkeyAuthentication=no'] });
    expect(strict.code).toBe(255);
    expect(strict.stderr).toContain('REMOTE HOST IDENTIFICATION HAS CHANGED');
    expect(strict.stderr).toContain(ours[0]);
    expect(strict.stderr).toContain('Host key verification failed');
    // even with StrictHostKeyChecking=no, OpenSSH turns password authentication off
    const replays = () => (mitm.stderr().match(/replaying the password/g) ?? []).length;
    const before = replays();
    const lax = await sshThrough(mitm.port, kh, sshd.password, ['echo', 'hi'], { extra: ['-o', 'HostKeyAlias=lab-server', '-o', 'StrictHostKeyChecking=no', '-o', 'PubkeyAuthentication=no'] });
    expect(lax.code).toBe(255);
    expect(lax.stderr).toContain('Password authentication is disabled to avoid man-in-the-middle attacks');
    await new Promise((r) => setTimeout(r, 200));
    expect(replays()).toBe(before);
    expect(new TextDecoder().decode(lax.stdout)).toBe('');
  });

  // the gate decrypts the real client's password request itself: every cipher family OpenSSH uses
  for (const [cipher, mac] of [
    ['aes128-gcm@openssh.com', 'hmac-sha2-256'],
    ['aes256-ctr', 'hmac-sha2-512'],
    ['aes128-ctr', 'hmac-sha2-256-etm@openssh.com'],
    ['chacha20-poly1305@openssh.com', 'hmac-sha2-256'],
  ] as const) {
    it(`the password is relayed when the real client uses ${cipher} + ${mac}`, async () => {
      const r = await sshThrough(mitm.port, join(dir, `known_hosts_${cipher}_${mac}`), sshd.password, ['echo', cipher], {
        extra: ['-o', `Ciphers=${cipher}`, '-o', `MACs=${mac}`, '-o', 'KexAlgorithms=curve25519-sha256', '-o', 'PubkeyAuthentication=no'],
      });
      expect(r.stderr).not.toMatch(/Permission denied/);
      expect(new TextDecoder().decode(r.stdout)).toBe(`${cipher}\n`);
      expect(r.code).toBe(0);
    });
  }

  it('ssh -C: compression is negotiated as zlib@openssh.com (delayed), so the password is still relayed', async () => {
    const r = await sshThrough(mitm.port, join(dir, 'known_hosts_zlib'), sshd.password, ['echo', 'compressed'], { extra: ['-C', '-o', 'PubkeyAuthentication=no'] });
    expect(new TextDecoder().decode(r.stdout)).toBe('compressed\n');
    expect(r.code).toBe(0);
    const conn = Math.max(...readJson(jsonFile).map((l) => l.conn));
    await waitFor(() => readJson(jsonFile).some((l) => l.conn === conn && l.leg === 'client-side' && l.event.type === 'negotiated'));
    const neg = readJson(jsonFile).find((l) => l.conn === conn && l.leg === 'client-side' && l.event.type === 'negotiated')!.event as unknown as { rows: { category: string; chosen: string }[] };
    expect(neg.rows.find((r) => r.category === 'compression c2s')?.chosen).toBe('zlib@openssh.com');
  });

  it('eight clients at once, each its own pair of legs', async () => {
    const runs = await Promise.all(
      Array.from({ length: 8 }, (_, i) => sshThrough(mitm.port, join(dir, `known_hosts_many_${i}`), sshd.password, ['echo', `client-${i}`], { extra: ['-o', 'PubkeyAuthentication=no', '-o', 'KexAlgorithms=curve25519-sha256'] })),
    );
    runs.forEach((r, i) => {
      expect(r.stderr).not.toMatch(/Permission denied/);
      expect(new TextDecoder().decode(r.stdout)).toBe(`client-${i}\n`);
      expect(r.code).toBe(0);
    });
  });

  it('a wrong password is refused by the real server, and therefore by us', async () => {
    const r = await sshThrough(mitm.port, join(dir, 'known_hosts_wrong'), 'not-the-password', ['echo', 'hi'], { extra: ['-o', 'PubkeyAuthentication=no'] });
    expect(r.code).toBe(255);
    expect(r.stderr).toMatch(/Permission denied/);
    expect(new TextDecoder().decode(r.stdout)).toBe('');
    // sshd itself saw (and refused) the replayed password
    await waitFor(() => /Failed password for sshscope-test/.test(sshd.logText()));
  });

  it('a pty shell: input, output and exit status travel both legs', async () => {
    const r = await sshThrough(mitm.port, join(dir, 'known_hosts_pty'), sshd.password, [], {
      extra: ['-tt', '-o', 'PubkeyAuthentication=no'],
      input: 'stty size; echo mitm-$((40+2)); exit 3\n',
    });
    const out = new TextDecoder().decode(r.stdout);
    expect(out).toContain('mitm-42');
    expect(r.code).toBe(3);
  });

  it('bulk data both ways under flow control (4 MiB up, 4 MiB down)', async () => {
    // a mitm without --json and -v: no packet trees, so the relay itself is what is measured
    const plain = await spawnMitm(['--target', `127.0.0.1:${sshd.port}`]);
    const up = new Uint8Array(4 << 20).fill(0x61);
    const r = await sshThrough(plain.port, join(dir, 'known_hosts_bulk'), sshd.password, ['wc -c; head -c 4194304 /dev/zero'], { input: up, extra: ['-o', 'PubkeyAuthentication=no'] }).finally(() => plain.stop());
    expect(r.code).toBe(0);
    const out = r.stdout;
    const firstLine = new TextDecoder().decode(out.subarray(0, out.indexOf(0x0a)));
    expect(firstLine.trim()).toBe(String(4 << 20));
    expect(out.length - out.indexOf(0x0a) - 1).toBe(4 << 20);
  });

  it('--ui-port: the classroom feed shows the session as two lanes of one group, live', async () => {
    const live = await spawnMitm(['--target', `127.0.0.1:${sshd.port}`, '--ui-port', '0', '--no-build']);
    try {
      const url = /live view at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(live.stdout())?.[1];
      expect(url, live.stdout()).toBeDefined();
      const w = await watchFeed(url!, { watch: '*' });
      try {
        expect(w.info?.kind).toBe('mitm');
        expect(w.info?.sshPort).toBe(live.port);
        const r = await sshThrough(live.port, join(dir, 'known_hosts_ui'), sshd.password, ['echo', 'live'], { extra: ['-o', 'PubkeyAuthentication=no'] });
        expect(new TextDecoder().decode(r.stdout)).toBe('live\n');
        const lanes = () => [...w.connections.values()];
        const exitSeen = () => lanes().some((c) => w.events(c.id).some((e) => e.type === 'channel' && e.change === 'exit-status'));
        await w.until(() => lanes().length === 2 && exitSeen() && lanes().every((c) => c.stage === 'closed'), 'both lanes closed with the exit status');
        const [a, b] = lanes();
        expect(a!.group).toBe(b!.group);
        const client = lanes().find((c) => c.label.includes('client ⇄ mitm'))!;
        const server = lanes().find((c) => c.label.includes('mitm ⇄ server'))!;
        expect(client.clientVersion).toMatch(/^SSH-2\.0-OpenSSH_9\.2/);
        expect(server.peer).toBe(`127.0.0.1:${sshd.port}`);
        for (const lane of [client, server]) {
          const evs = w.events(lane.id);
          expect(evs.some((e) => e.type === 'auth' && e.result === 'success')).toBe(true);
          expect(evs.some((e) => e.type === 'packet' && e.msg === 'SSH_MSG_KEXINIT')).toBe(true);
        }
      } finally {
        await w.close();
      }
    } finally {
      await live.stop();
    }
  });

  it('sftp (a subsystem with a binary protocol) puts and gets a file through both legs', async () => {
    const local = join(dir, 'upload.bin');
    const back = join(dir, 'download.bin');
    const remote = `/tmp/sshscope-mitm-${process.pid}-${Date.now()}.bin`;
    const data = randomBytes(300 * 1024);
    writeFileSync(local, data);
    const batch = join(dir, 'sftp-batch');
    writeFileSync(batch, `put ${local} ${remote}\nget ${remote} ${back}\nrm ${remote}\n`);
    const r = await runCommand(
      PEER_PATHS.sshpass,
      ['-e', '/usr/bin/sftp', '-F', '/dev/null', '-o', `UserKnownHostsFile=${join(dir, 'known_hosts_sftp')}`, '-o', 'StrictHostKeyChecking=accept-new', '-o', 'PubkeyAuthentication=no', '-o', 'BatchMode=no', '-b', batch, '-P', String(mitm.port), 'sshscope-test@127.0.0.1'],
      undefined,
      { env: { SSHPASS: sshd.password } },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(Buffer.compare(readFileSync(back), data)).toBe(0);
  });

  it('a target off this machine is refused before anything listens', async () => {
    const r = await runCommand(process.execPath, ['bin/sshscope.js', 'mitm', '--listen', '127.0.0.1:0', '--target', '192.0.2.10:22'], undefined, { cwd: ROOT });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/refusing target 192\.0\.2\.10/);
    expect(r.stdout).not.toMatch(/listening/);
  });
});

async function waitFor(cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  expect(cond()).toBe(true);
}
