/**
 * Runs the real `crate` binary (bin/crate.js) in a child process, as a user would: its own
 * environment (no inherited settings), its own working folder, exit code and both streams captured.
 * The sources run through tsx unless `from: 'dist'` asks for the build.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const CRATE_BIN = path.join(REPO_ROOT, 'bin/crate.js');

export interface CrateRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CrateRunOptions {
  cwd: string;
  env?: Record<string, string>;
  from?: 'src' | 'dist';
  /** Extra node flags before the script (e.g. --import for a hook). */
  nodeArgs?: string[];
  input?: string;
  timeoutMs?: number;
  /** Run as this user and group id (tests of permissions, when the suite runs as root). */
  uid?: number;
  gid?: number;
}

export function runCrate(args: string[], options: CrateRunOptions): Promise<CrateRun> {
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: options.cwd,
    LOG_LEVEL: 'warn',
    CRATE_RUN_FROM: options.from ?? 'src',
    ...options.env,
  };
  const ids = options.uid !== undefined ? { uid: options.uid, gid: options.gid ?? options.uid } : {};
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), CRATE_BIN, ...args], { cwd: options.cwd, env, stdio: 'pipe', ...ids });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  child.stdin.end(options.input ?? '');
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 25_000);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}
