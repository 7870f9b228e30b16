// The peer every TCP figure is measured against: one private real OpenSSH sshd on loopback
// (test/helpers/sshd.ts, recipe in shared/peers.md) and one ed25519 user key made by ssh-keygen,
// used by all three clients (ours, the ssh2 npm package, OpenSSH's ssh).

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sshKeygen, startSshd, tempDir, type Sshd } from '../test/helpers/sshd.ts';
import { parseOpensshPrivateKeyEd25519 } from '../engine/keys/openssh-private-key.ts';
import { parsePublicKeyLine } from '../engine/keys/public-key.ts';
import type { SshPrivateKey } from '../engine/index.ts';

export interface Peer {
  sshd: Sshd;
  host: string;
  port: number;
  user: string;
  /** The user key as the engine holds it. */
  key: SshPrivateKey;
  /** The same key as an OpenSSH private key file (ssh2 and ssh read this). */
  keyPath: string;
  keyText: string;
  /** The sshd's ed25519 host key blob (our client's known-hosts check compares with it). */
  hostKeyBlob: Uint8Array;
  /** A known_hosts file naming the sshd's ed25519 host key (for ssh). */
  knownHostsPath: string;
  stop(): Promise<void>;
}

/**
 * Starts the sshd. LogLevel DEBUG1 (instead of the harness's DEBUG3, which logs per packet and
 * slows bulk transfers) still logs the negotiated algorithms ("kex: client->server cipher: …").
 */
export async function startPeer(): Promise<Peer> {
  const sshd = await startSshd({ extraConfig: 'LogLevel DEBUG1\nMaxSessions 10' });
  const dir = tempDir('sshscope-bench-');
  const kp = await sshKeygen(dir, 'id_ed25519', 'ed25519', { comment: 'sshscope-bench' });
  sshd.addAuthorizedKey(kp.pub);
  const keyText = readFileSync(kp.path, 'utf8');
  const knownHostsPath = join(dir, 'known_hosts');
  writeFileSync(knownHostsPath, `${sshd.knownHostsLine('ed25519')}\n`);
  const hostKeyBlob = parsePublicKeyLine(sshd.hostKeys.ed25519).key.blob;
  return {
    sshd,
    host: sshd.host,
    port: sshd.port,
    user: sshd.user,
    key: parseOpensshPrivateKeyEd25519(keyText),
    keyPath: kp.path,
    keyText,
    hostKeyBlob,
    knownHostsPath,
    stop: () => sshd.stop(),
  };
}

/** What sshd logged about the algorithms of its connections (one line per direction). */
export function negotiatedInLog(sshd: Sshd): string[] {
  return sshd
    .logText()
    .split('\n')
    .filter((l) => /kex: algorithm:|kex: host key algorithm:|kex: client->server cipher:|kex: server->client cipher:/.test(l))
    .map((l) => l.replace(/^.*?(kex: )/, '$1').trim());
}
