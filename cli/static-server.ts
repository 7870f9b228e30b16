// A small static file server for the built app (dist/), loopback only. It answers GET and HEAD,
// never leaves its root directory, refuses foreign Host headers (DNS rebinding), and falls back
// to index.html for extension-less paths so that client-side routes load the app.

import { createReadStream, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';

export interface StaticServerOptions {
  /** Directory to serve (absolute or relative to the cwd). */
  root: string;
  /** Interface to listen on; default 127.0.0.1. */
  host?: string;
  /** Port; 0 picks a free one. Default 4173. */
  port?: number;
  /** When `port` is taken, listen on a free port instead of failing. Default true. */
  fallbackToFreePort?: boolean;
}

export interface StaticServer {
  server: Server;
  host: string;
  port: number;
  /** "http://127.0.0.1:PORT/" */
  url: string;
  close(): Promise<void>;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.pcap': 'application/vnd.tcpdump.pcap',
  '.pcapng': 'application/octet-stream',
};

export function contentTypeOf(path: string): string {
  return CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** True when the Host header names a loopback address (or is absent, as with HTTP/1.0 tools). */
export function hostAllowed(hostHeader: string | undefined, listenHost: string): boolean {
  if (hostHeader === undefined || hostHeader === '') return true;
  const name = hostHeader.startsWith('[') ? hostHeader.slice(0, hostHeader.indexOf(']') + 1) : hostHeader.split(':')[0]!;
  return LOOPBACK_NAMES.has(name.toLowerCase()) || name === listenHost;
}

/**
 * Maps a request path to a file inside `root`, or null when it would leave `root` or is malformed.
 * Directories map to their index.html.
 */
export function resolveInside(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath.split('?')[0]!.split('#')[0]!);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const rootAbs = resolve(root);
  const target = resolve(rootAbs, `.${sep}${normalize(decoded).replace(/^([/\\])+/, '')}`);
  if (target !== rootAbs && !target.startsWith(rootAbs + sep)) return null;
  return target;
}

function fileAt(path: string): { path: string; size: number } | null {
  try {
    let st = statSync(path);
    if (st.isDirectory()) {
      path = join(path, 'index.html');
      st = statSync(path);
    }
    return st.isFile() ? { path, size: st.size } : null;
  } catch {
    return null;
  }
}

function send(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function handler(root: string, listenHost: string) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    if (!hostAllowed(req.headers.host, listenHost)) return send(res, 403, 'forbidden host\n');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return send(res, 405, 'method not allowed\n');
    }
    const path = resolveInside(root, req.url ?? '/');
    if (path === null) return send(res, 400, 'bad path\n');
    let file = fileAt(path);
    // client-side routes (no extension) load the app itself
    if (!file && extname(path) === '') file = fileAt(join(resolve(root), 'index.html'));
    if (!file) return send(res, 404, 'not found\n');
    const type = contentTypeOf(file.path);
    res.writeHead(200, {
      'content-type': type,
      'content-length': file.size,
      'x-content-type-options': 'nosniff',
      // hashed asset names may be cached; the page itself must always be fresh
      'cache-control': type.startsWith('text/html') ? 'no-cache' : 'public, max-age=3600',
    });
    if (req.method === 'HEAD') return void res.end();
    const stream = createReadStream(file.path);
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  };
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolveListen, reject) => {
    const onError = (err: Error) => {
      server.off('listening', onListening);
      reject(err);
    };
    const onListening = () => {
      server.off('error', onError);
      const addr = server.address();
      resolveListen(typeof addr === 'object' && addr ? addr.port : port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

/** Serves `root` on host:port (falling back to a free port when taken). */
export async function serveStatic(opts: StaticServerOptions): Promise<StaticServer> {
  const host = opts.host ?? '127.0.0.1';
  const root = resolve(opts.root);
  const server = createServer(handler(root, host));
  let port: number;
  try {
    port = await listen(server, host, opts.port ?? 4173);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || opts.fallbackToFreePort === false) throw err;
    port = await listen(server, host, 0);
  }
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    server,
    host,
    port,
    url: `http://${urlHost}:${port}/`,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}
