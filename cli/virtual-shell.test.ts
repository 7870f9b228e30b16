import { describe, it, expect } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { VirtualShell, onlcr, parseCommandLine, type PtyInfo } from './virtual-shell.ts';

interface Run {
  shell: VirtualShell;
  stdout: () => string;
  stderr: () => string;
  chunks: { data: Uint8Array; stream: string }[];
  exits: number[];
}

function make(opts: { pty?: PtyInfo | null; user?: string } = {}): Run {
  const chunks: { data: Uint8Array; stream: string }[] = [];
  const exits: number[] = [];
  const shell = new VirtualShell({
    user: opts.user ?? 'alice',
    pty: opts.pty ?? null,
    write: (data, stream) => chunks.push({ data: data.slice(), stream }),
    exit: (s) => exits.push(s),
  });
  const text = (stream: string) => Buffer.concat(chunks.filter((c) => c.stream === stream).map((c) => c.data)).toString('utf8');
  return { shell, stdout: () => text('stdout'), stderr: () => text('stderr'), chunks, exits };
}

const enc = (s: string) => new TextEncoder().encode(s);
const PTY = (): PtyInfo => ({ term: 'xterm', cols: 80, rows: 24 });

describe('exec mode', () => {
  it('echo, echo -n, whoami, hostname, pwd, id', () => {
    const r = make();
    r.shell.exec('echo hi there; echo -n x; whoami; hostname; pwd; id');
    expect(r.stdout()).toBe('hi there\nxalice\nsshscope\n/home/alice\nuid=1000(alice) gid=1000(alice) groups=1000(alice)\n');
    expect(r.exits).toEqual([0]);
  });

  it('exit N sets the status and stops', () => {
    const r = make();
    r.shell.exec('exit 3; echo never');
    expect(r.exits).toEqual([3]);
    expect(r.stdout()).toBe('');
    const big = make();
    big.shell.exec('exit 300');
    expect(big.exits).toEqual([300 & 0xff]);
  });

  it('true, false, && and ||, $?', () => {
    const r = make();
    r.shell.exec('false || echo a; true && echo b; false && echo c; false; echo $?');
    expect(r.stdout()).toBe('a\nb\n1\n');
    expect(r.exits).toEqual([0]);
    const f = make();
    f.shell.exec('false');
    expect(f.exits).toEqual([1]);
  });

  it('unknown command: stderr and 127', () => {
    const r = make();
    r.shell.exec('frobnicate --now');
    expect(r.stderr()).toBe('sh: frobnicate: command not found\n');
    expect(r.stdout()).toBe('');
    expect(r.exits).toEqual([127]);
  });

  it('quotes and variables', () => {
    const r = make();
    r.shell.exec(`echo 'a  $USER' "b  $USER" c\\ d "\\"q\\""`);
    expect(r.stdout()).toBe('a  $USER b  alice c d "q"\n');
  });

  it('uname and uname -a, ls, cat FILE', () => {
    const r = make();
    r.shell.exec('uname; uname -a; ls; cat hello.txt; cat nope');
    const lines = r.stdout().split('\n');
    expect(lines[0]).toBe('sshscope');
    expect(lines[1]!.split(' ').length).toBeGreaterThan(2);
    expect(lines).toContain('README.txt');
    expect(lines).toContain('hello, world');
    expect(r.stderr()).toBe('cat: nope: No such file or directory\n');
    expect(r.exits).toEqual([1]);
  });

  it('cat copies stdin byte for byte until EOF, chunk by chunk (8 MiB)', () => {
    const r = make();
    r.shell.exec('cat');
    expect(r.exits).toEqual([]);
    const inHash = createHash('sha256');
    const outHash = createHash('sha256');
    let total = 0;
    let maxChunk = 0;
    const chunkCount = 256;
    for (let i = 0; i < chunkCount; i++) {
      const chunk = new Uint8Array(randomBytes(32768));
      inHash.update(chunk);
      const before = r.chunks.length;
      r.shell.input(chunk);
      // output appears immediately, not at EOF: nothing is held back
      for (const c of r.chunks.slice(before)) {
        outHash.update(c.data);
        total += c.data.length;
        maxChunk = Math.max(maxChunk, c.data.length);
      }
      r.chunks.length = 0;
    }
    expect(total).toBe(chunkCount * 32768);
    expect(maxChunk).toBeLessThanOrEqual(32768);
    expect(outHash.digest('hex')).toBe(inHash.digest('hex'));
    r.shell.eof();
    expect(r.exits).toEqual([0]);
  });

  it('commands after cat run once stdin ends; exit-status follows', () => {
    const r = make();
    r.shell.exec('echo start; cat; echo end');
    r.shell.input(enc('middle\n'));
    expect(r.exits).toEqual([]);
    r.shell.eof();
    expect(r.stdout()).toBe('start\nmiddle\nend\n');
    expect(r.exits).toEqual([0]);
  });

  it('exec ignores stdin when no command reads it', () => {
    const r = make();
    r.shell.exec('echo x');
    r.shell.input(enc('ignored'));
    r.shell.eof();
    expect(r.stdout()).toBe('x\n');
    expect(r.exits).toEqual([0]);
  });

  it('syntax errors are reported', () => {
    const r = make();
    r.shell.exec('echo a | wc');
    expect(r.stderr()).toMatch(/^sh: /);
    expect(r.exits).toEqual([2]);
  });

  it('exec with a pty turns LF into CRLF and sends everything to stdout', () => {
    const r = make({ pty: PTY() });
    r.shell.exec('echo a; nope');
    expect(r.stdout()).toBe('a\r\nsh: nope: command not found\r\n');
    expect(r.stderr()).toBe('');
    expect(r.exits).toEqual([127]);
  });
});

