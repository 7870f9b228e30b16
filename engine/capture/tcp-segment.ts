// From a captured frame to a TCP segment: link layer (Ethernet with VLAN tags IEEE 802.1Q/802.1ad,
// Linux cooked SLL and SLL2, raw IP, BSD NULL/LOOP), then IPv4 (RFC 791) or IPv6 (RFC 8200, with
// extension headers skipped), then TCP (RFC 9293 §3.1). Frames that are not TCP give null.

import { CaptureError } from './errors.ts';
import { LINKTYPE, type Frame } from './frames.ts';

export interface TcpSegment {
  frame: number;
  time: number;
  src: string;
  dst: string;
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  syn: boolean;
  fin: boolean;
  rst: boolean;
  ackFlag: boolean;
  payload: Uint8Array;
}

const ETH_IPV4 = 0x0800;
const ETH_IPV6 = 0x86dd;
const ETH_VLAN = new Set([0x8100, 0x88a8, 0x9100]);

// The same few addresses come back in every frame: one string per address, not one per frame.
const V4_CACHE = new Map<number, string>();
function ipv4Text(b: Uint8Array, o: number): string {
  const k = ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
  let t = V4_CACHE.get(k);
  if (t === undefined) {
    t = `${b[o]}.${b[o + 1]}.${b[o + 2]}.${b[o + 3]}`;
    if (V4_CACHE.size > 4096) V4_CACHE.clear();
    V4_CACHE.set(k, t);
  }
  return t;
}

