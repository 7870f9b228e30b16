import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { addrMatchList, matchHostAndIp, matchHostname, matchPattern, parseCidr, parseIpAddress } from './host-pattern.ts';

/** A reference glob via RegExp, independent of the iterative matcher. */
function globRef(s: string, p: string): boolean {
  const re = new RegExp('^' + p.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[\\s\\S]*').replace(/\?/g, '[\\s\\S]') + '$');
  return re.test(s);
}

describe('OpenSSH pattern matching (match.c)', () => {
  it('matches * and ? like a regular-expression glob', () => {
    const chars = fc.constantFrom('a', 'b', '.', '*', '?');
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', 'b', '.'), maxLength: 8 }), fc.string({ unit: chars, maxLength: 6 }), (s, p) => {
        expect(matchPattern(s, p)).toBe(globRef(s, p));
      }),
      { numRuns: 2000 },
    );
  });

  it('handles lists, case and negation as sshd(8) describes', () => {
    expect(matchHostname('Host.Example.COM', '*.example.com')).toBe(1);
    expect(matchHostname('a.example.com', '*.example.com,!a.example.com')).toBe(-1);
    expect(matchHostname('b.example.com', '*.example.com,!a.example.com')).toBe(1);
    expect(matchHostname('other', '*.example.com,!a.example.com')).toBe(0);
    expect(matchHostname('[127.0.0.1]:2222', '[127.0.0.1]:2222')).toBe(1);
    expect(matchHostname('127.0.0.1', '[127.0.0.1]:2222')).toBe(0);
    expect(matchHostname('h1', 'h?')).toBe(1);
  });
});

describe('addresses and CIDR (addrmatch.c)', () => {
  it('parses IPv4 and IPv6', () => {
    expect(parseIpAddress('192.0.2.1')?.bytes).toEqual(new Uint8Array([192, 0, 2, 1]));
    expect(parseIpAddress('::1')?.bytes).toEqual(new Uint8Array([...new Array(15).fill(0), 1]));
    expect(parseIpAddress('2001:db8::ff00:42:8329')?.family).toBe(6);
    expect(parseIpAddress('::ffff:10.0.0.1')?.bytes.slice(12)).toEqual(new Uint8Array([10, 0, 0, 1]));
    expect(parseIpAddress('256.0.0.1')).toBeNull();
    expect(parseIpAddress('example.com')).toBeNull();
  });

  it('rejects networks with host bits set', () => {
    expect(parseCidr('10.0.0.0/8')).not.toBe('invalid');
    expect(parseCidr('10.0.0.1/8')).toBe('invalid');
    expect(parseCidr('10.0.0.0/33')).toBe('invalid');
  });

  it('matches address lists with CIDR, wildcards and negation', () => {
    expect(addrMatchList('10.1.2.3', '10.0.0.0/8')).toBe(1);
    expect(addrMatchList('10.1.2.3', '10.0.0.0/8,!10.1.2.3')).toBe(-1);
    expect(addrMatchList('192.168.1.7', '192.168.1.*')).toBe(1);
    expect(addrMatchList('192.168.2.7', '192.168.1.*')).toBe(0);
    expect(addrMatchList('2001:db8::1', '2001:db8::/32')).toBe(1);
    expect(addrMatchList('10.1.2.3', '10.0.0.1/8')).toBe(-2);
    expect(addrMatchList('10.1.2.3', 'a,,b')).toBe(-2);
  });

  it('from= combines host and address (match_host_and_ip)', () => {
    expect(matchHostAndIp('10.0.0.5', '10.0.0.5', '10.0.0.0/24')).toBe(1);
    expect(matchHostAndIp('client.example', '10.0.0.5', '*.example')).toBe(1);
    expect(matchHostAndIp('client.example', '10.0.0.5', '*.example,!10.0.0.5')).toBe(0);
    expect(matchHostAndIp('bad.example', '10.0.0.5', '*.example,!bad.example')).toBe(0);
    expect(matchHostAndIp('10.9.9.9', '10.9.9.9', '10.0.0.0/24')).toBe(0);
    expect(matchHostAndIp('10.9.9.9', '10.9.9.9', '10.0.0.1/24')).toBe(-1);
  });
});
