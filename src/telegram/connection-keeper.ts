/**
 * Keeps one GramJS client alive, or says plainly that Telegram cannot be reached.
 *
 * GramJS alone does not: `connect()` resolves false when every attempt failed (and hangs on a
 * link that accepts and never answers), later `invoke`s wait forever, and once its reconnect
 * retries are spent a dead sender stays dead. So here:
 *  - every call has a deadline; a call past it, or an error that means the link is gone, marks
 *    the connection down (state change → listeners, once per outage);
 *  - while down, calls fail at once with TelegramUnreachableError instead of queueing inside
 *    GramJS (where they would all go out in a burst after a reconnect);
 *  - a health loop pings while up; a missed ping marks it down;
 *  - while down, the client is rebuilt (the old one destroyed, with whatever it still had
 *    queued) with backoff until it connects again, then listeners hear "up".
 */
import bigInt from 'big-integer';
import { Api, errors, type TelegramClient } from 'telegram';
import { SessionExpiredError, TelegramUnreachableError, errorMessage } from '../domain/errors.js';
import type { ConnectionChange } from '../domain/telegram.js';
import type { Logger } from '../logger.js';
import { DeadlineError, formatMs, pause, withDeadline } from './deadline.js';
import { mapTelegramError } from './errors.js';

export interface ConnectionTiming {
  /** GramJS connect (TCP + first request) must finish within this. */
  connectTimeoutMs: number;
  /** Any single request. */
  callTimeoutMs: number;
  /** Gap between health pings while connected. */
  pingIntervalMs: number;
  pingTimeoutMs: number;
  /** Waits before each rebuild attempt while down; the last one repeats. */
  retryDelaysMs: number[];
  /** destroy() of a client may take this long before we stop waiting for it. */
  destroyTimeoutMs: number;
}

export const DEFAULT_TIMING: ConnectionTiming = {
  connectTimeoutMs: 15_000,
  callTimeoutMs: 30_000,
  pingIntervalMs: 30_000,
  pingTimeoutMs: 10_000,
  retryDelaysMs: [5_000, 15_000, 30_000],
  destroyTimeoutMs: 2_000,
};

export interface KeeperOptions {
  logger: Logger;
  timing?: Partial<ConnectionTiming>;
  /** Called for every new client (event handlers go on it). */
  onClient?: (client: TelegramClient) => void;
  /** Runs right after a connect (e.g. getMe): proves the session works. */
  verify?: (client: TelegramClient) => Promise<void>;
}

type Listener = (change: ConnectionChange) => void;

export class ConnectionKeeper {
  readonly timing: ConnectionTiming;
  private current: TelegramClient;
  private state: 'idle' | 'up' | 'down' | 'closed' = 'idle';
  private detail: string | null = null;
  private readonly listeners = new Set<Listener>();
  private rebuilding: Promise<void> | null = null;
  private connecting: Promise<void> | null = null;
  private pingTimer: NodeJS.Timeout | null = null;
  private readonly closed = new AbortController();
  private readonly log: Logger;

  constructor(
    private readonly factory: () => TelegramClient,
    private readonly options: KeeperOptions,
  ) {
    this.timing = { ...DEFAULT_TIMING, ...options.timing };
    this.log = options.logger;
    this.current = factory();
    options.onClient?.(this.current);
  }

  get client(): TelegramClient {
    return this.current;
  }

  get isUp(): boolean {
    return this.state === 'up';
  }

  get lastProblem(): string | null {
    return this.detail;
  }

