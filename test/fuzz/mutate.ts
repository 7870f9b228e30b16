// Mutators for the fuzzer: byte-level (wire packets, captures, binary key blobs) and text-level
// (key lines, known_hosts, authorized_keys). Each applies 1..n random edits biased toward the
// values parsers care about: lengths (uint32 at any offset), 0 / 0xff / 0x7f / 0x80, truncation,
// duplication and splices.

import type { Rng } from './prng.ts';

/** uint32 values that trip length checks (RFC 4251 §5 string lengths, RFC 4253 §6 packet_length). */
const INTERESTING_U32 = [0, 1, 2, 3, 4, 5, 7, 8, 15, 16, 31, 32, 33, 63, 64, 255, 256, 1023, 1024, 4095, 4096, 32768, 35000, 65535, 65536, 262144, 262145, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];
const INTERESTING_U8 = [0, 1, 2, 3, 4, 0x7f, 0x80, 0xfe, 0xff, 20, 21, 30, 31, 50, 52, 60, 80, 90, 94, 97, 100, 126, 127, 128, 192];

function setU32(b: Uint8Array, at: number, v: number): void {
  if (at + 4 > b.length) return;
  b[at] = v >>> 24;
  b[at + 1] = (v >>> 16) & 0xff;
  b[at + 2] = (v >>> 8) & 0xff;
  b[at + 3] = v & 0xff;
}

/** One random edit of `input` (never changes `input`); `donors` supply splice material. */
export function mutateBytesOnce(rng: Rng, input: Uint8Array, donors: readonly Uint8Array[] = []): Uint8Array {
  const n = input.length;
  const pos = () => rng.int(Math.max(1, n));
  switch (rng.int(12)) {
    case 0: {
      // bit flip
      const out = input.slice();
      if (n) out[pos()]! ^= 1 << rng.int(8);
      return out;
    }
    case 1: {
      const out = input.slice();
      if (n) out[pos()] = rng.pick(INTERESTING_U8);
      return out;
    }
    case 2: {
      const out = input.slice();
      if (n) out[pos()] = rng.u32() & 0xff;
      return out;
    }
    case 3: {
      // a length field: any offset, or one aligned on a likely string length
      const out = input.slice();
      if (n >= 4) setU32(out, rng.chance(0.5) ? rng.int(n - 3) : rng.int(Math.max(1, (n - 3) >> 2)) * 4, rng.chance(0.8) ? rng.pick(INTERESTING_U32) : rng.u32());
      return out;
    }
    case 4: {
      // +- small delta on a uint32
      const out = input.slice();
      if (n >= 4) {
        const at = rng.int(n - 3);
        const v = ((out[at]! << 24) | (out[at + 1]! << 16) | (out[at + 2]! << 8) | out[at + 3]!) >>> 0;
        setU32(out, at, (v + (rng.int(33) - 16)) >>> 0);
      }
      return out;
    }
    case 5: {
      // truncate
      return input.slice(0, rng.int(n + 1));
    }
    case 6: {
      // delete a range
      const a = pos();
      const len = 1 + rng.int(Math.min(64, Math.max(1, n - a)));
      const out = new Uint8Array(Math.max(0, n - len));
      out.set(input.subarray(0, a));
      out.set(input.subarray(a + len).subarray(0, out.length - a), a);
      return out;
    }
    case 7: {
      // insert random bytes
      const a = rng.int(n + 1);
      const ins = rng.bytes(1 + rng.int(rng.chance(0.9) ? 16 : 600));
      const out = new Uint8Array(n + ins.length);
      out.set(input.subarray(0, a));
      out.set(ins, a);
      out.set(input.subarray(a), a + ins.length);
      return out;
    }
    case 8: {
      // duplicate a range (repeated fields, repeated packets)
      const a = pos();
      const len = 1 + rng.int(Math.min(256, Math.max(1, n - a)));
      const piece = input.slice(a, a + len);
      const at = rng.int(n + 1);
      const out = new Uint8Array(n + piece.length);
      out.set(input.subarray(0, at));
      out.set(piece, at);
      out.set(input.subarray(at), at + piece.length);
      return out;
    }
    case 9: {
      // splice from a donor (another packet, another file)
      if (donors.length === 0) return mutateBytesOnce(rng, input);
      const d = rng.pick(donors);
      const a = rng.int(n + 1);
      const da = rng.int(d.length + 1);
      const piece = d.subarray(da, da + 1 + rng.int(128));
      const out = new Uint8Array(a + piece.length + Math.max(0, n - a - piece.length));
      out.set(input.subarray(0, a));
      out.set(piece, a);
      out.set(input.subarray(a + piece.length), a + piece.length);
      return out;
    }
    case 10: {
      // a run of one byte value
      const out = input.slice();
      const a = pos();
      out.fill(rng.pick([0, 0xff, 0x41, 0x2c]), a, a + 1 + rng.int(32));
      return out;
    }
    default: {
      // swap two bytes
      const out = input.slice();
      if (n >= 2) {
        const a = pos();
        const b = pos();
        const t = out[a]!;
        out[a] = out[b]!;
        out[b] = t;
      }
      return out;
    }
  }
}

