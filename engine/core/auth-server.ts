// Server side of the authentication protocol, RFC 4252: users, passwords and authorized_keys decide;
// failures list the methods that can continue (§5.1); partial success when several methods are
// required; a banner (§5.4); a limit on attempts like OpenSSH's MaxAuthTries.

import type { SshMessage } from '../wire/messages.ts';
import { SIGNATURES } from '../algorithms/signatures.ts';
import { DEFAULT_PUBKEY_ALGORITHMS } from '../algorithms/defaults.ts';
import { keyTypeOfAlgorithm } from '../algorithms/user-key-algorithm.ts';
import { Reader } from '../wire/codec.ts';
import { equalBytes } from '../wire/codec.ts';
import type { LayerHost } from './host.ts';
import type { ServerConfig, ServerUser } from './config.ts';
import { publickeySignedData } from './auth-signature.ts';
import { REASON } from './errors.ts';
import { findAuthorizedKey, parseAuthorizedKeys, type AuthorizedKeyPolicy } from '../keys/authorized-keys.ts';

const SERVICE = 'ssh-connection';

export class ServerAuth {
  private readonly host: LayerHost;
  private readonly cfg: ServerConfig;
  private failures = 0;
  private bannerSent = false;
  /** Methods this user has completed (for partial success). */
  private completed = new Set<string>();
  private lastUser: string | null = null;
  /** The method of the last request: decides how message 60 is encoded. */
  current: string | null = null;
  done = false;
  user: string | null = null;
  /** The options of the authorized_keys line that let the user in (sshd(8) AUTHORIZED_KEYS FILE FORMAT). */
  keyPolicy: AuthorizedKeyPolicy | null = null;

  constructor(host: LayerHost, cfg: ServerConfig) {
    this.host = host;
    this.cfg = cfg;
  }

  /** USERAUTH_REQUESTs received so far. */
  private requests = 0;

  private get maxTries(): number {
    return this.cfg.maxAuthTries ?? 6;
  }

  /** The methods we advertise: the same for every user name, so names cannot be probed. */
  private methodsLeft(): string[] {
    const all = ['publickey', 'password'];
    const required = this.cfg.requiredMethods?.[0];
    if (!required) return all;
    return required.filter((m) => !this.completed.has(m));
  }

  private findUser(name: string): ServerUser | undefined {
    return this.cfg.users.find((u) => u.name === name);
  }

  handle(msg: SshMessage): void {
    if (msg.name !== 'SSH_MSG_USERAUTH_REQUEST') return this.host.fatal(REASON.PROTOCOL_ERROR, `unexpected ${msg.name} during authentication`, { field: 'msg-id', offset: 5 });
    if (this.done) return; // RFC 4252 §5.1: requests after success are ignored
    if (!this.bannerSent && this.cfg.banner) {
      this.bannerSent = true;
      this.host.send({ name: 'SSH_MSG_USERAUTH_BANNER', message: this.cfg.banner, language: '' }, 3);
    }
    const userName = msg.user as string;
    const method = msg.method as string;
    this.current = method;
    this.requests++;
    if (msg.service !== SERVICE) return this.host.fatal(REASON.SERVICE_NOT_AVAILABLE, `service ${String(msg.service)} is not available`, { field: 'service name' });
    if (this.lastUser !== null && this.lastUser !== userName) this.completed.clear();
    this.lastUser = userName;
    const user = this.findUser(userName);
    switch (method) {
      case 'none':
        // Like sshd, only an opening "none" is free; one later counts as a failed attempt.
        return this.fail(userName, 'none', 'the "none" method only asks which methods can continue', this.requests > 1);
      case 'password': {
        const ok = !!user?.password && !msg.change && constantTimeEqual(user.password, msg.password as string);
        this.host.emit({ type: 'auth', method, result: 'attempt', user: userName, detail: user ? 'password compared with the server\'s user table' : 'no such user (the reply looks the same, on purpose)' }, 3);
        return ok ? this.succeed(userName, method) : this.fail(userName, method, 'wrong password or unknown user');
      }
      case 'publickey':
        return this.publickey(msg, userName, user);
      default:
        return this.fail(userName, method, `method ${method} is not supported`);
    }
  }

