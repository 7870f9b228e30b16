// The classroom mode of `sshscope start --ssh-port 2222` (issue 7 §2; docs/classroom.md): our SSH
// server (cli/serve.ts startServer, a pretend shell) for real ssh clients, and every connection's
// event log streamed live to the page over the WebSocket endpoint /classroom of start's HTTP server.
//
// API for other producers (mitm shows both legs with it) — cli/classroom-feed.ts, re-exported here:
//
//   createFeed(limits?: Partial<FeedLimits>): Feed
//     feed.addConnection({ peer, label?, group?, role? }): string        // a new lane, its id
//     feed.publish(id: string, event: SshEvent): void                    // every event, in order
//     feed.close(id: string, message?: string): void                     // a 'closed' event also does it
//     feed.setInfo(info: FeedInfo | null): void                          // { kind: 'mitm', notes: [...] }
//     feed.attach(httpServer, { path?: '/classroom', origins?, log? }): FeedEndpoint  // { pages, close() }
//     feed.connections(): ConnectionSummary[]; feed.eventsOf(id): SshEvent[] | null; feed.dispose()
//   Two legs of one mitm session: addConnection({ peer, group: 'mitm-1', role: 'client leg' }) and
//   ({ …, group: 'mitm-1', role: 'server leg' }); a label other than the peer is shown before
//   "user@peer" in the lane. The page (app/lib/classroom-client.ts) speaks app/lib/classroom-protocol.ts;
//   cli/classroom-watch.ts watchFeed(baseUrl, { watch: '*' }) is the same client for Node (tests).
//
//   startClassroom(o: ClassroomOptions): Promise<Classroom>   // SSH server + feed (+ attach)
//   CLASSROOM_ARG_OPTIONS, CLASSROOM_USAGE, classroomOptionsFromArgs(values), launchClassroom(o, httpServer, out)  // start.ts

import { networkInterfaces } from 'node:os';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { generateEd25519, type ServerUser, type SshPrivateKey } from '../engine/index.ts';
import { fingerprintSha256 } from '../engine/keys/fingerprint.ts';
import { publicKeyOf } from '../engine/keys/private-key-types.ts';
import { startServer, type RunningServer } from './serve.ts';
import { loadPrivateKeyFile } from './connect.ts';
import { createFeed, type Feed, type FeedEndpoint, type FeedInfo, type FeedLimits } from './classroom-feed.ts';

export { createFeed, CLASSROOM_PATH, DEFAULT_FEED_LIMITS, FEED_CLOSE, type Feed, type FeedAttachOptions, type FeedEndpoint, type FeedInfo, type FeedLimits, type NewConnection, type ConnectionSummary } from './classroom-feed.ts';

export interface ClassroomOptions {
  /** Where the SSH server listens (default 127.0.0.1). */
  sshHost?: string;
  /** 0 picks a free port. */
  sshPort: number;
  /** Logins for the class; default one user "student" with a random password. */
  users?: { name: string; password?: string }[];
  /** An authorized_keys file every class user may log in with; re-read when it changes. */
  authorizedKeysFile?: string;
  /** Host keys (default: a new ed25519 key for this run). */
  hostKeys?: SshPrivateKey[];
  limits?: Partial<FeedLimits>;
  /** One-line notes (connections, logins). */
  log?: (line: string) => void;
  /** How often the authorized_keys file is checked for changes (ms, default 1000). */
  watchIntervalMs?: number;
}

export interface Classroom {
  feed: Feed;
  ssh: RunningServer;
  /** What the page shows: how to connect, users, authorized_keys, host keys. */
  info(): FeedInfo;
  /** The users the server accepts (password included). */
  users: ServerUser[];
  /** Mounts /classroom on an HTTP server. */
  attach(server: Server): FeedEndpoint;
  close(): Promise<void>;
}

/** Host names students can type: the listen address, or this machine's addresses when it listens on all. */
export function studentHosts(listenHost: string): string[] {
  if (listenHost !== '0.0.0.0' && listenHost !== '::') return [listenHost];
  const out: string[] = [];
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) {
      if (a.internal) continue;
      if (a.family === 'IPv4') out.push(a.address);
      else if (listenHost === '::' && !a.address.startsWith('fe80')) out.push(a.address);
    }
  }
  return out.length ? out : ['127.0.0.1'];
}

function randomPassword(): string {
  // no look-alike characters: it is read off a projector
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';
  const b = crypto.getRandomValues(new Uint8Array(8));
  return Array.from(b, (x) => alphabet[x % alphabet.length]).join('');
}

