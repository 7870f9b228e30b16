// pcapng (draft-ietf-opsawg-pcapng): blocks of { uint32 type, uint32 total_length, body,
// uint32 total_length }. Each Section Header Block (§4.1) sets the byte order of its section;
// Interface Description Blocks (§4.2) give link type and timestamp resolution (option if_tsresol,
// §4.2 code 9); packets come in Enhanced (§4.3), Simple (§4.4) and the obsolete Packet Block
// (Appendix A); Decryption Secrets Blocks (§4.7) carry key logs. Other blocks and options are skipped.

import { CaptureError, problemOf, type CaptureProblem } from './errors.ts';
import type { CaptureFile, DecryptionSecrets, Frame } from './frames.ts';

const SHB = 0x0a0d0d0a;
const IDB = 0x00000001;
const PB = 0x00000002;
const SPB = 0x00000003;
const EPB = 0x00000006;
const DSB = 0x0000000a;
const BOM = 0x1a2b3c4d;

export function isPcapng(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x0a && bytes[1] === 0x0d && bytes[2] === 0x0d && bytes[3] === 0x0a;
}

interface Iface {
  linkType: number;
  snapLen: number;
  /** Timestamp units per second. */
  units: number;
  /** if_tsoffset (§4.2 code 14), seconds. */
  offset: number;
}

const BLOCK_NAMES: Record<number, string> = { [SHB]: 'SHB', [IDB]: 'IDB', [PB]: 'PB', [SPB]: 'SPB', [EPB]: 'EPB', [DSB]: 'DSB' };
const NAMES = new Map<number, string>(Object.entries(BLOCK_NAMES).map(([k, v]) => [Number(k), `pcapng ${v}`]));
function blockName(type: number): string {
  return NAMES.get(type) ?? `pcapng block 0x${type.toString(16)}`;
}

/** Reads the if_tsresol and if_tsoffset options of an IDB; malformed options end the option list. */
function readIdbOptions(dv: DataView, start: number, end: number, le: boolean, iface: Iface): void {
  let o = start;
  while (o + 4 <= end) {
    const code = dv.getUint16(o, le);
    const len = dv.getUint16(o + 2, le);
    if (code === 0) break; // opt_endofopt
    if (o + 4 + len > end) break;
    if (code === 9 && len >= 1) {
      const v = dv.getUint8(o + 4);
      const exp = v & 0x7f;
      iface.units = v & 0x80 ? 2 ** exp : 10 ** exp;
    } else if (code === 14 && len >= 8) {
      iface.offset = Number(dv.getBigInt64(o + 4, le));
    }
    o += 4 + ((len + 3) & ~3);
  }
}

/**
 * Reads a pcapng file. A file that does not start with a Section Header Block throws CaptureError;
 * a malformed block later ends the reading with a problem naming the block, the field and the offset,
 * keeping the frames before it.
 */
