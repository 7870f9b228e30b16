// A tiny pretend shell for `sshscope serve`: pure logic, no sockets, no real processes.
// Exec mode runs one command line (RFC 4254 §6.5 "exec") and then exits; shell mode (§6.5 "shell")
// reads lines, with a prompt and a line discipline (echo, CR/LF, DEL, ^C, ^D, onlcr) when the
// client asked for a pty (§6.2 "pty-req"), and without echo or prompt when it did not.
// `cat` without arguments copies stdin to stdout byte for byte until EOF, chunk by chunk (binary
// safe, never holds more than the chunk it was given).

export type Stream = 'stdout' | 'stderr';

export interface PtyInfo {
  term: string;
  cols: number;
  rows: number;
}

export interface ShellOptions {
  user: string;
  hostname?: string;
  /** Present when the client requested a pty. */
  pty?: PtyInfo | null;
  /** Variables set by "env" requests. */
  env?: Record<string, string>;
  /** Output of the shell; with a pty everything goes to stdout (a terminal has one stream). */
  write(data: Uint8Array, stream: Stream): void;
  /** Called once when the shell or command finished. */
  exit(status: number): void;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

/** The pretend home directory. */
const FILES: Record<string, string> = {
  'README.txt':
    'This is sshscope serve: an SSH server written in TypeScript for learning.\n' +
    'Nothing here is a real system: the shell is simulated and only knows a few commands.\n' +
    "Type 'help' to list them.\n",
  'hello.txt': 'hello, world\n',
};

const COMMANDS = ['cat', 'echo', 'env', 'exit', 'false', 'help', 'hostname', 'id', 'ls', 'pwd', 'seq', 'true', 'uname', 'whoami', 'clear'];

type Op = ';' | '&&' | '||';
interface SimpleCommand {
  words: string[];
  /** How this command is joined to the previous one. */
  op: Op;
}

export class ParseError extends Error {}

/**
 * Splits a command line into raw simple commands joined by `;`, `&&`, `||`, honouring quotes.
 * Words are produced later by `tokenize`, so `$?` sees the status of the previous command.
 */
export function splitCommands(line: string): { op: Op; raw: string }[] {
  const out: { op: Op; raw: string }[] = [];
  let op: Op = ';';
  let start = 0;
  const cut = (end: number, next: Op) => {
    const raw = line.slice(start, end);
    if (raw.trim() === '') {
      if (next !== ';' || op !== ';' || out.length > 0) throw new ParseError(`syntax error near unexpected token \`${next}'`);
    } else out.push({ op, raw });
    op = next;
  };
  let i = 0;
  while (i < line.length) {
    const c = line[i]!;
    if (c === "'") {
      const j = line.indexOf("'", i + 1);
      if (j < 0) throw new ParseError('unexpected end of line while looking for matching quote');
      i = j + 1;
    } else if (c === '"') {
      i++;
      while (i < line.length && line[i] !== '"') i += line[i] === '\\' ? 2 : 1;
      if (i >= line.length) throw new ParseError('unexpected end of line while looking for matching quote');
      i++;
    } else if (c === '\\') {
      i += 2;
    } else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]!))) {
      break;
    } else if (c === ';' || (c === '&' && line[i + 1] === '&') || (c === '|' && line[i + 1] === '|')) {
      const next: Op = c === ';' ? ';' : c === '&' ? '&&' : '||';
      cut(i, next);
      i += next.length;
      start = i;
    } else if (c === '|' || c === '&' || c === '<' || c === '>') {
      throw new ParseError(`${c}: pipes, redirections and background jobs are not simulated`);
    } else i++;
  }
  const raw = line.slice(start, i);
  if (raw.trim() !== '') out.push({ op, raw });
  else if (op !== ';') throw new ParseError(`syntax error: unexpected end of line after \`${op}'`);
  return out;
}

/**
 * Words of one simple command: single quotes (literal), double quotes (with \" \\ \$ escapes and
 * $VAR expansion), backslash escapes, `$VAR`, `${VAR}`, `$?`.
 */