/** 1..max edits (mostly one or two: deep inputs need most of the structure intact). */
export function mutateBytes(rng: Rng, input: Uint8Array, donors: readonly Uint8Array[] = [], max = 6): Uint8Array {
  const edits = rng.chance(0.6) ? 1 : 1 + rng.int(max);
  let out = input;
  for (let i = 0; i < edits; i++) out = mutateBytesOnce(rng, out, donors);
  return out;
}

const TEXT_TOKENS = [',', ' ', '\t', '"', '\\', '=', '\n', '\r\n', '#', '@', '|', '[', ']', ':', '*', '?', '!', '/', '\0', 'é', '\u{1F600}', '\uFFFD', '-----', 'ssh-ed25519', 'ssh-rsa', 'ecdsa-sha2-nistp256', 'sk-ssh-ed25519@openssh.com', 'from="', 'command="', 'environment="', 'expiry-time="', 'permitopen="', 'restrict', 'cert-authority', '@revoked', '@cert-authority', '|1|', 'AAAA', '====', '127.0.0.1', '::1', '192.0.2.0/33', '*.*', 'Proc-Type: 4,ENCRYPTED', 'DEK-Info: AES-128-CBC,00', 'BEGIN', 'END', 'PRIVATE KEY'];

/** One random edit of a text. */
export function mutateTextOnce(rng: Rng, s: string, donors: readonly string[] = []): string {
  const n = s.length;
  const a = rng.int(n + 1);
  switch (rng.int(8)) {
    case 0:
      return s.slice(0, a) + rng.pick(TEXT_TOKENS) + s.slice(a);
    case 1:
      return s.slice(0, a) + s.slice(a + 1 + rng.int(16));
    case 2:
      return s.slice(0, a) + String.fromCharCode(rng.int(rng.chance(0.8) ? 128 : 0x3000)) + s.slice(a + 1);
    case 3: {
      const b = Math.min(n, a + 1 + rng.int(80));
      return s.slice(0, b) + s.slice(a, b).repeat(1 + rng.int(rng.chance(0.95) ? 3 : 200)) + s.slice(b);
    }
    case 4:
      return s.slice(0, a);
    case 5: {
      if (!donors.length) return mutateTextOnce(rng, s);
      const d = rng.pick(donors);
      const da = rng.int(d.length + 1);
      return s.slice(0, a) + d.slice(da, da + 1 + rng.int(200)) + s.slice(a);
    }
    case 6: {
      // a line swapped or dropped
      const lines = s.split('\n');
      const i = rng.int(lines.length);
      if (rng.chance(0.5)) lines.splice(i, 1);
      else lines.splice(rng.int(lines.length), 0, lines[i]!);
      return lines.join('\n');
    }
    default: {
      // a base64 character changed (stays in the alphabet: reaches the binary decoder)
      const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
      return s.slice(0, a) + B64[rng.int(64)] + s.slice(a + 1);
    }
  }
}

export function mutateText(rng: Rng, s: string, donors: readonly string[] = [], max = 4): string {
  const edits = rng.chance(0.6) ? 1 : 1 + rng.int(max);
  let out = s;
  for (let i = 0; i < edits; i++) out = mutateTextOnce(rng, out, donors);
  return out;
}
