// Messages between the page and the capture Worker (structured-clone-able).

import type { CaptureProgress, CaptureResult } from './capture-analyze.ts';

export interface CaptureRequest {
  capture: Blob;
  keylog: Blob | null;
}

export type CaptureReply = { type: 'progress'; progress: CaptureProgress } | { type: 'done'; result: CaptureResult } | { type: 'error'; message: string };
