// Real peers (OpenSSH, tshark, chromium …) that interop suites need. Locally a missing peer
// skips the suite with a printed reason; under CI=true it is a failure, never a skip
// (README "Tests", ../../.ci/run).

import { accessSync, constants } from 'node:fs';

/** Debian package that provides each peer, for the install hint. */
const packageOf: Record<string, string> = {
  sshd: 'openssh-server',
  ssh: 'openssh-client',
  'ssh-keygen': 'openssh-client',
  tshark: 'tshark',
  editcap: 'tshark',
  tcpdump: 'tcpdump',
  sshpass: 'sshpass',
  chromium: 'chromium',
};

/** Well-known locations on Debian 12. */
export const PEER_PATHS = {
  sshd: '/usr/sbin/sshd',
  ssh: '/usr/bin/ssh',
  sshKeygen: '/usr/bin/ssh-keygen',
  tshark: '/usr/bin/tshark',
  editcap: '/usr/bin/editcap',
  tcpdump: '/usr/bin/tcpdump',
  sshpass: '/usr/bin/sshpass',
  chromium: '/usr/bin/chromium',
} as const;

export function isCI(): boolean {
  const v = process.env['CI'];
  return v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The hint printed (or thrown) when something is missing. */
export function installHint(name: string): string {
  const pkg = packageOf[name] ?? name;
  return `install it with: apt-get install -y --no-install-recommends ${pkg} (or run \`npm test\` as root, which does it)`;
}

/**
 * Is the peer `name` installed at `path`? Returns true when it is. When it is not: under CI
 * throws (the suite fails, saying what to install); otherwise prints why and returns false, so
 * the suite can `describe.skipIf(!requirePeer('sshd', PEER_PATHS.sshd))(…)`.
 */
export function requirePeer(name: string, path: string): boolean {
  if (executable(path)) return true;
  const msg = `${name} not found at ${path}: ${installHint(name)}`;
  if (isCI()) throw new Error(`[CI] required peer missing — ${msg}`);
  console.warn(`[sshscope] skipping: ${msg}`);
  return false;
}

/** Every peer in the list must be present; same CI/local rule as requirePeer. */
export function requirePeers(peers: [name: string, path: string][]): boolean {
  let ok = true;
  for (const [name, path] of peers) ok = requirePeer(name, path) && ok;
  return ok;
}

/**
 * The real-sshd harness needs root (it creates the test user and sshd refuses to run its
 * privilege separation otherwise). Same rule: CI fails, local runs skip with a reason.
 */
export function requireRoot(why = 'starting a private sshd'): boolean {
  if (typeof process.getuid === 'function' && process.getuid() === 0) return true;
  const msg = `${why} needs root (it creates the user sshscope-test); run the tests as root, e.g. in the dev container`;
  if (isCI()) throw new Error(`[CI] ${msg}`);
  console.warn(`[sshscope] skipping: ${msg}`);
  return false;
}
