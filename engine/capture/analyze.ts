// A capture file in, every SSH connection in it decoded: the entry point for the CLI and the app.

import { readCaptureFile } from './capture-file.ts';
import { CaptureError } from './errors.ts';
import { SSH_KEYLOG_SECRETS } from './frames.ts';
import { mergeKeylogs, parseKeylog, type Keylog } from './keylog.ts';
import { decodeSshConnection, looksLikeSsh, type SshStream } from './ssh-stream.ts';
import { Reassembler } from './tcp-reassembly.ts';
import { tcpSegmentOf } from './tcp-segment.ts';
import type { CryptoProvider } from '../algorithms/types.ts';

export interface CaptureAnalysis {
  format: 'pcap' | 'pcapng';
  frames: number;
  /** TCP connections that are not SSH (skipped). */
  otherConnections: number;
  streams: SshStream[];
  /** Problems with the file itself (truncation, malformed blocks or headers). */
  problems: string[];
  /** Key-log lines that could not be read. */
  keylogErrors: string[];
}

export interface AnalyzeOptions {
  /** Text of a Wireshark SSH key log. */
  keylog?: string;
  /** Faster synchronous crypto (node:crypto in the CLI); noble otherwise. */
  provider?: CryptoProvider;
  /** See DecodeOptions.lazyDecode. */
  lazyDecode?: boolean;
  /** Use the key logs in pcapng Decryption Secrets Blocks (default true). */
  embeddedSecrets?: boolean;
}

const MAX_FRAME_PROBLEMS = 20;

/**
 * Reads a pcap or pcapng file and decodes every SSH connection in it. Throws CaptureError only when
 * the file is not a capture at all; every later problem is reported with a partial result.
 */
export function analyzeCapture(bytes: Uint8Array, opts: AnalyzeOptions = {}): CaptureAnalysis {
  const reassembler = new Reassembler();
  const frameErrors: string[] = [];
  let frameProblems = 0;
  // frames become segments as they are read: no array of every frame
  const file = readCaptureFile(bytes, (f) => {
    try {
      const s = tcpSegmentOf(f);
      if (s) reassembler.add(s);
    } catch (e) {
      if (!(e instanceof CaptureError)) throw e;
      if (++frameProblems <= MAX_FRAME_PROBLEMS) frameErrors.push(e.message);
    }
  });
  const problems = [...file.problems.map((p) => p.message), ...frameErrors];
  if (frameProblems > MAX_FRAME_PROBLEMS) problems.push(`… and ${frameProblems - MAX_FRAME_PROBLEMS} more frames that could not be decoded`);
  const logs: Keylog[] = [];
  if (opts.keylog !== undefined) logs.push(parseKeylog(opts.keylog, 'key log'));
  const dec = new TextDecoder();
  if (opts.embeddedSecrets !== false) file.secrets.forEach((s, i) => {
    if (s.type === SSH_KEYLOG_SECRETS) logs.push(parseKeylog(dec.decode(s.data), `pcapng Decryption Secrets Block ${i + 1}`));
  });
  const keylog = mergeKeylogs(...logs);
  const conns = reassembler.finish();
  const streams: SshStream[] = [];
  let other = 0;
  for (const c of conns) {
    if (!looksLikeSsh(c)) {
      other++;
      continue;
    }
    streams.push(decodeSshConnection(c, keylog.secrets, { ...(opts.provider ? { provider: opts.provider } : {}), ...(opts.lazyDecode ? { lazyDecode: true } : {}) }));
  }
  return { format: file.format, frames: file.frameCount, otherConnections: other, streams, problems, keylogErrors: keylog.errors };
}
