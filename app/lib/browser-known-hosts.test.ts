import { describe, it, expect } from 'vitest';
import { Buffer } from 'node:buffer';
import { BrowserKnownHosts, memoryStorage, KNOWN_HOSTS_STORAGE_KEY } from './browser-known-hosts.ts';
import { ED25519_PUBLIC, ECDSA256_PUBLIC } from '../../engine/keys/fixtures.test-data.ts';

// Independent truth: the key lines ssh-keygen wrote (fixtures), decoded with node's base64.
const [edType, edB64] = ED25519_PUBLIC.trim().split(' ') as [string, string];
const [ecType, ecB64] = ECDSA256_PUBLIC.trim().split(' ') as [string, string];
const ed = new Uint8Array(Buffer.from(edB64, 'base64'));
const ec = new Uint8Array(Buffer.from(ecB64, 'base64'));

describe('BrowserKnownHosts', () => {
  it('starts empty: every host is unknown', () => {
    const kh = new BrowserKnownHosts(memoryStorage());
    expect(kh.text).toBe('');
    expect(kh.check('127.0.0.1', 22, ed).result).toBe('unknown');
  });

  it('add writes the line ssh writes ("[host]:port type base64"; bare host for port 22) and then knows the key', () => {
    const store = memoryStorage();
    const kh = new BrowserKnownHosts(store);
    expect(kh.add('127.0.0.1', 2222, ed)).toBe(`[127.0.0.1]:2222 ${edType} ${edB64}`);
    kh.add('Example.ORG', 22, ec);
    expect(store.getItem(KNOWN_HOSTS_STORAGE_KEY)).toBe(`[127.0.0.1]:2222 ${edType} ${edB64}\nexample.org ${ecType} ${ecB64}\n`);
    expect(kh.check('127.0.0.1', 2222, ed)).toEqual({ result: 'known', line: 1 });
    expect(kh.check('example.org', 22, ec)).toEqual({ result: 'known', line: 2 });
    expect(kh.size).toBe(2);
    // persisted: a second instance on the same storage sees it
    expect(new BrowserKnownHosts(store).check('127.0.0.1', 2222, ed).result).toBe('known');
  });

  it('another key for the same host is "changed" and names the line; the same key on another port is not', () => {
    const kh = new BrowserKnownHosts(memoryStorage());
    kh.add('127.0.0.1', 2222, ed);
    expect(kh.check('127.0.0.1', 2222, ec)).toEqual({ result: 'changed', line: 1 });
    expect(kh.check('127.0.0.1', 2223, ec).result).toBe('unknown');
  });

  it('a pasted file with comments, @revoked and a broken line keeps working', () => {
    const kh = new BrowserKnownHosts(memoryStorage());
    kh.replace(`# mine\nnot a key line\n@revoked [127.0.0.1]:2222 ${edType} ${edB64}`);
    expect(kh.text.endsWith('\n')).toBe(true);
    expect(kh.check('127.0.0.1', 2222, ed).result).toBe('revoked');
  });

  it('remove drops the host\'s lines (like ssh-keygen -R) and keeps the others; clear empties it', () => {
    const kh = new BrowserKnownHosts(memoryStorage());
    kh.add('127.0.0.1', 2222, ed);
    kh.add('10.0.0.1', 22, ec);
    expect(kh.remove('127.0.0.1', 2222)).toBe(1);
    expect(kh.text).toBe(`10.0.0.1 ${ecType} ${ecB64}\n`);
    expect(kh.remove('127.0.0.1', 2222)).toBe(0);
    kh.clear();
    expect(kh.text).toBe('');
  });
});
