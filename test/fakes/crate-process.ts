/**
 * The real `crate` binary (bin/crate.js, through tsx) as a child process, for tests that must
 * see what a user sees: exit codes, stdout/stderr, signals. The environment is exactly what the
 * test passes (plus PATH), so no .env or real setting leaks in.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/crate.js', import.meta.url));

export interface CrateProcess {
  child: ChildProcess;
  pid: number;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (128 + n for a signal). */
  exit: Promise<number>;
  /** Waits until stdout+stderr match, or throws with what was printed. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<void>;
  kill(signal?: NodeJS.Signals): void;
}

const SIGNALS: Record<string, number> = { SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };

export function startCrate(args: string[], options: { env: Record<string, string>; cwd: string }): CrateProcess {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const listeners: (() => void)[] = [];
  const notify = () => listeners.forEach((l) => l());
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    notify();
  });
  child.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
    notify();
  });
  let exited = false;
  const exit = new Promise<number>((resolve) => {
    child.on('exit', (code, signal) => {
      exited = true;
      notify();
      resolve(code ?? 128 + (SIGNALS[signal ?? ''] ?? 0));
    });
  });
  return {
    child,
    pid: child.pid!,
    stdout: () => out,
    stderr: () => err,
    exit,
    kill: (signal = 'SIGTERM') => {
      if (!exited) child.kill(signal);
    },
    waitForOutput(pattern, timeoutMs = 20_000) {
      return new Promise<void>((resolve, reject) => {
        const check = () => {
          if (pattern.test(out + err)) {
            done();
            resolve();
          } else if (exited) {
            done();
            reject(new Error(`crate ${args.join(' ')} exited before printing ${pattern}:\n${out}\n${err}`));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`crate ${args.join(' ')} did not print ${pattern} within ${timeoutMs} ms:\n${out}\n${err}`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          const i = listeners.indexOf(check);
          if (i >= 0) listeners.splice(i, 1);
        };
        listeners.push(check);
        check();
      });
    },
  };
}
