// Packet captures of loopback SSH sessions with the real tcpdump, and tshark as an independent
// decoder (recipes and caveats: ../../shared/peers.md "Captures", "tshark as an independent decoder").

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PEER_PATHS } from './peers.ts';
import { runCommand, tempDir } from './sshd.ts';

export interface Capture {
  /** The pcap file tcpdump writes. */
  path: string;
  /** The directory it is in (a temp dir removed at exit, unless `dir` was given). */
  dir: string;
  /** Waits a moment for the last packets, stops tcpdump (SIGINT) and resolves the pcap path. */
  stop(): Promise<string>;
}

/**
 * Starts tcpdump on the loopback interface for TCP `port` and resolves once it prints
 * "listening on" (a reliable start signal; tshark's is not). `--immediate-mode` is required or
 * tcpdump writes nothing when stopped. Needs root.
 */
export function startCapture(port: number, opts: { dir?: string; name?: string } = {}): Promise<Capture> {
  const dir = opts.dir ?? tempDir('sshscope-capture-');
  const path = join(dir, opts.name ?? `port-${port}.pcap`);
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(PEER_PATHS.tcpdump, ['-i', 'lo', '-U', '--immediate-mode', '-s', '0', '-w', path, `tcp port ${port}`], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    let started = false;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    const timer = setTimeout(() => {
      if (!started) {
        child.kill('SIGKILL');
        reject(new Error(`tcpdump did not start within 10 s: ${err}`));
      }
    }, 10_000);
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      err += d;
      if (!started && /listening on/.test(err)) {
        started = true;
        clearTimeout(timer);
        resolve({
          path,
          dir,
          async stop() {
            await new Promise((r) => setTimeout(r, 300));
            if (child.exitCode === null) child.kill('SIGINT');
            await exited;
            if (!existsSync(path)) throw new Error(`tcpdump wrote no file: ${err}`);
            return path;
          },
        });
      }
    });
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('exit', (code) => {
      if (!started) {
        clearTimeout(timer);
        reject(new Error(`tcpdump exited (${code}) before listening: ${err}`));
      }
    });
  });
}

/** Converts a pcap to pcapng with editcap (tshark's key log and DSB tests want pcapng). */
export async function toPcapng(pcap: string): Promise<string> {
  const out = pcap.replace(/\.pcap$/, '') + '.pcapng';
  const r = await runCommand(PEER_PATHS.editcap, ['-F', 'pcapng', pcap, out]);
  if (r.code !== 0) throw new Error(`editcap failed (${r.code}): ${r.stderr}`);
  return out;
}

export interface TsharkOptions {
  /** The TCP port to decode as SSH (tshark only maps tcp/22 by itself). */
  port: number;
  /** Display filter, e.g. "ssh.message_code==20". Default "ssh". */
  filter?: string;
  /** Wireshark SSH key log file to decrypt with. */
  keylog?: string;
}

function tsharkArgs(file: string, o: TsharkOptions): string[] {
  const args = ['-r', file, '-d', `tcp.port==${o.port},ssh`, '-Y', o.filter ?? 'ssh'];
  if (o.keylog) args.push('-o', `ssh.keylog_file:${o.keylog}`);
  return args;
}

/** tshark's JSON of the SSH layer of each matching frame (`-T json -J ssh --no-duplicate-keys`). */
export async function tsharkJson(file: string, o: TsharkOptions): Promise<Array<{ _source: { layers: Record<string, unknown> } }>> {
  const r = await runCommand(PEER_PATHS.tshark, [...tsharkArgs(file, o), '-T', 'json', '-J', 'ssh', '--no-duplicate-keys']);
  if (r.code !== 0) throw new Error(`tshark failed (${r.code}): ${r.stderr}`);
  return JSON.parse(r.stdout || '[]');
}

/** Selected fields, one row per matching frame (`-T fields -e …`), tab-separated values split. */
export async function tsharkFields(file: string, o: TsharkOptions, fields: string[]): Promise<string[][]> {
  const args = [...tsharkArgs(file, o), '-T', 'fields', '-E', 'separator=/t', '-E', 'occurrence=a', '-E', 'aggregator=,'];
  for (const f of fields) args.push('-e', f);
  const r = await runCommand(PEER_PATHS.tshark, args);
  if (r.code !== 0) throw new Error(`tshark failed (${r.code}): ${r.stderr}`);
  return r.stdout
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => l.split('\t'));
}

/** The raw bytes of a capture file (for our own pcap reader to compare against tshark). */
export function readCapture(path: string): Uint8Array {
  return new Uint8Array(readFileSync(path));
}
