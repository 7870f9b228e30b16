// A capture file in, every SSH connection in it decoded: the entry point for the CLI and the app.

import { readCaptureFile } from './capture-file.ts';
import { CaptureError } from './errors.ts';
import { SSH_KEYLOG_SECRETS, type CaptureFile, type DecryptionSecrets, type Frame } from './frames.ts';
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
  /**
   * The bytes the source function returns are the analysis's to overwrite (only with a function
   * source, whose bytes nobody else uses): the largest TCP direction is then compacted inside the
   * file's buffer instead of copied into a new one (Reassembler.finish), one file-sized allocation
   * less. `sshscope inspect` reads the file for this alone.
   */
  reuseFile?: boolean;
  /** See DecodeOptions.dropPlaintext (with lazyDecode). */
  dropPlaintext?: boolean;
}

const MAX_FRAME_PROBLEMS = 20;

/**
 * Reads a pcap or pcapng file and decodes every SSH connection in it. Throws CaptureError only when
 * the file is not a capture at all; every later problem is reported with a partial result.
 * Given a function that returns the file's bytes (and a caller that keeps no other reference to
 * them), the reader lets go of them once the TCP streams are reassembled, so that the file and the
 * decoded packets are not held at the same time.
 */
export function analyzeCapture(source: Uint8Array | (() => Uint8Array), opts: AnalyzeOptions = {}): CaptureAnalysis {
  const reassembler = new Reassembler();
  const frameErrors: string[] = [];
  let frameProblems = 0;
  const dec = new TextDecoder();
  const secrets: { text: string; n: number }[] = [];
  // frames become segments as they are read: no array of every frame
  const read = readSegments(source, opts.reuseFile === true, (f) => {
    try {
      const s = tcpSegmentOf(f);
      if (s) reassembler.add(s);
    } catch (e) {
      if (!(e instanceof CaptureError)) throw e;
      if (++frameProblems <= MAX_FRAME_PROBLEMS) frameErrors.push(e.message);
    }
  }, (s, i) => {
    // the key log is read now: the file's bytes (which Decryption Secrets Blocks are views of) are not kept
    if (s.type === SSH_KEYLOG_SECRETS && opts.embeddedSecrets !== false) secrets.push({ text: dec.decode(s.data), n: i + 1 });
  });
  const { format, frameCount, problems: fileProblems } = read;
  const problems = [...fileProblems.map((p) => p.message), ...frameErrors];
  if (frameProblems > MAX_FRAME_PROBLEMS) problems.push(`… and ${frameProblems - MAX_FRAME_PROBLEMS} more frames that could not be decoded`);
  const logs: Keylog[] = [];
  if (opts.keylog !== undefined) logs.push(parseKeylog(opts.keylog, 'key log'));
  for (const s of secrets) logs.push(parseKeylog(s.text, `pcapng Decryption Secrets Block ${s.n}`));
  const keylog = mergeKeylogs(...logs);
  const conns = reassembler.finish(read.owned ? { reuse: read.owned } : {});
  read.owned = null; // the file's buffer goes with the reassembler's last reference, not kept here
  const streams: SshStream[] = [];
  let other = 0;
  for (const c of conns) {
    if (!looksLikeSsh(c)) {
      other++;
      continue;
    }
    streams.push(decodeSshConnection(c, keylog.secrets, { ...(opts.provider ? { provider: opts.provider } : {}), ...(opts.lazyDecode ? { lazyDecode: true } : {}), ...(opts.dropPlaintext ? { dropPlaintext: true } : {}) }));
  }
  return { format, frames: frameCount, otherConnections: other, streams, problems, keylogErrors: keylog.errors };
}

/**
 * readCaptureFile without keeping the bytes: the frames go to `onFrame` (the Reassembler keeps the
 * file's buffer until it has copied the streams out), the Decryption Secrets Blocks to `onSecrets`,
 * and only the format, frame count and problems come back, with `owned`: the file's buffer when
 * the Reassembler may overwrite it (`reuse`, a function source, and bytes that fill their whole
 * ArrayBuffer: a small Node Buffer can be a slice of a pool that other Buffers share).
 */
function readSegments(source: Uint8Array | (() => Uint8Array), reuse: boolean, onFrame: (f: Frame) => void, onSecrets: (s: DecryptionSecrets, i: number) => void): Pick<CaptureFile, 'format' | 'frameCount' | 'problems'> & { owned: ArrayBufferLike | null } {
  const bytes = typeof source === 'function' ? source() : source;
  const owned = reuse && typeof source === 'function' && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes.buffer : null;
  const file = readCaptureFile(bytes, onFrame);
  file.secrets.forEach(onSecrets);
  return { format: file.format, frameCount: file.frameCount, problems: file.problems, owned };
}
