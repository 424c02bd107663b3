/**
 * `crate serve` (npm start): the owner's control bot and the Telegram user session side by side,
 * on the same JobService the CLI uses. The bot comes up even when the user session is missing,
 * expired or offline (it says so in /status; jobs wait). SIGINT/SIGTERM stop polling, pause jobs
 * at a safe point (service.shutdown) and close GramJS and SQLite.
 *
 * The real service is built by the composition root (src/main.ts) through `createRuntime`.
 */
import type { Command } from 'commander';
import { requireSettings, type Config } from '../config.js';
import type { JobServiceApi } from '../engine/job-service-api.js';
import type { Logger } from '../logger.js';
import type { ExchangeProbe, ProgressMessageStore, SettingsStore, SpotifyLogin, TelegramLoginFlow } from '../bot/ports.js';
import type { RunningBot } from '../bot/run-bot.js';
import type { WatchControl } from '../bot/features/watch.js';
import type { RegisterCommand } from './commands.js';
import type { CliContext } from './context.js';
import { doctorChecks, type DoctorProbes } from './doctor.js';

/** What serve needs from the composition root. */
export interface ServeRuntime {
  service: JobServiceApi;
  login: TelegramLoginFlow;
  spotify: SpotifyLogin;
  settings: SettingsStore;
  /** Persists which bot message shows which job (JobStore.updateJob progressChatId/progressMessageId). */
  progressStore?: ProgressMessageStore;
  /** For the short doctor list in /status. */
  probes?: DoctorProbes;
  /** `/probe`: one recorded exchange with the external bot. */
  prober?: ExchangeProbe;
  /**
   * Connects the Telegram user session. Run in the background: it may take long or fail (no
   * session yet, revoked, offline) and the bot must keep working meanwhile.
   */
  startUserSession?(): Promise<void>;
  /** Playlist watch: the bot's /watch and /watches, and the scheduler serve runs. */
  watches?: WatchControl & { start(): void; stop(): void };
  /** Closes GramJS and SQLite; called after service.shutdown(). */
  close(): Promise<void>;
}

export type ServeRuntimeFactory = (args: { config: Config; logger: Logger; signal: AbortSignal }) => Promise<ServeRuntime>;

export interface ServeOptions {
  createRuntime: ServeRuntimeFactory;
  /** Overrides TELEGRAM_BOT_API_ROOT (tests use a fake Bot API server). */
  apiRoot?: string;
  progressIntervalMs?: number;
}

export function createServeCommand(options: ServeOptions): RegisterCommand {
  return (program: Command, ctx: CliContext) => {
    program
      .command('serve')
      .description('run the control bot and the Telegram user session (what `npm start` does)')
      .action(async () => {
        await serve(ctx, options);
      });
  };
}

export async function serve(ctx: CliContext, options: ServeOptions): Promise<void> {
  const config = ctx.config();
  // First, before opening anything: with the control bot not configured, say everything that is
  // missing (also what downloads will need) and stop. The bot itself runs without the rest.
  try {
    requireSettings(config, ['controlBot']);
  } catch {
    requireSettings(config, ['controlBot', 'telegramUser', 'spotifyApp']);
  }
  const logger = ctx.logger();
  const signal = ctx.shutdownSignal;
  if (signal.aborted) return;

  // grammY only for the command that runs the bot.
  const [{ createBot }, { runBot }] = await Promise.all([import('../bot/create-bot.js'), import('../bot/run-bot.js')]);
  const runtime = await options.createRuntime({ config, logger, signal });
  let running: RunningBot | null = null;
  try {
    const crate = createBot(config.telegram.botToken as string, {
      config,
      logger,
      service: runtime.service,
      login: runtime.login,
      spotify: runtime.spotify,
      settings: runtime.settings,
      checks: doctorChecks(config, runtime.probes ?? {}, { includeBot: false }),
      ...(runtime.progressStore ? { progressStore: runtime.progressStore } : {}),
      ...(runtime.prober ? { prober: runtime.prober } : {}),
      ...(runtime.watches ? { watches: runtime.watches } : {}),
      ...(options.apiRoot ? { apiRoot: options.apiRoot } : {}),
      ...(options.progressIntervalMs ? { progressIntervalMs: options.progressIntervalMs } : {}),
    });
    running = await runBot(crate, { logger });
    ctx.stdout.write(`Crate is running: talk to @${running.username} on Telegram. Ctrl+C stops it.\n`);

    // Watched playlists are checked once the user session had its chance to come up (a check
    // postpones itself, and says so, while the session is missing).
    const startWatches = () => {
      if (!signal.aborted) runtime.watches?.start();
    };
    if (runtime.startUserSession) {
      runtime.startUserSession().then(
        () => {
          logger.info('Telegram user session is up');
          startWatches();
        },
        (err: unknown) => {
          logger.warn({ err }, 'Telegram user session is not available; the bot works, jobs wait (see /status)');
          startWatches();
        },
      );
    } else {
      startWatches();
    }

    await Promise.race([
      running.done,
      new Promise<void>((resolve) => {
        if (signal.aborted) resolve();
        signal.addEventListener('abort', () => resolve(), { once: true });
      }),
    ]);
    logger.info('shutting down');
  } finally {
    // Polling stops first (no new commands), then jobs pause at a safe point while the progress
    // messages still follow them, then everything closes.
    await running?.stopPolling().catch((err: unknown) => logger.warn({ err }, 'stopping the bot failed'));
    runtime.watches?.stop();
    await runtime.service.shutdown().catch((err: unknown) => logger.error({ err }, 'jobs did not pause cleanly'));
    await running?.stop().catch((err: unknown) => logger.warn({ err }, 'stopping the bot failed'));
    await runtime.close().catch((err: unknown) => logger.error({ err }, 'closing failed'));
  }
}
