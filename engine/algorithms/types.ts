// Contracts between the algorithm tables and the transport (RFC 4253 §6, §7, §8; RFC 5656; RFC 8731).
// The transport only sees these interfaces; each algorithm is one row in a table keyed by wire name.

export type HashName = 'sha1' | 'sha256' | 'sha384' | 'sha512';

/**
 * One direction's packet protection after NEWKEYS: cipher plus MAC, or an AEAD.
 * A "packet" here is the plaintext binary packet of RFC 4253 §6:
 *   uint32 packet_length || byte padding_length || payload || random padding
 * Wire bytes are the encrypted packet followed by `macLen` bytes of MAC or tag.
 */
export interface PacketSealer {
  readonly cipher: string;
  readonly mac: string | null;
  /** Padding makes the padded part a multiple of this (at least 8). */
  readonly blockLen: number;
  /** MAC or tag bytes appended after the packet. */
  readonly macLen: number;
  /**
   * True when packet_length is not part of the padded, block-aligned region
   * (aes-gcm, chacha20-poly1305, -etm MACs): padding is computed without the 4 length bytes.
   */
  readonly lengthExcludedFromPadding: boolean;
  /** Encrypts and authenticates one plaintext packet with sequence number `seq`. */
  seal(seq: number, packet: Uint8Array): Uint8Array;
  /**
   * Optional bulk fast path, the same bytes as `seal` without joining anything: the plaintext
   * packet arrives as consecutive pieces (the first holds at least the 4 bytes of packet_length),
   * and the wire bytes come back as parts whose concatenation is exactly `seal(seq, join(pieces))`.
   * A socket can write the parts with one writev; no 32 KiB packet is copied into one array twice.
   * The pieces are only read during the call.
   */
  sealPieces?(seq: number, pieces: readonly Uint8Array[]): Uint8Array[];
}

export interface PacketOpener {
  readonly cipher: string;
  readonly mac: string | null;
  readonly blockLen: number;
  readonly macLen: number;
  /** How many wire bytes `readLength` needs (4 for gcm/chacha/etm, blockLen for ctr+hmac). */
  readonly headLen: number;
  /**
   * Learns packet_length from the first `headLen` wire bytes. Called exactly once per packet,
   * before `open`, with the same `seq`.
   */
  readLength(seq: number, head: Uint8Array): number;
  /**
   * Decrypts and verifies one whole packet: `wire` is 4 + packet_length + macLen bytes.
   * Returns the plaintext packet (4 + packet_length bytes). Throws IntegrityError when the
   * MAC or tag does not verify.
   */
  open(seq: number, wire: Uint8Array): Uint8Array;
  /**
   * Optional: the same as `open`, but the plaintext packet (wire.length − macLen bytes) is written
   * to out[at …] instead of a new array (readers that keep many small packets in one buffer).
   */
  openTo?(seq: number, wire: Uint8Array, out: Uint8Array, at: number): void;
  /**
   * Optional, for ciphers that leave packet_length in clear (aes-gcm, RFC 5647 §7.3): what `open`
   * returns from byte 4 on (padding_length, payload, padding), without copying it behind the
   * length (readers that keep large packets).
   */
  openBody?(seq: number, wire: Uint8Array): Uint8Array;
}

export class IntegrityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IntegrityError';
  }
}

export interface CipherSpec {
  name: string;
  keyLen: number;
  ivLen: number;
  blockLen: number;
  /** Carries its own authentication (the negotiated MAC is ignored, RFC 5647 §5.1, PROTOCOL.chacha20poly1305). */
  aead: boolean;
  tagLen: number;
}

export interface MacSpec {
  name: string;
  keyLen: number;
  macLen: number;
  /** encrypt-then-mac (OpenSSH PROTOCOL §1.5). */
  etm: boolean;
  hash: HashName;
}

/** The keys of one direction derived in RFC 4253 §7.2. */
export interface DirectionKeys {
  iv: Uint8Array;
  key: Uint8Array;
  macKey: Uint8Array;
}

/**
 * Optional faster synchronous primitives (node:crypto behind this interface in Node).
 * Every member is optional; a missing one falls back to noble.
 */
