// SSH message numbers and reason codes.
// RFC 4250 §4.1 (message numbers), RFC 4253 §12, RFC 4252 §6, RFC 4254 §9, RFC 4256 §5,
// RFC 4419 §5, RFC 5656 §7.1, RFC 8308 §2.3 and §3.2, OpenSSH PROTOCOL §1.9 (ping).

/**
 * Numeric message ids by short name (the RFC name without "SSH_MSG_"). Ids 30-49 and 60-79 are
 * reused by key-exchange families and authentication methods, so several names share an id.
 */
export const MSG = {
  // RFC 4253 §12 transport layer generic
  DISCONNECT: 1,
  IGNORE: 2,
  UNIMPLEMENTED: 3,
  DEBUG: 4,
  SERVICE_REQUEST: 5,
  SERVICE_ACCEPT: 6,
  // RFC 8308 §2.3, §3.2
  EXT_INFO: 7,
  NEWCOMPRESS: 8,
  // RFC 4253 §12 algorithm negotiation
  KEXINIT: 20,
  NEWKEYS: 21,
  // 30-49: key-exchange method specific
  KEX_ECDH_INIT: 30, // RFC 5656 §7.1, RFC 8731
  KEX_ECDH_REPLY: 31,
  KEX_HYBRID_INIT: 30, // sntrup761x25519 / mlkem768x25519 (same layout as ECDH)
  KEX_HYBRID_REPLY: 31,
  KEXDH_INIT: 30, // RFC 4253 §8
  KEXDH_REPLY: 31,
  KEX_DH_GEX_REQUEST_OLD: 30, // RFC 4419 §5
  KEX_DH_GEX_GROUP: 31,
  KEX_DH_GEX_INIT: 32,
  KEX_DH_GEX_REPLY: 33,
  KEX_DH_GEX_REQUEST: 34,
  // RFC 4252 §6 user authentication generic
  USERAUTH_REQUEST: 50,
  USERAUTH_FAILURE: 51,
  USERAUTH_SUCCESS: 52,
  USERAUTH_BANNER: 53,
  // 60-79: authentication method specific
  USERAUTH_PK_OK: 60, // RFC 4252 §7
  USERAUTH_PASSWD_CHANGEREQ: 60, // RFC 4252 §8
  USERAUTH_INFO_REQUEST: 60, // RFC 4256 §5
  USERAUTH_INFO_RESPONSE: 61,
  // RFC 4254 §9 connection protocol
  GLOBAL_REQUEST: 80,
  REQUEST_SUCCESS: 81,
  REQUEST_FAILURE: 82,
  CHANNEL_OPEN: 90,
  CHANNEL_OPEN_CONFIRMATION: 91,
  CHANNEL_OPEN_FAILURE: 92,
  CHANNEL_WINDOW_ADJUST: 93,
  CHANNEL_DATA: 94,
  CHANNEL_EXTENDED_DATA: 95,
  CHANNEL_EOF: 96,
  CHANNEL_CLOSE: 97,
  CHANNEL_REQUEST: 98,
  CHANNEL_SUCCESS: 99,
  CHANNEL_FAILURE: 100,
  // OpenSSH PROTOCOL §1.9 (ping@openssh.com)
  PING: 192,
  PONG: 193,
} as const;

export type MsgShortName = keyof typeof MSG;

/** SSH_MSG_DISCONNECT reason codes, RFC 4253 §11.1 (RFC 4250 §4.2.2). */
export const DISCONNECT_REASON = {
  HOST_NOT_ALLOWED_TO_CONNECT: 1,
  PROTOCOL_ERROR: 2,
  KEY_EXCHANGE_FAILED: 3,
  RESERVED: 4,
  MAC_ERROR: 5,
  COMPRESSION_ERROR: 6,
  SERVICE_NOT_AVAILABLE: 7,
  PROTOCOL_VERSION_NOT_SUPPORTED: 8,
  HOST_KEY_NOT_VERIFIABLE: 9,
  CONNECTION_LOST: 10,
  BY_APPLICATION: 11,
  TOO_MANY_CONNECTIONS: 12,
  AUTH_CANCELLED_BY_USER: 13,
  NO_MORE_AUTH_METHODS_AVAILABLE: 14,
  ILLEGAL_USER_NAME: 15,
} as const;

/** SSH_MSG_CHANNEL_OPEN_FAILURE reason codes, RFC 4254 §5.1 (RFC 4250 §4.3). */
export const OPEN_FAILURE_REASON: Readonly<Record<string, number>> = {
  ADMINISTRATIVELY_PROHIBITED: 1,
  CONNECT_FAILED: 2,
  UNKNOWN_CHANNEL_TYPE: 3,
  RESOURCE_SHORTAGE: 4,
};

/** SSH_MSG_CHANNEL_EXTENDED_DATA data type codes, RFC 4254 §5.2. */
export const EXTENDED_DATA = { STDERR: 1 } as const;

function reverse(table: Readonly<Record<string, number>>): Map<number, string> {
  return new Map(Object.entries(table).map(([k, v]) => [v, k]));
}
const disconnectNames = reverse(DISCONNECT_REASON);
const openFailureNames = reverse(OPEN_FAILURE_REASON);

/** "SSH_DISCONNECT_PROTOCOL_ERROR" for 2; "unknown reason 99" for codes outside RFC 4253 §11.1. */
export function disconnectReasonName(code: number): string {
  const n = disconnectNames.get(code);
  return n ? `SSH_DISCONNECT_${n}` : `unknown reason ${code}`;
}

/** "SSH_OPEN_CONNECT_FAILED" for 2; "unknown reason 9" for codes outside RFC 4254 §5.1. */
export function openFailureReasonName(code: number): string {
  const n = openFailureNames.get(code);
  return n ? `SSH_OPEN_${n}` : `unknown reason ${code}`;
}
