// Runs a Scenario deterministically: every host key, user key, cookie, ephemeral key and padding
// byte comes from seededEnv(scenario.seed + a label), so the same scenario always produces the same
// event log. Files (~/.ssh/known_hosts, authorized_keys, id_*) live in memory and change only
// through what the steps really did on the wire.

import type { SshPrivateKey } from '../engine/algorithms/types.ts';
import type { ClientConfig, ServerConfig } from '../engine/core/config.ts';
import { seededEnv } from '../engine/env.ts';
import type { SshEvent } from '../engine/events.ts';
import { copyId } from '../engine/keys/copy-id.ts';
import { fingerprintLine, fingerprintSha256, keyRandomart } from '../engine/keys/fingerprint.ts';
import { generateKey } from '../engine/keys/generate-key.ts';
import { formatKnownHostsLine, lookupHost, parseKnownHosts } from '../engine/keys/known-hosts.ts';
import { publicKeyOf } from '../engine/keys/private-key-types.ts';
import { formatPublicKeyLine } from '../engine/keys/public-key.ts';
import { drive, type DriveResult } from './drive.ts';
import type { Account, AuthMethod, ConnectStep, CopyIdStep, HostSpec, Lang, Scenario, Step, Text } from './types.ts';

/** An identity file pair ~/.ssh/id_TYPE and id_TYPE.pub. */
export interface Identity {
  file: string;
  key: SshPrivateKey;
  /** The .pub line: "ssh-ed25519 AAAA… user@host". */
  publicLine: string;
}

export interface UserFiles {
  password?: string;
  authorizedKeys: string;
  knownHosts: string;
  identities: Identity[];
}

export interface HostState {
  spec: HostSpec;
  address: string;
  port: number;
  hostKey: SshPrivateKey;
  hostKeyGeneration: number;
  users: Map<string, UserFiles>;
}

export interface TrustCell {
  from: string;
  to: string;
  ok: boolean;
  /** Why a login failed: 'host-key' (not in known_hosts), 'publickey' (no authorized key), or the error. */
  why?: string;
}

export interface StepResult {
  index: number;
  do: Step['do'];
  ok: boolean;
  asExpected: boolean;
  /** Result lines shown after the narration. */
  report: Text[];
  events: SshEvent[];
  login?: DriveResult;
  /** The known_hosts line written by trust on first use. */
  knownHostsAdded?: string;
  /** The authorized_keys line added by ssh-copy-id. */
  authorizedKeysAdded?: string;
  /** keygen: the new key. */
  identity?: Identity;
  fingerprint?: string;
  randomart?: string;
  matrix?: TrustCell[];
}

/** An engine event tagged with the step and the connection (seq restarts per connection). */
export type ScenarioEvent = SshEvent & { step: number; conn: number };

export interface ScenarioOutcome {
  /** Every step with an `expect` behaved as the scenario claims. */
  asExpected: boolean;
  steps: StepResult[];
  hosts: Map<string, HostState>;
}

export interface ScenarioRun {
  events: ScenarioEvent[];
  narration: string[];
  outcome: ScenarioOutcome;
}

const t = (en: string, zh: string): Text => ({ en, zh });

function hostKeyFor(seed: string, host: string, generation: number): SshPrivateKey {
  const env = seededEnv(`${seed}/hostkey/${host}/${generation}`);
  return generateKey({ type: 'ed25519', comment: `root@${host}`, random: (n) => env.randomBytes(n) });
}

export function initialHosts(s: Scenario): Map<string, HostState> {
  const hosts = new Map<string, HostState>();
  for (const spec of s.hosts) {
    const users = new Map<string, UserFiles>();
    for (const u of spec.users) {
      const files: UserFiles = { authorizedKeys: u.authorizedKeys ?? '', knownHosts: u.knownHosts ?? '', identities: [] };
      if (u.password !== undefined) files.password = u.password;
      users.set(u.name, files);
    }
    hosts.set(spec.name, { spec, address: spec.address ?? spec.name, port: spec.port ?? 22, hostKey: hostKeyFor(s.seed, spec.name, 0), hostKeyGeneration: 0, users });
  }
  return hosts;
}