function readKeys(file: string): { text: string; error?: string } {
  try {
    return { text: readFileSync(file, 'utf8') };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { text: '', error: code === 'ENOENT' ? 'missing' : (code ?? (err as Error).message) };
  }
}

/** Starts the SSH server and the feed its connections go to. */
export async function startClassroom(o: ClassroomOptions): Promise<Classroom> {
  const log = o.log ?? (() => {});
  const listenHost = o.sshHost ?? '127.0.0.1';
  const given = o.users?.length ? o.users : [{ name: 'student', password: randomPassword() }];
  const users: ServerUser[] = given.map((u) => ({ name: u.name, ...(u.password !== undefined ? { password: u.password } : {}) }));
  const keysFile = o.authorizedKeysFile;
  let keys = keysFile ? readKeys(keysFile) : null;
  const applyKeys = (): void => {
    // the server reads these objects at every new connection (serve.ts passes o.users on)
    for (const u of users) {
      if (keys) u.authorizedKeys = keys.text;
      else delete u.authorizedKeys;
    }
  };
  applyKeys();
  const hostKeys = o.hostKeys?.length ? o.hostKeys : [generateEd25519((n) => crypto.getRandomValues(new Uint8Array(n)), 'sshscope classroom')];

  const feed = createFeed(o.limits);
  const ids = new Map<number, string>();
  const idOf = (n: number, peer = '?'): string => {
    let id = ids.get(n);
    if (id === undefined) ids.set(n, (id = feed.addConnection({ peer })));
    return id;
  };
  const ssh = await startServer({
    host: listenHost,
    port: o.sshPort,
    hostKeys,
    users,
    tracePackets: true,
    log: (line) => {
      // "connection N from ADDR:PORT" comes before the connection's first event (serve.ts)
      const m = /^connection (\d+) from (.+)$/.exec(line);
      if (m) idOf(Number(m[1]), m[2]!.replace(/^::ffff:/, ''));
      log(line);
    },
    onEvent: (e, n) => {
      const id = idOf(n);
      feed.publish(id, e);
      if (e.type === 'closed') {
        feed.close(id, e.message);
        ids.delete(n);
      }
    },
  });

  const info = (): FeedInfo => ({
    kind: 'classroom',
    sshPort: ssh.port,
    sshHosts: studentHosts(listenHost),
    listenHost,
    users: users.map((u) => ({ name: u.name, ...(u.password !== undefined ? { password: u.password } : {}), publickey: u.authorizedKeys !== undefined })),
    authorizedKeys: keysFile && keys ? { file: keysFile, text: keys.text, ...(keys.error ? { error: keys.error } : {}) } : null,
    hostKeys: hostKeys.map((k) => ({ type: k.type, fingerprint: fingerprintSha256(publicKeyOf(k).blob) })),
  });
  feed.setInfo(info());

  // The file is small: re-read it on a timer and compare the text, rather than trusting
  // a stat poll (a file created and written within one timestamp tick can look unchanged).
  const keysTimer = keysFile
    ? setInterval(() => {
        const next = readKeys(keysFile);
        if (next.text === keys?.text && next.error === keys?.error) return;
        keys = next;
        applyKeys();
        feed.setInfo(info());
        const n = keys.text.split('\n').filter((l) => l.trim() && !l.startsWith('#')).length;
        log(`authorized_keys ${keysFile} changed: ${n} key${n === 1 ? '' : 's'}`);
      }, o.watchIntervalMs ?? 1000)
    : null;
  keysTimer?.unref?.();

  const endpoints: FeedEndpoint[] = [];
  return {
    feed,
    ssh,
    info,
    users,
    attach(server) {
      const ep = feed.attach(server, { log });
      endpoints.push(ep);
      return ep;
    },
    close: async () => {
      if (keysTimer) clearInterval(keysTimer);
      await Promise.all(endpoints.map((e) => e.close()));
      await ssh.close();
      feed.dispose();
    },
  };
}

// ---- `sshscope start` options ------------------------------------------------------------------

/** node:util parseArgs options that start.ts spreads into its own. */
export const CLASSROOM_ARG_OPTIONS = {
  'ssh-port': { type: 'string' },
  'ssh-host': { type: 'string' },
  'class-user': { type: 'string', multiple: true },
  'authorized-keys': { type: 'string' },
  'ssh-host-key': { type: 'string', multiple: true },
} as const;

