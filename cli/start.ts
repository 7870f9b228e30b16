// `sshscope start`: builds the web app with Vite when dist/ is missing or older than its sources,
// then serves dist/ on 127.0.0.1 and prints the URL. Runs until SIGINT/SIGTERM.

import { existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { serveStatic, type StaticServer } from './static-server.ts';
import { CLASSROOM_ARG_OPTIONS, CLASSROOM_USAGE, classroomOptionsFromArgs, launchClassroom, type Classroom, type ClassroomOptions } from './classroom.ts';
import { attachBridge, parseAllowRule, refuseOtherUpgrades, DEFAULT_BRIDGE_PATH, LOOPBACK_RULES, type AllowRule, type Bridge } from './bridge.ts';
import { CLASSROOM_PATH } from './classroom-feed.ts';

export const REPO_ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
export const DIST_DIR = join(REPO_ROOT, 'dist');
export const DEFAULT_PORT = 4173;

const USAGE = `usage: sshscope start [--port PORT] [--allow HOST:PORT …] [--rebuild] [--no-build]

Builds the web app (when dist/ is missing or stale) and serves it on 127.0.0.1, with the
WebSocket-to-TCP bridge (ws://127.0.0.1:PORT/bridge, docs/bridge.md) on the same port.
  --port PORT   port to listen on (default ${DEFAULT_PORT}; a free port is used when it is taken)
  --allow HOST:PORT  a target the bridge may dial (repeatable; HOST:* for any port; default:
                the SSH servers on this machine's loopback, 127.0.0.1:* ::1:* localhost:*)
  --rebuild     build even when dist/ looks fresh
  --no-build    serve dist/ as it is
  --dist DIR    serve this already built app directory instead of dist/ (implies --no-build)

${CLASSROOM_USAGE}`;

/** Sources the page is built from: a change in any of them makes dist/ stale. */
const SOURCE_DIRS = ['app', 'engine', 'scenarios'];
const SOURCE_FILES = ['vite.config.ts', 'package.json'];

function newestMtime(path: string): number {
  let st;
  try {
    st = statSync(path);
  } catch {
    return 0;
  }
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const name of readdirSync(path)) {
    if (name === 'node_modules' || name.startsWith('.') || name.endsWith('.test.ts')) continue;
    newest = Math.max(newest, newestMtime(join(path, name)));
  }
  return newest;
}

/** True when dist/index.html is missing or older than any source of the page. */
export function distIsStale(root = REPO_ROOT): boolean {
  const index = join(root, 'dist', 'index.html');
  if (!existsSync(index)) return true;
  const built = statSync(index).mtimeMs;
  const sources = Math.max(...SOURCE_DIRS.map((d) => newestMtime(join(root, d))), ...SOURCE_FILES.map((f) => newestMtime(join(root, f))));
  return sources > built;
}

/**
 * Builds the app into a scratch directory, then swaps it into dist/, so a server already serving
 * dist/ (or a second `start` building at the same time) never sees a half-written tree.
 */