function account(hosts: Map<string, HostState>, a: Account): { host: HostState; files: UserFiles } {
  const host = hosts.get(a.host);
  if (!host) throw new Error(`scenario: no host ${a.host}`);
  const files = host.users.get(a.user);
  if (!files) throw new Error(`scenario: no user ${a.user} on ${a.host}`);
  return { host, files };
}

interface LoginSpec {
  from: Account;
  to: Account;
  command: string;
  input?: Uint8Array;
  auth?: AuthMethod[];
  passwords?: string[];
  hostKeyAnswer?: 'yes' | 'no';
  algorithms?: ConnectStep['algorithms'];
  tamper?: boolean;
}

interface Login {
  result: DriveResult;
  knownHostsAdded?: string;
  hostKeyVerdict?: string;
  closedReason?: number;
  error?: string;
}

function login(s: Scenario, hosts: Map<string, HostState>, spec: LoginSpec, label: string): Login {
  const src = account(hosts, spec.from);
  const dst = account(hosts, spec.to);
  const h = dst.host;
  const serverCfg: ServerConfig = {
    env: seededEnv(`${s.seed}/${label}/server`),
    hostKeys: [h.hostKey],
    users: [...h.users].map(([name, f]) => ({ name, authorizedKeys: f.authorizedKeys, ...(f.password !== undefined ? { password: f.password } : {}) })),
  };
  if (h.spec.algorithms) serverCfg.algorithms = h.spec.algorithms;
  if (h.spec.banner !== undefined) serverCfg.banner = h.spec.banner;
  if (h.spec.maxAuthTries !== undefined) serverCfg.maxAuthTries = h.spec.maxAuthTries;
  if (h.spec.requiredMethods) serverCfg.requiredMethods = h.spec.requiredMethods;
  if (h.spec.strictKex !== undefined) serverCfg.strictKex = h.spec.strictKex;
  const keys = src.files.identities.map((i) => i.key);
  const clientCfg: ClientConfig = {
    env: seededEnv(`${s.seed}/${label}/client`),
    username: spec.to.user,
    keys,
    authMethods: spec.auth ?? (keys.length ? ['publickey', 'password'] : ['password']),
    // ssh(1) VERIFYING HOST KEYS: look the key up in the user's known_hosts (a @revoked key counts as changed).
    hostKeyCheck: (info) => {
      const r = lookupHost(parseKnownHosts(src.files.knownHosts), h.address, h.port, info.blob).result;
      return r === 'revoked' ? 'changed' : r;
    },
    acceptUnknownHostKey: (spec.hostKeyAnswer ?? 'yes') === 'yes',
  };
  if (spec.algorithms) clientCfg.algorithms = spec.algorithms;
  const result = drive({ client: clientCfg, server: serverCfg, command: spec.command, ...(spec.input ? { input: spec.input } : {}), passwords: spec.passwords ?? [], tamper: !!spec.tamper });
  const out: Login = { result };
  const checks = result.events.filter((e) => e.type === 'host-key-check' && e.side === 'client') as Extract<SshEvent, { type: 'host-key-check' }>[];
  out.hostKeyVerdict = checks[0]?.result;
  // Trust on first use: ssh writes the line once the user said yes (ssh(1) StrictHostKeyChecking=ask).
  if (checks[0]?.result === 'unknown' && !checks.some((c) => c.result === 'rejected')) {
    const line = formatKnownHostsLine(h.address, h.port, publicKeyOf(h.hostKey).blob);
    const kh = src.files.knownHosts;
    src.files.knownHosts = `${kh}${kh && !kh.endsWith('\n') ? '\n' : ''}${line}\n`;
    out.knownHostsAdded = line;
  }
  const closed = result.events.find((e) => e.type === 'closed') as Extract<SshEvent, { type: 'closed' }> | undefined;
  if (closed?.reason !== undefined) out.closedReason = closed.reason;
  const err = result.events.find((e) => e.type === 'error') as Extract<SshEvent, { type: 'error' }> | undefined;
  if (err) out.error = err.message;
  return out;
}

