// Client side of the authentication protocol, RFC 4252: "none" first to learn the methods that can
// continue, then publickey (query, PK_OK, signed request — RFC 4252 §7) and password (§8).

import type { SshMessage } from '../wire/messages.ts';
import type { SshPrivateKey } from '../algorithms/types.ts';
import { SIGNATURES, publicKeyBlob } from '../algorithms/signatures.ts';
import { userKeyAlgorithm } from '../algorithms/user-key-algorithm.ts';
import type { LayerHost } from './host.ts';
import type { ClientConfig } from './config.ts';
import { publickeySignedData } from './auth-signature.ts';
import { REASON } from './errors.ts';

const SERVICE = 'ssh-connection';
/** OpenSSH's NumberOfPasswordPrompts default. */
const PASSWORD_PROMPTS = 3;

type Method = 'none' | 'publickey' | 'password';

export class ClientAuth {
  private readonly host: LayerHost;
  private readonly cfg: ClientConfig;
  private readonly askDecision: (kind: 'password', detail: unknown, then: (value: unknown) => void) => void;
  /** The method of the request in flight: decides how message 60 is decoded. */
  current: Method | null = null;
  private serverMethods: string[] | null = null;
  private keyIndex = 0;
  private pendingKey: SshPrivateKey | null = null;
  private pendingAlgorithm: string | null = null;
  private passwordTries = 0;
  private triedConfiguredPassword = false;
  done = false;

  /** The server's server-sig-algs (RFC 8308 §3.1), or null when it sent none. */
  private readonly serverSigAlgs: () => string[] | null;

  constructor(host: LayerHost, cfg: ClientConfig, askDecision: ClientAuth['askDecision'], serverSigAlgs: () => string[] | null) {
    this.host = host;
    this.cfg = cfg;
    this.askDecision = askDecision;
    this.serverSigAlgs = serverSigAlgs;
  }

  /** Which signature algorithm this key signs with here: RSA keys follow server-sig-algs (RFC 8332 §3.3). */
  private algorithmFor(key: SshPrivateKey): string | null {
    const alg = userKeyAlgorithm(key, this.serverSigAlgs(), this.cfg.algorithms?.pubkey);
    return alg && SIGNATURES[alg] ? alg : null;
  }

  private get methods(): Method[] {
    return this.cfg.authMethods ?? (this.cfg.keys?.length ? ['publickey', 'password'] : ['password']);
  }

  /** After SSH_MSG_SERVICE_ACCEPT("ssh-userauth"): RFC 4252 §5.2, the "none" request. */
  start(): void {
    this.current = 'none';
    this.host.send({ name: 'SSH_MSG_USERAUTH_REQUEST', user: this.cfg.username, service: SERVICE, method: 'none' }, 3);
  }

  handle(msg: SshMessage): void {
    switch (msg.name) {
      case 'SSH_MSG_USERAUTH_BANNER':
        this.host.emit({ type: 'banner', message: msg.message as string }, 3);
        return;
      case 'SSH_MSG_USERAUTH_SUCCESS':
        this.done = true;
        this.host.emit({ type: 'auth', method: this.current ?? 'none', result: 'success', user: this.cfg.username }, 3);
        this.current = null;
        return;
      case 'SSH_MSG_USERAUTH_FAILURE': {
        const methods = msg.methods as string[];
        const partial = msg.partialSuccess as boolean;
        this.host.emit({ type: 'auth', method: this.current ?? 'none', result: partial ? 'partial' : 'failure', user: this.cfg.username, continue: methods }, 3);
        this.serverMethods = methods;
        if (partial) {
          // Partial success: this method counted; keys and passwords may be needed again for the next.
          this.keyIndex = 0;
        }
        this.next();
        return;
      }
      case 'SSH_MSG_USERAUTH_PK_OK': {
        const key = this.pendingKey;
        if (!key || this.current !== 'publickey') return this.host.fatal(REASON.PROTOCOL_ERROR, 'SSH_MSG_USERAUTH_PK_OK without a publickey query', { field: 'msg-id', offset: 5 });
        this.host.emit({ type: 'auth', method: 'publickey', result: 'pk-ok', user: this.cfg.username, detail: 'the server would accept this key; now prove possession by signing' }, 3);
        this.sendSigned(key);
        return;
      }
      case 'SSH_MSG_USERAUTH_PASSWD_CHANGEREQ':
        // We do not change passwords; treat as a failure of this method (RFC 4252 §8 allows that).
        this.host.emit({ type: 'auth', method: 'password', result: 'failure', user: this.cfg.username, detail: `server asks for a password change: ${msg.prompt as string}` }, 3);
        this.passwordTries = PASSWORD_PROMPTS;
        this.next();
        return;
      default:
        this.host.fatal(REASON.PROTOCOL_ERROR, `unexpected ${msg.name} during authentication`, { field: 'msg-id', offset: 5 });
    }
  }

