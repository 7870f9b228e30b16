// The algorithm tables and helpers in one import (DESIGN.md "Algorithms are tables").

export * from './types.ts';
export { hash, hmac, hmacKeyed, hashLen } from './hashes.ts';
export { CIPHERS, createSealer, createOpener, createNoneSealer, createNoneOpener, NONE_SEALER } from './ciphers.ts';
export { MACS } from './macs.ts';
export { KEX, LEGACY_KEX } from './kex.ts';
export { SIGNATURES, publicKeyBlob, generateEd25519, ed25519FromSeed, blobAlgorithm } from './signatures.ts';
export { deriveKeys, KEY_LETTERS, KEY_LABELS, type KeyLetter, type DerivedKeys } from './kdf.ts';
export { negotiate, guessMatches, chosenAlgorithms, failedRows, CATEGORIES, PSEUDO_KEX, type KexinitLists, type Negotiated, type Category } from './negotiate.ts';
export { defaultAlgorithms, resolveAlgorithms, DEFAULT_KEX, DEFAULT_HOST_KEY, DEFAULT_CIPHERS, DEFAULT_MACS, DEFAULT_COMPRESSION, DEFAULT_PUBKEY_ALGORITHMS } from './defaults.ts';
export { COMPRESSION, createCompressor, createDecompressor, type Compressor, type Decompressor } from './compression.ts';
export { userKeyAlgorithm, keyTypeOfAlgorithm } from './user-key-algorithm.ts';
export { generateEcdsa, ecdsaFromScalar } from './signatures-ecdsa.ts';
