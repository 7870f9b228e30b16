// Configuration and commands of a sans-IO connection (DESIGN.md "Engine").

import type { Env } from '../env.ts';
import type { SshPrivateKey } from '../algorithms/types.ts';

/** Preference lists per KEXINIT category, most preferred first (RFC 4253 §7.1). */
export interface AlgorithmPrefs {
  kex: string[];
  hostKey: string[];
  cipher: string[];
  mac: string[];
  compression: string[];
  /** Signature algorithms we use for user keys (OpenSSH PubkeyAcceptedAlgorithms). */
  pubkey?: string[];
}

export interface CommonConfig {
  env?: Env;
  /** The software version part of our identification line: "SSH-2.0-<software>". */
  software?: string;
  algorithms?: Partial<AlgorithmPrefs>;
  /** Rekey after this many bytes in either direction (RFC 4253 §9 recommends 1 GiB). */
  rekeyBytes?: number;
  /** Build field trees for packet events (default true). Bulk transfers may turn this off. */
  trace?: boolean;
  /** Our initial channel window and maximum packet (RFC 4254 §5.1). */
  channelWindow?: number;
  channelMaxPacket?: number;
  /** Grant channel window only for data the application reports with 'consume' (back-pressure). */
  manualWindow?: boolean;
  /** Offer strict key exchange (OpenSSH PROTOCOL §1.10, the Terrapin fix). Default true. */
  strictKex?: boolean;
}

export interface ClientConfig extends CommonConfig {
  username: string;
  /** A password to try; when absent and the server allows password, a 'password' decision is asked. */
  password?: string;
  /** Keys to offer for publickey auth, in order. */
  keys?: SshPrivateKey[];
  /** Auth methods to try, in order of preference (default: publickey, password). */
  authMethods?: ('none' | 'publickey' | 'password')[];
  /**
   * Host-key policy. When absent, a 'host-key' decision is asked (answer true to accept).
   * A function returns the known_hosts verdict for this key.
   */
  hostKeyCheck?: (info: HostKeyInfo) => 'known' | 'unknown' | 'changed';
  /** With hostKeyCheck: accept an unknown key (trust on first use). A changed key is always refused. */
  acceptUnknownHostKey?: boolean;
  /** Send the first key exchange packet right after KEXINIT, guessing the method (RFC 4253 §7.1 first_kex_packet_follows). */
  guessFirstKexPacket?: boolean;
}

export interface HostKeyInfo {
  algorithm: string;
  /** The public key blob K_S. */
  blob: Uint8Array;
  /** "SHA256:…" */
  fingerprint: string;
}

export interface ServerUser {
  name: string;
  password?: string;
  /** authorized_keys text for this user. */
  authorizedKeys?: string;
}

export interface ServerConfig extends CommonConfig {
  hostKeys: SshPrivateKey[];
  users: ServerUser[];
  /** A banner sent before authentication (RFC 4252 §5.4). */
  banner?: string;
  /** Failed authentication attempts allowed before disconnecting (OpenSSH MaxAuthTries, default 6). */
  maxAuthTries?: number;
  /** The client's IP address, for authorized_keys from="…" (the TCP adapter knows it). */
  peerAddress?: string;
  /** Methods every user must complete, e.g. [['publickey','password']] for partial success. */
  requiredMethods?: string[][];
  /**
   * Which direct-tcpip destinations (ssh -L, RFC 4254 §7.2) a client may ask us to connect to, as
   * sshd's PermitOpen: 'any', 'none' (the default here: forwarding off), or "host:port" entries
   * ("*" as the port matches any). A permitted open is surfaced as a channel 'open-request' event;
   * the host program connects the target and answers with 'confirm-open' or 'refuse-open'.
   */
  permitOpen?: PermitOpen;
}

/** sshd PermitOpen (sshd_config(5)): where direct-tcpip channels may lead. */
export type PermitOpen = 'any' | 'none' | string[];

/** Things an application asks a connection to do. */
export type Command =
  | { type: 'open-session' }
  /** Client: open a direct-tcpip channel (ssh -L): the server connects host:port for us (RFC 4254 §7.2). */
  | { type: 'open-direct-tcpip'; host: string; port: number; originatorHost: string; originatorPort: number }
  /** Server: the target of a direct-tcpip 'open-request' is connected: confirm the channel (RFC 4254 §5.1). */
  | { type: 'confirm-open'; channel: number }
  /** Server: the target could not be reached (default reason 2, SSH_OPEN_CONNECT_FAILED, RFC 4254 §5.1). */
  | { type: 'refuse-open'; channel: number; reason?: number; description?: string }
  /** Server: change the PermitOpen policy at run time (until the connection passes ServerConfig.permitOpen down). */
  | { type: 'permit-open'; permit: PermitOpen }
  | { type: 'pty'; channel: number; term?: string; cols?: number; rows?: number; modes?: Uint8Array }
  | { type: 'env'; channel: number; name: string; value: string }
  | { type: 'shell'; channel: number }
  | { type: 'exec'; channel: number; command: string }
  | { type: 'subsystem'; channel: number; name: string }
  | { type: 'window-change'; channel: number; cols: number; rows: number }
  | { type: 'signal'; channel: number; signal: string }
  | { type: 'data'; channel: number; data: Uint8Array; stream?: 'stdout' | 'stderr' }
  | { type: 'eof'; channel: number }
  /** With manualWindow: the application has processed this many received bytes; window may be granted again. */
  | { type: 'consume'; channel: number; bytes: number }
  | { type: 'close'; channel: number }
  | { type: 'exit-status'; channel: number; status: number }
  | { type: 'exit-signal'; channel: number; signal: string; coreDumped?: boolean; message?: string }
  | { type: 'rekey' }
  | { type: 'ignore'; data?: Uint8Array }
  | { type: 'keepalive' }
  | { type: 'no-more-sessions' }
  | { type: 'disconnect'; reason?: number; description?: string };
