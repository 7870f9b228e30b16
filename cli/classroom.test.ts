import { describe, expect, it } from 'vitest';
import { networkInterfaces } from 'node:os';
import { classroomOptionsFromArgs, studentHosts } from './classroom.ts';

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
