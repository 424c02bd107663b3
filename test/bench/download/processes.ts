/**
 * The download bench's two processes: the fake Telegram (run like the bench itself, through tsx)
 * and Crate's side (compiled to plain JS, run with plain node), with a request/reply helper over
 * their IPC channels.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');

/** A child whose replies are awaited by type; fails fast if the child dies first. */
export class BenchChild<Command, Reply extends { type: string }> {
  private readonly replies: Reply[] = [];
  private readonly waiting: (() => void)[] = [];
  private exited: string | null = null;

  constructor(
    readonly name: string,
    readonly process: ChildProcess,
  ) {
    process.on('message', (reply: Reply) => {
      this.replies.push(reply);
      this.wake();
    });
    process.on('exit', (code, signal) => {
      this.exited = `${name} exited (${signal ?? code})`;
      this.wake();
    });
  }

  send(command: Command): void {
    this.process.send(command as object);
  }

  async next<T extends Reply['type']>(type: T): Promise<Extract<Reply, { type: T }>> {
    for (;;) {
      const i = this.replies.findIndex((r) => r.type === type);
      if (i >= 0) return this.replies.splice(i, 1)[0] as Extract<Reply, { type: T }>;
      if (this.exited) throw new Error(`bench: ${this.exited} before answering ${type}`);
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
  }

  async request<T extends Reply['type']>(command: Command, type: T): Promise<Extract<Reply, { type: T }>> {
    this.send(command);
    return this.next(type);
  }

  stop(): Promise<void> {
    if (this.exited) return Promise.resolve();
    const gone = new Promise<void>((resolve) => this.process.once('exit', () => resolve()));
    if (this.process.connected) this.process.disconnect();
    const kill = setTimeout(() => this.process.kill('SIGKILL'), 5_000);
    return gone.finally(() => clearTimeout(kill));
  }

  private wake(): void {
    for (const w of this.waiting.splice(0)) w();
  }
}

/** The fake Telegram, with the bench's own loader (tsx), told the file and the link by env. */
export function forkTelegramSide<C, R extends { type: string }>(env: Record<string, string>): BenchChild<C, R> {
  const child = fork(path.join(here, 'telegram-side.ts'), [], { env: { ...process.env, ...env }, stdio: 'inherit' });
  return new BenchChild('the fake Telegram', child);
}

/**
 * Crate's side: crate-side.ts and what it imports from src/ compiled to one JS file (esbuild;
 * packages stay imports from node_modules) and run by plain node with `nodeFlags`, no loader, no
 * NODE_OPTIONS.
 */
export async function forkCrateSide<C, R extends { type: string }>(nodeFlags: readonly string[]): Promise<BenchChild<C, R>> {
  const outDir = path.join(root, 'node_modules/.cache/crate-bench');
  mkdirSync(outDir, { recursive: true });
  const outfile = path.join(outDir, 'download-crate-side.mjs');
  await build({
    entryPoints: [path.join(here, 'crate-side.ts')],
    outfile,
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: 'node22',
    logLevel: 'warning',
  });
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.NODE_OPTIONS;
  const child = fork(outfile, [], { execArgv: [...nodeFlags], env, stdio: 'inherit' });
  return new BenchChild('Crate side', child);
}