export async function buildApp(root = REPO_ROOT): Promise<void> {
  let vite: typeof import('vite');
  try {
    vite = await import('vite');
  } catch {
    throw new Error('vite is not installed (it is a devDependency): run `npm install`, or serve an existing dist/ with --no-build');
  }
  removeAbandonedBuilds(root);
  const scratch = join(root, `.dist-build-${process.pid}`);
  rmSync(scratch, { recursive: true, force: true });
  try {
    await vite.build({
      configFile: join(root, 'vite.config.ts'),
      logLevel: 'warn',
      build: { outDir: scratch, emptyOutDir: true },
    });
    const dist = join(root, 'dist');
    const old = join(root, `.dist-old-${process.pid}`);
    if (existsSync(dist)) renameSync(dist, old);
    renameSync(scratch, dist);
    rmSync(old, { recursive: true, force: true });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Scratch dirs of builds whose process died (Ctrl-C during a build). */
function removeAbandonedBuilds(root: string): void {
  for (const name of readdirSync(root)) {
    const m = /^\.dist-(?:build|old)-(\d+)$/.exec(name);
    if (m && !alive(Number(m[1]))) rmSync(join(root, name), { recursive: true, force: true });
  }
}

function parsePort(s: string | undefined): number {
  if (s === undefined) return DEFAULT_PORT;
  const n = Number(s);
  if (!/^\d+$/.test(s) || n > 65535) throw new Error(`--port: not a port number: ${s}`);
  return n;
}

/** `--allow` values → allow rules (undefined: the bridge's default, loopback only). Throws on a bad value. */
export function parseAllowList(values: readonly string[] | undefined): AllowRule[] | undefined {
  if (!values || values.length === 0) return undefined;
  return values.map((v) => {
    try {
      return parseAllowRule(v);
    } catch (err) {
      throw new Error(`--allow ${v}: ${(err as Error).message}`);
    }
  });
}

/** The app and the bridge on one loopback HTTP server, as `sshscope start` runs them (tests start it in-process). */
export interface AppServer {
  server: StaticServer;
  bridge: Bridge;
  /** "http://127.0.0.1:PORT/" */
  url: string;
  close(): Promise<void>;
}

/** Serves a built app directory with the bridge mounted on /bridge (no build, no signals). */
export async function startAppServer(opts: { root?: string; host?: string; port?: number; allow?: readonly AllowRule[]; log?: (line: string) => void } = {}): Promise<AppServer> {
  const server = await serveStatic({ root: opts.root ?? DIST_DIR, host: opts.host ?? '127.0.0.1', port: opts.port ?? 0 });
  const bridge = attachBridge(server.server, { allow: opts.allow ?? LOOPBACK_RULES, ...(opts.log ? { log: opts.log } : {}) });
  refuseOtherUpgrades(server.server, [DEFAULT_BRIDGE_PATH]);
  return {
    server,
    bridge,
    url: server.url,
    close: async () => {
      await bridge.close();
      await server.close();
    },
  };
}

/** Resolves on the first SIGINT or SIGTERM. */
function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((done) => {
    const on = (sig: NodeJS.Signals) => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      done(sig);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

export async function start(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string', short: 'p' },
        rebuild: { type: 'boolean' },
        'no-build': { type: 'boolean' },
        dist: { type: 'string' },
        allow: { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h' },
        ...CLASSROOM_ARG_OPTIONS,
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    process.stderr.write(`sshscope start: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  let port: number;
  try {
    port = parsePort(values.port);
  } catch (err) {
    process.stderr.write(`sshscope start: ${(err as Error).message}\n`);
    return 2;
  }

  let allow: AllowRule[] | undefined;
  try {
    allow = parseAllowList(values.allow);
  } catch (err) {
    process.stderr.write(`sshscope start: ${(err as Error).message}\n`);
    return 2;
  }

  let classroomOptions: ClassroomOptions | null;
  try {
    classroomOptions = classroomOptionsFromArgs(values);
  } catch (err) {
    process.stderr.write(`sshscope start: ${(err as Error).message}\n`);
    return 2;
  }

  const distDir = values.dist ?? DIST_DIR;
  if (values.dist === undefined && !values['no-build'] && (values.rebuild || distIsStale())) {
    process.stderr.write('sshscope: building the web app (vite)…\n');
    try {
      await buildApp();
    } catch (err) {
      process.stderr.write(`sshscope start: build failed: ${(err as Error).message}\n`);
      if (!existsSync(join(distDir, 'index.html'))) return 1;
      process.stderr.write('sshscope start: serving the previous build\n');
    }
  }
  if (!existsSync(join(distDir, 'index.html'))) {
    process.stderr.write(values.dist !== undefined ? `sshscope start: ${join(distDir, 'index.html')} is missing\n` : 'sshscope start: dist/index.html is missing; run without --no-build\n');
    return 1;
  }

  let server: StaticServer;
  try {
    server = await serveStatic({ root: distDir, host: '127.0.0.1', port });
  } catch (err) {
    process.stderr.write(`sshscope start: cannot listen: ${(err as Error).message}\n`);
    return 1;
  }
  if (server.port !== port && port !== 0) process.stderr.write(`sshscope: port ${port} is taken, using ${server.port}\n`);
  const bridge = attachBridge(server.server, { ...(allow ? { allow } : {}), log: (line) => process.stderr.write(`sshscope: ${line}\n`) });
  process.stderr.write(`sshscope: bridge at ws://127.0.0.1:${server.port}/bridge, dialing ${allow ? allow.map((r) => (r.host.includes(':') ? `[${r.host}]` : r.host) + ':' + r.port).join(', ') : 'this machine\'s loopback only (add --allow HOST:PORT)'}\n`);
  let classroom: Classroom | null = null;
  if (classroomOptions) {
    try {
      classroom = await launchClassroom(classroomOptions, server.server, { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) });
    } catch (err) {
      process.stderr.write(`sshscope start: classroom: ${(err as Error).message}\n`);
      await bridge.close();
      await server.close();
      return 1;
    }
  }
  refuseOtherUpgrades(server.server, classroom ? [DEFAULT_BRIDGE_PATH, CLASSROOM_PATH] : [DEFAULT_BRIDGE_PATH]);
  process.stdout.write(`sshscope is running at ${server.url}\n`);
  await untilSignal();
  await classroom?.close();
  await bridge.close();
  await server.close();
  return 0;
}