function loginReport(spec: LoginSpec, l: Login): Text[] {
  const r: Text[] = [];
  const cmd = `$ ssh ${spec.to.user}@${spec.to.host} '${spec.command}'   (${spec.from.user}@${spec.from.host})`;
  r.push(t(cmd, cmd));
  if (l.hostKeyVerdict === 'unknown' && l.knownHostsAdded) r.push(t(`host key unknown → answered yes → known_hosts += ${l.knownHostsAdded.slice(0, 60)}…`, `主机密钥未知 → 回答 yes → known_hosts 新增 ${l.knownHostsAdded.slice(0, 60)}…`));
  else if (l.hostKeyVerdict === 'unknown') r.push(t('host key unknown → answered no → connection refused', '主机密钥未知 → 回答 no → 拒绝连接'));
  else if (l.hostKeyVerdict === 'changed') r.push(t('REMOTE HOST IDENTIFICATION HAS CHANGED → connection refused', '远程主机标识已改变 → 拒绝连接'));
  else if (l.hostKeyVerdict === 'known') r.push(t('host key matches known_hosts', '主机密钥与 known_hosts 一致'));
  for (const e of l.result.events) {
    if (e.side !== 'client') continue;
    if (e.type === 'auth' && e.result !== 'attempt') {
      const cont = e.continue ? ` (${e.continue.join(',')})` : '';
      r.push(t(`auth ${e.method}: ${e.result}${cont}`, `认证 ${e.method}：${{ success: '成功', failure: '失败', partial: '部分成功', 'pk-ok': '服务器接受此公钥 (PK_OK)' }[e.result]}${cont}`));
    }
    if (e.type === 'banner') r.push(t(`banner: ${e.message.trim()}`, `登录横幅：${e.message.trim()}`));
  }
  if (l.result.authenticated) r.push(t(`logged in; output ${JSON.stringify(l.result.stdout)}, exit status ${l.result.exitStatus}`, `登录成功；输出 ${JSON.stringify(l.result.stdout)}，退出码 ${l.result.exitStatus}`));
  else r.push(t(`not logged in${l.error ? `: ${l.error}` : ''}${l.closedReason !== undefined ? ` (disconnect reason ${l.closedReason})` : ''}`, `未登录${l.error ? `：${l.error}` : ''}${l.closedReason !== undefined ? `（断开原因码 ${l.closedReason}）` : ''}`));
  return r;
}

const COPY_ID_COMMAND = 'umask 077; mkdir -p .ssh && cat >> .ssh/authorized_keys';

