// The few parts of the `ssh2` npm package (the bench's yardstick, a devDependency without bundled
// types) that the bench uses. Deliberately loose: this is not a general typing of ssh2.

declare module 'ssh2' {
  import type { EventEmitter } from 'node:events';
  import type { Duplex } from 'node:stream';

  export interface Ssh2Algorithms {
    kex?: string[];
    serverHostKey?: string[];
    cipher?: string[];
    hmac?: string[];
    compress?: string[];
  }

  export interface Ssh2Negotiated {
    kex: string;
    serverHostKey: string;
    cs: { cipher: string; mac: string; compress: string };
    sc: { cipher: string; mac: string; compress: string };
  }

  export interface ClientChannel extends Duplex {
    stderr: Duplex;
    on(event: 'exit', listener: (code: number | null, signal?: string) => void): this;
    on(event: 'close', listener: () => void): this;
    on(event: string, listener: (...args: any[]) => void): this;
  }

  export interface ConnectConfig {
    host: string;
    port: number;
    username: string;
    password?: string;
    privateKey?: string | Uint8Array;
    algorithms?: Ssh2Algorithms;
    hostVerifier?: (key: Uint8Array) => boolean;
    readyTimeout?: number;
    sock?: Duplex;
  }

  export class Client extends EventEmitter {
    connect(cfg: ConnectConfig): this;
    exec(command: string, cb: (err: Error | undefined, stream: ClientChannel) => void): this;
    end(): this;
    on(event: 'ready', listener: () => void): this;
    on(event: 'handshake', listener: (n: Ssh2Negotiated) => void): this;
    on(event: 'error', listener: (err: Error) => void): this;
    on(event: 'close', listener: () => void): this;
    on(event: string, listener: (...args: any[]) => void): this;
  }

  export interface ServerChannel extends Duplex {
    exit(status: number): void;
    stderr: Duplex;
  }

  export interface ParsedKey {
    type: string;
    getPublicSSH(): Buffer;
    verify(data: Uint8Array, signature: Uint8Array, hashAlgo?: string): boolean | Error;
  }

  export const utils: { parseKey(data: string | Uint8Array, passphrase?: string): ParsedKey | Error };

  export interface AuthContext {
    method: string;
    username: string;
    password?: string;
    key?: { algo: string; data: Uint8Array };
    signature?: Uint8Array;
    blob?: Uint8Array;
    hashAlgo?: string;
    accept(): void;
    reject(methods?: string[]): void;
  }

  export interface ServerConnection extends EventEmitter {
    on(event: 'authentication', listener: (ctx: AuthContext) => void): this;
    on(event: 'ready', listener: () => void): this;
    on(event: 'session', listener: (accept: () => EventEmitter, reject: () => void) => void): this;
    on(event: string, listener: (...args: any[]) => void): this;
    end(): this;
  }

  export class Server extends EventEmitter {
    constructor(cfg: { hostKeys: (string | Uint8Array)[]; algorithms?: Ssh2Algorithms }, onConnection?: (client: ServerConnection) => void);
    listen(port: number, host: string, cb?: () => void): this;
    address(): { port: number };
    close(cb?: () => void): this;
  }

  /** ssh2 is CommonJS: Node's ESM loader only offers its module.exports as the default export. */
  const ssh2: { Client: typeof Client; Server: typeof Server; utils: typeof utils };
  export default ssh2;
}
