// A small argument parser for the sshscope subcommands (no dependency): long flags with values
// (`--port 22`, `--port=22`), short flags (`-p 22`, `-p22`, `-t`), repeated flags, `--`, and
// positionals (`user@host` then the remote command words, as ssh(1) takes them).

export interface FlagSpec {
  /** Long name without dashes, e.g. "port". */
  name: string;
  /** One-letter alias without dash, e.g. "p". */
  short?: string;
  /** Takes a value (otherwise a boolean switch). */
  value?: boolean;
  /** May be given more than once (values accumulate). */
  repeat?: boolean;
  /** Placeholder in help, e.g. "PORT". */
  valueName?: string;
  help: string;
}

export interface CommandSpec {
  name: string;
  /** One-line usage after "sshscope ". */
  usage: string;
  summary: string;
  flags: FlagSpec[];
  /**
   * After this many positionals every further word is positional (ssh's "host then command":
   * `connect host ls -la` passes "-la" to the remote command). Undefined: no limit.
   */
  stopAfterPositionals?: number;
  /** Lines appended to --help (examples). */
  notes?: string[];
}

export interface ParsedArgs {
  /** Values per long flag name: string[] for value flags, [] count for switches. */
  values: Map<string, string[]>;
  switches: Set<string>;
  positionals: string[];
  help: boolean;
}

export class ArgError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ArgError';
  }
}

function findLong(spec: CommandSpec, name: string): FlagSpec | undefined {
  return spec.flags.find((f) => f.name === name);
}

function findShort(spec: CommandSpec, c: string): FlagSpec | undefined {
  return spec.flags.find((f) => f.short === c);
}

function distance(a: string, b: string): number {
  const d = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0]!;
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = d[j]!;
      d[j] = Math.min(d[j]! + 1, d[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return d[b.length]!;
}

function suggestion(spec: CommandSpec, name: string): string {
  const close = spec.flags.find((f) => f.name.startsWith(name) || name.startsWith(f.name)) ?? spec.flags.find((f) => distance(f.name, name) <= 2);
  return close ? ` (did you mean --${close.name}?)` : '';
}

export function parseArgs(spec: CommandSpec, argv: readonly string[]): ParsedArgs {
  const values = new Map<string, string[]>();
  const switches = new Set<string>();
  const positionals: string[] = [];
  let help = false;

  const put = (f: FlagSpec, v: string | undefined, shown: string): void => {
    if (f.value) {
      if (v === undefined) throw new ArgError(`${shown} needs a value${f.valueName ? ` (${f.valueName})` : ''}`);
      const list = values.get(f.name) ?? [];
      if (list.length > 0 && !f.repeat) throw new ArgError(`${shown} given more than once`);
      list.push(v);
      values.set(f.name, list);
    } else {
      if (v !== undefined) throw new ArgError(`${shown} does not take a value`);
      switches.add(f.name);
    }
  };

  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (spec.stopAfterPositionals !== undefined && positionals.length >= spec.stopAfterPositionals && !a.startsWith('-')) break;
    if (a === '--') {
      i++;
      break;
    }
    if (a === '--help' || a === '-h') {
      help = true;
      continue;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
      const f = findLong(spec, name);
      if (!f) throw new ArgError(`unknown option --${name}${suggestion(spec, name)}; see 'sshscope ${spec.name} --help'`);
      if (eq >= 0) put(f, a.slice(eq + 1), `--${name}`);
      else if (f.value) {
        if (i + 1 >= argv.length) throw new ArgError(`--${name} needs a value${f.valueName ? ` (${f.valueName})` : ''}`);
        put(f, argv[++i], `--${name}`);
      } else put(f, undefined, `--${name}`);
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      // A cluster of short switches, the last of which may take a value: -tt, -p22, -p 22.
      for (let j = 1; j < a.length; j++) {
        const c = a[j]!;
        const f = findShort(spec, c);
        if (!f) throw new ArgError(`unknown option -${c}; see 'sshscope ${spec.name} --help'`);
        if (f.value) {
          const rest = a.slice(j + 1);
          if (rest) put(f, rest, `-${c}`);
          else {
            if (i + 1 >= argv.length) throw new ArgError(`-${c} needs a value${f.valueName ? ` (${f.valueName})` : ''}`);
            put(f, argv[++i], `-${c}`);
          }
          break;
        }
        if (f.repeat) {
          // repeatable switches count: -tt
          const list = values.get(f.name) ?? [];
          list.push('');
          values.set(f.name, list);
        }
        put(f, undefined, `-${c}`);
      }
      continue;
    }
    positionals.push(a);
  }
  for (; i < argv.length; i++) positionals.push(argv[i]!);
  return { values, switches, positionals, help };
}