export function tokenize(raw: string, vars: (name: string) => string): string[] {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  const endWord = () => {
    if (inWord) words.push(cur);
    cur = '';
    inWord = false;
  };
  const expand = (i: number): [string, number] => {
    const rest = raw.slice(i + 1);
    if (rest.startsWith('?')) return [vars('?'), i + 2];
    const braced = /^\{([A-Za-z_][A-Za-z0-9_]*)\}/.exec(rest);
    if (braced) return [vars(braced[1]!), i + 1 + braced[0].length];
    const plain = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest);
    if (plain) return [vars(plain[0]), i + 1 + plain[0].length];
    return ['$', i + 1];
  };
  let i = 0;
  while (i < raw.length) {
    const c = raw[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      endWord();
      i++;
    } else if (c === "'") {
      const j = raw.indexOf("'", i + 1);
      cur += raw.slice(i + 1, j);
      inWord = true;
      i = j + 1;
    } else if (c === '"') {
      inWord = true;
      i++;
      while (i < raw.length && raw[i] !== '"') {
        const d = raw[i]!;
        if (d === '\\' && i + 1 < raw.length && '"\\$`'.includes(raw[i + 1]!)) {
          cur += raw[i + 1];
          i += 2;
        } else if (d === '$') {
          const [v, k] = expand(i);
          cur += v;
          i = k;
        } else {
          cur += d;
          i++;
        }
      }
      i++;
    } else if (c === '\\') {
      if (i + 1 < raw.length) cur += raw[i + 1];
      inWord = true;
      i += 2;
    } else if (c === '$') {
      const [v, k] = expand(i);
      cur += v;
      inWord = true;
      i = k;
    } else {
      cur += c;
      inWord = true;
      i++;
    }
  }
  endWord();
  return words;
}

/** Both steps at once (variables expanded with the values they have now). */
export function parseCommandLine(line: string, vars: (name: string) => string): SimpleCommand[] {
  return splitCommands(line).map(({ op, raw }) => ({ op, words: tokenize(raw, vars) }));
}

/** Result of running one simple command: a status, or "reading stdin" (cat). */
type RunResult = { status: number } | { exit: number } | 'reading';

export class VirtualShell {
  private readonly o: ShellOptions;
  private readonly hostname: string;
  private readonly vars: Record<string, string>;
  private mode: 'idle' | 'exec' | 'shell' = 'idle';
  private finished = false;
  private lastStatus = 0;
  /** Remaining simple commands of the line being run. */
  private pending: { op: Op; raw: string }[] = [];
  /** True while `cat` copies stdin. */
  private catActive = false;
  /** Shell mode: bytes of the current input line (no-pty mode or after the line discipline). */
  private lineBuf: number[] = [];
  /** Pty line discipline: the line being edited. */
  private edit: number[] = [];
  /** Inside an escape sequence typed at the terminal (arrow keys …): 0 no, 1 after ESC, 2 in CSI. */
  private esc = 0;
  private stdinEof = false;

  constructor(o: ShellOptions) {
    this.o = o;
    this.hostname = o.hostname ?? 'sshscope';
    this.vars = {
      USER: o.user,
      LOGNAME: o.user,
      HOME: `/home/${o.user}`,
      HOSTNAME: this.hostname,
      SHELL: '/bin/sshscope-sh',
      PWD: `/home/${o.user}`,
      ...(o.pty ? { TERM: o.pty.term } : {}),
      ...(o.env ?? {}),
    };
  }

  get done(): boolean {
    return this.finished;
  }

  get prompt(): string {
    return `${this.o.user}@${this.hostname}:~$ `;
  }

  setEnv(name: string, value: string): void {
    this.vars[name] = value;
  }

  resize(cols: number, rows: number): void {
    if (this.o.pty) {
      this.o.pty.cols = cols;
      this.o.pty.rows = rows;
    }
  }

  /** Runs one command line, then exits with its status (exec request). */
  exec(commandLine: string): void {
    if (this.mode !== 'idle') throw new Error('shell already started');
    this.mode = 'exec';
    this.startLine(commandLine);
    this.continueRun();
  }

