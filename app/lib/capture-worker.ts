// The capture Worker: reads a pcap/pcapng file (and an optional key log) off the main thread, so
// the page never freezes on a large capture, and posts progress, then the result (or the error).
// Started by open-file-capture.ts with new Worker(new URL('./capture-worker.ts', import.meta.url)).

import { analyzeCaptureBytes } from './capture-analyze.ts';
import type { CaptureRequest, CaptureReply } from './capture-protocol.ts';

const post = (m: CaptureReply): void => (self as unknown as { postMessage(m: CaptureReply): void }).postMessage(m);

self.onmessage = async (ev: MessageEvent<CaptureRequest>) => {
  try {
    const bytes = new Uint8Array(await ev.data.capture.arrayBuffer());
    const keylog = ev.data.keylog ? await ev.data.keylog.text() : null;
    const result = analyzeCaptureBytes(bytes, keylog, (p) => post({ type: 'progress', progress: p }));
    post({ type: 'done', result });
  } catch (e) {
    post({ type: 'error', message: e instanceof Error ? e.message : String(e) });
  }
};
