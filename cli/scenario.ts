// `sshscope scenario list` and `sshscope scenario run ID [--lang en|zh] [--json]`: the teaching
// scenarios (scenarios/) run headless — a narrated transcript, or the event log as JSON lines.

import { SCENARIOS, findScenario, runScenario } from '../scenarios/index.ts';
import type { Lang } from '../scenarios/types.ts';
import { toJsonLine, type TextSink } from './json-log.ts';

export const SCENARIO_USAGE = `usage: sshscope scenario list [--lang en|zh]
       sshscope scenario run ID [--lang en|zh] [--json]

  list        the scenarios, with their ids and the RFC sections they teach
  run ID      run one scenario in memory (deterministic: same seed, same bytes) and print the narration
  --lang      en (default) or zh (简体中文)
  --json      print the event log instead, one JSON object per line (bytes as hex), each tagged
              with its step and connection
`;

export interface ScenarioIo {
  stdout: TextSink;
  stderr: TextSink;
}

const STD: ScenarioIo = { stdout: process.stdout, stderr: process.stderr };

/** Runs the subcommand; returns the exit code (0 ok, 1 scenario did not behave as it claims, 2 usage). */
export function scenario(argv: readonly string[], io: ScenarioIo = STD): number {
  // `sshscope scenario run … --json | head` closes the pipe early: stop quietly, as cat(1) does.
  if (io === STD) process.stdout.on('error', (e: NodeJS.ErrnoException) => (e.code === 'EPIPE' ? process.exit(0) : undefined));
  let lang: Lang = 'en';
  let json = false;
  const pos: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--help' || a === '-h') {
      io.stdout.write(SCENARIO_USAGE);
      return 0;
    } else if (a === '--json') json = true;
    else if (a === '--lang' || a.startsWith('--lang=')) {
      const v = a.includes('=') ? a.slice(7) : argv[++i];
      if (v !== 'en' && v !== 'zh') {
        io.stderr.write(`sshscope scenario: --lang must be en or zh\n`);
        return 2;
      }
      lang = v;
    } else if (a.startsWith('-')) {
      io.stderr.write(`sshscope scenario: unknown option ${a}\n\n${SCENARIO_USAGE}`);
      return 2;
    } else pos.push(a);
  }
  const [sub, id] = pos;
  if (sub === 'list' && pos.length === 1) {
    for (const s of SCENARIOS) io.stdout.write(`${s.id.padEnd(22)} ${s.title[lang]}\n${' '.repeat(23)}${s.rfc.join(', ')}\n`);
    return 0;
  }
  if (sub === 'run' && id !== undefined && pos.length === 2) {
    const s = findScenario(id);
    if (!s) {
      io.stderr.write(`sshscope scenario: no scenario ${JSON.stringify(id)} (try: sshscope scenario list)\n`);
      return 2;
    }
    const r = runScenario(s, { lang });
    if (json) {
      for (const e of r.events) io.stdout.write(`${toJsonLine(e)}\n`);
    } else {
      io.stdout.write(`# ${s.title[lang]}\n\n${s.summary[lang]}\n${s.rfc.join(', ')}\n\n`);
      for (const n of r.narration) io.stdout.write(`${n}\n\n`);
      const bad = r.outcome.steps.filter((x) => !x.asExpected).map((x) => x.index + 1);
      if (bad.length) io.stdout.write(lang === 'zh' ? `注意：第 ${bad.join('、')} 步的结果与场景描述不符\n` : `note: step(s) ${bad.join(', ')} did not behave as the scenario says\n`);
    }
    return r.outcome.asExpected ? 0 : 1;
  }
  io.stderr.write(SCENARIO_USAGE);
  return 2;
}
