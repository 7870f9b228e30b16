// One measurement of the capture reader in a fresh process (run by bench/capture.ts):
//   node --import tsx bench/capture-child.ts FILE [--no-keys] [--no-json]
// Reads FILE (no copy), analyzes it as `sshscope inspect --json` does (node:crypto provider, lazy
// decoding of connection messages checked as they are decrypted without keeping their plaintext,
// the JSON document built and serialised) or, with --no-json, as the listing does (plaintexts kept
// for the listing to decode; only the reading, parsing and decryption measured) and prints one JSON line:
// { ms, cpuMs, packets, decrypted, problems, rssBefore, maxRss, fileBytes }. Memory: maxRss is the
// process's peak resident set (getrusage), rssBefore the resident set after start-up, before
// the file was read.

import { statSync } from 'node:fs';
import { analyzeCapture } from '../engine/capture/analyze.ts';
import { inspectJson } from '../engine/capture/report.ts';
import { captureCryptoProvider, readBytes } from '../cli/inspect.ts';

const file = process.argv[2];
if (!file) throw new Error('usage: capture-child.ts FILE [--no-keys]');
const noKeys = process.argv.includes('--no-keys');
const rssBefore = process.memoryUsage().rss;
const fileBytes = statSync(file).size;
const t0 = performance.now();
const cpu0 = process.cpuUsage();
// as `sshscope inspect` does: the analysis reads the file and lets go of it when it can
const noJson = process.argv.includes('--no-json');
const a = analyzeCapture(() => readBytes(file), { provider: captureCryptoProvider(), lazyDecode: true, reuseFile: true, dropPlaintext: !noJson, embeddedSecrets: !noKeys });
const json = noJson ? '' : JSON.stringify(inspectJson(a));
const ms = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
const cpuMs = (cpu.user + cpu.system) / 1000;
const packets = a.streams.reduce((n, s) => n + s.packets.length, 0);
const decrypted = a.streams.reduce((n, s) => n + s.packets.filter((p) => p.decrypted).length, 0);
const problems = a.problems.length + a.streams.reduce((n, s) => n + s.errors.length + s.packets.filter((p) => p.error !== undefined).length, 0);
process.stdout.write(`${JSON.stringify({ ms, cpuMs, packets, decrypted, problems, rssBefore, maxRss: process.resourceUsage().maxRSS * 1024, fileBytes, jsonBytes: json.length })}\n`);
