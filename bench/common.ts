// What the three TCP clients share: the algorithm set every run is pinned to, so that ours, ssh2
// and ssh negotiate exactly the same thing (curve25519-sha256 RFC 8731, ssh-ed25519 RFC 8709).

export const BENCH_KEX = 'curve25519-sha256';
export const BENCH_HOST_KEY = 'ssh-ed25519';
/** The ciphers of target 3 (OpenSSH PROTOCOL.chacha20poly1305, RFC 5647 + PROTOCOL §1.6). */
export const BULK_CIPHERS = ['chacha20-poly1305@openssh.com', 'aes128-gcm@openssh.com'] as const;
/** The cipher of target 2's handshake runs (OpenSSH's default). */
export const EXEC_CIPHER = 'chacha20-poly1305@openssh.com';

export interface Negotiated {
  kex: string;
  hostKey: string;
  cipherC2S: string;
  cipherS2C: string;
}

export interface ExecSample {
  /** Wall time from before the TCP connect to the closed connection. */
  ms: number;
  exitStatus: number | null;
  negotiated: Negotiated | null;
}

export interface BulkSample {
  bytes: number;
  /** From handing the first data byte to the client library to receiving exit-status. */
  ms: number;
  exitStatus: number | null;
  negotiated: Negotiated | null;
}

export function sameAlgorithms(n: Negotiated | null, cipher: string): boolean {
  return !!n && n.kex === BENCH_KEX && n.hostKey === BENCH_HOST_KEY && n.cipherC2S === cipher && n.cipherS2C === cipher;
}

/** One pre-generated buffer of random bytes (incompressible; sent from memory, no I/O). */
export function randomPayload(bytes: number, fill: (b: Uint8Array) => void): Uint8Array {
  const buf = new Uint8Array(bytes);
  for (let o = 0; o < bytes; o += 1 << 16) fill(buf.subarray(o, Math.min(bytes, o + (1 << 16))));
  return buf;
}

/** Rejects when `p` takes longer than `ms`: a stuck run must end the bench with a message, not hang it. */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no result after ${ms / 1000} s`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}
