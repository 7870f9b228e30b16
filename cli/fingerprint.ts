// `sshscope fingerprint [-v] [-E sha256|md5] FILE`: the lines `ssh-keygen -l [-v] [-E md5] -f FILE`
// prints for a public key, a private key (its public half) or a list such as authorized_keys.

import { readFileSync } from 'node:fs';
import { ArgError, formatHelp, getValue, parseArgs, type CommandSpec } from './args.ts';
import { readKeyFile } from '../engine/keys/key-file.ts';
import { fingerprintLine, keyRandomart, type FingerprintHash } from '../engine/keys/fingerprint.ts';

export const FINGERPRINT_SPEC: CommandSpec = {
  name: 'fingerprint',
  usage: 'fingerprint [-v] [-E sha256|md5] FILE',
  summary: 'show key fingerprints like ssh-keygen -l -f FILE (with -v, the randomart picture too)',
  flags: [
    { name: 'visual', short: 'v', help: 'draw the randomart image of each key' },
    { name: 'hash', short: 'E', value: true, valueName: 'HASH', help: 'sha256 (default) or md5' },
  ],
};

export async function fingerprint(argv: string[]): Promise<number> {
  let p;
  try {
    p = parseArgs(FINGERPRINT_SPEC, argv);
  } catch (e) {
    process.stderr.write(`sshscope fingerprint: ${(e as Error).message}\n`);
    return 2;
  }
  if (p.help) {
    process.stdout.write(formatHelp(FINGERPRINT_SPEC));
    return 0;
  }
  try {
    const hash = (getValue(p, 'hash') ?? 'sha256').toLowerCase() as FingerprintHash;
    if (hash !== 'sha256' && hash !== 'md5') throw new ArgError(`-E wants sha256 or md5, not ${JSON.stringify(hash)}`);
    const file = p.positionals[0];
    if (!file || p.positionals.length > 1) throw new ArgError('give exactly one key file');
    const summary = readKeyFile(readFileSync(file, 'utf8'));
    if (summary.keys.length === 0) {
      const why = summary.errors[0]?.message ?? 'no key found';
      throw new Error(`${file} is not a key file: ${why}`);
    }
    for (const k of summary.keys) {
      process.stdout.write(`${fingerprintLine(k.key, k.comment, hash)}\n`);
      if (p.switches.has('visual')) process.stdout.write(`${keyRandomart(k.key, hash)}\n`);
    }
    return 0;
  } catch (e) {
    process.stderr.write(`sshscope fingerprint: ${(e as Error).message}\n`);
    return e instanceof ArgError ? 2 : 1;
  }
}