function runStep(s: Scenario, hosts: Map<string, HostState>, step: Step, index: number, conn: () => number, events: ScenarioEvent[]): StepResult {
  const res: StepResult = { index, do: step.do, ok: true, asExpected: true, report: [], events: [] };
  const collect = (list: SshEvent[]) => {
    const c = conn();
    for (const e of list) events.push({ ...e, step: index, conn: c });
    res.events.push(...list);
  };
  switch (step.do) {
    case 'note':
      break;
    case 'keygen': {
      const { host, files } = account(hosts, step.on);
      const type = step.type ?? 'ed25519';
      const env = seededEnv(`${s.seed}/keygen/${step.on.host}/${step.on.user}/${index}`);
      const comment = step.comment ?? `${step.on.user}@${host.spec.name}`;
      const key = generateKey({ type, comment, random: (n) => env.randomBytes(n) });
      const pub = publicKeyOf(key);
      const identity: Identity = { file: `~/.ssh/id_${type}`, key, publicLine: formatPublicKeyLine(pub, comment) };
      files.identities = [identity, ...files.identities.filter((i) => i.file !== identity.file)];
      res.identity = identity;
      res.fingerprint = fingerprintSha256(pub.blob);
      res.randomart = keyRandomart(pub);
      const fp = fingerprintLine(pub, comment);
      res.report.push(t(`$ ssh-keygen -t ${type}   (${step.on.user}@${step.on.host})`, `$ ssh-keygen -t ${type}   （${step.on.user}@${step.on.host}）`));
      res.report.push(t(`Your public key has been saved in ${identity.file}.pub`, `公钥已保存到 ${identity.file}.pub`));
      res.report.push(t(`The key fingerprint is: ${fp}`, `密钥指纹：${fp}`));
      res.report.push(t(res.randomart, res.randomart));
      break;
    }
    case 'authorize': {
      const id = account(hosts, step.from).files.identities[0];
      if (!id) throw new Error(`scenario: ${step.from.user}@${step.from.host} has no key`);
      const dst = account(hosts, step.to);
      const c = copyId(dst.files.authorizedKeys, id.publicLine);
      dst.files.authorizedKeys = c.text;
      res.ok = c.added;
      if (c.added) res.authorizedKeysAdded = id.publicLine;
      const line = `${step.to.user}@${step.to.host}:~/.ssh/authorized_keys += ${id.publicLine.slice(0, 60)}…`;
      res.report.push(t(line, line));
      break;
    }
    case 'new-host-key': {
      const h = hosts.get(step.host);
      if (!h) throw new Error(`scenario: no host ${step.host}`);
      h.hostKeyGeneration++;
      h.hostKey = hostKeyFor(s.seed, h.spec.name, h.hostKeyGeneration);
      const fp = fingerprintSha256(publicKeyOf(h.hostKey).blob);
      res.fingerprint = fp;
      res.report.push(t(`${step.host} now has host key ${fp}`, `${step.host} 的主机密钥现在是 ${fp}`));
      break;
    }
    case 'connect': {
      const spec: LoginSpec = { ...step, command: step.command ?? 'echo hello' };
      const l = login(s, hosts, spec, `step${index}`);
      collect(l.result.events);
      res.login = l.result;
      res.ok = l.result.authenticated;
      if (l.knownHostsAdded) res.knownHostsAdded = l.knownHostsAdded;
      res.report.push(...loginReport(spec, l));
      if (step.tamper && l.result.tamperedAt !== null) res.report.splice(1, 0, t(`one byte flipped on the wire at offset ${l.result.tamperedAt} of a client packet`, `在客户端某个数据包的第 ${l.result.tamperedAt} 字节处翻转了一位`));
      break;
    }
    case 'copy-id':
      copyIdStep(s, hosts, step, index, res, collect);
      break;
    case 'trust-matrix': {
      res.matrix = [];
      for (const a of step.hosts) {
        for (const b of step.hosts) {
          if (a === b) continue;
          const spec: LoginSpec = { from: { host: a, user: step.user }, to: { host: b, user: step.user }, command: 'echo ok', auth: ['publickey'], passwords: [], hostKeyAnswer: 'no' };
          const l = login(s, hosts, spec, `step${index}/${a}-${b}`);
          collect(l.result.events);
          const cell: TrustCell = { from: a, to: b, ok: l.result.authenticated };
          if (!cell.ok) {
            const authFailed = l.result.events.some((e) => e.type === 'auth' && e.side === 'client' && e.result === 'failure' && e.method === 'publickey');
            cell.why = l.hostKeyVerdict === 'unknown' || l.hostKeyVerdict === 'changed' ? 'host-key' : authFailed || l.closedReason === 14 ? 'publickey' : (l.error ?? 'failed');
          }
          res.matrix.push(cell);
        }
      }
      res.ok = res.matrix.every((c) => c.ok);
      res.report.push(...formatMatrix(step.hosts, res.matrix));
      break;
    }
  }
  if (step.expect) res.asExpected = (step.expect === 'success') === res.ok;
  return res;
}

