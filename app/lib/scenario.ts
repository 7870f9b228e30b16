// A teaching scenario as data (DESIGN.md "Scenarios"): the choices a teacher makes in the
// controls — auth method, cipher, MAC, user, seed — and the deterministic run that turns them
// into the event log every view is derived from. Pure: no DOM, runs in Node tests too.

import { generateEd25519, seededEnv } from '../../engine/index.ts';
import type { ClientConfig, ServerConfig, SshEvent, SshPrivateKey } from '../../engine/index.ts';
import { publicKeyBlob } from '../../engine/algorithms/signatures.ts';
import { DEFAULT_CIPHERS, DEFAULT_KEX, DEFAULT_MACS } from '../../engine/algorithms/defaults.ts';
import { base64Encode } from '../../engine/keys/base64.ts';
import { runSession, type Tamper } from './session-runner.ts';

export type AuthChoice = 'password' | 'publickey';

export interface ScenarioConfig {
  /** How the client proves who it is (RFC 4252 §7 publickey, §8 password). */
  auth: AuthChoice;
  /** Key exchange method the client asks for, RFC 4253 §7.1 / §8. */
  kex: string;
  /** Encryption algorithm the client asks for (both directions), RFC 4253 §6.3. */
  cipher: string;
  /** MAC the client asks for (ignored with an AEAD cipher), RFC 4253 §6.4. */
  mac: string;
  /** The user name the client logs in as; the server knows only `alice`. */
  user: string;
  /** Same seed, same bytes (DESIGN.md "Engine"). */
  seed: string;
  /** The command run in phase 4/5. */
  command: string;
  /** The tamper experiment: flip one byte of the stream in transit. */
  tamper?: Tamper | null;
}

/** The one account the demo server has. */
export const DEMO_ACCOUNT = { name: 'alice', password: 'wonderland', host: 'server.example', port: 22 } as const;

export const CIPHER_CHOICES: readonly string[] = DEFAULT_CIPHERS;
export const KEX_CHOICES: readonly string[] = DEFAULT_KEX;
export const MAC_CHOICES: readonly string[] = DEFAULT_MACS;

export const DEFAULT_SCENARIO: ScenarioConfig = {
  auth: 'password',
  // the clearest exchange to teach with (32-byte keys); the others are one click away
  kex: 'curve25519-sha256',
  cipher: 'aes128-ctr',
  mac: 'hmac-sha2-256-etm@openssh.com',
  user: DEMO_ACCOUNT.name,
  seed: 'sshscope',
  command: 'echo hello from sshscope',
  tamper: null,
};

/** The files each side reads: what the hosts panel shows. */
export interface HostFiles {
  /** ~/.ssh/known_hosts line the client would write after accepting the host key (TOFU). */
  knownHostsLine: string;
  /** Server: /home/alice/.ssh/authorized_keys. */
  authorizedKeys: string;
  /** Client: ~/.ssh/id_ed25519.pub (publickey only). */
  clientPublicKey: string | null;
  /** Server: /etc/ssh/ssh_host_ed25519_key.pub */
  hostPublicKey: string;
}

export interface ScenarioRun {
  config: ScenarioConfig;
  events: SshEvent[];
  stdout: string;
  stderr: string;
  exitStatus: number | null;
  files: HostFiles;
  /** Each direction's byte stream as sent (before any tampering). */
  streams: { c2s: Uint8Array; s2c: Uint8Array };
}

function publicLine(key: SshPrivateKey, comment: string): string {
  return `${key.type} ${base64Encode(publicKeyBlob(key))} ${comment}`;
}

/** Both sides' configuration for `config`, and the files they read. */
export function scenarioSetup(config: ScenarioConfig): { client: ClientConfig; server: ServerConfig; files: HostFiles } {
  const serverEnv = seededEnv(`${config.seed}/server`);
  const clientEnv = seededEnv(`${config.seed}/client`);
  const hostKey = generateEd25519(serverEnv.randomBytes, 'root@server.example');
  // The user's key pair comes from its own seed, so switching the auth method keeps the
  // handshake's random values (cookies, ephemeral keys) the same for a given seed.
  const userKey = generateEd25519(seededEnv(`${config.seed}/alice-key`).randomBytes, 'alice@laptop');
  const authorizedKeys = `# authorized_keys of ${DEMO_ACCOUNT.name}\n${publicLine(userKey, 'alice@laptop')}\n`;
  const hostLine = publicLine(hostKey, 'root@server.example');
  const knownHostsLine = `${DEMO_ACCOUNT.host} ${hostLine.split(' ').slice(0, 2).join(' ')}`;
  const algorithms = { kex: [config.kex], cipher: [config.cipher], mac: [config.mac] };
  const client: ClientConfig = {
    env: clientEnv,
    username: config.user,
    algorithms,
    ...(config.auth === 'password' ? { password: DEMO_ACCOUNT.password, authMethods: ['password' as const] } : { keys: [userKey], authMethods: ['publickey' as const] }),
    // trust on first use: the client has an empty known_hosts
    hostKeyCheck: () => 'unknown',
    acceptUnknownHostKey: true,
  };
  const server: ServerConfig = { env: serverEnv, hostKeys: [hostKey], users: [{ name: DEMO_ACCOUNT.name, password: DEMO_ACCOUNT.password, authorizedKeys }] };
  return {
    client,
    server,
    files: { knownHostsLine, authorizedKeys, clientPublicKey: config.auth === 'publickey' ? publicLine(userKey, 'alice@laptop') : null, hostPublicKey: hostLine },
  };
}

/** Runs the whole session for `config` with the real engines over a memory pair. */
export function runScenario(config: ScenarioConfig): ScenarioRun {
  const { client, server, files } = scenarioSetup(config);
  const r = runSession(client, server, config.command, config.tamper);
  const dec = new TextDecoder();
  return { config, events: r.events, stdout: dec.decode(r.stdout), stderr: dec.decode(r.stderr), exitStatus: r.exitStatus, streams: r.streams, files };
}
