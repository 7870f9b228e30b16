// The yardstick comes in two builds. `npm install ssh2` tries to compile an optional C++ addon
// (lib/protocol/crypto/build/Release/sshcrypto.node, through node-gyp). Where a C++ toolchain is
// present the addon builds, and ssh2 then seals packets in C++ (OpenSSL objects kept from packet to
// packet, a raw Poly1305 MAC for chacha20-poly1305, encryption in place), bypassing node:crypto. On
// the machine our quick start is written for (a fresh Debian with only Node and npm) the build fails
// quietly and ssh2 uses node:crypto, with Poly1305 in WebAssembly: the same tools our engine uses.
//
// The bench measures both where both exist: `installed` is ssh2 as it loaded here, `pure` is a
// second copy of the same package loaded with the addon hidden, which is exactly what a machine
// without a compiler gets. Only the ciphers differ between the two (the addon holds nothing else).

import { existsSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import ssh2 from 'ssh2';

export type Ssh2Flavour = 'installed' | 'pure';
type Ssh2Module = typeof ssh2;

const require = createRequire(import.meta.url);
const packageDir = dirname(require.resolve('ssh2/package.json'));
/** Where node-gyp puts ssh2's addon (bench/diagnose.ts loads it directly to price one packet). */
export const ADDON = join(packageDir, 'lib', 'protocol', 'crypto', 'build', 'Release', 'sshcrypto.node');
const CRYPTO = join(packageDir, 'lib', 'protocol', 'crypto.js');

/** Whether the copy of ssh2 that `require` finds now loaded the addon (its crypto module says so). */
const addonLoaded = (): boolean => (require(CRYPTO) as { bindingAvailable: boolean }).bindingAvailable;

/** True when ssh2's optional C++ addon was built at install time and the installed copy uses it. */
export const ssh2AddonBuilt: boolean = existsSync(ADDON) && addonLoaded();

let pure: Ssh2Module | null = null;

/** A second, independent copy of ssh2 (every module of the package loaded again) without the addon. */
function loadPure(): Ssh2Module {
  if (!ssh2AddonBuilt) return ssh2;
  const loader = Module as unknown as { _load(request: string, parent: unknown, isMain: boolean): unknown };
  const cache = require.cache;
  const ours = (key: string) => key.startsWith(packageDir + sep);
  const saved = new Map(Object.entries(cache).filter(([k]) => ours(k)));
  for (const k of saved.keys()) delete cache[k];
  const load = loader._load;
  loader._load = function (request, parent, isMain) {
    if (request.endsWith('sshcrypto.node')) throw new Error('ssh2 addon hidden: this copy uses node:crypto');
    return load.call(this, request, parent, isMain);
  };
  try {
    const m = require('ssh2') as Ssh2Module;
    if (addonLoaded()) throw new Error('bench: the second copy of ssh2 still loaded its C++ addon');
    return m;
  } finally {
    loader._load = load;
    // the installed copy stays the one that `import 'ssh2'` finds
    for (const k of Object.keys(cache)) if (ours(k)) delete cache[k];
    for (const [k, m] of saved) cache[k] = m;
  }
}

export function ssh2Of(flavour: Ssh2Flavour): Ssh2Module {
  if (flavour === 'installed') return ssh2;
  return (pure ??= loadPure());
}
