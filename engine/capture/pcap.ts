// The classic libpcap file format (draft-ietf-opsawg-pcap §4, §5): a 24-byte file header, then per
// packet a 16-byte record header and the captured bytes. Magic 0xa1b2c3d4 (microseconds) or
// 0xa1b23c4d (nanoseconds), in either byte order.

import { CaptureError, problemOf } from './errors.ts';
import type { CaptureFile, Frame } from './frames.ts';

const MAGIC_US = 0xa1b2c3d4;
const MAGIC_NS = 0xa1b23c4d;

export function isPcap(bytes: Uint8Array): boolean {
  if (bytes.length < 4) return false;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, 4);
  const be = dv.getUint32(0, false);
  const le = dv.getUint32(0, true);
  return be === MAGIC_US || be === MAGIC_NS || le === MAGIC_US || le === MAGIC_NS;
}

/**
 * Reads a pcap file (with `onFrame`, each frame goes to the callback instead of the array). A malformed file header throws CaptureError; a truncated or malformed record
 * ends the reading with a problem and keeps the frames before it.
 */
export function readPcap(bytes: Uint8Array, onFrame?: (f: Frame) => void): CaptureFile {
  if (bytes.length < 24) throw new CaptureError('pcap file header', 'magic_number', 0, `needs 24 bytes, the file has ${bytes.length}`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let le: boolean;
  let nano: boolean;
  const m = dv.getUint32(0, false);
  if (m === MAGIC_US || m === MAGIC_NS) {
    le = false;
    nano = m === MAGIC_NS;
  } else {
    const ml = dv.getUint32(0, true);
    if (ml !== MAGIC_US && ml !== MAGIC_NS) throw new CaptureError('pcap file header', 'magic_number', 0, `0x${m.toString(16)} is not a pcap magic number`);
    le = true;
    nano = ml === MAGIC_NS;
  }
  const major = dv.getUint16(4, le);
  if (major !== 2) throw new CaptureError('pcap file header', 'major_version', 4, `version ${major} is not 2`);
  const linkType = dv.getUint32(20, le) & 0x0fffffff; // the upper bits carry FCS information (§4)
  const frames: Frame[] = [];
  const problems = [];
  let off = 24;
  let count = 0;
  const div = nano ? 1e9 : 1e6;
  try {
    while (off < bytes.length) {
      if (bytes.length - off < 16) throw new CaptureError('pcap record header', 'ts_sec', off, `truncated: ${bytes.length - off} of 16 bytes`);
      const sec = dv.getUint32(off, le);
      const frac = dv.getUint32(off + 4, le);
      const capLen = dv.getUint32(off + 8, le);
      const origLen = dv.getUint32(off + 12, le);
      if (frac >= div) throw new CaptureError('pcap record header', nano ? 'ts_nsec' : 'ts_usec', off + 4, `${frac} is not below ${div}`);
      if (capLen > bytes.length - off - 16) throw new CaptureError('pcap record', 'caplen', off + 8, `${capLen} bytes announced, ${bytes.length - off - 16} left in the file`);
      const f: Frame = { index: ++count, time: sec + frac / div, linkType, data: bytes.subarray(off + 16, off + 16 + capLen), origLen, iface: 0 };
      if (onFrame) onFrame(f);
      else frames.push(f);
      off += 16 + capLen;
    }
  } catch (e) {
    problems.push(problemOf(e));
  }
  return { format: 'pcap', frames, frameCount: count, secrets: [], problems };
}
