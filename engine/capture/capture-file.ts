// Opens a capture file of either format by its magic number.

import { CaptureError } from './errors.ts';
import type { CaptureFile, Frame } from './frames.ts';
import { isPcap, readPcap } from './pcap.ts';
import { isPcapng, readPcapng } from './pcapng.ts';

/**
 * Reads pcap or pcapng; throws CaptureError when the file is neither. With `onFrame` each frame
 * goes to the callback as it is read and `frames` stays empty (nothing holds every frame at once).
 */
export function readCaptureFile(bytes: Uint8Array, onFrame?: (f: Frame) => void): CaptureFile {
  if (isPcapng(bytes)) return readPcapng(bytes, onFrame);
  if (isPcap(bytes)) return readPcap(bytes, onFrame);
  throw new CaptureError('capture file', 'magic', 0, 'neither pcap (0xa1b2c3d4 / 0xa1b23c4d) nor pcapng (0x0a0d0d0a)');
}
