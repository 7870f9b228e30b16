import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { findAuthorizedKey, formatAuthorizedKeyLine, parseAuthorizedKeyOptions, parseAuthorizedKeys, parseExpiryTime } from './authorized-keys.ts';
import { KeyFileError } from './errors.ts';
import { parsePublicKeyLine } from './public-key.ts';
import { ECDSA256_PUBLIC, ED25519_ENCRYPTED_PUBLIC, ED25519_PUBLIC } from './fixtures.test-data.ts';

const ed = ED25519_PUBLIC.trim();
const ed2 = ED25519_ENCRYPTED_PUBLIC.split(' ').slice(0, 2).join(' ');
const ec = ECDSA256_PUBLIC.trim();
const blob = (l: string) => parsePublicKeyLine(l).key.blob;

describe('authorized_keys options (auth-options.c)', () => {
  it('parses flags, quoted values with escaped quotes and restrict', () => {
    const { options, policy, end } = parseAuthorizedKeyOptions('restrict,pty,command="echo \\"hi\\", there",from="10.0.0.0/8,!10.0.0.1",environment="A_1=x y" rest');
    expect(options).toEqual([
      { name: 'restrict' },
      { name: 'pty' },
      { name: 'command', value: 'echo "hi", there' },
      { name: 'from', value: '10.0.0.0/8,!10.0.0.1' },
      { name: 'environment', value: 'A_1=x y' },
    ]);
    expect(policy).toMatchObject({ pty: true, portForwarding: false, agentForwarding: false, x11Forwarding: false, userRc: false, command: 'echo "hi", there' });
    expect(end).toBe(options.length ? 'restrict,pty,command="echo \\"hi\\", there",from="10.0.0.0/8,!10.0.0.1",environment="A_1=x y"'.length : 0);
  });

  it('knows the no- forms case-insensitively', () => {
    const { policy, options } = parseAuthorizedKeyOptions('no-pty,No-Port-Forwarding,no-agent-forwarding,no-X11-forwarding,no-user-rc,permitopen="host:80",permitopen="[::1]:*",principals="a,b",cert-authority,expiry-time="20300101"');
    expect(options.map((o) => o.name)).toEqual(['no-pty', 'no-port-forwarding', 'no-agent-forwarding', 'no-x11-forwarding', 'no-user-rc', 'permitopen', 'permitopen', 'principals', 'cert-authority', 'expiry-time']);
    expect(policy).toMatchObject({ pty: false, portForwarding: false, agentForwarding: false, x11Forwarding: false, userRc: false, certAuthority: true, principals: 'a,b', permitOpen: ['host:80', '[::1]:*'] });
    expect(policy.expiry).toBe(new Date(2030, 0, 1).getTime());
  });

  it('reports what is wrong and where', () => {
    const bad = (s: string) => {
      try {
        parseAuthorizedKeyOptions(s);
      } catch (e) {
        return e as KeyFileError;
      }
      throw new Error('no error');
    };
    expect(bad('bogus').reason).toMatch(/unsupported option "bogus"/);
    expect(bad('command=ls').reason).toMatch(/missing start quote/);
    expect(bad('command="ls').reason).toMatch(/missing end quote/);
    expect(bad('command="a",command="b"').reason).toMatch(/multiple "command"/);
    expect(bad('no-pty,').reason).toMatch(/end-of-options/);
    expect(bad('environment="1 x"').reason).toMatch(/environment/);
    expect(bad('permitopen="nohost"').reason).toMatch(/permitopen/);
    expect(bad('expiry-time="2030"').reason).toMatch(/expires/);
    expect(bad('no-pty;x').offset).toBe(6);
  });

  it('parses expiry times in local time, or UTC with Z', () => {
    expect(parseExpiryTime('20250102')).toBe(new Date(2025, 0, 2).getTime());
    expect(parseExpiryTime('202501020304')).toBe(new Date(2025, 0, 2, 3, 4).getTime());
    expect(parseExpiryTime('20250102030405Z')).toBe(Date.UTC(2025, 0, 2, 3, 4, 5));
    expect(parseExpiryTime('20251302')).toBeNull();
  });
});