  private publickey(msg: SshMessage, userName: string, user: ServerUser | undefined): void {
    const algorithm = msg.algorithm as string;
    const blob = msg.publicKey as Uint8Array;
    // OpenSSH PubkeyAcceptedAlgorithms: 9.2 no longer accepts ssh-rsa (SHA-1) signatures by default.
    const accepted = this.cfg.algorithms?.pubkey ?? DEFAULT_PUBKEY_ALGORITHMS;
    const spec = accepted.includes(algorithm) ? SIGNATURES[algorithm] : undefined;
    // The algorithm must fit the key it names (RFC 4252 §7; rsa-sha2-* sign with "ssh-rsa" keys, RFC 8332).
    if (spec && blobType(blob) !== keyTypeOfAlgorithm(algorithm)) {
      this.host.emit({ type: 'auth', method: 'publickey', result: 'attempt', user: userName, detail: `the key is ${blobType(blob) ?? 'malformed'}, not a key for ${algorithm}` }, 3);
      return this.fail(userName, 'publickey', 'key type does not match the algorithm');
    }
    const parsed = user?.authorizedKeys ? parseAuthorizedKeys(user.authorizedKeys) : null;
    const found = parsed ? findAuthorizedKey(parsed.entries, blob, { ...(this.cfg.peerAddress ? { clientAddress: this.cfg.peerAddress } : {}), now: this.host.env.now() }) : null;
    const match = found?.entry ?? null;
    if (!spec || !match) {
      const why = !spec ? `algorithm ${algorithm} is not accepted` : found ? `authorized_keys: ${found.reason}` : 'the user has no authorized_keys';
      this.host.emit({ type: 'auth', method: 'publickey', result: 'attempt', user: userName, detail: why }, 3);
      return this.fail(userName, 'publickey', why);
    }
    const options = match.options.length ? ` (options: ${match.options.map((o) => (o.value !== undefined ? `${o.name}="${o.value}"` : o.name)).join(',')})` : '';
    if (!msg.hasSignature) {
      // RFC 4252 §7: the key would be accepted; the client must now sign.
      this.host.emit({ type: 'auth', method: 'publickey', result: 'pk-ok', user: userName, detail: `authorized_keys line ${match.line} matches${options}` }, 3);
      this.host.send({ name: 'SSH_MSG_USERAUTH_PK_OK', algorithm, publicKey: blob }, 3);
      return;
    }
    const signed = publickeySignedData({ sessionId: this.host.sessionId, user: userName, service: SERVICE, algorithm, publicKey: blob });
    const ok = spec.verify(blob, signed.bytes, msg.signature as Uint8Array, this.host.env.crypto);
    this.host.emit({ type: 'auth', method: 'publickey', result: 'attempt', user: userName, detail: ok ? `signature over the session identifier verified with the key on authorized_keys line ${match.line}` : 'the signature does not verify' }, 3);
    if (ok) this.keyPolicy = match.policy;
    return ok ? this.succeed(userName, 'publickey') : this.fail(userName, 'publickey', 'bad signature');
  }

  private succeed(userName: string, method: string): void {
    this.completed.add(method);
    const required = this.cfg.requiredMethods?.[0];
    if (required && required.some((m) => !this.completed.has(m))) {
      const left = this.methodsLeft();
      this.host.emit({ type: 'auth', method, result: 'partial', user: userName, continue: left }, 3);
      this.host.send({ name: 'SSH_MSG_USERAUTH_FAILURE', methods: left, partialSuccess: true }, 3);
      return;
    }
    this.done = true;
    this.user = userName;
    this.host.emit({ type: 'auth', method, result: 'success', user: userName }, 3);
    this.host.send({ name: 'SSH_MSG_USERAUTH_SUCCESS' }, 3);
  }

  private fail(userName: string, method: string, detail: string, counts = true): void {
    const left = this.methodsLeft();
    if (counts) this.failures++;
    this.host.emit({ type: 'auth', method, result: 'failure', user: userName, continue: left, detail }, 3);
    if (this.failures >= this.maxTries) {
      // OpenSSH ends the connection with "Too many authentication failures" (reason PROTOCOL_ERROR).
      return this.host.fatal(REASON.PROTOCOL_ERROR, 'Too many authentication failures');
    }
    this.host.send({ name: 'SSH_MSG_USERAUTH_FAILURE', methods: left, partialSuccess: false }, 3);
  }
}

function constantTimeEqual(a: string, b: string): boolean {
  const enc = new TextEncoder();
  const x = enc.encode(a);
  const y = enc.encode(b);
  return x.length === y.length && equalBytes(x, y);
}

function blobType(blob: Uint8Array): string | null {
  try {
    return new Reader(blob).text('type');
  } catch {
    return null;
  }
}
