import { describe, it, expect } from 'vitest';
import { userKeyAlgorithm, keyTypeOfAlgorithm } from './user-key-algorithm.ts';

// server-sig-algs as OpenSSH 9.2's sshd sends it (sshd -T does not print it; this is the
// "server-sig-algs" value of its SSH_MSG_EXT_INFO, kex.c kex_send_ext_info).
const SSHD_92 = 'ssh-ed25519,sk-ssh-ed25519@openssh.com,ssh-rsa,rsa-sha2-256,rsa-sha2-512,ssh-dss,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,sk-ecdsa-sha2-nistp256@openssh.com,webauthn-sk-ecdsa-sha2-nistp256@openssh.com'.split(',');

describe('userKeyAlgorithm (OpenSSH sshconnect2.c key_sig_algorithm)', () => {
  it('RSA: the first of our accepted list the server supports — rsa-sha2-512 with OpenSSH 9.2', () => {
    expect(userKeyAlgorithm({ type: 'ssh-rsa' }, SSHD_92)).toBe('rsa-sha2-512');
    expect(userKeyAlgorithm({ type: 'ssh-rsa' }, ['rsa-sha2-256', 'ssh-rsa'])).toBe('rsa-sha2-256');
    expect(userKeyAlgorithm({ type: 'ssh-rsa' }, ['ssh-rsa'])).toBe(null);
    expect(userKeyAlgorithm({ type: 'ssh-rsa' }, ['ssh-rsa'], ['rsa-sha2-512', 'ssh-rsa'])).toBe('ssh-rsa');
  });
  it('RSA without server-sig-algs: ssh-rsa only if our list accepts it (OpenSSH 9.2 does not)', () => {
    expect(userKeyAlgorithm({ type: 'ssh-rsa' }, null)).toBe(null);
    expect(userKeyAlgorithm({ type: 'ssh-rsa' }, null, ['rsa-sha2-512', 'ssh-rsa'])).toBe('ssh-rsa');
  });
  it('other keys sign with their own type', () => {
    for (const t of ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521']) {
      expect(userKeyAlgorithm({ type: t }, SSHD_92)).toBe(t);
      expect(userKeyAlgorithm({ type: t }, null)).toBe(t);
    }
    expect(userKeyAlgorithm({ type: 'ssh-dss' }, SSHD_92)).toBe(null);
  });
  it('maps algorithm names to key types (RFC 8332 §3)', () => {
    expect(['rsa-sha2-256', 'rsa-sha2-512', 'ssh-rsa', 'ssh-ed25519'].map(keyTypeOfAlgorithm)).toEqual(['ssh-rsa', 'ssh-rsa', 'ssh-rsa', 'ssh-ed25519']);
  });
});
