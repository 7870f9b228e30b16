// `sshscope serve --port 0 …` as a child process for interop tests: waits for its "listening on"
// line and reports the port it got.

import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface ServeProcess {
  child: ChildProcess;
  port: number;
  stdout: () => string;
  stderr: () => string;
  stop(): Promise<void>;
}

/** Spawns `sshscope serve --port 0 …` and waits for its "listening on" line. */
export function spawnServe(args: string[]): Promise<ServeProcess> {
  const child = spawn(process.execPath, ['bin/sshscope.js', 'serve', '--port', '0', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`sshscope serve did not start in 30 s\nstdout: ${out}\nstderr: ${err}`));
    }, 30_000);
    const check = () => {
      const m = /sshscope serve listening on 127\.0\.0\.1:(\d+)/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      child.stdout!.off('data', check);
      resolve({
        child,
        port: Number(m[1]),
        stdout: () => out,
        stderr: () => err,
        stop: () =>
          new Promise<void>((res) => {
            if (child.exitCode !== null || child.signalCode !== null) return res();
            child.once('exit', () => res());
            child.kill('SIGTERM');
          }),
      });
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`sshscope serve exited with ${code}\nstdout: ${out}\nstderr: ${err}`));
    });
  });
}