export function readPcapng(bytes: Uint8Array, onFrame?: (f: Frame) => void): CaptureFile {
  if (!isPcapng(bytes)) throw new CaptureError('pcapng', 'block_type', 0, 'the file does not start with a Section Header Block');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const frames: Frame[] = [];
  const secrets: DecryptionSecrets[] = [];
  const problems: CaptureProblem[] = [];
  let le = true;
  let ifaces: Iface[] = [];
  let off = 0;
  let count = 0;
  try {
    while (off < bytes.length) {
      if (bytes.length - off < 12) throw new CaptureError('pcapng block', 'block_total_length', off, `truncated: ${bytes.length - off} bytes left, a block needs at least 12`);
      const rawType = dv.getUint32(off, false);
      if (rawType === SHB) {
        if (bytes.length - off < 28) throw new CaptureError('pcapng SHB', 'byte_order_magic', off + 8, 'truncated section header');
        const bomBE = dv.getUint32(off + 8, false);
        if (bomBE === BOM) le = false;
        else if (dv.getUint32(off + 8, true) === BOM) le = true;
        else throw new CaptureError('pcapng SHB', 'byte_order_magic', off + 8, `0x${bomBE.toString(16)} is not 0x1a2b3c4d in either byte order`);
        const major = dv.getUint16(off + 12, le);
        if (major !== 1) throw new CaptureError('pcapng SHB', 'major_version', off + 12, `version ${major} is not 1`);
        ifaces = [];
      }
      const type = dv.getUint32(off, le);
      const total = dv.getUint32(off + 4, le);
      // the block's name only when a problem needs it (building it per block costs at 10^5 blocks)
      const name = blockName(type);
      if (total < 12 || total % 4 !== 0) throw new CaptureError(name, 'block_total_length', off + 4, `${total} is not a multiple of 4 of at least 12`);
      if (total > bytes.length - off) throw new CaptureError(name, 'block_total_length', off + 4, `${total} bytes announced, ${bytes.length - off} left in the file`);
      const trailer = dv.getUint32(off + total - 4, le);
      if (trailer !== total) throw new CaptureError(name, 'block_total_length (trailing copy)', off + total - 4, `${trailer} differs from the leading ${total}`);
      const body = off + 8;
      const end = off + total - 4;
      if (type === EPB && end - body >= 20) {
        // the common case first, without the generic checks' closures
        const ifId = dv.getUint32(body, le);
        const iface = ifaces[ifId];
        const capLen = dv.getUint32(body + 12, le);
        if (iface && capLen <= end - body - 20) {
          const ts = dv.getUint32(body + 4, le) * 4294967296 + dv.getUint32(body + 8, le);
          const units = iface.units;
          const f: Frame = { index: ++count, time: iface.offset + Math.floor(ts / units) + (ts % units) / units, linkType: iface.linkType, data: bytes.subarray(body + 20, body + 20 + capLen), origLen: dv.getUint32(body + 16, le), iface: ifId };
          if (onFrame) onFrame(f);
          else frames.push(f);
          off += total;
          continue;
        }
      }
      const need = (n: number, field: string): void => {
        if (end - body < n) throw new CaptureError(name, field, body, `block body has ${end - body} bytes, needs ${n}`);
      };
      switch (type) {
        case IDB: {
          need(8, 'linktype');
          const iface: Iface = { linkType: dv.getUint16(body, le), snapLen: dv.getUint32(body + 4, le), units: 1e6, offset: 0 };
          readIdbOptions(dv, body + 8, end, le, iface);
          ifaces.push(iface);
          break;
        }
        case EPB:
        case PB: {
          need(20, 'captured_packet_length');
          const ifId = type === EPB ? dv.getUint32(body, le) : dv.getUint16(body, le);
          const iface = ifaces[ifId];
          if (!iface) throw new CaptureError(name, 'interface_id', body, `interface ${ifId} was not described (${ifaces.length} IDBs in this section)`);
          const hi = dv.getUint32(body + 4, le);
          const lo = dv.getUint32(body + 8, le);
          const capLen = dv.getUint32(body + 12, le);
          const origLen = dv.getUint32(body + 16, le);
          if (capLen > end - body - 20) throw new CaptureError(name, 'captured_packet_length', body + 12, `${capLen} bytes announced, the block holds ${end - body - 20}`);
          const ts = hi * 4294967296 + lo;
          const f: Frame = { index: ++count, time: iface.offset + Math.floor(ts / iface.units) + (ts % iface.units) / iface.units, linkType: iface.linkType, data: bytes.subarray(body + 20, body + 20 + capLen), origLen, iface: ifId };
          if (onFrame) onFrame(f);
          else frames.push(f);
          break;
        }
        case SPB: {
          need(4, 'original_packet_length');
          const iface = ifaces[0];
          if (!iface) throw new CaptureError(name, 'interface_id', body, 'a Simple Packet Block needs interface 0, which was not described');
          const origLen = dv.getUint32(body, le);
          let capLen = Math.min(origLen, end - body - 4);
          if (iface.snapLen > 0) capLen = Math.min(capLen, iface.snapLen);
          const f: Frame = { index: ++count, time: 0, linkType: iface.linkType, data: bytes.subarray(body + 4, body + 4 + capLen), origLen, iface: 0 };
          if (onFrame) onFrame(f);
          else frames.push(f);
          break;
        }
        case DSB: {
          need(8, 'secrets_length');
          const sType = dv.getUint32(body, le);
          const sLen = dv.getUint32(body + 4, le);
          if (sLen > end - body - 8) throw new CaptureError(name, 'secrets_length', body + 4, `${sLen} bytes announced, the block holds ${end - body - 8}`);
          secrets.push({ type: sType, data: bytes.subarray(body + 8, body + 8 + sLen) });
          break;
        }
        default:
          break; // SHB handled above; NRB, ISB, custom blocks: skipped (§3.1)
      }
      off += total;
    }
  } catch (e) {
    problems.push(problemOf(e));
  }
  return { format: 'pcapng', frames, frameCount: count, secrets, problems };
}
