// The `sshscope` command: dispatches to the subcommands. bin/sshscope.js calls main() and uses
// the number it returns as the process exit code.

import { readFileSync } from 'node:fs';

const USAGE = `usage: sshscope <command> [options]

commands:
  start     serve the web app on 127.0.0.1 and print its URL
  connect   log in to an SSH server like ssh(1), narrating the protocol (--trace)
  serve     run a small SSH server with a simulated shell, for learning
  keygen    generate a key pair like ssh-keygen
  fingerprint  show a key's fingerprint (and randomart with -v) like ssh-keygen -l
  mitm      stand between a real ssh client and a real server (loopback), decoding both legs
  inspect   decode the SSH connections in a pcap/pcapng capture (--keylog to decrypt, --json)
  scenario  list or run a teaching scenario (narrated in English or 简体中文, or --json)
  --help    this text; 'sshscope <command> --help' describes a command's options
  --version print the version
`;

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      process.stdout.write(USAGE);
      return cmd === undefined ? 2 : 0;
    case '--version':
    case '-V':
    case 'version':
      process.stdout.write(`sshscope ${version()}\n`);
      return 0;
    case 'start': {
      const { start } = await import('./start.ts');
      return start(rest);
    }
    case 'connect': {
      const { connect } = await import('./connect.ts');
      return connect(rest);
    }
    case 'serve': {
      const { serve } = await import('./serve.ts');
      return serve(rest);
    }
    case 'keygen': {
      const { keygen } = await import('./keygen.ts');
      return keygen(rest);
    }
    case 'fingerprint': {
      const { fingerprint } = await import('./fingerprint.ts');
      return fingerprint(rest);
    }
    case 'scenario': {
      const { scenario } = await import('./scenario.ts');
      return scenario(rest);
    }
    case 'mitm': {
      const { mitm } = await import('./mitm.ts');
      return mitm(rest);
    }
    case 'inspect': {
      const { inspect } = await import('./inspect.ts');
      return inspect(rest);
    }
    default:
      process.stderr.write(`sshscope: unknown command ${JSON.stringify(cmd)}\n\n${USAGE}`);
      return 2;
  }
}
