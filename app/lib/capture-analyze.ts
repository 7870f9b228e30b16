// A capture file (pcap / pcapng) and an optional SSH key log in, every SSH connection in it out as
// event logs, with progress along the way. The same steps as engine/capture analyzeCapture (read
// the frames, decode IP/TCP, reassemble, decode SSH, decrypt with the key log and with pcapng
// Decryption Secrets Blocks, pcapng §4.7), split so the Worker can report how far it got.
// Pure: runs in the Worker (capture-worker.ts) and in Node tests.

import { CaptureError, SSH_KEYLOG_SECRETS, decodeSshConnection, looksLikeSsh, mergeKeylogs, parseKeylog, readCaptureFile, reassemble, tcpSegmentOf, type Keylog, type TcpSegment } from '../../engine/capture/index.ts';
import { captureEvents, summarizeStream, type CaptureLog, type CaptureStreamSummary } from './capture-events.ts';

export interface CaptureResult {
  format: 'pcap' | 'pcapng';
  frames: number;
  /** TCP connections that are not SSH. */
  otherConnections: number;
  streams: CaptureStreamSummary[];
  logs: CaptureLog[];
  /** Problems with the file itself and key-log lines that could not be read. */
  problems: string[];
  /** Whether any key log was given (file or pcapng block). */
  hadKeylog: boolean;
}

/** Which stage the reading is in, and the fraction of the whole work done (0 … 1). */
export interface CaptureProgress {
  stage: 'read' | 'tcp' | 'ssh';
  done: number;
}

const MAX_FRAME_PROBLEMS = 20;

export function analyzeCaptureBytes(bytes: Uint8Array, keylogText: string | null, onProgress: (p: CaptureProgress) => void = () => {}): CaptureResult {
  onProgress({ stage: 'read', done: 0 });
  const file = readCaptureFile(bytes);
  const problems = file.problems.map((p) => p.message);
  const segments: TcpSegment[] = [];
  let frameProblems = 0;
  const n = file.frames.length;
  const every = Math.max(1, Math.floor(n / 50));
  file.frames.forEach((f, i) => {
    if (i % every === 0) onProgress({ stage: 'tcp', done: 0.1 + 0.3 * (i / Math.max(1, n)) });
    try {
      const s = tcpSegmentOf(f);
      if (s) segments.push(s);
    } catch (e) {
      if (!(e instanceof CaptureError)) throw e;
      if (++frameProblems <= MAX_FRAME_PROBLEMS) problems.push(e.message);
    }
  });
  if (frameProblems > MAX_FRAME_PROBLEMS) problems.push(`… and ${frameProblems - MAX_FRAME_PROBLEMS} more frames that could not be decoded`);
  const logs: Keylog[] = [];
  if (keylogText !== null) logs.push(parseKeylog(keylogText, 'key log'));
  const dec = new TextDecoder();
  file.secrets.forEach((s, i) => {
    if (s.type === SSH_KEYLOG_SECRETS) logs.push(parseKeylog(dec.decode(s.data), `pcapng Decryption Secrets Block ${i + 1}`));
  });
  const keylog = mergeKeylogs(...logs);
  problems.push(...keylog.errors);
  onProgress({ stage: 'tcp', done: 0.4 });
  const all = reassemble(segments);
  const conns = all.filter((c) => looksLikeSsh(c));
  const otherConnections = all.length - conns.length;
  const total = conns.reduce((a, c) => a + c.aToB.data.length + c.bToA.data.length, 0) || 1;
  let doneBytes = 0;
  const streams: CaptureStreamSummary[] = [];
  const out: CaptureLog[] = [];
  conns.forEach((c, i) => {
    onProgress({ stage: 'ssh', done: 0.4 + 0.6 * (doneBytes / total) });
    const st = decodeSshConnection(c, keylog.secrets);
    streams.push(summarizeStream(st, i));
    out.push(captureEvents(st));
    doneBytes += c.aToB.data.length + c.bToA.data.length;
  });
  onProgress({ stage: 'ssh', done: 1 });
  return { format: file.format, frames: n, otherConnections, streams, logs: out, problems, hadKeylog: logs.length > 0 };
}
