// engine/keys: OpenSSH key files and trust files (DESIGN.md "Layout"). Named re-exports only.

export { KeyFileError } from './errors.ts';
export type { KeyFileErrorCode, KeyFileErrorWhere } from './errors.ts';
export { base64Decode, base64Encode } from './base64.ts';
export {
  ECDSA_CURVES,
  PUBLIC_KEY_TYPES,
  ed25519PublicKeyBlob,
  encodePublicKeyBlob,
  formatPublicKeyLine,
  isPublicKeyType,
  keyBits,
  keyTypeLabel,
  parsePublicKeyBlob,
  parsePublicKeyLine,
  publicKeyBlobTree,
  publicKeyFileBytes,
  publicKeyFromParts,
} from './public-key.ts';
export type { EcdsaCurve, EcdsaKeyType, PublicKeyLine, SshPublicKey, SshPublicKeyParts, SshPublicKeyType } from './public-key.ts';
export { ecdsaFromScalar, ed25519FromSeed, privateKeyInconsistency, publicKeyOf, publicPartsOf } from './private-key-types.ts';
export type { SshEcdsaPrivateKey, SshEd25519PrivateKey, SshPrivateKeyAny, SshRsaPrivateKey } from './private-key-types.ts';
export {
  DEFAULT_KDF_ROUNDS,
  DEFAULT_KEY_CIPHER,
  armorOpenssh,
  decodeOpensshArmor,
  inspectOpensshPrivateKey,
  isOpensshPrivateKey,
  parseOpensshPrivateKey,
  parseOpensshPrivateKeyEd25519,
  readOpensshPrivateKey,
  writeOpensshPrivateKey,
} from './openssh-private-key.ts';
export type { OpensshKeyFile, OpensshPrivateKeyResult, ReadKeyOptions, WriteKeyOptions } from './openssh-private-key.ts';
export { KEY_CIPHERS, keyCipher } from './key-ciphers.ts';
export type { KeyCipher } from './key-ciphers.ts';
export { bcryptPbkdf } from './bcrypt-pbkdf.ts';
export { parsePkcs1, parsePkcs8, parsePrivateKeyFile, parseSec1, readPem, writePem, writePemPrivateKey } from './pem.ts';
export type { PemBlock } from './pem.ts';
export { generateKey, generateRsa } from './generate-key.ts';
export type { GenerateKeyOptions } from './generate-key.ts';
export { fingerprint, fingerprintDigest, fingerprintLine, fingerprintMd5, fingerprintSha256, keyRandomart } from './fingerprint.ts';
export type { FingerprintHash } from './fingerprint.ts';
export { bishopWalk, randomart } from './randomart.ts';
export type { BishopWalk, RandomartLabels } from './randomart.ts';
export { fingerprintKeyFile, readKeyFile } from './key-file.ts';
export type { KeyFileKey, KeyFileKind, KeyFileSummary } from './key-file.ts';
export { addrMatchList, matchHostAndIp, matchHostname, matchPattern, matchPatternList, parseCidr, parseIpAddress } from './host-pattern.ts';
export {
  entryMatchesName,
  formatHashedName,
  formatKnownHostsLine,
  hashHostName,
  knownHostsName,
  lookupHost,
  parseKnownHosts,
  parseKnownHostsFile,
} from './known-hosts.ts';
export type { FormatKnownHostsOptions, HostLookup, HostLookupResult, KnownHostsEntry, KnownHostsMarker, KnownHostsParse } from './known-hosts.ts';
export { findAuthorizedKey, formatAuthorizedKeyLine, parseAuthorizedKeyOptions, parseAuthorizedKeys, parseExpiryTime } from './authorized-keys.ts';
export type { AuthorizedKeyContext, AuthorizedKeyEntry, AuthorizedKeyMatch, AuthorizedKeyOption, AuthorizedKeyPolicy, AuthorizedKeysParse } from './authorized-keys.ts';
export { copyId } from './copy-id.ts';
export type { CopyIdResult } from './copy-id.ts';
