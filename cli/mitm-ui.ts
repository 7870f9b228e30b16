// `sshscope mitm --ui-port PORT`: the built app on 127.0.0.1:PORT with the classroom feed
// (cli/classroom-feed.ts, WebSocket /classroom) carrying every mitm session as two lanes of one
// group: "client ⇄ mitm" (our server engine facing the real client) and "mitm ⇄ server" (our
// client engine facing the real server). The page's Classroom tab shows them live.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { SshEvent } from '../engine/index.ts';
import { createFeed, type Feed, type FeedEndpoint, type FeedInfo } from './classroom-feed.ts';
import { serveStatic, type StaticServer } from './static-server.ts';
import { buildApp, distIsStale, DIST_DIR } from './start.ts';
import type { Leg } from './mitm-session.ts';

export interface MitmUiOptions {
  port: number;
  /** "HOST:PORT" of the real server and of our listener, for the page's notes. */
  target: string;
  listen: string;
  /** Where real clients connect (the page shows `ssh -p PORT user@HOST`). */
  listenHost?: string;
  listenPort?: number;
  hostKeys: { type: string; fingerprint: string }[];
  /** Build the app when dist/ is stale (default true). */
  build?: boolean;
  /** Directory served (default dist/). */
  root?: string;
  log?: (line: string) => void;
}

export interface MitmUi {
  /** "http://127.0.0.1:PORT/" */
  url: string;
  feed: Feed;
  /** A real client connected: its lane (the server-side lane appears with that leg's first event). */
  sessionStart(conn: number, peer: string): void;
  publish(leg: Leg, conn: number, e: SshEvent): void;
  /** Both legs are over: lanes without a 'closed' event are closed now. */
  sessionEnd(conn: number): void;
  close(): Promise<void>;
}

export function mitmFeedInfo(o: Pick<MitmUiOptions, 'target' | 'listen' | 'hostKeys' | 'listenHost' | 'listenPort'>): FeedInfo {
  return {
    kind: 'mitm',
    mitm: { listen: o.listen, target: o.target },
    hostKeys: o.hostKeys,
    ...(o.listenPort !== undefined ? { sshPort: o.listenPort } : {}),
    ...(o.listenHost !== undefined ? { sshHosts: [o.listenHost], listenHost: o.listenHost } : {}),
    notes: [
      `sshscope mitm: real clients connect to ${o.listen}; each session is relayed to the real server ${o.target}.`,
      'Each session is two lanes: "client ⇄ mitm" is the real client talking to OUR server engine; "mitm ⇄ server" is OUR client engine talking to the real server.',
      'The client was shown the host key above, not the real server\'s: ssh calls it unknown (first use) or warns "REMOTE HOST IDENTIFICATION HAS CHANGED" when it knew the real one. Verify host keys.',
      'The password the client typed appears in clear on the client lane and is replayed on the server lane: that is what a man in the middle gains. Public keys cannot be relayed (RFC 4252 §7: the signature covers the session identifier).',
    ],
  };
}

/** The lane bookkeeping, apart from any server (unit-testable with a bare feed). */
export function mitmLanes(feed: Feed, target: string) {
  const lanes = new Map<string, string>();
  const key = (leg: Leg, conn: number) => `${conn}/${leg}`;
  const add = (leg: Leg, conn: number, peer: string): string => {
    const id = feed.addConnection({
      peer,
      label: `#${conn} ${leg === 'client-side' ? 'client ⇄ mitm' : 'mitm ⇄ server'}`,
      group: `mitm #${conn}`,
      role: leg === 'client-side' ? 'client leg (our server engine)' : 'server leg (our client engine)',
    });
    lanes.set(key(leg, conn), id);
    return id;
  };
  return {
    sessionStart(conn: number, peer: string) {
      if (!lanes.has(key('client-side', conn))) add('client-side', conn, peer.replace(/^::ffff:/, ''));
    },
    publish(leg: Leg, conn: number, e: SshEvent) {
      const id = lanes.get(key(leg, conn)) ?? add(leg, conn, leg === 'client-side' ? '?' : target);
      feed.publish(id, e);
    },
    sessionEnd(conn: number) {
      for (const leg of ['client-side', 'server-side'] as const) {
        const id = lanes.get(key(leg, conn));
        if (id !== undefined) feed.close(id, 'the mitm session ended');
        lanes.delete(key(leg, conn));
      }
    },
  };
}

export async function startMitmUi(o: MitmUiOptions): Promise<MitmUi> {
  const log = o.log ?? (() => {});
  const root = o.root ?? DIST_DIR;
  if (o.root === undefined && o.build !== false && distIsStale()) {
    log('building the web app (vite)…');
    try {
      await buildApp();
    } catch (err) {
      log(`build failed: ${(err as Error).message}`);
    }
  }
  if (!existsSync(join(root, 'index.html'))) log(`${root}/index.html is missing: the page will not load (the feed still runs)`);
  const server: StaticServer = await serveStatic({ root, host: '127.0.0.1', port: o.port });
  const feed = createFeed();
  feed.setInfo(mitmFeedInfo(o));
  const endpoint: FeedEndpoint = feed.attach(server.server, { log });
  const lanes = mitmLanes(feed, o.target);
  return {
    url: server.url,
    feed,
    ...lanes,
    close: async () => {
      await endpoint.close();
      await server.close();
      feed.dispose();
    },
  };
}
