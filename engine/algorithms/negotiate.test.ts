import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { negotiate, guessMatches, chosenAlgorithms, failedRows, CATEGORIES, type KexinitLists } from './negotiate.ts';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { defaultAlgorithms, resolveAlgorithms, DEFAULT_PUBKEY_ALGORITHMS } from './defaults.ts';
import { KEX } from './kex.ts';
import { SIGNATURES } from './signatures.ts';
import { CIPHERS } from './ciphers.ts';
import { MACS } from './macs.ts';

function lists(p: Partial<KexinitLists> & { cipher?: string[]; mac?: string[] } = {}): KexinitLists {
  const d = defaultAlgorithms();
  return {
    kexAlgorithms: p.kexAlgorithms ?? d.kex,
    serverHostKeyAlgorithms: p.serverHostKeyAlgorithms ?? d.hostKey,
    encryptionC2S: p.encryptionC2S ?? p.cipher ?? d.cipher,
    encryptionS2C: p.encryptionS2C ?? p.cipher ?? d.cipher,
    macC2S: p.macC2S ?? p.mac ?? d.mac,
    macS2C: p.macS2C ?? p.mac ?? d.mac,
    compressionC2S: p.compressionC2S ?? ['none'],
    compressionS2C: p.compressionS2C ?? ['none'],
    languagesC2S: p.languagesC2S ?? [],
    languagesS2C: p.languagesS2C ?? [],
  };
}

// OpenSSH 9.2's defaults (ssh -Q / sshd -T on Debian 12), the peer we interoperate with.
const OPENSSH_CLIENT = lists({
  kexAlgorithms: ['sntrup761x25519-sha512@openssh.com', 'curve25519-sha256', 'curve25519-sha256@libssh.org', 'ecdh-sha2-nistp256', 'ecdh-sha2-nistp384', 'ecdh-sha2-nistp521', 'diffie-hellman-group-exchange-sha256', 'diffie-hellman-group16-sha512', 'diffie-hellman-group18-sha512', 'diffie-hellman-group14-sha256', 'ext-info-c', 'kex-strict-c-v00@openssh.com'],
  serverHostKeyAlgorithms: ['ssh-ed25519-cert-v01@openssh.com', 'ecdsa-sha2-nistp256-cert-v01@openssh.com', 'ssh-ed25519', 'ecdsa-sha2-nistp256', 'rsa-sha2-512', 'rsa-sha2-256'],
  cipher: ['chacha20-poly1305@openssh.com', 'aes128-ctr', 'aes192-ctr', 'aes256-ctr', 'aes128-gcm@openssh.com', 'aes256-gcm@openssh.com'],
  mac: ['umac-64-etm@openssh.com', 'umac-128-etm@openssh.com', 'hmac-sha2-256-etm@openssh.com', 'hmac-sha2-512-etm@openssh.com', 'hmac-sha1-etm@openssh.com', 'umac-64@openssh.com', 'umac-128@openssh.com', 'hmac-sha2-256', 'hmac-sha2-512', 'hmac-sha1'],
  compressionC2S: ['none', 'zlib@openssh.com'],
  compressionS2C: ['none', 'zlib@openssh.com'],
});

