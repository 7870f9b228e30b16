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
import { InterceptedPair, TAKEOVER_CIPHER } from '../engine/core/hostile-helpers.ts';
import { toHex } from '../engine/wire/codec.ts';
import { drive, type DriveResult } from './drive.ts';
import { authRequests, containsBytes, parseAuthRequest } from './auth-view.ts';
import type { Account, AuthMethod, ConnectStep, CopyIdStep, ForwardStep, HostSpec, Lang, ReplayStep, Scenario, Step, Text } from './types.ts';

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
  /** replay: whether the server accepted the replayed signature, and both session ids (hex). */
  replay?: { accepted: boolean; originalSessionId: string; newSessionId: string };
}

/** An engine event tagged with the step and the connection (seq restarts per connection). */
export type ScenarioEvent = SshEvent & { step: number; conn: number };

/** One connection of a scenario: who connected where, and the files as they were when it ran. */
export interface ConnectionInfo {
  conn: number;
  step: number;
  from: Account;
  to: Account;
  /** The client user's ~/.ssh/known_hosts after this connection (including a line TOFU added). */
  knownHosts: string;
  /** The server user's ~/.ssh/authorized_keys as the server read it. */
  authorizedKeys: string;
  /** The client's first identity's .pub line, if any. */
  clientPublicKey: string | null;
  /** The server's host public key line "type base64 comment". */
  hostPublicKey: string;
}

export interface ScenarioOutcome {
  /** Every step with an `expect` behaved as the scenario claims. */
  asExpected: boolean;
  steps: StepResult[];
  hosts: Map<string, HostState>;
}

export interface ScenarioRun {
  events: ScenarioEvent[];
  connections: ConnectionInfo[];
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
  strictKex?: boolean;
  mitm?: 'terrapin';
  forward?: { host: string; port: number; localPort: number; send: string };
  tty?: boolean;
  shell?: boolean;
  stdin?: string;
}

interface Login {
  result: DriveResult;
  files: Omit<ConnectionInfo, 'conn' | 'step'>;
  knownHostsAdded?: string;
  hostKeyVerdict?: string;
  closedReason?: number;
  error?: string;
}

function serverConfig(s: Scenario, h: HostState, label: string): ServerConfig {
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
  if (h.spec.permitOpen !== undefined) serverCfg.permitOpen = h.spec.permitOpen;
  return serverCfg;
}

function login(s: Scenario, hosts: Map<string, HostState>, spec: LoginSpec, label: string): Login {
  const src = account(hosts, spec.from);
  const dst = account(hosts, spec.to);
  const h = dst.host;
  const serverCfg = serverConfig(s, h, label);
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
  if (spec.strictKex !== undefined) clientCfg.strictKex = spec.strictKex;
  const f = spec.forward;
  const result = drive({
    client: clientCfg,
    server: serverCfg,
    command: spec.command,
    ...(spec.input ? { input: spec.input } : spec.stdin !== undefined ? { input: latin1Bytes(spec.stdin) } : {}),
    ...(spec.tty ? { tty: true } : {}),
    ...(spec.shell ? { shell: true } : {}),
    ...(h.spec.virtualShell || spec.tty || spec.shell || spec.stdin !== undefined ? { virtualShell: true } : {}),
    passwords: spec.passwords ?? [],
    tamper: !!spec.tamper,
    ...(spec.mitm ? { mitm: spec.mitm } : {}),
    ...(f ? { forward: { host: f.host, port: f.port, originatorHost: '127.0.0.1', originatorPort: 40000 + f.localPort, send: new TextEncoder().encode(f.send) } } : {}),
    ...(h.spec.permitOpen !== undefined ? { permitOpen: h.spec.permitOpen } : {}),
    ...(h.spec.services ? { services: h.spec.services } : {}),
  });
  const out: Login = {
    result,
    files: {
      from: spec.from,
      to: spec.to,
      knownHosts: '',
      authorizedKeys: dst.files.authorizedKeys,
      clientPublicKey: src.files.identities[0]?.publicLine ?? null,
      hostPublicKey: formatPublicKeyLine(publicKeyOf(h.hostKey), `root@${h.spec.name}`),
    },
  };
  const checks = result.events.filter((e) => e.type === 'host-key-check' && e.side === 'client') as Extract<SshEvent, { type: 'host-key-check' }>[];
  out.hostKeyVerdict = checks[0]?.result;
  // Trust on first use: ssh writes the line once the user said yes (ssh(1) StrictHostKeyChecking=ask).
  if (checks[0]?.result === 'unknown' && !checks.some((c) => c.result === 'rejected')) {
    const line = formatKnownHostsLine(h.address, h.port, publicKeyOf(h.hostKey).blob);
    const kh = src.files.knownHosts;
    src.files.knownHosts = `${kh}${kh && !kh.endsWith('\n') ? '\n' : ''}${line}\n`;
    out.knownHostsAdded = line;
  }
  out.files.knownHosts = src.files.knownHosts;
  const closed = result.events.find((e) => e.type === 'closed') as Extract<SshEvent, { type: 'closed' }> | undefined;
  if (closed?.reason !== undefined) out.closedReason = closed.reason;
  const err = result.events.find((e) => e.type === 'error') as Extract<SshEvent, { type: 'error' }> | undefined;
  if (err) out.error = err.message;
  return out;
}

