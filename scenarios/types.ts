// Teaching scenarios are DATA (DESIGN.md "Scenarios"): hosts with their users, passwords and
// algorithm preferences, a seed that makes every key and every byte reproducible, and steps
// with narration in English and 简体中文. scenarios/runner.ts drives the in-memory engines.

import type { AlgorithmPrefs } from '../engine/core/config.ts';

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
  strictKex?: boolean;
}

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

export type Step = KeygenStep | ConnectStep | CopyIdStep | AuthorizeStep | NewHostKeyStep | TrustMatrixStep | NoteStep;

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