describe('negotiate (RFC 4253 §7.1)', () => {
  it('returns ten rows in KEXINIT order', () => {
    const rows = negotiate(lists(), lists());
    expect(rows.map((r) => r.category)).toEqual([...CATEGORIES]);
  });

  it('picks the first client algorithm the server supports, against an OpenSSH 9.2 client', () => {
    const ours = lists({ kexAlgorithms: ['curve25519-sha256', 'curve25519-sha256@libssh.org', 'ext-info-s', 'kex-strict-s-v00@openssh.com'] });
    const rows = negotiate(OPENSSH_CLIENT, ours);
    const c = chosenAlgorithms(rows)!;
    expect(c).toEqual({
      kex: 'curve25519-sha256',
      hostKey: 'ssh-ed25519',
      cipherC2S: 'chacha20-poly1305@openssh.com',
      cipherS2C: 'chacha20-poly1305@openssh.com',
      macC2S: null,
      macS2C: null,
      compressionC2S: 'none',
      compressionS2C: 'none',
    });
    expect(rows[0]!.rule).toMatch(/sntrup761x25519-sha512@openssh.com: not offered by the server/);
    expect(rows[0]!.rule).toMatch(/ignored pseudo-algorithms/);
    expect(rows[1]!.rule).toMatch(/does not offer ssh-ed25519-cert-v01@openssh.com, ecdsa-sha2-nistp256-cert-v01@openssh.com/);
    expect(rows[4]!.rule).toBe('implicit: the cipher authenticates');
  });

  it('negotiates MACs when the cipher is not AEAD, per direction', () => {
    const client = lists({ encryptionC2S: ['aes256-ctr'], encryptionS2C: ['aes128-gcm@openssh.com'], mac: ['hmac-sha1', 'hmac-sha2-512'] });
    const server = lists({ cipher: ['aes128-gcm@openssh.com', 'aes256-ctr'], mac: ['hmac-sha2-512', 'hmac-sha1'] });
    const c = chosenAlgorithms(negotiate(client, server))!;
    expect([c.cipherC2S, c.macC2S, c.cipherS2C, c.macS2C]).toEqual(['aes256-ctr', 'hmac-sha1', 'aes128-gcm@openssh.com', null]);
  });

  it('the client decides, not the server', () => {
    const c = chosenAlgorithms(negotiate(lists({ cipher: ['aes256-ctr', 'aes128-ctr'] }), lists({ cipher: ['aes128-ctr', 'aes256-ctr'] })))!;
    expect(c.cipherC2S).toBe('aes256-ctr');
  });

  it('never chooses a pseudo-algorithm', () => {
    const rows = negotiate(lists({ kexAlgorithms: ['ext-info-c', 'kex-strict-c-v00@openssh.com'] }), lists({ kexAlgorithms: ['ext-info-c', 'kex-strict-c-v00@openssh.com', 'curve25519-sha256'] }));
    expect(rows[0]!.chosen).toBeNull();
    expect(rows[0]!.rule).toMatch(/^no common algorithm/);
    expect(failedRows(rows).map((r) => r.category)).toEqual(['kex']);
    expect(chosenAlgorithms(rows)).toBeNull();
  });

  it('returns an error row instead of throwing when nothing is in common', () => {
    const rows = negotiate(lists({ cipher: ['aes256-gcm@openssh.com'], compressionC2S: ['zlib'] }), lists({ cipher: ['aes128-ctr'] }));
    const enc = rows.find((r) => r.category === 'encryption c2s')!;
    expect(enc).toMatchObject({ chosen: null, rule: 'no common algorithm', client: ['aes256-gcm@openssh.com'], server: ['aes128-ctr'] });
    expect(failedRows(rows).map((r) => r.category)).toEqual(['encryption c2s', 'encryption s2c', 'compression c2s']);
  });

  it('skips a kex method when no suitable host key algorithm is in common', () => {
    // RFC 4432 RSA key exchange needs an encryption-capable (RSA) host key
    const client = lists({ kexAlgorithms: ['rsa2048-sha256', 'curve25519-sha256'], serverHostKeyAlgorithms: ['ssh-ed25519', 'ssh-rsa'] });
    const server = lists({ kexAlgorithms: ['rsa2048-sha256', 'curve25519-sha256'], serverHostKeyAlgorithms: ['ssh-ed25519'] });
    const rows = negotiate(client, server);
    expect(rows[0]!.chosen).toBe('curve25519-sha256');
    expect(rows[0]!.rule).toMatch(/rsa2048-sha256: no encryption-capable host key algorithm in common/);
    const withRsa = negotiate(client, lists({ kexAlgorithms: ['rsa2048-sha256'], serverHostKeyAlgorithms: ['ssh-ed25519', 'ssh-rsa'] }));
    expect([withRsa[0]!.chosen, withRsa[1]!.chosen]).toEqual(['rsa2048-sha256', 'ssh-rsa']);
    const noHost = negotiate(lists({ serverHostKeyAlgorithms: ['ssh-ed25519'] }), lists({ serverHostKeyAlgorithms: ['rsa-sha2-256'] }));
    expect([noHost[0]!.chosen, noHost[1]!.chosen]).toEqual([null, null]);
  });

  it('languages: empty lists choose none without failing', () => {
    const rows = negotiate(lists(), lists());
    expect(rows[8]).toMatchObject({ chosen: null });
    expect(rows[8]!.rule).not.toMatch(/^no common/);
    expect(failedRows(rows)).toEqual([]);
  });
});

