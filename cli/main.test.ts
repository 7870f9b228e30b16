import { describe, it, expect, vi } from 'vitest';
import { readFileSync } from 'node:fs';
import { main } from './main.ts';

function capture(stream: 'stdout' | 'stderr') {
  let text = '';
  const spy = vi.spyOn(process[stream], 'write').mockImplementation(((chunk: string | Uint8Array) => {
    text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    return true;
  }) as typeof process.stdout.write);
  return { text: () => text, restore: () => spy.mockRestore() };
}

describe('main', () => {
  it('--version prints the package version', async () => {
    const out = capture('stdout');
    const code = await main(['--version']);
    out.restore();
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(code).toBe(0);
    expect(out.text()).toBe(`sshscope ${pkg.version}\n`);
  });
  it('--help lists the commands; an unknown command is an error', async () => {
    const out = capture('stdout');
    expect(await main(['--help'])).toBe(0);
    out.restore();
    for (const c of ['start', 'connect', 'serve']) expect(out.text()).toContain(c);
    const err = capture('stderr');
    expect(await main(['frob'])).toBe(2);
    err.restore();
    expect(err.text()).toContain('unknown command "frob"');
  });
  it('subcommand --help and bad options', async () => {
    const out = capture('stdout');
    expect(await main(['connect', '--help'])).toBe(0);
    expect(await main(['serve', '--help'])).toBe(0);
    out.restore();
    expect(out.text()).toContain('usage: sshscope connect');
    expect(out.text()).toContain('usage: sshscope serve');
    expect(out.text()).toContain('--accept-new');
    expect(out.text()).toContain('--authorized-keys');
    const err = capture('stderr');
    expect(await main(['connect'])).toBe(255);
    expect(await main(['connect', '--port', 'x', 'a@b'])).toBe(255);
    expect(await main(['serve', '--user', 'nocolon'])).toBe(2);
    err.restore();
    expect(err.text()).toContain('missing destination');
    expect(err.text()).toContain('port must be a number');
    expect(err.text()).toContain('NAME:PASSWORD');
  });
});
