// The public API of the engine (named exports only). Platform-neutral: no DOM, no node: imports.

export { Connection, createClient, createServer, SOFTWARE_VERSION } from './core/connection.ts';
export type { AlgorithmPrefs, ClientConfig, Command, HostKeyInfo, ServerConfig, ServerUser } from './core/config.ts';
export { REASON, SshProtocolError } from './core/errors.ts';
export { pumpPair, type PumpResult } from './adapters/memory-pair.ts';
export { defaultEnv, seededEnv, type Env } from './env.ts';
export type { SshEvent, SshEventBody, FieldNode, NegotiationRow, KdfStep, Phase, Dir, Side, ChannelChange } from './events.ts';
export { DecodeError, Reader, Writer, toHex, fromHex } from './wire/codec.ts';
export { decodeMessage, encodeMessage, type SshMessage, type DecodeContext } from './wire/messages.ts';
export { MSG, DISCONNECT_REASON, disconnectReasonName } from './wire/message-ids.ts';
export { generateEd25519, ed25519FromSeed, publicKeyBlob, SIGNATURES } from './algorithms/signatures.ts';
export { CIPHERS } from './algorithms/ciphers.ts';
export { MACS } from './algorithms/macs.ts';
export { KEX } from './algorithms/kex.ts';
export { defaultAlgorithms } from './algorithms/defaults.ts';
export type { SshPrivateKey, CryptoProvider } from './algorithms/types.ts';
export { formatEvent } from './trace-text.ts';
export { analyzeCapture, readCaptureFile, parseKeylog, CaptureError, writeSessionPcapng, SessionRecorder, inspectJson, inspectText, type CaptureAnalysis, type SessionPcapngInput, type InspectJson } from './capture/index.ts';
export { parseOpensshPrivateKey, parsePrivateKeyFile, writeOpensshPrivateKey, generateKey, fingerprintSha256, fingerprintMd5, keyRandomart, parseKnownHosts, lookupHost, formatKnownHostsLine, parseAuthorizedKeys, findAuthorizedKey, copyId, KeyFileError } from './keys/index.ts';
