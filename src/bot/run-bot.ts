/**
 * Starts long polling and stops it cleanly. Before polling, the Bot API must answer getMe: while
 * it cannot be reached, the owner is told so in plain words within seconds ("cannot reach the
 * Telegram Bot API at URL: retrying in 5 s"), with backoff, and the shutdown signal ends the
 * wait at once (grammY itself would retry getMe silently forever). While polling, a Bot API that
 * goes away and comes back is said once each way, and `health()` tells whether polling works.
 */
import { GrammyError, HttpError } from 'grammy';
import { UserError } from '../domain/errors.js';
import type { Logger } from '../logger.js';
import { BOT_COMMANDS } from './commands.js';
import type { CrateBot } from './create-bot.js';

export interface RunningBot {
  /** Resolves when polling has stopped (after stop(), or rejects when polling failed for good). */
  done: Promise<void>;
  username: string;
  /** Stops fetching updates; progress messages and notifications still follow the jobs. */
  stopPolling(): Promise<void>;
  /** Stops polling, makes pending progress edits, stops listening to job events. */
  stop(): Promise<void>;
  /** Is polling alive: running, and getUpdates answered lately without failing since. */
  health(): BotPollingHealth;
}

export interface BotPollingHealth {
  polling: boolean;
  lastUpdateCheckAt: number | null;
  detail: string | null;
}

export interface RunBotOptions {
  logger: Logger;
  /**
   * Shutdown: ends a wait for the Bot API at once (runBot then resolves null). Once polling, the
   * caller stops the bot itself, in its own order (serve pauses jobs while progress still shows).
   */
  signal?: AbortSignal;
  /** Where plain status lines for the owner go (serve: stderr). Defaults to the logger. */
  say?: (line: string) => void;
  /** The Bot API root, for the messages. */
  apiRoot?: string;
  /** How long one getMe may take before the Bot API counts as unreachable (default 6 s). */
  attemptTimeoutMs?: number;
  /** Waits between attempts (default 5 s doubling to 60 s). */
  retryDelaysMs?: number[];
}

const DEFAULT_DELAYS_MS = [5_000, 10_000, 20_000, 40_000, 60_000];
/** getUpdates long-polls 30 s; a minute and a half without an answer means polling is stuck. */
const POLL_STALE_MS = 90_000;

/** Resolves once the bot is polling, or null when the signal stopped it first. */
export async function runBot(crate: CrateBot, options: RunBotOptions): Promise<RunningBot | null> {
  const { bot, progress, notifications } = crate;
  const { logger, signal } = options;
  const apiRoot = options.apiRoot ?? 'https://api.telegram.org';
  const say = options.say ?? ((line: string) => logger.warn(line));

  const polled = { okAt: null as number | null, failing: null as string | null };
  // Sees every getUpdates of polling (getUpdates is not auto-retried: grammY's loop retries it every 3 s).
  bot.api.config.use(async (prev, method, payload, callSignal) => {
    if (method !== 'getUpdates') return prev(method, payload, callSignal);
    try {
      const result = await prev(method, payload, callSignal);
      if (polled.failing !== null) say(`the Telegram Bot API at ${apiRoot} answers again`);
      polled.okAt = Date.now();
      polled.failing = null;
      return result;
    } catch (err) {
      if (!callSignal?.aborted) {
        if (polled.failing === null) say(`cannot reach the Telegram Bot API at ${apiRoot} (${reason(err)}): retrying`);
        polled.failing = reason(err);
      }
      throw err;
    }
  });

  if (!(await reachBotApi(crate, { ...options, apiRoot, say }))) return null;
  // getMe answered: the Bot API is there (the first long poll may take its 30 s to return).
  polled.okAt = Date.now();
  try {
    await bot.api.setMyCommands(BOT_COMMANDS.map((c) => ({ command: c.command, description: c.description })), undefined, grammySignal(withTimeout(signal, 10_000)));
  } catch (err) {
    logger.warn({ err }, 'could not set the command menu; commands still work');
  }
  progress.start();
  notifications.start();

  let started!: () => void;
  const ready = new Promise<void>((resolve) => (started = resolve));
  const done = bot.start({ drop_pending_updates: false, onStart: () => started() });
  const failedEarly = done.then(
    () => {
      throw new Error('polling stopped before it started');
    },
    (err: unknown) => {
      throw explainStartError(err);
    },
  );
  await Promise.race([ready, failedEarly]);
  failedEarly.catch(() => undefined);
  logger.info({ bot: bot.botInfo.username }, 'control bot is polling');

  let pollingStopped: Promise<void> | null = null;
  const stopPolling = () => {
    pollingStopped ??= (async () => {
      // grammY's stop confirms the last update with one more getUpdates, without a timeout: with
      // the Bot API gone that call would hang, so polling is given a few seconds to end.
      if (bot.isRunning()) await bounded(bot.stop(), 3000);
      await bounded(done, 3000);
    })();
    return pollingStopped;
  };
  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= (async () => {
      await stopPolling();
      await bounded(Promise.all([progress.stop(), notifications.stop()]), 5000);
      logger.info('control bot stopped');
    })();
    return stopping;
  };
  const health = (): BotPollingHealth => {
    const running = bot.isRunning();
    const fresh = polled.okAt !== null && Date.now() - polled.okAt < POLL_STALE_MS;
    return {
      polling: running && polled.failing === null && fresh,
      lastUpdateCheckAt: polled.okAt,
      detail: !running ? 'polling stopped' : polled.failing !== null ? `cannot reach the Bot API (${polled.failing})` : fresh ? null : 'no answer from getUpdates lately',
    };
  };
  return { done, username: bot.botInfo.username, stopPolling, stop, health };
}