describe('authorized_keys files', () => {
  const text = [
    '# keys',
    ed + ' ',
    `from="10.0.0.0/8,!10.0.0.66",no-pty ${ed2} alice@laptop`,
    `cert-authority ${ec} ca`,
    'command="unterminated ssh-ed25519 AAAA',
    'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA== short-key',
    `  restrict,command="uptime" ${ed2} uptime-only`,
    'ssh-ed25519',
  ].join('\r\n');

  it('parses good lines and reports each broken line with its number', () => {
    const { entries, errors } = parseAuthorizedKeys(text);
    expect(entries.map((e) => e.line)).toEqual([2, 3, 4, 7]);
    expect(entries[0]!.comment).toBe('fixture@sshscope');
    expect(entries[1]!.options).toEqual([{ name: 'from', value: '10.0.0.0/8,!10.0.0.66' }, { name: 'no-pty' }]);
    expect(entries[1]!.comment).toBe('alice@laptop');
    expect(errors.map((e) => e.line)).toEqual([5, 6, 8]);
  });

  it('finds the key honouring from= (and goes on to later lines, as sshd does)', () => {
    const { entries } = parseAuthorizedKeys(text);
    expect(findAuthorizedKey(entries, blob(ed)).entry?.line).toBe(2);
    expect(findAuthorizedKey(entries, blob(ed2), { clientAddress: '10.1.2.3' }).entry?.line).toBe(3);
    const m = findAuthorizedKey(entries, blob(ed2), { clientAddress: '10.0.0.66' });
    expect(m.entry?.line).toBe(7);
    expect(m.rejected[0]).toMatchObject({ line: 3 });
    expect(m.rejected[0]!.reason).toMatch(/not from a permitted host/);
    const only3 = entries.filter((e) => e.line === 3);
    const no = findAuthorizedKey(only3, blob(ed2), { clientAddress: '192.168.0.1' });
    expect(no.entry).toBeNull();
    expect(no.reason).toMatch(/refused/);
  });

  it('does not let a plain key in through a cert-authority line, nor an expired key', () => {
    const { entries } = parseAuthorizedKeys(text);
    const m = findAuthorizedKey(entries, blob(ec));
    expect(m.entry).toBeNull();
    expect(m.rejected[0]!.reason).toMatch(/cert-authority/);
    const exp = parseAuthorizedKeys(`expiry-time="20200101Z" ${ed}`).entries;
    expect(findAuthorizedKey(exp, blob(ed), { now: Date.UTC(2021, 0, 1) }).entry).toBeNull();
    expect(findAuthorizedKey(exp, blob(ed), { now: Date.UTC(2019, 0, 1) }).entry?.line).toBe(1);
  });

  it('never throws anything but KeyFileError per line on mutated text', () => {
    fc.assert(
      fc.property(fc.nat(text.length), fc.string({ maxLength: 4 }), fc.string({ maxLength: 100 }), (i, s, junk) => {
        const { errors } = parseAuthorizedKeys(text.slice(0, i) + s + text.slice(i + 1) + '\n' + junk);
        for (const e of errors) expect(e).toBeInstanceOf(KeyFileError);
      }),
      { numRuns: 300 },
    );
  });
});

describe('formatAuthorizedKeyLine', () => {
  it('round-trips options with quotes, commas and spaces', () => {
    const key = parsePublicKeyLine(ED25519_PUBLIC).key;
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }).filter((s) => !s.endsWith('\\') && !/[\r\n]/.test(s)), fc.constantFrom('', 'a comment'), (cmd, comment) => {
        const opts = [{ name: 'restrict' }, { name: 'command', value: cmd }, { name: 'no-pty' }];
        const line = formatAuthorizedKeyLine(opts, key, comment);
        const { entries, errors } = parseAuthorizedKeys(line);
        expect(errors).toEqual([]);
        expect(entries[0]!.options).toEqual(opts);
        expect(entries[0]!.comment).toBe(comment);
        expect(entries[0]!.policy.command).toBe(cmd);
      }),
    );
    expect(() => formatAuthorizedKeyLine([{ name: 'command', value: 'x\\' }], key)).toThrow(KeyFileError);
  });
});
