// `sshscope inspect FILE [--keylog FILE] [--json]`: every SSH connection in a pcap/pcapng capture,
// decoded; decrypted with a Wireshark SSH key log (and the capture's own Decryption Secrets Blocks).
// The JSON document is a public interface: docs/inspect.md.

import { readFileSync } from 'node:fs';
import { createCipheriv } from 'node:crypto';
import type { CryptoProvider } from '../engine/algorithms/types.ts';
import { smallGcm, type SmallGcm } from '../engine/capture/gcm-batch.ts';
import { ArgError, formatHelp, getValue, parseArgs, type CommandSpec } from './args.ts';
import { analyzeCapture } from '../engine/capture/analyze.ts';
import { inspectJson, inspectText } from '../engine/capture/report.ts';
import { CaptureError } from '../engine/capture/errors.ts';
import { nodeCryptoProvider } from './node-crypto.ts';

export const INSPECT_SPEC: CommandSpec = {
  name: 'inspect',
  usage: 'inspect [--keylog FILE] [--json] CAPTURE',
  summary: 'decode the SSH connections in a pcap or pcapng capture (decrypted with a Wireshark SSH key log)',
  flags: [
    { name: 'keylog', value: true, valueName: 'FILE', help: 'Wireshark SSH key log (SHARED_SECRET / PRIVATE_KEY lines), as written by sshscope connect --keylog' },
    { name: 'json', help: 'print one JSON document (described in docs/inspect.md) instead of the listing' },
  ],
  notes: ['examples:', '  sshscope inspect session.pcapng', '  sshscope inspect --keylog keys.log --json session.pcap'],
};

/** Packets up to this size go through the batched small-packet AES-GCM (engine/capture/gcm-batch.ts). */
const SMALL_GCM = 1024 + 16;

/**
 * node:crypto for reading captures: the CLI's provider, except that small AES-GCM packets are
 * decrypted with one long-lived AES-ECB cipher per key and GHASH in JS instead of a new native GCM
 * cipher object per packet (which costs more than the decryption of a 36-byte packet).
 */
export function captureCryptoProvider(base: CryptoProvider = nodeCryptoProvider): CryptoProvider {
  const byKey = new WeakMap<Uint8Array, SmallGcm>();
  const native = base.aesGcmDecrypt?.bind(base);
  const small = (key: Uint8Array): SmallGcm => {
    let g = byKey.get(key);
    if (!g) {
      const c = createCipheriv(`aes-${key.length * 8}-ecb`, key, null);
      c.setAutoPadding(false);
      g = smallGcm((blocks) => c.update(blocks));
      byKey.set(key, g);
    }
    return g;
  };
  return {
    ...base,
    aesGcmDecrypt(key, nonce, aad, ct) {
      if (ct.length > SMALL_GCM && native) return native(key, nonce, aad, ct);
      return small(key).decrypt(nonce, aad, ct);
    },
    aesGcmOpenTo(key, nonce, packet, aadLen, out, at) {
      if (packet.length - aadLen <= SMALL_GCM || !native) return small(key).openTo(nonce, packet, aadLen, out, at);
      const plain = native(key, nonce, packet.subarray(0, aadLen), packet.subarray(aadLen));
      if (!plain) return false;
      out.set(packet.subarray(0, aadLen), at);
      out.set(plain, at + aadLen);
      return true;
    },
  };
}

/** A file's bytes as a Uint8Array (no copy). */
export function readBytes(path: string): Uint8Array {
  const buf = readFileSync(path);
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/** Runs the command with stdout/stderr writers (so tests can capture them). */
export function runInspect(argv: string[], out: (s: string) => void, err: (s: string) => void): number {
  let p;
  try {
    p = parseArgs(INSPECT_SPEC, argv);
  } catch (e) {
    err(`sshscope inspect: ${(e as Error).message}\n`);
    return 2;
  }
  if (p.help) {
    out(formatHelp(INSPECT_SPEC));
    return 0;
  }
  try {
    const file = p.positionals[0];
    if (!file || p.positionals.length > 1) throw new ArgError('give exactly one capture file');
    const keylogPath = getValue(p, 'keylog');
    const keylog = keylogPath !== undefined ? readFileSync(keylogPath, 'utf8') : undefined;
    // lazy: connection messages are decoded when the listing reads them, not kept; the JSON only
    // says whether each one decodes, so it has them checked as they are decrypted and keeps no
    // plaintext (dropPlaintext). The file is read by the analysis (not held here), which compacts
    // the largest stream inside the file's buffer (reuseFile) and lets go of the rest.
    const json = p.switches.has('json');
    const a = analyzeCapture(() => readBytes(file), { provider: captureCryptoProvider(), lazyDecode: true, reuseFile: true, dropPlaintext: json, ...(keylog !== undefined ? { keylog } : {}) });
    if (json) out(`${JSON.stringify(inspectJson(a), null, 1)}\n`);
    else out(inspectText(a));
    return 0;
  } catch (e) {
    err(`sshscope inspect: ${e instanceof CaptureError ? `not a capture file: ${e.message}` : (e as Error).message}\n`);
    return e instanceof ArgError ? 2 : 1;
  }
}

export async function inspect(argv: string[]): Promise<number> {
  return runInspect(argv, (s) => process.stdout.write(s), (s) => process.stderr.write(s));
}