export interface CryptoProvider {
  /** A streaming AES-CTR keystream cipher: each call continues where the last ended. */
  aesCtr?(key: Uint8Array, iv: Uint8Array): { update(data: Uint8Array): Uint8Array };
  /** AES-GCM with a 12-byte nonce and a 16-byte tag appended (encrypt) / checked (decrypt, null on failure). */
  aesGcmEncrypt?(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Uint8Array;
  aesGcmDecrypt?(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, ciphertextAndTag: Uint8Array): Uint8Array | null;
  /**
   * AES-GCM decryption of `packet` = AAD (the first aadLen bytes, e.g. SSH's packet_length, RFC 5647
   * §7.3) || ciphertext || 16-byte tag: writes the AAD and the plaintext (packet.length − 16 bytes)
   * to out[at …] and returns true, or false when the tag does not verify (out may then be written).
   */
  aesGcmOpenTo?(key: Uint8Array, nonce: Uint8Array, packet: Uint8Array, aadLen: number, out: Uint8Array, at: number): boolean;
  /**
   * AES-GCM over a plaintext given as consecutive pieces (RFC 5647 §7): the ciphertext as pieces
   * whose concatenation is the encryption of the concatenated plaintext, and the 16-byte tag. The
   * result is not joined with anything; the plaintext pieces are only read during the call.
   */
  aesGcmEncryptPieces?(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, pieces: readonly Uint8Array[]): { pieces: Uint8Array[]; tag: Uint8Array };
  /** Original (8-byte nonce, 64-bit counter) ChaCha20 as OpenSSH uses it. */
  chacha20?(key: Uint8Array, nonce8: Uint8Array, counter: number, data: Uint8Array): Uint8Array;
  poly1305?(key: Uint8Array, data: Uint8Array): Uint8Array;
  /**
   * The chacha20-poly1305@openssh.com tag in one call: Poly1305 over `data`, keyed with the first
   * 32 bytes of ChaCha20 block 0 of (`key`, `nonce8`) (OpenSSH PROTOCOL.chacha20poly1305). Lets a
   * provider use a native AEAD for the MAC when it has no raw Poly1305. Preferred over `poly1305`.
   */
  chachaPolyTag?(key: Uint8Array, nonce8: Uint8Array, data: Uint8Array): Uint8Array;
  /**
   * The body and tag of one chacha20-poly1305@openssh.com packet (OpenSSH PROTOCOL.chacha20poly1305):
   * the concatenated pieces encrypted with original ChaCha20 under (`key` = K_2, `nonce8`) from
   * block 1 on, returned as pieces whose concatenation is that ciphertext; the tag is Poly1305 over
   * `head` (the encrypted packet_length) followed by the ciphertext, keyed with K_2's block 0.
   */
  chachaPolySealPieces?(key: Uint8Array, nonce8: Uint8Array, head: Uint8Array, pieces: readonly Uint8Array[]): { pieces: Uint8Array[]; tag: Uint8Array };
  hmac?(hash: HashName, key: Uint8Array, data: Uint8Array): Uint8Array;
  hash?(hash: HashName, data: Uint8Array): Uint8Array;
  /** X25519 (RFC 7748): public key of a private scalar, and the shared secret. */
  x25519PublicKey?(privateKey: Uint8Array): Uint8Array;
  x25519?(privateKey: Uint8Array, peerPublic: Uint8Array): Uint8Array;
  /** Ed25519 (RFC 8032) with the 32-byte seed as the private key. */
  ed25519Sign?(seed: Uint8Array, publicKey: Uint8Array, data: Uint8Array): Uint8Array;
  ed25519Verify?(publicKey: Uint8Array, data: Uint8Array, signature: Uint8Array): boolean;
  /**
   * Diffie-Hellman modular exponentiation `base^exponent mod p` (base omitted = the generator 2),
   * or null when this provider does not know the prime: only the RFC 3526 MODP groups that SSH
   * uses as diffie-hellman-group14/16/18 (RFC 8268 §3), which OpenSSL recognises by name.
   */
  modpPow?(p: bigint, exponent: bigint, base?: bigint): bigint | null;
  /**
   * ECDH on a NIST curve (RFC 5656 §4): the uncompressed public point (0x04 || X || Y) of a private
   * scalar, and the x coordinate of privateKey·peerPublic (SSH's K). The engine checks the peer's
   * point before it calls `ecdh`.
   */
  ecdhPublicKey?(curve: EcdsaCurveName, privateKey: Uint8Array): Uint8Array;
  ecdh?(curve: EcdsaCurveName, privateKey: Uint8Array, peerPublic: Uint8Array): Uint8Array;
  /**
   * ECDSA (RFC 5656 §3.1.2) over `data` hashed with the curve's hash (§6.2.1); the signature as r || s,
   * each fieldBytes long. Signing must use RFC 6979 deterministic k so seeded sessions stay
   * reproducible (node:crypto's random k does not, so its provider only verifies).
   */
  ecdsaSign?(curve: EcdsaCurveName, privateScalar: Uint8Array, data: Uint8Array): Uint8Array;
  ecdsaVerify?(curve: EcdsaCurveName, publicPoint: Uint8Array, data: Uint8Array, signature: Uint8Array): boolean;
}

/** Key-exchange method families decide the message formats of ids 30–34 (RFC 4253 §8, RFC 5656 §4, RFC 4419). */
export type KexFamily = 'ecdh' | 'dh' | 'gex' | 'hybrid';

/** One side's state in an ephemeral-ephemeral exchange (ECDH, DH, hybrids). */
export interface KexClientState {
  /** What the client sends: Q_C (string) for ecdh/hybrid, e (mpint, as big-endian bytes) for dh. */
  clientPublic: Uint8Array;
  /** Given the server's value, computes the shared secret. Throws KexError on invalid input. */
  finish(serverPublic: Uint8Array): KexResult;
}

export interface KexResult {
  /** K exactly as it enters the exchange hash and the KDF: "mpint K" or "string K", with its length prefix. */
  encodedK: Uint8Array;
  /** The raw shared secret (for the Wireshark key log SHARED_SECRET line and the trace). */
  secret: Uint8Array;
  /** The ephemeral private key (for the key log PRIVATE_KEY line), when there is one. */
  privateKey?: Uint8Array;
  /** Steps worth drawing (for hybrids: both halves and the combiner). */
  trace?: { name: string; label: string; value: string }[];
}

export interface KexServerResult extends KexResult {
  /** What the server sends back: Q_S / f. */
  serverPublic: Uint8Array;
}

export class KexError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KexError';
  }
}

