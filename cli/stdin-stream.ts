// What `sshscope connect` reads as the remote command's input: process.stdin, except when stdin is
// a regular file (`connect host 'cat > f' < big.bin`). Node reads such a file through an
// fs.ReadStream in 64 KiB chunks, each a round trip to libuv's thread pool; our own ReadStream on
// fd 0 asks for 1 MiB at a time. Measured with 256 MiB into `cat > /dev/null` on the real sshd
// (aes128-gcm, whole process, medians of 5): 1026 ms with 64 KiB reads, 862 ms with 256 KiB,
// 763 ms with 1 MiB. Pipes and terminals keep process.stdin (libuv reads them 64 KiB at a time).

import { createReadStream, fstatSync } from 'node:fs';
import type { Readable } from 'node:stream';

/** Bytes asked of the file per read. */
export const FILE_READ_CHUNK = 1024 * 1024;

/** True when file descriptor `fd` is a regular file (false when it cannot be inspected). */
export function isRegularFile(fd: number): boolean {
  try {
    return fstatSync(fd).isFile();
  } catch {
    return false;
  }
}

/**
 * The stream to read the command's input from. For a regular file, a ReadStream on fd 0 that does
 * not close it (the process owns fd 0); otherwise process.stdin itself.
 */
export function commandInput(): Readable & { isTTY?: boolean } {
  if (!process.stdin.isTTY && isRegularFile(0)) return createReadStream('', { fd: 0, autoClose: false, highWaterMark: FILE_READ_CHUNK });
  return process.stdin;
}