/** The single value of a flag, or undefined. */
export function getValue(p: ParsedArgs, name: string): string | undefined {
  const v = p.values.get(name);
  return v && v.length ? v[v.length - 1] : undefined;
}

export function getAll(p: ParsedArgs, name: string): string[] {
  return p.values.get(name) ?? [];
}

/** How many times a switch was given (-tt → 2). */
export function countSwitch(p: ParsedArgs, name: string): number {
  const n = (p.values.get(name) ?? []).length;
  return n || (p.switches.has(name) ? 1 : 0);
}

export function parsePort(s: string, what = 'port'): number {
  if (!/^\d+$/.test(s)) throw new ArgError(`${what} must be a number from 0 to 65535, not ${JSON.stringify(s)}`);
  const n = Number(s);
  if (n > 65535) throw new ArgError(`${what} must be a number from 0 to 65535, not ${s}`);
  return n;
}

/** A comma-separated algorithm list; empty names are an error. */
export function parseList(s: string, what: string): string[] {
  const list = s.split(',').map((x) => x.trim());
  if (list.some((x) => x === '')) throw new ArgError(`${what}: empty name in ${JSON.stringify(s)}`);
  return list;
}

export interface Destination {
  user?: string;
  host: string;
  port?: number;
}

/**
 * `[user@]host[:port]`, `[user@][v6addr]:port` or `ssh://[user@]host[:port]`. The last `@`
 * separates the user (user names may contain `@`).
 */
export function parseDestination(s: string): Destination {
  let rest = s;
  const uri = rest.startsWith('ssh://');
  if (uri) rest = rest.slice(6).replace(/\/$/, '');
  const at = rest.lastIndexOf('@');
  const user = at >= 0 ? rest.slice(0, at) : undefined;
  rest = at >= 0 ? rest.slice(at + 1) : rest;
  if (user === '') throw new ArgError(`empty user name in ${JSON.stringify(s)}`);
  let host = rest;
  let port: number | undefined;
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(rest);
  if (bracket) {
    host = bracket[1]!;
    if (bracket[2] !== undefined) port = parsePort(bracket[2]);
  } else if (uri || /^[^:]+:\d+$/.test(rest)) {
    const m = /^([^:]+)(?::(\d+))?$/.exec(rest);
    if (m) {
      host = m[1]!;
      if (m[2] !== undefined) port = parsePort(m[2]);
    }
  }
  if (!host) throw new ArgError(`no host in ${JSON.stringify(s)}`);
  const d: Destination = { host };
  if (user !== undefined) d.user = user;
  if (port !== undefined) d.port = port;
  return d;
}

export function formatHelp(spec: CommandSpec): string {
  const lines = [`usage: sshscope ${spec.usage}`, '', spec.summary, '', 'options:'];
  const left = spec.flags.map((f) => {
    const names = [f.short ? `-${f.short}` : '', `--${f.name}`].filter(Boolean).join(', ');
    return f.value ? `${names} ${f.valueName ?? 'VALUE'}` : names;
  });
  const w = Math.max(...left.map((l) => l.length), 10);
  spec.flags.forEach((f, k) => lines.push(`  ${left[k]!.padEnd(w)}  ${f.help}${f.repeat && f.value ? ' (repeatable)' : ''}`));
  lines.push(`  ${'-h, --help'.padEnd(w)}  show this help`);
  if (spec.notes?.length) lines.push('', ...spec.notes);
  return lines.join('\n') + '\n';
}
