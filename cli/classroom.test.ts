import { describe, expect, it } from 'vitest';
import { networkInterfaces } from 'node:os';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { classroomOptionsFromArgs, startClassroom, studentHosts } from './classroom.ts';

describe('start --ssh-port options', () => {
  it('without --ssh-port there is no classroom; its companions alone are an error', () => {
    expect(classroomOptionsFromArgs({ port: '4173' })).toBeNull();
    expect(() => classroomOptionsFromArgs({ 'class-user': ['a:b'] })).toThrow(/--class-user needs --ssh-port/);
    expect(() => classroomOptionsFromArgs({ 'ssh-host': '0.0.0.0' })).toThrow(/--ssh-host needs --ssh-port/);
  });

  it('parses port, host, users (password may contain a colon; a repeated name replaces), keys file', () => {
    expect(classroomOptionsFromArgs({ 'ssh-port': '2222', 'ssh-host': '0.0.0.0', 'class-user': ['student:a:b', 'guest:x', 'student:c'], 'authorized-keys': 'keys' })).toEqual({
      sshPort: 2222,
      sshHost: '0.0.0.0',
      users: [
        { name: 'student', password: 'c' },
        { name: 'guest', password: 'x' },
      ],
      authorizedKeysFile: 'keys',
    });
    expect(classroomOptionsFromArgs({ 'ssh-port': '0' })).toEqual({ sshPort: 0 });
  });

  it('refuses bad values', () => {
    for (const p of ['-1', '65536', 'ssh', '']) expect(() => classroomOptionsFromArgs({ 'ssh-port': p })).toThrow(/--ssh-port/);
    expect(() => classroomOptionsFromArgs({ 'ssh-port': '2222', 'class-user': ['nopassword'] })).toThrow(/NAME:PASSWORD/);
    expect(() => classroomOptionsFromArgs({ 'ssh-port': '2222', 'class-user': ['bad name:pw'] })).toThrow(/user name/);
    expect(() => classroomOptionsFromArgs({ 'ssh-port': '2222', 'ssh-host': 'a b' })).toThrow(/--ssh-host/);
    expect(() => classroomOptionsFromArgs({ 'ssh-port': '2222', 'ssh-host-key': ['/nonexistent/key'] })).toThrow(/cannot read/);
  });
});

describe('what students type', () => {
  it('a specific listen address is the address; 0.0.0.0 lists this machine\'s external IPv4 addresses', () => {
    expect(studentHosts('127.0.0.1')).toEqual(['127.0.0.1']);
    expect(studentHosts('192.168.1.20')).toEqual(['192.168.1.20']);
    const external = Object.values(networkInterfaces())
      .flatMap((l) => l ?? [])
      .filter((a) => !a.internal && a.family === 'IPv4')
      .map((a) => a.address);
    expect(studentHosts('0.0.0.0')).toEqual(external.length ? external : ['127.0.0.1']);
  });
});

describe('the authorized_keys file', () => {
  it('may not exist yet; once written, every class user gets its keys and the page is told', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sshscope-classroom-keys-'));
    const file = join(dir, 'class_keys');
    const room = await startClassroom({ sshPort: 0, users: [{ name: 'a', password: 'x' }, { name: 'b', password: 'y' }], authorizedKeysFile: file, watchIntervalMs: 20 });
    try {
      expect(room.info().authorizedKeys).toEqual({ file, text: '', error: 'missing' });
      expect(room.info().users).toEqual([
        { name: 'a', password: 'x', publickey: true },
        { name: 'b', password: 'y', publickey: true },
      ]);
      const line = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl student\n';
      writeFileSync(file, line);
      for (let i = 0; i < 500 && room.info().authorizedKeys?.text !== line; i++) await new Promise((r) => setTimeout(r, 20));
      expect(room.info().authorizedKeys).toEqual({ file, text: line });
      expect(room.users.map((u) => u.authorizedKeys)).toEqual([line, line]);
    } finally {
      await room.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('without --class-user there is one user, student, with a random password', async () => {
    const room = await startClassroom({ sshPort: 0 });
    try {
      const [u, ...rest] = room.info().users!;
      expect(rest).toEqual([]);
      expect(u!.name).toBe('student');
      expect(u!.password).toMatch(/^[a-z2-9]{8}$/);
      expect(u!.publickey).toBe(false);
    } finally {
      await room.close();
    }
  });
});