  /** Starts an interactive shell (shell request). */
  shell(): void {
    if (this.mode !== 'idle') throw new Error('shell already started');
    this.mode = 'shell';
    if (this.o.pty) {
      this.out(`Welcome to the sshscope virtual shell. Type 'help' for the commands it knows.\n`);
      this.out(this.prompt);
    }
  }

  /** Bytes from the client (channel data). */
  input(data: Uint8Array): void {
    if (this.finished || this.stdinEof) return;
    if (this.o.pty) this.discipline(data);
    else this.deliver(data);
  }

  /** The client sent EOF (channel EOF). */
  eof(): void {
    if (this.finished || this.stdinEof) return;
    this.stdinEof = true;
    if (this.o.pty && this.edit.length > 0) {
      this.deliver(Uint8Array.from(this.edit));
      this.edit = [];
    }
    if (!this.finished) this.deliverEof();
  }

  /** A signal request (RFC 4254 §6.9), e.g. "INT". */
  signal(name: string): void {
    if (this.finished) return;
    if (name === 'INT') this.interrupt();
    else if (name === 'TERM' || name === 'KILL' || name === 'HUP') this.finish(128 + ({ HUP: 1, KILL: 9, TERM: 15 } as Record<string, number>)[name]!);
  }

  // ---- output ---------------------------------------------------------------------------------

  private out(s: string | Uint8Array, stream: Stream = 'stdout'): void {
    if (this.finished) return;
    let b = typeof s === 'string' ? enc.encode(s) : s;
    if (this.o.pty) {
      b = onlcr(b);
      stream = 'stdout';
    }
    if (b.length > 0) this.o.write(b, stream);
  }

  private finish(status: number): void {
    if (this.finished) return;
    this.finished = true;
    this.catActive = false;
    this.pending = [];
    this.o.exit(status & 0xff);
  }

  // ---- the pty line discipline (termios ICANON, ECHO, ICRNL, ONLCR) -------------------------

  private discipline(data: Uint8Array): void {
    for (let i = 0; i < data.length && !this.finished; i++) {
      const c = data[i]!;
      // Escape sequences (cursor keys send ESC [ A …) have no line editing here: drop them.
      if (this.esc === 1) {
        this.esc = c === 0x5b || c === 0x4f ? 2 : 0;
        continue;
      }
      if (this.esc === 2) {
        if (c >= 0x40 && c <= 0x7e) this.esc = 0;
        continue;
      }
      if (c === 0x1b) {
        this.esc = 1;
        continue;
      }
      if (c === 0x0d || c === 0x0a) {
        // ICRNL: CR becomes NL
        this.edit.push(0x0a);
        this.out('\n');
        const line = Uint8Array.from(this.edit);
        this.edit = [];
        this.deliver(line);
      } else if (c === 0x7f || c === 0x08) {
        if (this.edit.length > 0) {
          // erase one character: UTF-8 continuation bytes go with their lead byte
          let b = this.edit.pop();
          while (b !== undefined && (b & 0xc0) === 0x80 && this.edit.length > 0) b = this.edit.pop();
          this.out('\b \b');
        }
      } else if (c === 0x03) {
        this.edit = [];
        this.out('^C\n');
        this.interrupt();
      } else if (c === 0x04) {
        if (this.edit.length === 0) this.deliverEof();
        else {
          const line = Uint8Array.from(this.edit);
          this.edit = [];
          this.deliver(line);
        }
      } else if (c === 0x15) {
        // ^U kills the line
        while (this.edit.length > 0) {
          this.edit.pop();
          this.out('\b \b');
        }
      } else {
        this.edit.push(c);
        this.out(c < 0x20 ? `^${String.fromCharCode(c + 0x40)}` : Uint8Array.of(c));
      }
    }
  }

  // ---- the foreground reader: cat, the shell's line reader, or nobody (exec) ----------------

