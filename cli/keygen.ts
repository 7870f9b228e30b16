// `sshscope keygen`: make a key pair like `ssh-keygen -t ed25519|ecdsa|rsa [-b bits] [-C comment]
// [-N passphrase] -f FILE`, writing FILE (openssh-key-v1) and FILE.pub, and printing the same
// report ssh-keygen prints: the two paths, the fingerprint and the randomart.

import { existsSync, writeFileSync } from 'node:fs';
import { userInfo, hostname } from 'node:os';
import { ArgError, formatHelp, getValue, parseArgs, type CommandSpec } from './args.ts';
import { generateKey } from '../engine/keys/generate-key.ts';
import { writeOpensshPrivateKey } from '../engine/keys/openssh-private-key.ts';
import { publicKeyOf } from '../engine/keys/private-key-types.ts';
import { formatPublicKeyLine } from '../engine/keys/public-key.ts';
import { fingerprintLine, keyRandomart } from '../engine/keys/fingerprint.ts';

export const KEYGEN_SPEC: CommandSpec = {
  name: 'keygen',
  usage: 'keygen [-t ed25519|ecdsa|rsa] [-b BITS] [-C COMMENT] [-N PASSPHRASE | --passphrase-env VAR] -f FILE',
  summary: 'generate a key pair as ssh-keygen does (private key in openssh-key-v1 format, public key in FILE.pub)',
  flags: [
    { name: 'type', short: 't', value: true, valueName: 'TYPE', help: 'ed25519 (default), ecdsa or rsa' },
    { name: 'bits', short: 'b', value: true, valueName: 'BITS', help: 'ecdsa: 256, 384 or 521 (default 256); rsa: 1024–16384 (default 3072)' },
    { name: 'comment', short: 'C', value: true, valueName: 'COMMENT', help: 'comment (default user@host)' },
    { name: 'passphrase', short: 'N', value: true, valueName: 'PASSPHRASE', help: "passphrase ('' for none; encrypts with bcrypt-pbkdf + aes256-ctr)" },
    { name: 'passphrase-env', value: true, valueName: 'VAR', help: 'read the passphrase from this environment variable' },
    { name: 'file', short: 'f', value: true, valueName: 'FILE', help: 'where to write the private key (the public key goes to FILE.pub)' },
    { name: 'force', help: 'overwrite existing files' },
  ],
  notes: ['example: sshscope keygen -t ed25519 -C alice@laptop -N "" -f ./id_ed25519'],
};

const random = (n: number) => crypto.getRandomValues(new Uint8Array(n));

export async function keygen(argv: string[]): Promise<number> {
  let p;
  try {
    p = parseArgs(KEYGEN_SPEC, argv);
  } catch (e) {
    process.stderr.write(`sshscope keygen: ${(e as Error).message}\n`);
    return 2;
  }
  if (p.help) {
    process.stdout.write(formatHelp(KEYGEN_SPEC));
    return 0;
  }
  try {
    const type = (getValue(p, 'type') ?? 'ed25519') as 'ed25519' | 'ecdsa' | 'rsa';
    if (!['ed25519', 'ecdsa', 'rsa'].includes(type)) throw new ArgError(`unknown key type ${JSON.stringify(type)} (ed25519, ecdsa or rsa)`);
    const bitsText = getValue(p, 'bits');
    const bits = bitsText === undefined ? undefined : Number(bitsText);
    if (bits !== undefined && !Number.isInteger(bits)) throw new ArgError(`-b wants a number of bits, not ${JSON.stringify(bitsText)}`);
    if (type === 'ecdsa' && bits !== undefined && ![256, 384, 521].includes(bits)) throw new ArgError('ecdsa keys have 256, 384 or 521 bits');
    if (type === 'rsa' && bits !== undefined && (bits < 1024 || bits > 16384)) throw new ArgError('rsa keys have 1024 to 16384 bits');
    const file = getValue(p, 'file');
    if (!file) throw new ArgError('-f FILE is required');
    if (!p.switches.has('force') && (existsSync(file) || existsSync(`${file}.pub`))) throw new ArgError(`${file} already exists (use --force to overwrite)`);
    const envVar = getValue(p, 'passphrase-env');
    const passphrase = envVar !== undefined ? process.env[envVar] ?? '' : getValue(p, 'passphrase') ?? '';
    const comment = getValue(p, 'comment') ?? `${userInfo().username}@${hostname()}`;

    process.stdout.write(`Generating public/private ${type} key pair.\n`);
    const key = generateKey({ type, ...(bits !== undefined ? { bits } : {}), comment, random });
    const text = writeOpensshPrivateKey(key, { random, comment, ...(passphrase ? { passphrase } : {}) });
    writeFileSync(file, text, { mode: 0o600 });
    const pub = publicKeyOf(key);
    writeFileSync(`${file}.pub`, `${formatPublicKeyLine(pub, comment)}\n`, { mode: 0o644 });
    process.stdout.write(`Your identification has been saved in ${file}\n`);
    process.stdout.write(`Your public key has been saved in ${file}.pub\n`);
    process.stdout.write('The key fingerprint is:\n');
    // ssh-keygen prints "SHA256:… comment" here (without the bits and type of -l).
    const line = fingerprintLine(pub, comment);
    process.stdout.write(`${line.replace(/^\d+ /, '').replace(/ \([A-Z0-9-]+\)$/, '')}\n`);
    process.stdout.write("The key's randomart image is:\n");
    process.stdout.write(`${keyRandomart(pub)}\n`);
    return 0;
  } catch (e) {
    process.stderr.write(`sshscope keygen: ${(e as Error).message}\n`);
    return e instanceof ArgError ? 2 : 1;
  }
}
