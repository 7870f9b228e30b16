// Files dropped anywhere on the page wait here until the "Open a file" panel takes them (the
// panel is mounted only while the Open… dialog shows its tab).

import type { CaptureResult } from './capture-analyze.ts';

class OpenFileState {
  /** Dropped on the page, not yet read. */
  files = $state.raw<File[]>([]);
  /** The last capture read, so that the stream picker is still there when the dialog reopens. */
  last = $state.raw<{ name: string; capture: File; keylog: File | null; result: CaptureResult } | null>(null);
}

export const openFileState = new OpenFileState();

/** Whether a drag carries files (not text or a link). */
export function dragHasFiles(ev: DragEvent): boolean {
  return Array.from(ev.dataTransfer?.types ?? []).includes('Files');
}

/** A key log is text lines "<cookie hex> …"; a recording is JSON; anything else is read as a capture. */
export function fileKind(name: string, head: Uint8Array): 'recording' | 'keylog' | 'capture' {
  const text = new TextDecoder().decode(head.subarray(0, 256)).trimStart();
  if (text.startsWith('{')) return 'recording';
  if (/^(#.*\n|\s*\n)*[0-9a-fA-F]{32}\s+\S/.test(text) || /\.(keylog|keys|log|txt)$/i.test(name)) return 'keylog';
  return 'capture';
}