  private deliver(data: Uint8Array): void {
    if (this.finished) return;
    if (this.catActive) {
      this.out(data);
      return;
    }
    if (this.mode !== 'shell') return; // an exec command that does not read stdin
    let start = 0;
    for (let i = 0; i < data.length; i++) {
      if (data[i] !== 0x0a) continue;
      for (let k = start; k < i; k++) this.lineBuf.push(data[k]!);
      start = i + 1;
      const line = dec.decode(Uint8Array.from(this.lineBuf));
      this.lineBuf = [];
      this.startLine(line);
      this.continueRun();
      if (this.finished) return;
      if (this.catActive) {
        // the rest of this chunk is cat's input
        if (start < data.length) this.deliver(data.subarray(start));
        return;
      }
    }
    for (let k = start; k < data.length; k++) this.lineBuf.push(data[k]!);
  }

  private deliverEof(): void {
    if (this.catActive) {
      this.catActive = false;
      this.lastStatus = 0;
      this.continueRun();
      if (!this.finished && this.mode === 'shell' && this.stdinEof) this.shellEof();
      return;
    }
    if (this.mode === 'shell') this.shellEof();
    // exec: commands that do not read stdin ignore its end
  }

  private shellEof(): void {
    if (this.lineBuf.length > 0) {
      const line = dec.decode(Uint8Array.from(this.lineBuf));
      this.lineBuf = [];
      this.startLine(line);
      this.continueRun();
      if (this.finished || this.catActive) {
        if (this.catActive) this.deliverEof();
        return;
      }
    }
    if (this.o.pty) this.out('logout\n');
    this.finish(this.lastStatus);
  }

  private interrupt(): void {
    if (this.catActive) {
      this.catActive = false;
      this.pending = [];
      this.lastStatus = 130;
      if (this.mode === 'exec') this.finish(130);
      else if (this.o.pty) this.out(this.prompt);
      return;
    }
    if (this.mode === 'shell') {
      this.lineBuf = [];
      this.lastStatus = 130;
      if (this.o.pty) this.out(this.prompt);
    } else if (this.mode === 'exec') this.finish(130);
  }

  // ---- running command lines --------------------------------------------------------------------

  private startLine(line: string): void {
    try {
      this.pending = splitCommands(line);
    } catch (e) {
      this.out(`sh: ${(e as Error).message}\n`, 'stderr');
      this.pending = [];
      this.lastStatus = 2;
    }
  }

  /** Runs pending commands until one reads stdin, the line ends, or the shell exits. */
  private continueRun(): void {
    while (this.pending.length > 0 && !this.finished) {
      const cmd = this.pending.shift()!;
      if (cmd.op === '&&' && this.lastStatus !== 0) continue;
      if (cmd.op === '||' && this.lastStatus === 0) continue;
      const words = tokenize(cmd.raw, (n) => (n === '?' ? String(this.lastStatus) : (this.vars[n] ?? '')));
      if (words.length === 0) continue;
      const r = this.run(words);
      if (r === 'reading') {
        this.catActive = true;
        if (this.stdinEof) {
          this.catActive = false;
          this.lastStatus = 0;
          continue;
        }
        return;
      }
      if ('exit' in r) {
        this.finish(r.exit);
        return;
      }
      this.lastStatus = r.status;
    }
    if (this.finished) return;
    if (this.mode === 'exec') this.finish(this.lastStatus);
    else if (this.mode === 'shell' && this.o.pty && !this.stdinEof) this.out(this.prompt);
  }

