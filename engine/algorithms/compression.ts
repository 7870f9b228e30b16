// Compression methods (RFC 4253 §6.2), keyed by wire name.
//   none               no compression
//   zlib               RFC 1950 zlib stream, one per direction over the whole connection, from the
//                      first NEWKEYS on (RFC 4253 §6.2)
//   zlib@openssh.com   the same, but it starts only after SSH_MSG_USERAUTH_SUCCESS ("delayed
//                      compression", OpenSSH PROTOCOL §1.2): nothing an unauthenticated peer sends
//                      reaches the decompressor.
// Every packet ends with a flush (OpenSSH: Z_PARTIAL_FLUSH), so each packet's payload can be
// recovered from the bytes received so far. The streams are never finished.

import { createCompressor, type Compressor } from './deflate.ts';
import { createDecompressor, type Decompressor } from './inflate.ts';

export { createCompressor, createDecompressor, type Compressor, type Decompressor };
export { InflateError } from './inflate.ts';

export interface CompressionSpec {
  name: string;
  /** True for zlib@openssh.com: starts after user authentication succeeds. */
  delayed: boolean;
  /** null for "none". */
  createCompressor: (() => Compressor) | null;
  createDecompressor: (() => Decompressor) | null;
}

export const COMPRESSION: Record<string, CompressionSpec> = {
  none: { name: 'none', delayed: false, createCompressor: null, createDecompressor: null },
  // RFC 4253 §6.2
  zlib: { name: 'zlib', delayed: false, createCompressor, createDecompressor },
  // OpenSSH PROTOCOL §1.2
  'zlib@openssh.com': { name: 'zlib@openssh.com', delayed: true, createCompressor, createDecompressor },
};
