/**
 * The parent side of the chaos kill test: hosts the simulated @LosslessRobot (plain core) and
 * serves one forked Crate child at a time over IPC, with FakeGateway's semantics (FloodWait as an
 * error, bot messages pushed as events). Every call passes through `decide`, which may let it
 * through, kill the child before the call takes effect, or let it take effect and kill before
 * the child hears the answer; `delayKill` kills a little later (a reply in flight, a flood wait
 * running). The bot keeps running while no child is attached.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { SimFloodWait, type SimulatedLosslessBot } from '../fakes/simulated-lossless/core.js';
import type { BotMessage } from '../../src/domain/telegram.js';
import type { ParentMessage, RpcCall, RpcError } from './rpc.js';

export type Decision = 'go' | 'kill-before' | 'kill-after';

export interface HostCall {
  method: RpcCall['method'];
  args: unknown[];
  /** Run number (0 = the first child). */
  run: number;
}

export interface HostHooks {
  /** Called for every call before it takes effect. */
  decide?(call: HostCall): Decision;
  /** Called after a call took effect (with its result or the error it raised). */
  after?(call: HostCall, outcome: { value?: unknown; error?: RpcError }): void;
  /** Every bot message (new or edited), whether a child is attached or not. */
  onBotMessage?(message: BotMessage, kind: 'new' | 'edited'): void;
}

export interface ChildRun {
  run: number;
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  killedAt: number | null;
}

export class SimHost {
  private current: ChildRun | null = null;
  private runs = 0;
  private readonly unsubscribe: () => void;

  constructor(
    readonly bot: SimulatedLosslessBot,
    private readonly hooks: HostHooks,
  ) {
    this.unsubscribe = bot.onMessage((message, kind) => {
      hooks.onBotMessage?.(message, kind);
      this.push({ t: 'event', message, kind });
    });
  }

  /** Forks the child script with an IPC channel; its stdout/stderr go to `logFile`. */
  start(script: string, env: NodeJS.ProcessEnv, logFile: string, cwd: string): ChildRun {
    if (this.current) throw new Error('a child is still attached');
    const log: WriteStream = createWriteStream(logFile, { flags: 'a' });
    const child = fork(script, [], {
      cwd,
      env,
      execArgv: ['--import', 'tsx'],
      serialization: 'advanced',
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    child.stdout?.pipe(log, { end: false });
    child.stderr?.pipe(log, { end: false });
    const run: ChildRun = {
      run: this.runs++,
      child,
      killedAt: null,
      exited: new Promise((resolve) =>
        child.once('exit', (code, signal) => {
          if (this.current?.child === child) this.current = null;
          // Let the pipes drain before closing the log.
          setTimeout(() => log.end(), 50);
          resolve({ code, signal });
        }),
      ),
    };
    child.on('message', (m) => this.serve(run, m as RpcCall));
    child.on('error', () => undefined);
    this.current = run;
    return run;
  }

  /** SIGKILL now (no goodbye: nothing in the child runs after this). */
  kill(): void {
    const run = this.current;
    if (!run || run.killedAt !== null) return;
    run.killedAt = Date.now();
    run.child.kill('SIGKILL');
  }

  /** Kills after `ms` unless the child already exited. */
  delayKill(ms: number): void {
    const run = this.current;
    if (!run) return;
    setTimeout(() => {
      if (this.current === run) this.kill();
    }, ms);
  }

  attached(): ChildRun | null {
    return this.current;
  }

  close(): void {
    this.kill();
    this.unsubscribe();
  }

  private serve(run: ChildRun, call: RpcCall): void {
    if (call.t !== 'call' || run.killedAt !== null) return;
    const hostCall: HostCall = { method: call.method, args: call.args, run: run.run };
    const decision = this.hooks.decide?.(hostCall) ?? 'go';
    if (decision === 'kill-before') {
      this.kill();
      return;
    }
    let reply: ParentMessage;
    try {
      const value = this.perform(call);
      this.hooks.after?.(hostCall, { value });
      reply = { t: 'result', id: call.id, ok: true, value };
    } catch (err) {
      const error: RpcError =
        err instanceof SimFloodWait ? { kind: 'flood', seconds: err.seconds } : { kind: 'error', message: err instanceof Error ? err.message : String(err) };
      this.hooks.after?.(hostCall, { error });
      reply = { t: 'result', id: call.id, ok: false, error };
    }
    if (decision === 'kill-after') {
      this.kill();
      return;
    }
    if (this.current === run && run.killedAt === null) this.push(reply);
  }

  private perform(call: RpcCall): unknown {
    const a = call.args;
    switch (call.method) {
      case 'status':
        return { state: 'ready', user: 'chaos-owner', detail: null };
      case 'resolveBot':
        return { id: String(this.bot.botUserId), username: String(a[0]).replace(/^@/, '') };
      case 'sendText':
        return this.bot.sendText(a[0] as string);
      case 'clickButton':
        return this.bot.clickButton(a[0] as number, a[1] as string);
      case 'inlineQuery':
        return this.bot.inlineQuery(a[0] as string);
      case 'sendInlineResult':
        return this.bot.sendInlineResult(a[0] as { queryId: string; resultId: string });
      case 'history':
        return this.bot.history(a[0] as { minId: number; limit: number });
      case 'getMessages':
        return this.bot.getMessages(a[0] as number[]);
      case 'documentBytes':
        return this.bot.documentBytes(a[0] as string, a[1] as number, a[2] as number);
      case 'checkpoint':
        return null;
    }
  }

  private push(message: ParentMessage): void {
    const run = this.current;
    if (!run || run.killedAt !== null || !run.child.connected) return;
    try {
      run.child.send(message);
    } catch {
      // The child died between the check and the send: it will not hear it, like a lost update.
    }
  }
}
