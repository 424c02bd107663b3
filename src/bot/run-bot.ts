/** Starts long polling (getMe and deleteWebhook come first, inside bot.start) and stops it cleanly. */
import { GrammyError } from 'grammy';
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
}

/** Resolves once the bot is polling; `signal` stops it as well. */
export async function runBot(crate: CrateBot, options: { logger: Logger; signal?: AbortSignal }): Promise<RunningBot> {
  const { bot, progress, notifications } = crate;
  const { logger } = options;
  try {
    await bot.init();
  } catch (err) {
    throw explainStartError(err);
  }
  try {
    await bot.api.setMyCommands(BOT_COMMANDS.map((c) => ({ command: c.command, description: c.description })));
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
      if (bot.isRunning()) await bot.stop();
      await done.catch(() => undefined);
    })();
    return pollingStopped;
  };
  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= (async () => {
      await stopPolling();
      await Promise.all([progress.stop(), notifications.stop()]);
      logger.info('control bot stopped');
    })();
    return stopping;
  };
  options.signal?.addEventListener('abort', () => void stop(), { once: true });
  if (options.signal?.aborted) await stop();
  return { done, username: bot.botInfo.username, stopPolling, stop };
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