function loginReport(spec: LoginSpec, l: Login): Text[] {
  const r: Text[] = [];
  const f = spec.forward;
  const cmd = f ? `$ ssh -N -L ${f.localPort}:${f.host}:${f.port} ${spec.to.user}@${spec.to.host}   (${spec.from.user}@${spec.from.host})` : `$ ${sshCommandLine(spec)}   (${spec.from.user}@${spec.from.host})`;
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
  if (l.result.authenticated && f) r.push(t('logged in; ssh listens on 127.0.0.1:' + f.localPort, `登录成功；ssh 在 127.0.0.1:${f.localPort} 上监听`));
  else if (l.result.authenticated) {
    r.push(t(`logged in; output ${JSON.stringify(l.result.stdout)}, exit status ${l.result.exitStatus}`, `登录成功；输出 ${JSON.stringify(l.result.stdout)}，退出码 ${l.result.exitStatus}`));
    if (spec.stdin !== undefined && !spec.shell) r.push(...stdinReport(latin1Bytes(spec.stdin), l.result.stdoutBytes, !!spec.tty));
  }
  else r.push(t(`not logged in${l.error ? `: ${l.error}` : ''}${l.closedReason !== undefined ? ` (disconnect reason ${l.closedReason})` : ''}`, `未登录${l.error ? `：${l.error}` : ''}${l.closedReason !== undefined ? `（断开原因码 ${l.closedReason}）` : ''}`));
  return r;
}

/** One byte per character (code points 0–255): how scenarios write binary stdin. */
function latin1Bytes(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0) & 0xff);
}

/** The ssh(1) command line a connect step stands for: -t / -T only where they change what ssh does. */
function sshCommandLine(spec: LoginSpec): string {
  const target = `${spec.to.user}@${spec.to.host}`;
  const input = spec.stdin !== undefined && !spec.tty ? `printf '${[...spec.stdin].map((c) => (c >= ' ' && c <= '~' && c !== "'" && c !== '\\' ? c : `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`)).join('')}' | ` : '';
  if (spec.shell) return `${input}ssh ${spec.tty ? '' : '-T '}${target}`;
  return `${input}ssh ${spec.tty ? '-t ' : ''}${target} '${spec.command}'`;
}

/** What went in on stdin and what came back on stdout, byte for byte (a pty's line discipline changes it). */
function stdinReport(sent: Uint8Array, received: Uint8Array, tty: boolean): Text[] {
  const show = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, '0')).join(' ');
  const same = sent.length === received.length && sent.every((x, i) => received[i] === x);
  const r = [t(`stdin  (${sent.length} bytes): ${show(sent)}`, `标准输入（${sent.length} 字节）：${show(sent)}`), t(`stdout (${received.length} bytes): ${show(received)}`, `标准输出（${received.length} 字节）：${show(received)}`)];
  if (same) r.push(t('the bytes came back unchanged: the channel is binary-transparent', '字节原样返回：通道对二进制数据是透明的'));
  else r.push(t(`the bytes changed on the way${tty ? ' (the pty\'s line discipline: echo, CR → NL → CR LF, ^C)' : ''}`, `字节在途中被改变了${tty ? '（pty 的行规程：回显、CR → NL → CR LF、^C）' : ''}`));
  return r;
}

