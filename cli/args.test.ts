import { describe, it, expect } from 'vitest';
import { ArgError, countSwitch, formatHelp, getAll, getValue, parseArgs, parseDestination, parseList, parsePort, type CommandSpec } from './args.ts';

const spec: CommandSpec = {
  name: 'connect',
  usage: 'connect [options] user@host [command…]',
  summary: 'test',
  stopAfterPositionals: 1,
  flags: [
    { name: 'port', short: 'p', value: true, valueName: 'PORT', help: 'port' },
    { name: 'identity', short: 'i', value: true, repeat: true, help: 'key' },
    { name: 'tty', short: 't', repeat: true, help: 'pty' },
    { name: 'trace', help: 'trace' },
    { name: 'kex', value: true, help: 'kex' },
  ],
};

describe('parseArgs', () => {
  it('flags with values in every spelling, repeats, switches', () => {
    const p = parseArgs(spec, ['-p', '2222', '--kex=curve25519-sha256', '-ia', '--identity', 'b', '-tt', '--trace', 'u@h']);
    expect(getValue(p, 'port')).toBe('2222');
    expect(getValue(p, 'kex')).toBe('curve25519-sha256');
    expect(getAll(p, 'identity')).toEqual(['a', 'b']);
    expect(countSwitch(p, 'tty')).toBe(2);
    expect(countSwitch(p, 'trace')).toBe(1);
    expect(p.positionals).toEqual(['u@h']);
  });
  it('options between host and command are parsed; the command keeps its own dashes', () => {
    const p = parseArgs(spec, ['u@h', '-p22', 'ls', '-la', '--port', 'x']);
    expect(getValue(p, 'port')).toBe('22');
    expect(p.positionals).toEqual(['u@h', 'ls', '-la', '--port', 'x']);
  });
  it('-- ends options', () => {
    const p = parseArgs(spec, ['--', '-p', 'x']);
    expect(p.positionals).toEqual(['-p', 'x']);
    expect(getValue(p, 'port')).toBeUndefined();
  });
  it('helpful errors', () => {
    expect(() => parseArgs(spec, ['--prot', '1'])).toThrow(/unknown option --prot.*--port/);
    expect(() => parseArgs(spec, ['-x'])).toThrow(ArgError);
    expect(() => parseArgs(spec, ['-p'])).toThrow(/-p needs a value \(PORT\)/);
    expect(() => parseArgs(spec, ['--trace=1'])).toThrow(/does not take a value/);
    expect(() => parseArgs(spec, ['-p', '1', '-p', '2'])).toThrow(/more than once/);
  });
  it('--help and -h', () => {
    expect(parseArgs(spec, ['--help']).help).toBe(true);
    expect(parseArgs(spec, ['-h']).help).toBe(true);
    const h = formatHelp(spec);
    expect(h).toContain('usage: sshscope connect');
    for (const f of spec.flags) expect(h).toContain(`--${f.name}`);
  });
});

describe('helpers', () => {
  it('parseDestination', () => {
    expect(parseDestination('alice@example.org')).toEqual({ user: 'alice', host: 'example.org' });
    expect(parseDestination('example.org')).toEqual({ host: 'example.org' });
    expect(parseDestination('a@b@host:2200')).toEqual({ user: 'a@b', host: 'host', port: 2200 });
    expect(parseDestination('bob@[::1]:22')).toEqual({ user: 'bob', host: '::1', port: 22 });
    expect(parseDestination('ssh://carol@h:2022')).toEqual({ user: 'carol', host: 'h', port: 2022 });
    expect(parseDestination('::1')).toEqual({ host: '::1' });
    expect(() => parseDestination('@h')).toThrow(ArgError);
  });
  it('parsePort and parseList', () => {
    expect(parsePort('0')).toBe(0);
    expect(parsePort('65535')).toBe(65535);
    expect(() => parsePort('65536')).toThrow(ArgError);
    expect(() => parsePort('2x')).toThrow(ArgError);
    expect(parseList('a,b', 'x')).toEqual(['a', 'b']);
    expect(() => parseList('a,,b', '--ciphers')).toThrow(/--ciphers/);
  });
});