  private canTry(m: Method): boolean {
    return this.serverMethods === null || this.serverMethods.includes(m);
  }

  /** Picks the next attempt: keys in order, then the password; gives up when nothing is left. */
  private next(): void {
    for (const m of this.methods) {
      if (!this.canTry(m)) continue;
      if (m === 'publickey') {
        const keys = this.cfg.keys ?? [];
        while (this.keyIndex < keys.length) {
          const key = keys[this.keyIndex++]!;
          const alg = this.algorithmFor(key);
          if (!alg) {
            this.host.emit({ type: 'info', message: `skipping the ${key.type} key: no signature algorithm for it that the server accepts (server-sig-algs)` }, 3);
            continue;
          }
          this.query(key, alg);
          return;
        }
      } else if (m === 'password') {
        if (this.cfg.password !== undefined) {
          if (this.triedConfiguredPassword) continue;
          this.triedConfiguredPassword = true;
          this.sendPassword(this.cfg.password);
          return;
        }
        if (this.passwordTries >= PASSWORD_PROMPTS) continue;
        this.passwordTries++;
        this.current = 'password';
        this.askDecision('password', { user: this.cfg.username, attempt: this.passwordTries }, (value) => {
          if (typeof value === 'string') this.sendPassword(value);
          else {
            this.passwordTries = PASSWORD_PROMPTS;
            this.next();
          }
        });
        return;
      } else if (m === 'none' && this.serverMethods === null) {
        this.start();
        return;
      }
    }
    this.current = null;
    const left = this.serverMethods?.join(',') ?? '';
    this.host.emit({ type: 'error', local: true, message: `Permission denied (${left}).` }, 3);
    this.host.fatal(REASON.NO_MORE_AUTH_METHODS_AVAILABLE, `no more authentication methods to try (server offers: ${left})`);
  }

  /** RFC 4252 §7: ask whether this key would be accepted, without signing anything yet. */
  private query(key: SshPrivateKey, algorithm: string): void {
    this.current = 'publickey';
    this.pendingKey = key;
    this.pendingAlgorithm = algorithm;
    this.host.send({ name: 'SSH_MSG_USERAUTH_REQUEST', user: this.cfg.username, service: SERVICE, method: 'publickey', hasSignature: false, algorithm, publicKey: publicKeyBlob(key) }, 3);
  }

  private sendSigned(key: SshPrivateKey): void {
    const blob = publicKeyBlob(key);
    const spec = SIGNATURES[this.pendingAlgorithm!]!;
    const signed = publickeySignedData({ sessionId: this.host.sessionId, user: this.cfg.username, service: SERVICE, algorithm: spec.name, publicKey: blob });
    const signature = spec.sign(key, signed.bytes, this.host.env.crypto);
    this.host.emit({ type: 'info', message: `signing ${signed.bytes.length} bytes that begin with the session identifier, with the ${spec.name} private key` }, 3);
    this.host.send({ name: 'SSH_MSG_USERAUTH_REQUEST', user: this.cfg.username, service: SERVICE, method: 'publickey', hasSignature: true, algorithm: spec.name, publicKey: blob, signature }, 3);
  }

  private sendPassword(password: string): void {
    this.current = 'password';
    this.host.send({ name: 'SSH_MSG_USERAUTH_REQUEST', user: this.cfg.username, service: SERVICE, method: 'password', change: false, password }, 3);
  }
}