describe('shell mode without a pty', () => {
  it('reads lines, no prompt, no echo, raw LF; EOF ends it', () => {
    const r = make();
    r.shell.shell();
    r.shell.input(enc('echo one\nwho'));
    r.shell.input(enc('ami\n'));
    expect(r.stdout()).toBe('one\nalice\n');
    r.shell.eof();
    expect(r.exits).toEqual([0]);
  });

  it('exit N in the middle of input', () => {
    const r = make();
    r.shell.shell();
    r.shell.input(enc('echo a\nexit 7\necho b\n'));
    expect(r.stdout()).toBe('a\n');
    expect(r.exits).toEqual([7]);
  });

  it('a last line without newline runs at EOF; cat takes the rest of the input', () => {
    const r = make();
    r.shell.shell();
    r.shell.input(Uint8Array.from([...enc('cat\nraw'), 0x00, 0xff, 0x0a]));
    r.shell.eof();
    expect(Array.from(Buffer.concat(r.chunks.map((c) => c.data)))).toEqual([...enc('raw'), 0x00, 0xff, 0x0a]);
    expect(r.exits).toEqual([0]);
    const s = make();
    s.shell.shell();
    s.shell.input(enc('echo tail'));
    s.shell.eof();
    expect(s.stdout()).toBe('tail\n');
  });
});

describe('shell mode with a pty', () => {
  it('prompt, echo of typed characters, CR, CRLF output', () => {
    const r = make({ pty: PTY() });
    r.shell.shell();
    const banner = r.stdout();
    expect(banner.endsWith('alice@sshscope:~$ ')).toBe(true);
    r.chunks.length = 0;
    r.shell.input(enc('whoami\r'));
    expect(r.stdout()).toBe('whoami\r\nalice\r\nalice@sshscope:~$ ');
  });

  it('backspace (DEL) erases, Ctrl-U kills, Ctrl-C abandons the line', () => {
    const r = make({ pty: PTY() });
    r.shell.shell();
    r.chunks.length = 0;
    r.shell.input(enc('echo abx\x7fc\r'));
    expect(r.stdout()).toBe('echo abx\b \bc\r\nabc\r\nalice@sshscope:~$ ');
    r.chunks.length = 0;
    r.shell.input(enc('echo no\x03'));
    expect(r.stdout()).toBe('echo no^C\r\nalice@sshscope:~$ ');
    r.chunks.length = 0;
    r.shell.input(enc('ab\x15'));
    expect(r.stdout()).toBe('ab\b \b\b \b');
    expect(r.exits).toEqual([]);
  });

  it('cursor-key escape sequences are ignored, not echoed', () => {
    const r = make({ pty: PTY() });
    r.shell.shell();
    r.chunks.length = 0;
    r.shell.input(enc('ec\x1b[Aho\x1bOB x\r'));
    expect(r.stdout()).toBe('echo x\r\nx\r\nalice@sshscope:~$ ');
  });

  it('backspace removes a whole UTF-8 character', () => {
    const r = make({ pty: PTY() });
    r.shell.shell();
    r.shell.input(enc('echo é\x7fe\r'));
    expect(r.stdout()).toContain('\r\ne\r\n');
  });

  it('Ctrl-D on an empty line exits with the last status', () => {
    const r = make({ pty: PTY() });
    r.shell.shell();
    r.shell.input(enc('false\r'));
    r.shell.input(enc('ab\x04'));
    expect(r.exits).toEqual([]);
    r.chunks.length = 0;
    r.shell.input(enc('\x04'));
    expect(r.exits.length).toBe(1);
  });

  it('interactive cat: lines echo back, Ctrl-D returns to the prompt, Ctrl-C interrupts', () => {
    const r = make({ pty: PTY() });
    r.shell.shell();
    r.shell.input(enc('cat\r'));
    r.chunks.length = 0;
    r.shell.input(enc('hey\r'));
    expect(r.stdout()).toBe('hey\r\nhey\r\n');
    r.chunks.length = 0;
    r.shell.input(enc('\x04'));
    expect(r.stdout()).toBe('alice@sshscope:~$ ');
    r.shell.input(enc('cat\r'));
    r.chunks.length = 0;
    r.shell.input(enc('\x03'));
    expect(r.stdout()).toBe('^C\r\nalice@sshscope:~$ ');
    r.shell.input(enc('echo $?\r'));
    expect(r.stdout()).toContain('130\r\n');
    r.shell.input(enc('exit 4\r'));
    expect(r.exits).toEqual([4]);
  });
});

describe('helpers', () => {
  it('onlcr doubles only LFs', () => {
    const b = onlcr(enc('a\nb\r\n'));
    expect(Array.from(b)).toEqual([0x61, 0x0d, 0x0a, 0x62, 0x0d, 0x0d, 0x0a]);
  });
  it('parseCommandLine splits on operators outside quotes', () => {
    const cmds = parseCommandLine(`echo "a;b" && x 'c||d' || y; z`, () => '');
    expect(cmds.map((c) => [c.op, ...c.words])).toEqual([
      [';', 'echo', 'a;b'],
      ['&&', 'x', 'c||d'],
      ['||', 'y'],
      [';', 'z'],
    ]);
  });
});