describe('negotiate properties', () => {
  const names = fc.uniqueArray(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'ext-info-c', 'kex-strict-s-v00@openssh.com'), { maxLength: 6 });
  it('chooses the first client entry the server also lists, or reports no common algorithm', () => {
    fc.assert(
      fc.property(names, names, (client, server) => {
        const rows = negotiate(lists({ encryptionC2S: client, kexAlgorithms: client, serverHostKeyAlgorithms: ['k'] }), lists({ encryptionC2S: server, kexAlgorithms: server, serverHostKeyAlgorithms: ['k'] }));
        const enc = rows.find((r) => r.category === 'encryption c2s')!;
        const expected = client.find((a) => server.includes(a)) ?? null;
        expect(enc.chosen).toBe(expected);
        if (expected === null) expect(enc.rule).toBe('no common algorithm');
        const kex = rows[0]!;
        const expectedKex = client.find((a) => server.includes(a) && !a.startsWith('ext-info') && !a.startsWith('kex-strict')) ?? null;
        expect(kex.chosen).toBe(expectedKex);
        expect(kex.client).toEqual(client);
        expect(kex.server).toEqual(server);
      }),
    );
  });
});

describe('guessMatches (RFC 4253 §7.1 first_kex_packet_follows)', () => {
  it('is right only when both first kex and both first host key algorithms agree', () => {
    const a = { kexAlgorithms: ['curve25519-sha256', 'x'], serverHostKeyAlgorithms: ['ssh-ed25519', 'y'] };
    expect(guessMatches(a, { kexAlgorithms: ['curve25519-sha256'], serverHostKeyAlgorithms: ['ssh-ed25519', 'z'] })).toBe(true);
    expect(guessMatches(a, { kexAlgorithms: ['x', 'curve25519-sha256'], serverHostKeyAlgorithms: ['ssh-ed25519'] })).toBe(false);
    expect(guessMatches(a, { kexAlgorithms: ['curve25519-sha256'], serverHostKeyAlgorithms: ['y', 'ssh-ed25519'] })).toBe(false);
    expect(guessMatches({ kexAlgorithms: [], serverHostKeyAlgorithms: [] }, { kexAlgorithms: [], serverHostKeyAlgorithms: [] })).toBe(false);
  });
});

describe('defaults', () => {
  it('list only what we implement, in OpenSSH order', () => {
    const d = defaultAlgorithms();
    expect(d.kex.slice(0, 4)).toEqual(['sntrup761x25519-sha512', 'sntrup761x25519-sha512@openssh.com', 'curve25519-sha256', 'curve25519-sha256@libssh.org']);
    expect(d.hostKey).toEqual(['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256']);
    for (const k of d.kex) expect(KEX[k], k).toBeDefined();
    for (const h of d.hostKey) expect(SIGNATURES[h], h).toBeDefined();
    for (const legacy of ['diffie-hellman-group1-sha1', 'diffie-hellman-group14-sha1', 'diffie-hellman-group-exchange-sha1']) {
      expect(KEX[legacy]).toBeDefined();
      expect(d.kex).not.toContain(legacy);
    }
    expect(SIGNATURES['ssh-rsa']).toBeDefined();
    expect(d.hostKey).not.toContain('ssh-rsa');
    expect(d.compression).toEqual(['none']);
    expect(d.cipher[0]).toBe('chacha20-poly1305@openssh.com');
    expect(d.mac[0]).toBe('hmac-sha2-256-etm@openssh.com');
    expect(resolveAlgorithms({ cipher: ['aes128-ctr'] }).cipher).toEqual(['aes128-ctr']);
    expect(resolveAlgorithms({ cipher: ['aes128-ctr'] }).mac).toEqual(d.mac);
  });

  // The installed OpenSSH client's effective defaults (`ssh -G`), restricted to what we implement.
  it.skipIf(!existsSync('/usr/bin/ssh'))('equal the real ssh client\'s defaults (ssh -G) restricted to our tables', () => {
    const out = execFileSync('/usr/bin/ssh', ['-G', '-F', '/dev/null', 'example.invalid'], { encoding: 'utf8' });
    const list = (key: string) => out.split('\n').find((l) => l.startsWith(key + ' '))!.slice(key.length + 1).trim().split(',');
    const d = defaultAlgorithms();
    expect(d.kex).toEqual(list('kexalgorithms').filter((a) => KEX[a]));
    expect(d.hostKey).toEqual(list('hostkeyalgorithms').filter((a) => SIGNATURES[a]));
    expect([...DEFAULT_PUBKEY_ALGORITHMS]).toEqual(list('pubkeyacceptedalgorithms').filter((a) => SIGNATURES[a]));
    expect(d.cipher).toEqual(list('ciphers').filter((a) => CIPHERS[a]));
    expect(d.mac).toEqual(list('macs').filter((a) => MACS[a]));
  });
});
