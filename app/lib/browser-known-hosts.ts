// A known_hosts file kept in the browser (localStorage) for "Connect to a real server": the same
// text format ssh writes (sshd(8) SSH_KNOWN_HOSTS FILE FORMAT), checked with engine/keys'
// lookupHost exactly as ssh checks ~/.ssh/known_hosts (hostfile.c check_hostkeys_by_key_or_type),
// so it can be exported (downloaded) and used by the real ssh, and a real one can be pasted in.

import { formatKnownHostsLine, lookupHost, parseKnownHostsFile, type HostLookup } from '../../engine/keys/known-hosts.ts';

/** The part of the Web Storage interface (WHATWG HTML §12.2) this module uses. */
export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export const KNOWN_HOSTS_STORAGE_KEY = 'sshscope.known_hosts';

/** In-memory storage for tests, or when localStorage is unavailable (private mode, sandboxed frame). */
export function memoryStorage(): StorageLike {
  const m = new Map<string, string>();
  return {
    getItem: (k) => m.get(k) ?? null,
    setItem: (k, v) => void m.set(k, v),
    removeItem: (k) => void m.delete(k),
  };
}

/** The page's localStorage, or memory when it cannot be used. */
export function pageStorage(): StorageLike {
  try {
    const ls = globalThis.localStorage;
    if (ls) {
      const probe = `${KNOWN_HOSTS_STORAGE_KEY}.probe`;
      ls.setItem(probe, '1');
      ls.removeItem(probe);
      return ls;
    }
  } catch {
    /* storage disabled */
  }
  return memoryStorage();
}

export class BrowserKnownHosts {
  private readonly storage: StorageLike;
  private readonly key: string;

  constructor(storage: StorageLike = pageStorage(), key = KNOWN_HOSTS_STORAGE_KEY) {
    this.storage = storage;
    this.key = key;
  }

  /** The whole file as text ('' when empty), one entry per line, newline-terminated. */
  get text(): string {
    return this.storage.getItem(this.key) ?? '';
  }

  /** Number of usable entries. */
  get size(): number {
    return parseKnownHostsFile(this.text).entries.length;
  }

  /** How ssh would judge this host key: known, unknown, changed (another key on record) or revoked. */
  check(host: string, port: number, blob: Uint8Array): HostLookup {
    return lookupHost(parseKnownHostsFile(this.text).entries, host, port, blob);
  }

  /** The line ssh would append for this host ("[host]:port type base64" for a port other than 22). */
  lineFor(host: string, port: number, blob: Uint8Array): string {
    return formatKnownHostsLine(host, port, blob);
  }

  /** Appends the host's key (like ssh's "Permanently added … to the list of known hosts"). Returns the line. */
  add(host: string, port: number, blob: Uint8Array): string {
    const line = this.lineFor(host, port, blob);
    const t = this.text;
    this.storage.setItem(this.key, `${t}${t && !t.endsWith('\n') ? '\n' : ''}${line}\n`);
    return line;
  }

  /** Removes every plain entry naming this host (like `ssh-keygen -R`); hashed entries that match go too. */
  remove(host: string, port: number, blob?: Uint8Array): number {
    const parsed = parseKnownHostsFile(this.text);
    const drop = new Set<number>();
    for (const e of parsed.entries) {
      const alone = lookupHost([e], host, port, blob ?? e.key.blob, { portFallback: false });
      if (alone.result !== 'unknown') drop.add(e.line);
    }
    if (drop.size === 0) return 0;
    const kept = this.text.split('\n').filter((_l, i) => !drop.has(i + 1));
    this.replace(kept.join('\n'));
    return drop.size;
  }

  /** Replaces the whole file (an imported known_hosts). */
  replace(text: string): void {
    const t = text.trim() === '' ? '' : text.endsWith('\n') ? text : `${text}\n`;
    if (t === '') this.storage.removeItem(this.key);
    else this.storage.setItem(this.key, t);
  }

  clear(): void {
    this.storage.removeItem(this.key);
  }
}
