// Frames as read from a capture file, before the link layer is decoded.

/** Link-layer header types (tcpdump.org/linktypes.html) this reader understands. */
export const LINKTYPE = {
  NULL: 0, // BSD loopback, address family in host byte order
  ETHERNET: 1,
  RAW: 101, // raw IPv4 or IPv6
  LOOP: 108, // OpenBSD loopback, address family in network byte order
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
} as const;

export interface Frame {
  /** 1-based frame number, as Wireshark numbers them. */
  index: number;
  /** Seconds since the epoch (fractional). */
  time: number;
  linkType: number;
  /** The captured bytes (may be shorter than origLen when the snapshot length cut them). */
  data: Uint8Array;
  origLen: number;
  /** pcapng interface id (0 for pcap). */
  iface: number;
}

/** A pcapng Decryption Secrets Block (pcapng §4.7). */
export interface DecryptionSecrets {
  /** 0x5353484b = SSH key log. */
  type: number;
  data: Uint8Array;
}

export interface CaptureFile {
  format: 'pcap' | 'pcapng';
  /** The frames (empty when the reader was given an `onFrame` callback instead). */
  frames: Frame[];
  /** How many frames were read. */
  frameCount: number;
  secrets: DecryptionSecrets[];
  /** Problems that ended the reading early or made blocks skipped (the frames before them are kept). */
  problems: import('./errors.ts').CaptureProblem[];
}

export const SSH_KEYLOG_SECRETS = 0x5353484b;
