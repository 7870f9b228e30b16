import { describe, it, expect } from 'vitest';
import { copyId } from './copy-id.ts';
import { KeyFileError } from './errors.ts';
import { ED25519_ENCRYPTED_PUBLIC, ED25519_PUBLIC } from './fixtures.test-data.ts';

describe('copyId (ssh-copy-id)', () => {
  it('appends to an empty file', () => {
    expect(copyId('', ED25519_PUBLIC)).toEqual({ text: ED25519_PUBLIC, added: true, reason: 'key appended' });
  });

  it('adds a newline first when the file lacks one, keeping existing bytes', () => {
    const existing = '# mine\r\n' + ED25519_ENCRYPTED_PUBLIC.trim();
    const r = copyId(existing, ED25519_PUBLIC);
    expect(r.added).toBe(true);
    expect(r.text).toBe(existing + '\n' + ED25519_PUBLIC);
  });

  it('does not add a key that is already present, even with options or another comment', () => {
    const [type, b64] = ED25519_PUBLIC.split(' ');
    const existing = `no-pty ${type} ${b64} other-comment\n`;
    const r = copyId(existing, ED25519_PUBLIC);
    expect(r).toMatchObject({ text: existing, added: false, line: 1 });
  });

  it('refuses a broken key line with a typed error', () => {
    expect(() => copyId('', 'ssh-ed25519 nope')).toThrow(KeyFileError);
  });
});