function copyIdStep(s: Scenario, hosts: Map<string, HostState>, step: CopyIdStep, index: number, res: StepResult, collect: (l: SshEvent[]) => void): void {
  const src = account(hosts, step.from);
  const id = src.files.identities[0];
  const head = `$ ssh-copy-id ${step.to.user}@${step.to.host}   (${step.from.user}@${step.from.host})`;
  res.report.push(t(head, head));
  if (!id) {
    res.ok = false;
    res.report.push(t('ERROR: No identities found (run ssh-keygen first)', '错误：没有找到密钥（先运行 ssh-keygen）'));
    return;
  }
  // ssh-copy-id logs in with a password and pipes the .pub line into `cat >> .ssh/authorized_keys`.
  const spec: LoginSpec = { from: step.from, to: step.to, command: COPY_ID_COMMAND, input: new TextEncoder().encode(`${id.publicLine}\n`), auth: ['password'], passwords: step.passwords ?? [], hostKeyAnswer: step.hostKeyAnswer ?? 'yes' };
  const l = login(s, hosts, spec, `step${index}`);
  collect(l.result.events);
  res.login = l.result;
  if (l.knownHostsAdded) res.knownHostsAdded = l.knownHostsAdded;
  res.report.push(...loginReport(spec, l).slice(1));
  res.ok = l.result.authenticated && l.result.exitStatus === 0;
  if (!res.ok) return;
  // What arrived over the channel is what gets appended — the server's file changes only through the wire.
  const dst = account(hosts, step.to);
  const received = new TextDecoder().decode(l.result.appended);
  const c = copyId(dst.files.authorizedKeys, received);
  dst.files.authorizedKeys = c.text;
  if (c.added) res.authorizedKeysAdded = received.replace(/\n$/, '');
  res.report.push(c.added ? t(`Number of key(s) added: 1 → ${step.to.user}@${step.to.host}:~/.ssh/authorized_keys`, `已添加 1 个密钥 → ${step.to.user}@${step.to.host}:~/.ssh/authorized_keys`) : t(`key not added: ${c.reason}`, `未添加：密钥已存在`));
}

function formatMatrix(names: string[], m: TrustCell[]): Text[] {
  const cell = (a: string, b: string) => {
    if (a === b) return '-';
    const c = m.find((x) => x.from === a && x.to === b)!;
    return c.ok ? 'ok' : `x (${c.why ?? '?'})`;
  };
  const w = Math.max(8, ...names.map((n) => n.length + 2), ...m.map((c) => cell(c.from, c.to).length + 2));
  const pad = (x: string) => x.padEnd(w);
  const rows = [(pad('from\\to') + names.map(pad).join('')).trimEnd()];
  for (const a of names) rows.push((pad(a) + names.map((b) => pad(cell(a, b))).join('')).trimEnd());
  const text = rows.join('\n');
  return [t(text, text.replace('from\\to', '从\\到'))];
}

/** Runs every step of a scenario; never throws for protocol failures (they are what some scenarios teach). */
export function runScenario(s: Scenario, opts: { lang?: Lang } = {}): ScenarioRun {
  const lang = opts.lang ?? 'en';
  const hosts = initialHosts(s);
  const events: ScenarioEvent[] = [];
  const steps: StepResult[] = [];
  const narration: string[] = [];
  let conns = 0;
  s.steps.forEach((step, i) => {
    const r = runStep(s, hosts, step, i, () => conns++, events);
    steps.push(r);
    narration.push([`${i + 1}. ${step.narration[lang]}`, ...r.report.map((x) => indent(x[lang]))].join('\n'));
  });
  return { events, narration, outcome: { asExpected: steps.every((r) => r.asExpected), steps, hosts } };
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `   ${l}`)
    .join('\n');
}
