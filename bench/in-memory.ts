// Target 1: a whole in-memory session — version exchange, curve25519-sha256 key exchange with an
// ssh-ed25519 host key, publickey (or password) authentication, session channel, exec, exit-status,
// close — between our client and our server (engine/core/session-harness.ts runExec).

import { defaultEnv, generateEd25519, publicKeyBlob, type CryptoProvider } from '../engine/index.ts';
import { runExec } from '../engine/core/session-harness.ts';
import { formatPublicKeyLine } from '../engine/keys/public-key.ts';

export interface InMemoryVariant {
  label: string;
  /** Packet events with field trees (the UI's default) or not (bulk/CLI default). */
  trace: boolean;
  /** node:crypto behind the CryptoProvider, or pure noble (the browser's path). */
  crypto?: CryptoProvider;
  auth: 'publickey' | 'password';
}

/** Builds one run function for `variant`; keys are made once, outside the timed part. */
export function inMemoryRunner(variant: InMemoryVariant): () => void {
  const random = (n: number) => defaultEnv().randomBytes(n);
  const hostKey = generateEd25519(random);
  const userKey = generateEd25519(random, 'alice@bench');
  const authorizedKeys = formatPublicKeyLine(publicKeyBlob(userKey), 'alice@bench');
  const algorithms = { kex: ['curve25519-sha256'], hostKey: ['ssh-ed25519'], cipher: ['chacha20-poly1305@openssh.com'] };
  return () => {
    const r = runExec(
      {
        env: defaultEnv(variant.crypto),
        username: 'alice',
        ...(variant.auth === 'password' ? { password: 'wonderland', authMethods: ['password'] as const } : { keys: [userKey], authMethods: ['publickey'] as const }),
        hostKeyCheck: () => 'known',
        trace: variant.trace,
        algorithms,
      } as Parameters<typeof runExec>[0],
      {
        env: defaultEnv(variant.crypto),
        hostKeys: [hostKey],
        users: [{ name: 'alice', password: 'wonderland', authorizedKeys }],
        trace: variant.trace,
        algorithms,
      },
      'echo bench',
    );
    if (r.exitStatus !== 0 || new TextDecoder().decode(r.stdout) !== 'bench\n') {
      const errors = r.events.filter((e) => e.type === 'error').map((e) => (e as { message: string }).message);
      throw new Error(`in-memory session failed (exit ${r.exitStatus}): ${errors.join('; ')}`);
    }
  };
}