export const CLASSROOM_USAGE = `Classroom mode (real ssh clients watched live in the page; docs/classroom.md):
  --ssh-port PORT              also run our SSH server (a pretend shell) on PORT and stream every
                               connection to the page's Classroom tab (0 picks a free port)
  --ssh-host ADDR              address the SSH server listens on (default 127.0.0.1; 0.0.0.0 lets
                               students on the network connect)
  --class-user NAME:PASSWORD   a login for the class (repeatable; default: student with a random password)
  --authorized-keys FILE       students' public keys, one per line; re-read when it changes
  --ssh-host-key FILE          the SSH server's host key (repeatable; default: a new ed25519 key per run,
                               so students see a new host key each time)
`;

type ArgValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

function strings(v: ArgValues[string]): string[] {
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string');
}

/** ClassroomOptions from start's parsed flags; null when --ssh-port was not given. Throws on bad values. */
export function classroomOptionsFromArgs(values: ArgValues): ClassroomOptions | null {
  const portText = strings(values['ssh-port'])[0];
  const others = ['ssh-host', 'class-user', 'authorized-keys', 'ssh-host-key'].filter((k) => values[k] !== undefined);
  if (portText === undefined) {
    if (others.length) throw new Error(`--${others[0]} needs --ssh-port`);
    return null;
  }
  if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) throw new Error(`--ssh-port: not a port number: ${portText}`);
  const o: ClassroomOptions = { sshPort: Number(portText) };
  const host = strings(values['ssh-host'])[0];
  if (host !== undefined) {
    if (!/^[A-Za-z0-9._:-]+$/.test(host)) throw new Error(`--ssh-host: not an address: ${host}`);
    o.sshHost = host;
  }
  const users = new Map<string, { name: string; password?: string }>();
  for (const u of strings(values['class-user'])) {
    const i = u.indexOf(':');
    if (i <= 0) throw new Error(`--class-user wants NAME:PASSWORD, not ${JSON.stringify(u)}`);
    const name = u.slice(0, i);
    if (!/^[A-Za-z0-9._-]+$/.test(name)) throw new Error(`--class-user: not a user name: ${JSON.stringify(name)}`);
    users.set(name, { name, password: u.slice(i + 1) });
  }
  if (users.size) o.users = [...users.values()];
  const keys = strings(values['authorized-keys'])[0];
  if (keys !== undefined) o.authorizedKeysFile = keys;
  const hostKeyFiles = strings(values['ssh-host-key']);
  if (hostKeyFiles.length) o.hostKeys = hostKeyFiles.map((f) => loadPrivateKeyFile(f));
  return o;
}

/**
 * For start.ts: starts the classroom (options from classroomOptionsFromArgs), mounts /classroom on
 * `server` and prints what students type. Close the result on exit.
 */
export async function launchClassroom(o: ClassroomOptions, server: Server, out: { stdout: (s: string) => void; stderr: (s: string) => void }): Promise<Classroom> {
  o.log = (line) => out.stderr(`sshscope classroom: ${line}\n`);
  const room = await startClassroom(o);
  room.attach(server);
  const inf = room.info();
  const host = inf.sshHosts?.[0] ?? '127.0.0.1';
  const hostPart = host.includes(':') ? `[${host}]` : host;
  for (const u of inf.users ?? []) {
    out.stdout(`classroom: ssh -p ${inf.sshPort} ${u.name}@${hostPart}${u.password !== undefined ? `   (password: ${u.password})` : ''}\n`);
  }
  for (const k of inf.hostKeys ?? []) out.stdout(`classroom: host key ${k.type} ${k.fingerprint}\n`);
  const keysError = inf.authorizedKeys?.error;
  if (inf.authorizedKeys) out.stdout(`classroom: authorized_keys ${inf.authorizedKeys.file}${keysError ? ` (${keysError === 'missing' ? 'does not exist yet; it is re-read when it appears' : `cannot read it: ${keysError}`})` : ''}\n`);
  out.stdout(`classroom: ssh server listening on ${o.sshHost?.includes(':') ? `[${o.sshHost}]` : (o.sshHost ?? '127.0.0.1')}:${inf.sshPort}\n`);
  if (!/^(127\.|::1$|localhost$)/.test(o.sshHost ?? '127.0.0.1')) {
    out.stderr(`sshscope classroom: warning: the SSH server listens on ${o.sshHost}, not only loopback: anyone who can reach port ${inf.sshPort} may try the class passwords\n`);
  }
  return room;
}