/** getMe until it answers; false when the signal stopped the wait. Token and conflict errors are thrown. */
async function reachBotApi(crate: CrateBot, options: RunBotOptions & { apiRoot: string; say: (line: string) => void }): Promise<boolean> {
  const { bot } = crate;
  const { signal, say, apiRoot } = options;
  const delays = options.retryDelaysMs ?? DEFAULT_DELAYS_MS;
  const timeoutMs = options.attemptTimeoutMs ?? 6000;
  for (let attempt = 0; ; attempt++) {
    if (signal?.aborted) return false;
    try {
      // Our own getMe (not bot.init, which retries network errors silently without end).
      bot.botInfo = await bot.api.getMe(grammySignal(withTimeout(signal, timeoutMs)));
      if (attempt > 0) say(`reached the Telegram Bot API at ${apiRoot}`);
      return true;
    } catch (err) {
      if (signal?.aborted) return false;
      const explained = explainStartError(err);
      if (explained instanceof UserError) throw explained;
      if (err instanceof GrammyError && err.error_code < 500 && err.error_code !== 429) throw err;
      const delay = delays[Math.min(attempt, delays.length - 1)]!;
      say(`cannot reach the Telegram Bot API at ${apiRoot} (${reason(err, timeoutMs)}): retrying in ${Math.round(delay / 1000)} s`);
      if (!(await sleep(delay, signal))) return false;
    }
  }
}

function reason(err: unknown, timeoutMs?: number): string {
  if (err instanceof HttpError) {
    const inner = err.error as { name?: string; code?: string; cause?: { code?: string }; message?: string } | undefined;
    if (inner?.name === 'AbortError' || inner?.name === 'TimeoutError') return timeoutMs ? `no answer within ${timeoutMs / 1000} s` : 'no answer';
    const code = inner?.cause?.code ?? inner?.code;
    if (code === 'ECONNREFUSED') return 'connection refused';
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'host not found';
    if (code) return code;
    return inner?.message ?? err.message;
  }
  if (err instanceof GrammyError) return `${err.error_code} ${err.description}`;
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) return timeoutMs ? `no answer within ${timeoutMs / 1000} s` : 'no answer';
  return err instanceof Error ? err.message : String(err);
}

function withTimeout(signal: AbortSignal | undefined, ms: number): AbortSignal {
  const timeout = AbortSignal.timeout(ms);
  return signal ? AbortSignal.any([signal, timeout]) : timeout;
}

/** grammY types its signals with the abort-controller shim; Node's own AbortSignal is what it gets at run time. */
function grammySignal(signal: AbortSignal): Parameters<CrateBot['bot']['api']['getMe']>[0] {
  return signal as unknown as Parameters<CrateBot['bot']['api']['getMe']>[0];
}

/** Resolves after `ms` (true) or as soon as the signal fires (false). */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Waits for `work` at most `ms`; errors are dropped (this is for shutdown). */
async function bounded(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([work.catch(() => undefined), new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

/** The two start failures the owner can fix, as UserErrors (no stack, no token in the text). */
export function explainStartError(err: unknown): unknown {
  if (err instanceof GrammyError && err.error_code === 401) {
    return new UserError('Telegram refused the bot token (401 Unauthorized).', 'Copy it again from @BotFather (/mybots → API Token) into TELEGRAM_BOT_TOKEN.', { cause: err });
  }
  if (err instanceof GrammyError && err.error_code === 409) {
    return new UserError('Another program is already polling this bot (409 Conflict).', 'Stop the other copy of Crate (or the other program) that uses this token.', { cause: err });
  }
  return err;
}
