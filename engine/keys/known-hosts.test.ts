import { describe, it, expect } from 'vitest';
import { createHmac, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { formatKnownHostsLine, hashHostName, knownHostsName, lookupHost, parseKnownHosts, parseKnownHostsFile } from './known-hosts.ts';
import { KeyFileError } from './errors.ts';
import { parsePublicKeyLine } from './public-key.ts';
import { ECDSA256_PUBLIC, ED25519_ENCRYPTED_PUBLIC, ED25519_PUBLIC } from './fixtures.test-data.ts';

const ed = parsePublicKeyLine(ED25519_PUBLIC).key;
const ed2 = parsePublicKeyLine(ED25519_ENCRYPTED_PUBLIC).key;
const ec = parsePublicKeyLine(ECDSA256_PUBLIC).key;
const b64 = (k: { blob: Uint8Array }) => Buffer.from(k.blob).toString('base64');

describe('known_hosts names and hashing', () => {
  it('uses [host]:port for ports other than 22', () => {
    expect(knownHostsName('example.org', 22)).toBe('example.org');
    expect(knownHostsName('127.0.0.1', 2222)).toBe('[127.0.0.1]:2222');
    expect(formatKnownHostsLine('127.0.0.1', 2222, ed.blob)).toBe(`[127.0.0.1]:2222 ssh-ed25519 ${b64(ed)}`);
    expect(formatKnownHostsLine('Example.ORG', 22, ed)).toBe(`example.org ssh-ed25519 ${b64(ed)}`);
  });

  it('hashes names with HMAC-SHA1 keyed by the salt, as node:crypto computes it', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 20, maxLength: 20 }), fc.string({ minLength: 1, maxLength: 40 }), (salt, name) => {
        const want = createHmac('sha1', salt).update(name, 'utf8').digest();
        expect(Buffer.from(hashHostName(name, salt))).toEqual(want);
      }),
    );
    const salt = new Uint8Array(randomBytes(20));
    const line = formatKnownHostsLine('10.1.2.3', 2200, ed, { hash: true, salt });
    const want = createHmac('sha1', salt).update('[10.1.2.3]:2200').digest('base64');
    expect(line).toBe(`|1|${Buffer.from(salt).toString('base64')}|${want} ssh-ed25519 ${b64(ed)}`);
  });
});

describe('known_hosts parsing and lookup', () => {
  const salt = new Uint8Array(20).fill(7);
  const text = [
    '# comment',
    '',
    `example.org,192.0.2.1 ssh-ed25519 ${b64(ed)} first`,
    `*.lab.example,!bad.lab.example ${ec.type} ${b64(ec)}`,
    `[127.0.0.1]:2222 ssh-ed25519 ${b64(ed2)}`,
    formatKnownHostsLine('hashed.example', 22, ed2, { hash: true, salt }),
    `@revoked * ssh-ed25519 ${b64(ed2)}`.replace('*', 'revoked.example'),
    `@cert-authority *.example ssh-ed25519 ${b64(ed)}`,
    'garbage-line-without-key',
    `   \tindented.example ssh-ed25519 ${b64(ed)}`,
    `host ssh-ed25519 AAAA!!!`,
    `@bogus host ssh-ed25519 ${b64(ed)}`,
  ].join('\n');

  it('parses entries with their line numbers, markers and comments, and reports broken lines', () => {
    const { entries, errors } = parseKnownHostsFile(text);
    expect(entries.map((e) => e.line)).toEqual([3, 4, 5, 6, 7, 8, 10]);
    expect(entries[0]!.comment).toBe('first');
    expect(entries[3]!.hashed?.salt).toEqual(salt);
    expect(entries[4]!.marker).toBe('revoked');
    expect(entries[5]!.marker).toBe('cert-authority');
    expect(errors.map((e) => e.line)).toEqual([9, 11, 12]);
    for (const e of errors) expect(e).toBeInstanceOf(KeyFileError);
  });

  it('finds known, changed, unknown and revoked keys', () => {
    const entries = parseKnownHosts(text);
    expect(lookupHost(entries, 'example.org', 22, ed.blob)).toEqual({ result: 'known', line: 3 });
    expect(lookupHost(entries, 'EXAMPLE.org', 22, ed.blob).result).toBe('known');
    expect(lookupHost(entries, '192.0.2.1', 22, ed.blob).result).toBe('known');
    expect(lookupHost(entries, 'example.org', 22, ed2.blob)).toEqual({ result: 'changed', line: 3 });
    // ssh's fallback to the bare name for a non-standard port, only for a matching key
    expect(lookupHost(entries, 'example.org', 2222, ed.blob)).toEqual({ result: 'known', line: 3, withoutPort: true });
    expect(lookupHost(entries, 'example.org', 2222, ed.blob, { portFallback: false }).result).toBe('unknown');
    expect(lookupHost(entries, 'example.org', 2222, ed2.blob).result).toBe('unknown');
    expect(lookupHost(entries, '127.0.0.1', 2222, ed2.blob)).toEqual({ result: 'known', line: 5 });
    expect(lookupHost(entries, '127.0.0.1', 22, ed2.blob).result).toBe('unknown');
    expect(lookupHost(entries, 'a.lab.example', 22, ec.blob)).toEqual({ result: 'known', line: 4 });
    expect(lookupHost(entries, 'bad.lab.example', 22, ec.blob).result).toBe('unknown');
    expect(lookupHost(entries, 'hashed.example', 22, ed2.blob)).toEqual({ result: 'known', line: 6 });
    expect(lookupHost(entries, 'hashed.example', 22, ed.blob)).toEqual({ result: 'changed', line: 6 });
    expect(lookupHost(entries, 'revoked.example', 22, ed2.blob)).toEqual({ result: 'revoked', line: 7 });
    // @cert-authority lines only vouch for certificates
    expect(lookupHost(entries, 'x.example', 22, ed.blob).result).toBe('unknown');
    expect(lookupHost(entries, 'indented.example', 22, ed.blob).result).toBe('known');
  });

  it('calls a key of another type "changed", as ssh 9.2 does, and reports the last offending line', () => {
    const entries = parseKnownHosts(`example.org ssh-ed25519 ${b64(ed)}\nexample.org ssh-ed25519 ${b64(ed2)}\n`);
    expect(lookupHost(entries, 'example.org', 22, ec.blob)).toEqual({ result: 'changed', line: 2 });
    expect(lookupHost(entries, 'example.org', 22, ed2.blob)).toEqual({ result: 'known', line: 2 });
  });

  it('never throws anything but KeyFileError on arbitrary lines', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), fc.nat(300), fc.string({ maxLength: 4 }), (junk, i, s) => {
        const t = text.slice(0, i) + s + text.slice(i + 1) + '\n' + junk;
        const { errors } = parseKnownHostsFile(t);
        for (const e of errors) expect(e).toBeInstanceOf(KeyFileError);
      }),
      { numRuns: 300 },
    );
  });
});