  onChange(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Connects the first time. While down (the health loop is rebuilding in the background) it
   * fails at once with the last problem: callers learn it now, and hear "up" when it is back.
   */
  async connect(timeoutMs = this.timing.connectTimeoutMs): Promise<void> {
    if (this.state === 'up') return;
    if (this.state === 'closed') throw new TelegramUnreachableError('the connection was closed');
    if (this.state === 'down') throw new TelegramUnreachableError(this.detail ?? 'reconnecting');
    this.connecting ??= this.connectOnce(this.current, timeoutMs).finally(() => {
      this.connecting = null;
    });
    try {
      await this.connecting;
      this.markUp();
    } catch (err) {
      if (!(err instanceof SessionExpiredError)) this.markDown(unwrapDetail(errorMessage(err)));
      throw err;
    }
  }

  /** Runs one Telegram call with a deadline; a dead link becomes TelegramUnreachableError. */
  async call<T>(what: string, fn: (client: TelegramClient) => Promise<T>, timeoutMs = this.timing.callTimeoutMs): Promise<T> {
    if (this.state === 'closed') throw new TelegramUnreachableError('the connection was closed');
    if (this.state === 'down') throw new TelegramUnreachableError(this.detail ?? 'reconnecting');
    if (this.state === 'idle') await this.connect();
    try {
      return await withDeadline(fn(this.current), timeoutMs, what);
    } catch (err) {
      if (err instanceof DeadlineError || isLinkGone(err)) {
        const detail = err instanceof DeadlineError ? err.message : `${what}: ${errorMessage(err)}`;
        this.markDown(detail);
        throw new TelegramUnreachableError(detail, { cause: err });
      }
      throw err;
    }
  }

  /** Stops the health loop and destroys the client (bounded: a stuck GramJS does not hold us). */
  async close(): Promise<void> {
    this.state = 'closed';
    this.closed.abort();
    this.stopPings();
    await this.destroy(this.current);
  }

  private async connectOnce(client: TelegramClient, timeoutMs: number): Promise<void> {
    let ok = client.connected === true;
    try {
      if (!ok) ok = await withDeadline(client.connect(), timeoutMs, 'connect', this.closed.signal);
    } catch (err) {
      if (err instanceof DeadlineError) throw new TelegramUnreachableError(`no connection within ${formatMs(timeoutMs)}`, { cause: err });
      throw new TelegramUnreachableError(errorMessage(err), { cause: err });
    }
    // GramJS says false (and logs nothing we show) when every attempt failed.
    if (!ok) throw new TelegramUnreachableError('connection refused or dropped');
    if (this.options.verify) {
      try {
        await withDeadline(this.options.verify(client), this.timing.callTimeoutMs, 'the first request');
      } catch (err) {
        if (err instanceof DeadlineError) throw new TelegramUnreachableError(err.message, { cause: err });
        throw mapTelegramError(err, 'getMe');
      }
    }
  }

  private markUp(): void {
    const was = this.state;
    this.state = 'up';
    this.detail = null;
    this.schedulePing();
    if (was === 'down') this.emit({ state: 'up', detail: null });
  }

  private markDown(detail: string): void {
    if (this.state === 'closed') return;
    const was = this.state;
    this.detail = detail;
    this.state = 'down';
    this.stopPings();
    if (was !== 'down') {
      this.log.warn({ detail }, 'Telegram cannot be reached');
      this.emit({ state: 'down', detail });
    }
    this.startRebuild();
  }

  private startRebuild(): void {
    this.rebuilding ??= this.rebuild().finally(() => {
      this.rebuilding = null;
    });
  }

  /** Destroys the client (and every request it still held) and builds a new one until it connects. */
  private async rebuild(): Promise<void> {
    for (let attempt = 0; this.state === 'down'; attempt++) {
      const delays = this.timing.retryDelaysMs;
      const wait = delays[Math.min(attempt, delays.length - 1)] ?? 30_000;
      this.log.info({ detail: this.detail, retryInMs: wait }, `Telegram cannot be reached (${this.detail}): retrying in ${formatMs(wait)}`);
      await pause(wait, this.closed.signal, { unref: true });
      if (this.state !== 'down') return;
      const old = this.current;
      await this.destroy(old);
      const next = this.factory();
      this.current = next;
      this.options.onClient?.(next);
      try {
        await this.connectOnce(next, this.timing.connectTimeoutMs);
        if (this.state !== 'down') return;
        this.markUp();
        this.log.info('Telegram is reachable again');
        return;
      } catch (err) {
        if (err instanceof SessionExpiredError) {
          this.detail = err.message;
          this.log.error({ code: err.code }, 'Telegram session ended while reconnecting');
          return;
        }
        this.detail = unwrapDetail(errorMessage(err));
      }
    }
  }

  private schedulePing(): void {
    this.stopPings();
    this.pingTimer = setTimeout(() => {
      this.pingTimer = null;
      void this.ping();
    }, this.timing.pingIntervalMs);
    this.pingTimer.unref();
  }

  private async ping(): Promise<void> {
    if (this.state !== 'up') return;
    try {
      await this.call('a ping', (c) => c.invoke(new Api.Ping({ pingId: bigInt.randBetween(bigInt(1), bigInt('9007199254740991')) })), this.timing.pingTimeoutMs);
    } catch {
      // call() marked the connection down when it mattered.
    }
    if (this.state === 'up') this.schedulePing();
  }

  private stopPings(): void {
    if (this.pingTimer) clearTimeout(this.pingTimer);
    this.pingTimer = null;
  }

  private async destroy(client: TelegramClient): Promise<void> {
    try {
      await withDeadline(client.destroy(), this.timing.destroyTimeoutMs, 'closing the connection');
    } catch (err) {
      this.log.debug({ err }, 'GramJS did not close in time; left behind');
    }
  }

  private emit(change: Omit<ConnectionChange, 'at'>): void {
    const full: ConnectionChange = { ...change, at: Date.now() };
    for (const listener of [...this.listeners]) {
      try {
        listener(full);
      } catch (err) {
        this.log.error({ err }, 'a connection listener failed');
      }
    }
  }
}

function unwrapDetail(message: string): string {
  return message.replace(/^Telegram cannot be reached \((.*)\)$/, '$1');
}

/** Errors GramJS raises when the link (not Telegram's answer) failed. */
function isLinkGone(err: unknown): boolean {
  if (err instanceof errors.RPCError) return false;
  const message = errorMessage(err);
  return /disconnected|Not connected|NetSocket was closed|Maximum reconnection retries|connection closed/i.test(message);
}
