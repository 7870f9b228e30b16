// Runs the capture Worker for one file and turns its messages into a promise with progress.

import type { CaptureProgress, CaptureResult } from './capture-analyze.ts';
import type { CaptureReply, CaptureRequest } from './capture-protocol.ts';

export interface CaptureJob {
  done: Promise<CaptureResult>;
  cancel(): void;
}

export function readCaptureInWorker(capture: Blob, keylog: Blob | null, onProgress: (p: CaptureProgress) => void): CaptureJob {
  const worker = new Worker(new URL('./capture-worker.ts', import.meta.url), { type: 'module' });
  let settle: ((r: CaptureResult | Error) => void) | null = null;
  const done = new Promise<CaptureResult>((resolve, reject) => {
    settle = (r) => {
      settle = null;
      worker.terminate();
      if (r instanceof Error) reject(r);
      else resolve(r);
    };
  });
  worker.onmessage = (ev: MessageEvent<CaptureReply>) => {
    const m = ev.data;
    if (m.type === 'progress') onProgress(m.progress);
    else if (m.type === 'done') settle?.(m.result);
    else settle?.(new Error(m.message));
  };
  worker.onerror = (ev) => {
    ev.preventDefault();
    settle?.(new Error(ev.message || 'the capture reader stopped'));
  };
  const req: CaptureRequest = { capture, keylog };
  worker.postMessage(req);
  return { done, cancel: () => settle?.(new Error('cancelled')) };
}