const COPY_ID_COMMAND = 'umask 077; mkdir -p .ssh && cat >> .ssh/authorized_keys';

function runStep(s: Scenario, hosts: Map<string, HostState>, step: Step, index: number, conn: () => number, events: ScenarioEvent[], done: readonly StepResult[], connections: ConnectionInfo[]): StepResult {
  const res: StepResult = { index, do: step.do, ok: true, asExpected: true, report: [], events: [] };
  const collect = (list: SshEvent[], files?: Login['files']) => {
    const c = conn();
    if (files) connections.push({ conn: c, step: index, ...files });
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
      collect(l.result.events, l.files);
      res.login = l.result;
      res.ok = l.result.authenticated;
      if (l.knownHostsAdded) res.knownHostsAdded = l.knownHostsAdded;
      res.report.push(...loginReport(spec, l));
      if (step.tamper && l.result.tamperedAt !== null) res.report.splice(1, 0, t(`one byte flipped on the wire at offset ${l.result.tamperedAt} of a client packet`, `在客户端某个数据包的第 ${l.result.tamperedAt} 字节处翻转了一位`));
      if (step.mitm === 'terrapin') res.report.push(...terrapinReport(l.result));
      if (step.reveal) res.report.push(...revealReport(l.result, spec.passwords ?? []));
      if (step.showKeys) res.report.push(...keysReport(l.result));
      break;
    }
    case 'replay':
      replayStep(s, hosts, step, index, res, collect, done);
      break;
    case 'forward':
      forwardStep(s, hosts, step, index, res, collect);
      break;
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
          collect(l.result.events, l.files);
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

function copyIdStep(s: Scenario, hosts: Map<string, HostState>, step: CopyIdStep, index: number, res: StepResult, collect: (l: SshEvent[], files?: Login['files']) => void): void {
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
  collect(l.result.events, l.files);
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

/** K, H, session id and the six keys as the client derived them (its 'keys' event, RFC 4253 §7.2). */
function keysReport(d: DriveResult): Text[] {
  const k = d.events.find((e) => e.type === 'keys' && e.side === 'client') as Extract<SshEvent, { type: 'keys' }> | undefined;
  if (!k) return [t('no keys were derived', '没有派生任何密钥')];
  const r: Text[] = [];
  const short = (hex: string) => (hex.length > 32 ? `${hex.slice(0, 32)}…` : hex);
  for (const tr of k.kexTrace ?? []) if (!/PRIVATE/.test(tr.label) && tr.name !== 'p' && tr.name !== 'K') r.push(t(`${tr.name}: ${short(tr.value)} (${tr.value.length / 2} bytes)`, `${tr.name}：${short(tr.value)}（${tr.value.length / 2} 字节）`));
  for (const st of k.steps) {
    if (st.name.includes('.')) continue;
    const len = st.value.length / 2;
    const formula = /^[A-F]$/.test(st.name) && len > 0 ? (k.steps.find((x) => x.name === `${st.name}.1`)?.formula ?? st.formula) : undefined;
    const tail = formula ? `  ← ${formula}${k.steps.some((x) => x.name === `${st.name}.2`) ? ' …' : ''}` : '';
    r.push(t(`${st.name} = ${short(st.value)} (${len} bytes)${tail}`, `${st.name} = ${short(st.value)}（${len} 字节）${tail}`));
  }
  return r;
}

/** What the Terrapin man in the middle did and what the client noticed, read from the events. */
function terrapinReport(d: DriveResult): Text[] {
  const r: Text[] = [];
  const tr = d.terrapin!;
  const strict = d.events.some((e) => e.type === 'info' && e.side === 'client' && e.message.startsWith('strict key exchange'));
  r.push(strict ? t('strict KEX: on (both sides offered kex-strict-*-v00@openssh.com)', '严格密钥交换：开启（双方都提供了 kex-strict-*-v00@openssh.com）') : t('strict KEX: off (not offered by both sides)', '严格密钥交换：关闭（并非双方都提供）'));
  if (tr.injected) r.push(t('man in the middle: injected SSH_MSG_IGNORE to the client before the server\'s NEWKEYS', '中间人：在服务器的 NEWKEYS 之前向客户端注入了 SSH_MSG_IGNORE'));
  if (tr.deleted) r.push(t(`man in the middle: deleted the server's packet #${tr.deletedSeq} (ciphertext; it was ${tr.deleted})`, `中间人：删除了服务器的第 ${tr.deletedSeq} 号数据包（密文；它是 ${tr.deleted}）`));
  // The server's packets as it numbered them, and as the client numbered what it received (RFC 4253 §6.4).
  const seqs = (side: 'client' | 'server') =>
    d.events
      .filter((e): e is Extract<SshEvent, { type: 'packet' }> => e.type === 'packet' && e.side === side && e.dir === 's2c')
      .slice(0, 6)
      .map((p) => `#${p.n} ${p.msg.replace('SSH_MSG_', '')}`)
      .join(', ');
  r.push(t(`server sent:     ${seqs('server')}`, `服务器发送：${seqs('server')}`));
  r.push(t(`client received: ${seqs('client')}`, `客户端收到：${seqs('client')}`));
  const extInfo = d.events.some((e) => e.type === 'packet' && e.side === 'client' && e.dir === 's2c' && e.msg === 'SSH_MSG_EXT_INFO');
  const err = d.events.find((e) => e.type === 'error' && e.side === 'client') as Extract<SshEvent, { type: 'error' }> | undefined;
  if (err) r.push(t(`client detected it: ${err.message}`, `客户端发现了攻击：${err.message}`));
  else r.push(extInfo ? t('client received EXT_INFO (server-sig-algs)', '客户端收到了 EXT_INFO（server-sig-algs）') : t('client never received EXT_INFO: server-sig-algs is lost, and nothing looks wrong', '客户端从未收到 EXT_INFO：server-sig-algs 丢失了，而且看不出任何异常'));
  return r;
}

/** What an eavesdropper sees of the authentication, and what the server itself reads (RFC 4252 §8, §7). */
function revealReport(d: DriveResult, passwords: string[]): Text[] {
  const r: Text[] = [];
  const enc = new TextEncoder();
  const sent = authRequests(d.events, 'client');
  const received = authRequests(d.events, 'server');
  const H = (d.events.find((e) => e.type === 'exchange-hash' && e.side === 'server') as Extract<SshEvent, { type: 'exchange-hash' }> | undefined)?.H;
  for (const { packet, view } of sent) {
    if (view.method === 'password' && view.password !== undefined) {
      const visible = containsBytes(packet.wire, enc.encode(view.password));
      r.push(t(`eavesdropper: USERAUTH_REQUEST #${packet.n} is ${packet.wire.length} bytes of ciphertext; the password's bytes in it: ${visible ? 'YES' : 'no'}`, `窃听者：USERAUTH_REQUEST #${packet.n} 是 ${packet.wire.length} 字节的密文；其中能找到密码的字节吗：${visible ? '能' : '不能'}`));
      const got = received.find((x) => x.packet.n === packet.n)?.view.password;
      if (got !== undefined) r.push(t(`the server decrypts it and reads the password in clear: "${got}" — a malicious server keeps it`, `服务器解密后读到明文密码："${got}"——恶意服务器会把它记下来`));
    }
    if (view.method === 'publickey' && view.signed && view.signature) {
      const visible = containsBytes(packet.wire, view.signature);
      r.push(t(`eavesdropper: USERAUTH_REQUEST #${packet.n} is ${packet.wire.length} bytes of ciphertext; the signature's bytes in it: ${visible ? 'YES' : 'no'}`, `窃听者：USERAUTH_REQUEST #${packet.n} 是 ${packet.wire.length} 字节的密文；其中能找到签名的字节吗：${visible ? '能' : '不能'}`));
      const sid = H ? `${toHex(H).slice(0, 16)}…` : '?';
      r.push(t(`the server reads only the public key and a ${view.signature.length}-byte signature over session id ${sid} — no secret`, `服务器只读到公钥和一个 ${view.signature.length} 字节的签名，签名覆盖会话标识符 ${sid}——没有任何秘密`));
    }
  }
  if (passwords.length === 0 && sent.every((x) => x.view.method !== 'password')) r.push(t('no password was typed or sent', '没有输入也没有发送任何密码'));
  return r;
}

/**
 * A malicious server replays the signed publickey request it received to the real server in a
 * connection of its own: it runs its own key exchange (a new session id), asks "none", then sends
 * the captured request bytes as they were. The server engine judges the signature.
 */
function replayStep(s: Scenario, hosts: Map<string, HostState>, step: ReplayStep, index: number, res: StepResult, collect: (l: SshEvent[], files?: Login['files']) => void, done: readonly StepResult[]): void {
  const head = `replay → ${step.to.user}@${step.to.host}   (${step.from.host})`;
  res.report.push(t(head, head));
  const source = done[step.of];
  const captured = source ? authRequests(source.events, 'server').find((x) => x.view.method === 'publickey' && x.view.signed) : undefined;
  if (!source || !captured) throw new Error(`scenario: step ${step.of + 1} has no signed publickey request to replay`);
  const oldSid = (source.events.find((e) => e.type === 'exchange-hash' && e.side === 'server') as Extract<SshEvent, { type: 'exchange-hash' }>).H;
  const dst = account(hosts, step.to);
  const server = serverConfig(s, dst.host, `step${index}`);
  server.algorithms = { ...server.algorithms, cipher: [TAKEOVER_CIPHER] };
  const pair = new InterceptedPair({
    client: { env: seededEnv(`${s.seed}/step${index}/attacker`), username: step.to.user, authMethods: ['none'], hostKeyCheck: () => 'known', algorithms: { cipher: [TAKEOVER_CIPHER] } },
    server,
  });
  let injected = false;
  pair.pump((e, side) => {
    if (!injected && side === 'client' && e.type === 'auth' && e.method === 'none' && e.result === 'failure') {
      injected = true;
      pair.inject('client', captured.packet.payload);
    }
  });
  collect(pair.events, { from: step.from, to: step.to, knownHosts: '', authorizedKeys: dst.files.authorizedKeys, clientPublicKey: null, hostPublicKey: formatPublicKeyLine(publicKeyOf(dst.host.hostKey), `root@${dst.host.spec.name}`) });
  const newSid = (pair.events.find((e) => e.type === 'exchange-hash' && e.side === 'server') as Extract<SshEvent, { type: 'exchange-hash' }>).H;
  const verdict = pair.events.filter((e): e is Extract<SshEvent, { type: 'auth' }> => e.type === 'auth' && e.side === 'server' && e.method === 'publickey');
  const accepted = verdict.some((e) => e.result === 'success');
  res.ok = accepted;
  res.replay = { accepted, originalSessionId: toHex(oldSid), newSessionId: toHex(newSid) };
  const v = parseAuthRequest(captured.packet.payload)!;
  res.report.push(t(`captured in step ${step.of + 1}: USERAUTH_REQUEST publickey, ${v.signature!.length}-byte signature, signed over session id ${toHex(oldSid).slice(0, 16)}…`, `第 ${step.of + 1} 步截获：USERAUTH_REQUEST publickey，${v.signature!.length} 字节签名，签名覆盖会话标识符 ${toHex(oldSid).slice(0, 16)}…`));
  res.report.push(t(`the new connection has its own key exchange: session id ${toHex(newSid).slice(0, 16)}…`, `新连接有自己的密钥交换：会话标识符 ${toHex(newSid).slice(0, 16)}…`));
  const detail = verdict.find((e) => e.result === 'attempt')?.detail;
  res.report.push(accepted ? t('server: signature accepted — logged in', '服务器：签名有效——登录成功') : t(`server: ${detail ?? 'refused'} → USERAUTH_FAILURE`, `服务器：签名无法验证 → USERAUTH_FAILURE`));
}

/** `ssh -L`: a direct-tcpip channel through to.host to a service it can reach (RFC 4254 §7.2). */
function forwardStep(s: Scenario, hosts: Map<string, HostState>, step: ForwardStep, index: number, res: StepResult, collect: (l: SshEvent[], files?: Login['files']) => void): void {
  const spec: LoginSpec = { from: step.from, to: step.to, command: '', passwords: step.passwords ?? [], forward: { ...step.target, localPort: step.localPort, send: step.send } };
  const l = login(s, hosts, spec, `step${index}`);
  collect(l.result.events, l.files);
  res.login = l.result;
  if (l.knownHostsAdded) res.knownHostsAdded = l.knownHostsAdded;
  res.report.push(...loginReport(spec, l));
  const f = l.result.forward;
  const first = step.send.split('\r\n')[0] ?? step.send;
  res.report.push(t(`a program connects to 127.0.0.1:${step.localPort} and sends ${JSON.stringify(first)} → direct-tcpip channel to ${step.target.host}:${step.target.port}`, `某个程序连接 127.0.0.1:${step.localPort} 并发送 ${JSON.stringify(first)} → 通往 ${step.target.host}:${step.target.port} 的 direct-tcpip 通道`));
  if (f?.opened) {
    const lines = f.response.split('\r\n');
    res.report.push(t(`${step.to.host} connected ${step.target.host}:${step.target.port}; the answer came back through the tunnel: ${JSON.stringify(lines[0])} … ${JSON.stringify(lines[lines.length - 1])}`, `${step.to.host} 连上了 ${step.target.host}:${step.target.port}；回复经隧道返回：${JSON.stringify(lines[0])} … ${JSON.stringify(lines[lines.length - 1])}`));
  } else if (f) {
    const name = f.reasonCode === 1 ? 'administratively prohibited' : f.reasonCode === 2 ? 'connect failed' : `reason ${f.reasonCode}`;
    const zh = f.reasonCode === 1 ? '管理策略禁止' : f.reasonCode === 2 ? '连接失败' : `原因码 ${f.reasonCode}`;
    res.report.push(t(`channel open failed: ${name} (${f.reasonCode}): ${f.description}`, `通道打开失败：${zh}（${f.reasonCode}）：${f.description}`));
  }
  res.ok = !!f?.opened && f.response.length > 0;
}

/** Columns on a terminal: CJK characters take two (so the zh matrix lines up too). */
function displayWidth(x: string): number {
  let n = 0;
  for (const ch of x) n += /[\u2e80-\u9fff\uff00-\uffef]/.test(ch) ? 2 : 1;
  return n;
}

const WHY_ZH: Record<string, string> = { 'host-key': '主机密钥未知', publickey: '公钥未授权' };

function formatMatrix(names: string[], m: TrustCell[]): Text[] {
  const cell = (a: string, b: string, lang: Lang) => {
    if (a === b) return '-';
    const c = m.find((x) => x.from === a && x.to === b)!;
    if (c.ok) return 'ok';
    const why = c.why ?? '?';
    return lang === 'zh' ? `x ${WHY_ZH[why] ?? why}` : `x (${why})`;
  };
  const table = (lang: Lang) => {
    const corner = lang === 'zh' ? '从\\到' : 'from\\to';
    const w = Math.max(8, ...names.map((n) => n.length + 2), ...m.map((c) => displayWidth(cell(c.from, c.to, lang)) + 2));
    const pad = (x: string) => x + ' '.repeat(Math.max(0, w - displayWidth(x)));
    const rows = [(pad(corner) + names.map(pad).join('')).trimEnd()];
    for (const a of names) rows.push((pad(a) + names.map((b) => pad(cell(a, b, lang))).join('')).trimEnd());
    return rows.join('\n');
  };
  return [t(table('en'), table('zh'))];
}

/** Runs every step of a scenario; never throws for protocol failures (they are what some scenarios teach). */
export function runScenario(s: Scenario, opts: { lang?: Lang } = {}): ScenarioRun {
  const lang = opts.lang ?? 'en';
  const hosts = initialHosts(s);
  const events: ScenarioEvent[] = [];
  const steps: StepResult[] = [];
  const narration: string[] = [];
  const connections: ConnectionInfo[] = [];
  let conns = 0;
  s.steps.forEach((step, i) => {
    const r = runStep(s, hosts, step, i, () => conns++, events, steps, connections);
    steps.push(r);
    narration.push([`${i + 1}. ${step.narration[lang]}`, ...r.report.map((x) => indent(x[lang]))].join('\n'));
  });
  return { events, connections, narration, outcome: { asExpected: steps.every((r) => r.asExpected), steps, hosts } };
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `   ${l}`)
    .join('\n');
}