function ipv6Text(b: Uint8Array, o: number): string {
  const parts: string[] = [];
  for (let i = 0; i < 8; i++) parts.push(((b[o + 2 * i]! << 8) | b[o + 2 * i + 1]!).toString(16));
  // RFC 5952 §4.2: the longest run of two or more zero groups becomes "::"
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (parts[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && parts[j] === '0') j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (best < 0) return parts.join(':');
  return `${parts.slice(0, best).join(':')}::${parts.slice(best + bestLen).join(':')}`;
}

/** Big-endian 16- and 32-bit and little-endian 32-bit numbers at `o` (no DataView per frame). */
const be16 = (d: Uint8Array, o: number): number => (d[o]! << 8) | d[o + 1]!;
const be32 = (d: Uint8Array, o: number): number => ((d[o]! << 24) | (d[o + 1]! << 16) | (d[o + 2]! << 8) | d[o + 3]!) >>> 0;
const le32 = (d: Uint8Array, o: number): number => ((d[o + 3]! << 24) | (d[o + 2]! << 16) | (d[o + 1]! << 8) | d[o]!) >>> 0;

/** Where the IP header starts and which version, or null for a non-IP frame. */
function short(f: Frame, n: number, field: string): void {
  if (f.data.length < n) throw new CaptureError(`frame ${f.index} link layer`, field, 0, `needs ${n} bytes, the frame has ${f.data.length}`);
}

const AT0 = { at: 0 } as const;
const ETH_V4_14 = { at: 14, ether: ETH_IPV4 } as const;

function linkPayload(f: Frame): { at: number; ether?: number } | null {
  const d = f.data;
  switch (f.linkType) {
    case LINKTYPE.ETHERNET: {
      short(f, 14, 'ethertype');
      let at = 12;
      let type = be16(d, at);
      if (type === ETH_IPV4) return ETH_V4_14;
      while (ETH_VLAN.has(type)) {
        at += 4;
        short(f, at + 2, 'VLAN ethertype');
        type = be16(d, at);
      }
      return { at: at + 2, ether: type };
    }
    case LINKTYPE.LINUX_SLL:
      short(f, 16, 'protocol');
      return { at: 16, ether: be16(d, 14) };
    case LINKTYPE.LINUX_SLL2:
      short(f, 20, 'protocol_type');
      return { at: 20, ether: be16(d, 0) };
    case LINKTYPE.RAW:
    case 12:
    case 14:
    case LINKTYPE.IPV4:
    case LINKTYPE.IPV6:
      return AT0;
    case LINKTYPE.NULL:
    case LINKTYPE.LOOP: {
      short(f, 4, 'family');
      let fam = f.linkType === LINKTYPE.LOOP ? be32(d, 0) : le32(d, 0);
      if (f.linkType === LINKTYPE.NULL && fam > 0xffff) fam = be32(d, 0); // written on a big-endian host
      if (fam === 2) return { at: 4, ether: ETH_IPV4 };
      if (fam === 24 || fam === 28 || fam === 30 || fam === 10) return { at: 4, ether: ETH_IPV6 };
      return null;
    }
    default:
      return null;
  }
}

/**
 * Decodes a frame down to TCP. Returns null for frames that are not TCP over IP (ARP, UDP, other
 * link types, IP fragments); throws CaptureError for a truncated or malformed header.
 */
export function tcpSegmentOf(f: Frame): TcpSegment | null {
  const d = f.data;
  const link = linkPayload(f);
  if (!link) return null;
  let o = link.at;
  const where = f.index; // "frame N" in messages, built only when one is thrown
  if (o >= d.length) throw new CaptureError(`frame ${where} IP`, 'version', o, 'no bytes after the link-layer header');
  const version = d[o]! >> 4;
  if (link.ether !== undefined && link.ether !== ETH_IPV4 && link.ether !== ETH_IPV6) return null;
  let src: string;
  let dst: string;
  let end: number;
  if (version === 4) {
    if (d.length - o < 20) throw new CaptureError(`frame ${where} IPv4`, 'header', o, `needs 20 bytes, has ${d.length - o}`);
    const ihl = (d[o]! & 15) * 4;
    if (ihl < 20 || d.length - o < ihl) throw new CaptureError(`frame ${where} IPv4`, 'IHL', o, `header length ${ihl} is invalid for ${d.length - o} bytes`);
    const totalLen = be16(d, o + 2);
    const frag = be16(d, o + 6);
    // fragments (more-fragments bit or an offset) are not reassembled: their bytes show up as a TCP gap
    if (d[o + 9] !== 6 || (frag & 0x3fff) !== 0) return null;
    src = ipv4Text(d, o + 12);
    dst = ipv4Text(d, o + 16);
    // total_length trims Ethernet padding; 0 means TCP segmentation offload, use what was captured
    end = totalLen === 0 ? d.length : Math.min(d.length, o + totalLen);
    if (end < o + ihl) throw new CaptureError(`frame ${where} IPv4`, 'total_length', o + 2, `${totalLen} is shorter than the header`);
    o += ihl;
  } else if (version === 6) {
    if (d.length - o < 40) throw new CaptureError(`frame ${where} IPv6`, 'header', o, `needs 40 bytes, has ${d.length - o}`);
    const payloadLen = be16(d, o + 4);
    let next = d[o + 6]!;
    src = ipv6Text(d, o + 8);
    dst = ipv6Text(d, o + 24);
    end = payloadLen === 0 ? d.length : Math.min(d.length, o + 40 + payloadLen);
    o += 40;
    // RFC 8200 §4: hop-by-hop (0), routing (43), destination options (60), fragment (44)
    for (let guard = 0; next !== 6; guard++) {
      if (guard > 16 || o + 8 > end) return null;
      if (next === 44) {
        if ((be16(d, o + 2) & 0xfff8) !== 0) return null; // not the first fragment
        next = d[o]!;
        o += 8;
      } else if (next === 0 || next === 43 || next === 60) {
        const len = (d[o + 1]! + 1) * 8;
        next = d[o]!;
        o += len;
      } else return null;
    }
  } else {
    throw new CaptureError(`frame ${where} IP`, 'version', o, `version ${version} is neither 4 nor 6`);
  }
  if (end - o < 20) throw new CaptureError(`frame ${where} TCP`, 'header', o, `needs 20 bytes, has ${Math.max(0, end - o)}`);
  const dataOff = (d[o + 12]! >> 4) * 4;
  if (dataOff < 20 || dataOff > end - o) throw new CaptureError(`frame ${where} TCP`, 'data_offset', o + 12, `header length ${dataOff} is invalid for ${end - o} bytes`);
  const flags = d[o + 13]!;
  return {
    frame: f.index,
    time: f.time,
    src,
    dst,
    srcPort: be16(d, o),
    dstPort: be16(d, o + 2),
    seq: be32(d, o + 4),
    ack: be32(d, o + 8),
    fin: (flags & 1) !== 0,
    syn: (flags & 2) !== 0,
    rst: (flags & 4) !== 0,
    ackFlag: (flags & 16) !== 0,
    payload: d.subarray(o + dataOff, end),
  };
}