  private run(words: string[]): RunResult {
    const [name, ...args] = words as [string, ...string[]];
    const line = (s: string) => this.out(s + '\n');
    const err = (s: string) => this.out(s + '\n', 'stderr');
    switch (name) {
      case 'true':
      case ':':
        return { status: 0 };
      case 'false':
        return { status: 1 };
      case 'echo': {
        let newline = true;
        let rest = args;
        while (rest[0] === '-n') {
          newline = false;
          rest = rest.slice(1);
        }
        this.out(rest.join(' ') + (newline ? '\n' : ''));
        return { status: 0 };
      }
      case 'whoami':
        line(this.o.user);
        return { status: 0 };
      case 'hostname':
        line(this.hostname);
        return { status: 0 };
      case 'pwd':
        line(this.vars.PWD!);
        return { status: 0 };
      case 'id':
        line(`uid=1000(${this.o.user}) gid=1000(${this.o.user}) groups=1000(${this.o.user})`);
        return { status: 0 };
      case 'uname': {
        const a = args.includes('-a');
        if (a) line(`sshscope ${this.hostname} 0.1 virtual-shell typescript sshscope`);
        else if (args.includes('-n')) line(this.hostname);
        else line('sshscope');
        return { status: 0 };
      }
      case 'ls': {
        const names = Object.keys(FILES).sort();
        const targets = args.filter((a) => !a.startsWith('-'));
        for (const t of targets) {
          if (!(t in FILES) && t !== '.' && t !== '~' && t !== this.vars.HOME) {
            err(`ls: cannot access '${t}': No such file or directory`);
            return { status: 2 };
          }
        }
        if (args.includes('-l')) {
          line(`total ${names.length}`);
          for (const n of names) line(`-rw-r--r-- 1 ${this.o.user} ${this.o.user} ${String(enc.encode(FILES[n]!).length).padStart(4)} Jan  1 00:00 ${n}`);
        } else line(names.join(this.o.pty ? '  ' : '\n'));
        return { status: 0 };
      }
      case 'cat': {
        const files = args.filter((a) => a !== '-');
        if (args.length === 0 || args.includes('-')) {
          if (files.length > 0) {
            err('cat: mixing files and stdin is not simulated');
            return { status: 1 };
          }
          return 'reading';
        }
        let status = 0;
        for (const f of files) {
          const text = FILES[f.replace(/^~\//, '').replace(new RegExp(`^${this.vars.HOME}/`), '')];
          if (text === undefined) {
            err(`cat: ${f}: No such file or directory`);
            status = 1;
          } else this.out(text);
        }
        return { status };
      }
      case 'seq': {
        const nums = args.map(Number);
        if (nums.length === 0 || nums.length > 2 || nums.some((n) => !Number.isInteger(n))) {
          err('seq: usage: seq [FIRST] LAST');
          return { status: 1 };
        }
        const [first, last] = nums.length === 1 ? [1, nums[0]!] : [nums[0]!, nums[1]!];
        const parts: string[] = [];
        for (let n = first; n <= last; n++) {
          parts.push(String(n));
          if (parts.length >= 4096) {
            this.out(parts.join('\n') + '\n');
            parts.length = 0;
          }
        }
        if (parts.length) this.out(parts.join('\n') + '\n');
        return { status: 0 };
      }
      case 'env':
        for (const [k, v] of Object.entries(this.vars)) line(`${k}=${v}`);
        return { status: 0 };
      case 'clear':
        this.out('\x1b[H\x1b[2J');
        return { status: 0 };
      case 'help':
        line(`sshscope virtual shell. Commands: ${COMMANDS.join(' ')}`);
        line("Join commands with ';', '&&', '||'. 'cat' without arguments copies input until end of file (Ctrl-D).");
        return { status: 0 };
      case 'exit': {
        if (args.length === 0) return { exit: this.lastStatus };
        if (!/^-?\d+$/.test(args[0]!)) {
          err(`sh: exit: ${args[0]}: numeric argument required`);
          return { exit: 2 };
        }
        return { exit: Number(args[0]) & 0xff };
      }
      default:
        err(`sh: ${name}: command not found`);
        return { status: 127 };
    }
  }
}

/** ONLCR: every LF becomes CR LF on the way to the terminal. */
export function onlcr(b: Uint8Array): Uint8Array {
  let n = 0;
  for (let i = 0; i < b.length; i++) if (b[i] === 0x0a) n++;
  if (n === 0) return b;
  const out = new Uint8Array(b.length + n);
  let o = 0;
  for (let i = 0; i < b.length; i++) {
    if (b[i] === 0x0a) out[o++] = 0x0d;
    out[o++] = b[i]!;
  }
  return out;
}
