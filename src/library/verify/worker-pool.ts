/**
 * Runs the structural check of files in worker threads, so that no file — however it is crafted —
 * can block the main thread (the control bot, the pacer, downloads) or grow its heap. Each check
 * has a wall-time limit and the worker a V8 heap limit (`resourceLimits`); a worker over either is
 * terminated and the file gets a `timeout` / `memory` verdict. Workers are reused between files and
 * stop after a short idle time, and an idle worker never keeps the process alive.
 *
 * The worker entry is the sibling `inspect-worker.js` when it exists (compiled `dist/`), else
 * `inspect-worker.ts` loaded through tsx (sources: `bin/crate.js`, tests, benches).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { InspectRequest } from './inspect-worker.js';
import { DEFAULT_LIMITS, DEFAULT_WORKER_LIMITS, type VerifyLimits, type WorkerLimits } from './limits.js';
import type { Inspection } from './report.js';

export interface WorkerPoolOptions {
  /** Workers at once (default 1: verification is not what the machine is for). */
  size?: number;
  limits?: Partial<WorkerLimits>;
  parseLimits?: VerifyLimits;
  /** An idle worker exits after this long (default 5 s). */
  idleMs?: number;
}

interface Task {
  file: string;
  signal: AbortSignal | undefined;
  resolve(result: Inspection): void;
  reject(err: unknown): void;
}

interface Slot {
  worker: Worker;
  task: Task | null;
  idleTimer: NodeJS.Timeout | null;
}

export function workerEntry(): { url: URL; execArgv: string[] } {
  const js = new URL('./inspect-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(js))) return { url: js, execArgv: [] };
  // From sources: the worker needs tsx's loader too (it does not inherit `register()` from bin/crate.js).
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  return { url: new URL('./inspect-worker.ts', import.meta.url), execArgv: ['--import', tsx] };
}

export class VerifyWorkerPool {
  private readonly size: number;
  private readonly limits: WorkerLimits;
  private readonly parseLimits: VerifyLimits;
  private readonly idleMs: number;
  private readonly slots = new Set<Slot>();
  private readonly queue: Task[] = [];
  private nextId = 1;
  private closed = false;

  constructor(options: WorkerPoolOptions = {}) {
    this.size = Math.max(1, options.size ?? 1);
    this.limits = { ...DEFAULT_WORKER_LIMITS, ...options.limits };
    this.parseLimits = options.parseLimits ?? DEFAULT_LIMITS;
    this.idleMs = options.idleMs ?? 5_000;
  }

  /** The structural check of one file, in a worker. Rejects only when `signal` aborts or the pool is closed. */
  inspect(file: string, signal?: AbortSignal): Promise<Inspection> {
    if (this.closed) return Promise.reject(new Error('The verification workers were closed'));
    signal?.throwIfAborted();
    return new Promise<Inspection>((resolve, reject) => {
      this.queue.push({ file, signal, resolve, reject });
      this.pump();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.queue.splice(0)) t.reject(new Error('The verification workers were closed'));
    await Promise.all([...this.slots].map((s) => this.discard(s)));
  }

  private pump(): void {
    while (this.queue.length > 0) {
      let slot = [...this.slots].find((s) => s.task === null);
      if (!slot) {
        if (this.slots.size >= this.size) return;
        slot = this.spawn();
      }
      this.run(slot, this.queue.shift()!);
    }
  }

  private spawn(): Slot {
    const { url, execArgv } = workerEntry();
    const worker = new Worker(url, {
      execArgv,
      resourceLimits: { maxOldGenerationSizeMb: this.limits.maxHeapMb, maxYoungGenerationSizeMb: 16, stackSizeMb: 4 },
      stdout: false,
      stderr: false,
    });
    const slot: Slot = { worker, task: null, idleTimer: null };
    this.slots.add(slot);
    return slot;
  }

  private run(slot: Slot, task: Task): void {
    if (slot.idleTimer) clearTimeout(slot.idleTimer);
    slot.idleTimer = null;
    if (task.signal?.aborted) {
      task.reject(task.signal.reason);
      return;
    }
    slot.task = task;
    const id = this.nextId++;
    const { worker } = slot;
    worker.ref();
    let settled = false;
    const finish = (outcome: { result: Inspection } | { error: unknown }, keepWorker: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      task.signal?.removeEventListener('abort', onAbort);
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
      slot.task = null;
      if (keepWorker) this.idle(slot);
      else void this.discard(slot);
      if ('result' in outcome) task.resolve(outcome.result);
      else task.reject(outcome.error);
      this.pump();
    };
    const onMessage = (msg: { id: number; result: Inspection }) => {
      if (msg.id === id) finish({ result: msg.result }, true);
    };
    const onError = (err: Error & { code?: string }) => {
      const memory = err.code === 'ERR_WORKER_OUT_OF_MEMORY';
      const reason = memory
        ? `refused: checking it needed more than ${this.limits.maxHeapMb} MB of memory`
        : `the verification worker failed on it (${err.message})`;
      finish({ result: { ok: false, kind: memory ? 'memory' : 'crashed', reason } }, false);
    };
    const onExit = (code: number) => {
      finish({ result: { ok: false, kind: 'crashed', reason: `the verification worker stopped (exit code ${code}) without an answer` } }, false);
    };
    const onAbort = () => finish({ error: task.signal!.reason }, false);
    const timer = setTimeout(() => {
      const seconds = Math.round(this.limits.timeoutMs / 1000);
      finish({ result: { ok: false, kind: 'timeout', reason: `refused: checking it took longer than ${seconds} s (stopped)` } }, false);
    }, this.limits.timeoutMs);
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
    task.signal?.addEventListener('abort', onAbort, { once: true });
    const request: InspectRequest = { id, file: task.file, limits: this.parseLimits };
    worker.postMessage(request);
  }

  /** An idle worker does not keep the process alive, and exits after a while. */
  private idle(slot: Slot): void {
    slot.worker.unref();
    slot.idleTimer = setTimeout(() => void this.discard(slot), this.idleMs);
    slot.idleTimer.unref();
  }

  private async discard(slot: Slot): Promise<void> {
    if (!this.slots.delete(slot)) return;
    if (slot.idleTimer) clearTimeout(slot.idleTimer);
    await slot.worker.terminate().catch(() => undefined);
  }
}