export interface KexSpec {
  name: string;
  family: KexFamily;
  hash: HashName;
  /** How K is encoded: mpint (classic, ECDH, curve25519) or string (the PQ hybrids). */
  kEncoding: 'mpint' | 'string';
  startClient(random: (n: number) => Uint8Array, provider?: CryptoProvider): KexClientState;
  respond(random: (n: number) => Uint8Array, clientPublic: Uint8Array, provider?: CryptoProvider): KexServerResult;
  /**
   * Group exchange only (RFC 4419): the server picks a group from its moduli table, then both sides
   * run Diffie-Hellman in it with the spec that `inGroup` returns (startClient/respond above are unused).
   */
  gex?: {
    /** Sizes in bits the client asks for, given how many bits of security the ciphers need (OpenSSH dh_estimate). */
    request(securityBits: number): { min: number; n: number; max: number };
    /** The server's pick for the client's request; null when none fits. */
    chooseGroup(min: number, n: number, max: number): { p: bigint; g: bigint } | null;
    inGroup(p: bigint, g: bigint): KexSpec;
  };
}

/** An ed25519 private key (RFC 8032 §5.1.5; OpenSSH PROTOCOL.key). */
export interface Ed25519PrivateKey {
  type: 'ssh-ed25519';
  /** 32-byte public key. */
  publicKey: Uint8Array;
  /** 32-byte seed (the RFC 8032 private key). */
  seed: Uint8Array;
  comment?: string;
}

export type EcdsaCurveName = 'nistp256' | 'nistp384' | 'nistp521';

/** An ECDSA private key (RFC 5656 §3.1; SEC1 §3.2.1: Q = d·G). */
export interface EcdsaPrivateKey {
  type: `ecdsa-sha2-${EcdsaCurveName}`;
  curve: EcdsaCurveName;
  /** Uncompressed public point 0x04 || X || Y (SEC1 §2.3.3). */
  Q: Uint8Array;
  /** The private scalar, 0 < d < n. */
  d: bigint;
  comment?: string;
}

/** An RSA private key as OpenSSH stores it (RFC 8017 §3.2; iqmp = q⁻¹ mod p). */
export interface RsaPrivateKey {
  type: 'ssh-rsa';
  n: bigint;
  e: bigint;
  d: bigint;
  iqmp: bigint;
  p: bigint;
  q: bigint;
  comment?: string;
}

/**
 * A private key held in memory. Structurally the same as engine/keys' SshPrivateKeyAny members
 * (SshEcdsaPrivateKey, SshRsaPrivateKey), so keys read from files can be handed to the engine as they are.
 */
export type SshPrivateKey = Ed25519PrivateKey | EcdsaPrivateKey | RsaPrivateKey;

/** A signature algorithm usable for host keys and user keys (RFC 4253 §6.6, RFC 8709, RFC 8332). */
export interface SignatureSpec {
  /** The algorithm name negotiated and carried in the signature blob, e.g. "ssh-ed25519", "rsa-sha2-256". */
  name: string;
  /** The key type named inside the public key blob, e.g. "ssh-ed25519", "ssh-rsa". */
  keyType: string;
  /** Returns the signature blob: string algorithm-name || string signature. */
  sign(key: SshPrivateKey, data: Uint8Array, provider?: CryptoProvider): Uint8Array;
  /** Verifies a signature blob over `data` with the public key blob. Never throws on malformed input. */
  verify(publicKeyBlob: Uint8Array, data: Uint8Array, signatureBlob: Uint8Array, provider?: CryptoProvider): boolean;
}
