// Teaching scenarios are DATA (DESIGN.md "Scenarios"): hosts with their users, passwords and
// algorithm preferences, a seed that makes every key and every byte reproducible, and steps
// with narration in English and 简体中文. scenarios/runner.ts drives the in-memory engines.

import type { AlgorithmPrefs, PermitOpen } from '../engine/core/config.ts';

/** Text in both teaching languages. */
export interface Text {
  en: string;
  zh: string;
}

export type Lang = keyof Text;

/** An account on a host: its login password and the files under ~/.ssh. */
export interface UserSpec {
  name: string;
  password?: string;
  /** Initial ~/.ssh/authorized_keys text (RFC 4252 §7 publickey is checked against it, sshd(8) AUTHORIZED_KEYS FILE FORMAT). */
  authorizedKeys?: string;
  /** Initial ~/.ssh/known_hosts text (ssh(1) VERIFYING HOST KEYS). */
  knownHosts?: string;
}

/** A machine in the story: it runs sshd (a server engine) and its users run ssh (client engines). */
export interface HostSpec {
  name: string;
  /** The name clients dial and record in known_hosts (default: name). */
  address?: string;
  /** Default 22. */
  port?: number;
  users: UserSpec[];
  /** sshd's algorithm preferences (RFC 4253 §7.1). */
  algorithms?: Partial<AlgorithmPrefs>;
  /** sshd Banner (RFC 4252 §5.4). */
  banner?: string;
  /** sshd MaxAuthTries. */
  maxAuthTries?: number;
  /** sshd AuthenticationMethods, e.g. [['publickey','password']] (RFC 4252 §5.1 partial success). */
  requiredMethods?: string[][];
  /** Offer strict KEX, kex-strict-s-v00@openssh.com (OpenSSH PROTOCOL §1.10). Default true. */
  strictKex?: boolean;
  /** sshd PermitOpen: where direct-tcpip channels (ssh -L) may lead (RFC 4254 §7.2). Default 'none'. */
  permitOpen?: PermitOpen;
  /**
   * Sessions run in the pretend shell of `sshscope serve` (cli/virtual-shell.ts: `;`, `exit N`, a
   * line discipline with a pty). Default: a minimal responder (echo, exit N, cat >> FILE).
   */
  virtualShell?: boolean;
  /** TCP services this host can reach, by "host:port" (the targets of port forwarding). */
  services?: Record<string, ServiceSpec>;
}

/** A small TCP service inside the scenario: an echo service, or a one-page HTTP server. */
export type ServiceSpec = { kind: 'echo' } | { kind: 'http'; body: string };

/** user@host */
export interface Account {
  host: string;
  user: string;
}

export type AuthMethod = 'none' | 'publickey' | 'password';

interface StepBase {
  narration: Text;
  /** SSH message names the viewer should point at in this step (a test checks each one occurs). */
  highlight?: string[];
  /** What the scenario claims this step does; the runner reports whether it did (outcome.asExpected). */
  expect?: 'success' | 'failure';
}

/** `ssh-keygen -t TYPE` run by user@host: the key lands in ~/.ssh/id_TYPE(.pub). */
export interface KeygenStep extends StepBase {
  do: 'keygen';
  on: Account;
  type?: 'ed25519' | 'ecdsa';
  comment?: string;
}

/** `ssh to.user@to.host CMD` run by from.user on from.host. */
export interface ConnectStep extends StepBase {
  do: 'connect';
  from: Account;
  to: Account;
  /** Default 'echo hello'. */
  command?: string;
  /** Client PreferredAuthentications (default: publickey when the user has keys, then password). */
  auth?: AuthMethod[];
  /** What the user types at each password prompt, in order (the engine asks at most three times). */
  passwords?: string[];
  /** The answer to "Are you sure you want to continue connecting (yes/no)?" for an unknown host key. Default 'yes'. */
  hostKeyAnswer?: 'yes' | 'no';
  /** The client's algorithm preferences (RFC 4253 §7.1). */
  algorithms?: Partial<AlgorithmPrefs>;
  /** Flip one byte of the first encrypted client packet on the wire (RFC 4253 §6.4 MAC). */
  tamper?: boolean;
  /** The client offers strict KEX (OpenSSH PROTOCOL §1.10). Default true. */
  strictKex?: boolean;
  /**
   * A man in the middle runs the Terrapin attack (CVE-2023-48795): injects SSH_MSG_IGNORE before the
   * server's NEWKEYS and deletes the server's first encrypted packet.
   */
  mitm?: 'terrapin';
  /** Report what an eavesdropper on the wire and what the server itself learn from the authentication. */
  reveal?: boolean;
  /** Report K, H, the session identifier and the six derived keys (RFC 4253 §7.2). */
  showKeys?: boolean;
  /** Ask for a pty first (RFC 4254 §6.2): what `ssh -t`, or `ssh host` from a terminal, does. */
  tty?: boolean;
  /** Ask for the user's shell instead of running `command` (RFC 4254 §6.5): `ssh host` without a command. */
  shell?: boolean;
  /**
   * What ssh reads from its standard input (keystrokes, or a pipe) and sends as channel data after
   * the request, then EOF. One character per byte (code points 0–255), so binary data can be written
   * as "\x00…". With `tty`, `shell` or `stdin`, the server answers with the pretend shell of
   * `sshscope serve`.
   */
  stdin?: string;
}

/**
 * A malicious server replays the signed publickey USERAUTH_REQUEST it received in step `of`
 * (0-based) to the real server `to`, in a new connection of its own (RFC 4252 §7, §11).
 */
export interface ReplayStep extends StepBase {
  do: 'replay';
  of: number;
  from: Account;
  to: Account;
}

/**
 * `ssh -L LOCAL:target.host:target.port to.user@to.host`, then one client connects to LOCAL and
 * sends `send`: a direct-tcpip channel (RFC 4254 §7.2) through which the bytes travel.
 */
export interface ForwardStep extends StepBase {
  do: 'forward';
  from: Account;
  to: Account;
  localPort: number;
  target: { host: string; port: number };
  send: string;
  passwords?: string[];
}

/** `ssh-copy-id to.user@to.host` run by from.user on from.host: password login, key line appended. */
export interface CopyIdStep extends StepBase {
  do: 'copy-id';
  from: Account;
  to: Account;
  passwords?: string[];
  hostKeyAnswer?: 'yes' | 'no';
}

/** An administrator appends from's public key to to's authorized_keys by hand (no network). */
export interface AuthorizeStep extends StepBase {
  do: 'authorize';
  from: Account;
  to: Account;
}

/** The host gets a new host key (reinstall, or an attacker in the middle). */
export interface NewHostKeyStep extends StepBase {
  do: 'new-host-key';
  host: string;
}

/** Attempt a key-only, non-interactive login (like ssh -o BatchMode=yes) between every pair of hosts. */
export interface TrustMatrixStep extends StepBase {
  do: 'trust-matrix';
  hosts: string[];
  user: string;
}

/** Narration only. */
export interface NoteStep extends StepBase {
  do: 'note';
}

export type Step = KeygenStep | ConnectStep | CopyIdStep | AuthorizeStep | NewHostKeyStep | TrustMatrixStep | ReplayStep | ForwardStep | NoteStep;

export interface Scenario {
  /** Short kebab-case id used on the command line. */
  id: string;
  title: Text;
  summary: Text;
  /** Sections this scenario teaches, e.g. 'RFC 4253 §7.1'. */
  rfc: string[];
  seed: string;
  hosts: HostSpec[];
  steps: Step[];
}
