// Frame numbers and timestamps of the packets of a capture on screen, looked up by event (the
// events themselves stay plain SshEvent). Filled by the "Open a file" panel when a capture stream
// is shown; the packet list and packet view read it.

import type { SshEvent } from '../../engine/index.ts';
import type { CaptureMeta } from './capture-events.ts';

const META = new WeakMap<SshEvent, CaptureMeta>();

export function rememberCaptureMeta(events: readonly SshEvent[], meta: readonly (CaptureMeta | null)[]): void {
  events.forEach((e, i) => {
    const m = meta[i];
    if (m) META.set(e, m);
  });
}

export function captureMetaOf(e: SshEvent | null | undefined): CaptureMeta | null {
  return e ? (META.get(e) ?? null) : null;
}

/** "12:34:56.789012" (UTC) for a capture timestamp in seconds since the epoch. */
export function formatCaptureTime(time: number): string {
  const d = new Date(Math.floor(time * 1000));
  const us = Math.round((time - Math.floor(time)) * 1e6) % 1e6;
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}.${String(us).padStart(6, '0')}`;
}
