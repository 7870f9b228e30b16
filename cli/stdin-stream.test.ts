// Which stream `sshscope connect` reads the command's input from: a child node process reports
// what commandInput() returned for stdin redirected from a regular file, from a pipe and from
// /dev/null (a character device).

import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { FILE_READ_CHUNK } from './stdin-stream.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TSX = join(ROOT, 'node_modules/tsx/dist/esm/index.mjs');
const PROBE = `import('./cli/stdin-stream.ts').then((m) => {
  const s = m.commandInput();
  let n = 0;
  s.on('data', (d) => (n += d.length));
  s.on('end', () => console.log(JSON.stringify({ own: s !== process.stdin, hwm: s.readableHighWaterMark, n })));
});`;

const dir = mkdtempSync(join(tmpdir(), 'sshscope-stdin-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function probe(stdin: number | 'pipe', input?: Uint8Array): { own: boolean; hwm: number; n: number } {
  const r = spawnSync(process.execPath, ['--import', TSX, '--input-type=module', '-e', PROBE], { cwd: ROOT, stdio: [stdin, 'pipe', 'pipe'], input, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as { own: boolean; hwm: number; n: number };
}

describe('commandInput', () => {
  it('reads a regular file on fd 0 with its own stream, 1 MiB at a time, to the end', () => {
    const file = join(dir, 'in.bin');
    writeFileSync(file, new Uint8Array(3 * FILE_READ_CHUNK + 7));
    const fd = openSync(file, 'r');
    try {
      expect(probe(fd)).toEqual({ own: true, hwm: FILE_READ_CHUNK, n: 3 * FILE_READ_CHUNK + 7 });
    } finally {
      closeSync(fd);
    }
  });

  it('keeps process.stdin for a pipe and for a character device', () => {
    expect(probe('pipe', new Uint8Array(100_000))).toMatchObject({ own: false, n: 100_000 });
    const devNull = openSync('/dev/null', 'r');
    try {
      expect(probe(devNull)).toMatchObject({ own: false, n: 0 });
    } finally {
      closeSync(devNull);
    }
  });
});
