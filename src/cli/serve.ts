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
import { SessionExpiredError, errorMessage } from '../domain/errors.js';
import type { SessionStatus } from '../domain/telegram.js';
import type { JobServiceApi } from '../engine/job-service-api.js';
import type { PacerState } from '../engine/ports.js';
import type { Logger } from '../logger.js';
import type { BotAccountControl, ExchangeProbe, ProgressMessageStore, SettingsStore, SpotifyLogin, TelegramLoginFlow } from '../bot/ports.js';
import type { RunningBot } from '../bot/run-bot.js';
import type { WatchControl } from '../bot/features/watch.js';
import type { RegisterCommand } from './commands.js';
import type { CliContext } from './context.js';
import { doctorChecks, type DoctorProbes } from './doctor.js';
import { HealthMonitor } from './health-monitor.js';
import { startHealthServer, type HealthServer } from './health-server.js';
import type { HealthSnapshot } from './health-snapshot.js';

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
  /** `/acceptbot`: the account the bot username now names, after a stop over it. */
  botAccount?: BotAccountControl;
  /**
   * Connects the Telegram user session. Run in the background: it may take long or fail (no
   * session yet, revoked, offline) and the bot must keep working meanwhile; serve retries it
   * with backoff unless the session itself is missing or revoked (then /login starts it).
   */
  startUserSession?(): Promise<void>;
  /** Playlist watch: the bot's /watch and /watches, and the scheduler serve runs. */
  watches?: WatchControl & { start(): void; stop(): void };
  /** For the health snapshot: the session's state (serve bounds the wait), the pacer, and where to record it. */
  health?: {
    sessionStatus(): Promise<SessionStatus>;
    pacer(): PacerState;
    record(snapshot: HealthSnapshot): void;
  };
  /** Closes GramJS and SQLite; called after service.shutdown(). */
  close(): Promise<void>;
}

export type ServeRuntimeFactory = (args: { config: Config; logger: Logger; signal: AbortSignal }) => Promise<ServeRuntime>;

export interface ServeOptions {
  createRuntime: ServeRuntimeFactory;
  /** Overrides TELEGRAM_BOT_API_ROOT (tests use a fake Bot API server). */
  apiRoot?: string;
  progressIntervalMs?: number;
  /** Waits between user-session start attempts (default 5 s doubling to 5 min). */
  sessionRetryDelaysMs?: number[];
}

const SESSION_RETRY_DELAYS_MS = [5_000, 10_000, 20_000, 40_000, 80_000, 160_000, 300_000];
/** A session start still pending after this long shows as offline in the health check. */
const SLOW_START_MS = 30_000;
/** Each shutdown step gets this long; a Telegram or Bot API call that hangs does not hold the exit. */
const SHUTDOWN_STEP_MS = 5_000;

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
  const apiRoot = options.apiRoot ?? config.telegram.botApiRoot;
  let running: RunningBot | null = null;
  let healthServer: HealthServer | null = null;
  const monitor = new HealthMonitor({
    bot: () => running?.health() ?? null,
    sessionStatus: () => runtime.health?.sessionStatus() ?? runtime.service.status().then((s) => s.session),
    pacer: () => {
      if (!runtime.health) throw new Error('no pacer');
      return runtime.health.pacer();
    },
    jobs: () => runtime.service.listJobs(),
    ...(runtime.health ? { record: runtime.health.record } : {}),
  });
  const say = (line: string) => {
    ctx.stderr.write(`crate: ${line}\n`);
    if (line.startsWith('cannot')) monitor.noteError(line);
  };
  let sessionLoop: Promise<void> = Promise.resolve();
  try {
    monitor.start();
    if (config.health.port !== undefined) {
      healthServer = await startHealthServer({ host: config.health.host, port: config.health.port, snapshot: () => monitor.current() });
      logger.info({ url: healthServer.url }, 'answering health checks');
    }
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
      ...(runtime.botAccount ? { botAccount: runtime.botAccount } : {}),
      ...(runtime.watches ? { watches: runtime.watches } : {}),
      ...(options.apiRoot ? { apiRoot: options.apiRoot } : {}),
      ...(options.progressIntervalMs ? { progressIntervalMs: options.progressIntervalMs } : {}),
    });
    running = await runBot(crate, { logger, signal, say, apiRoot });
    if (!running) {
      logger.info('stopped before the control bot could start');
      return;
    }
    ctx.stdout.write(`Crate is running: talk to @${running.username} on Telegram. Ctrl+C stops it.\n`);

    // Watched playlists are checked once the user session had its chance to come up (a check
    // postpones itself, and says so, while the session is missing).
    const startWatches = () => {
      if (!signal.aborted) runtime.watches?.start();
    };
    if (runtime.startUserSession) {
      sessionLoop = superviseUserSession(runtime.startUserSession, {
        logger,
        signal,
        monitor,
        delays: options.sessionRetryDelaysMs ?? SESSION_RETRY_DELAYS_MS,
        afterFirstAttempt: startWatches,
      });
    } else {
      monitor.sessionPhase(null);
      startWatches();
    }

    const bot = running;
    await Promise.race([
      bot.done,
      new Promise<void>((resolve) => {
        if (signal.aborted) resolve();
        signal.addEventListener('abort', () => resolve(), { once: true });
      }),
    ]);
    logger.info('shutting down');
  } finally {
    // Polling stops first (no new commands), then jobs pause at a safe point while the progress
    // messages still follow them, then everything closes. Each step is bounded: a Telegram or
    // Bot API call that never returns must not keep Crate from stopping.
    monitor.stop();
    await step(running?.stopPolling(), 'stopping the bot', logger);
    runtime.watches?.stop();
    await step(runtime.service.shutdown(), 'pausing jobs', logger);
    await step(running?.stop(), 'stopping the bot', logger);
    await step(healthServer?.close(), 'closing the health endpoint', logger);
    await step(sessionLoop, 'stopping the user session', logger);
    await step(runtime.close(), 'closing', logger);
  }
}

/**
 * Starts the user session, and again with backoff while it fails for a reason that can pass
 * (Telegram unreachable, a timeout). A missing or revoked session is not retried: the owner's
 * /login starts the new one. The shutdown signal ends the wait at once.
 */
async function superviseUserSession(
  start: () => Promise<void>,
  o: { logger: Logger; signal: AbortSignal; monitor: HealthMonitor; delays: number[]; afterFirstAttempt?: () => void },
): Promise<void> {
  let first = true;
  const firstDone = () => {
    if (first) o.afterFirstAttempt?.();
    first = false;
  };
  try {
    await superviseAttempts(start, o, firstDone);
  } finally {
    firstDone();
  }
}

async function superviseAttempts(
  start: () => Promise<void>,
  o: { logger: Logger; signal: AbortSignal; monitor: HealthMonitor; delays: number[] },
  firstDone: () => void,
): Promise<void> {
  for (let attempt = 0; !o.signal.aborted; attempt++) {
    if (attempt === 0) o.monitor.sessionPhase({ state: 'starting', detail: 'connecting' });
    try {
      // A start that hangs (Telegram accepting and never answering) must not hold the shutdown,
      // and after a while it is reported as what it is: Telegram is not answering.
      const slow = setTimeout(() => o.monitor.sessionPhase({ state: 'offline', detail: `Telegram has not answered for ${SLOW_START_MS / 1000} s; still trying` }), SLOW_START_MS);
      await Promise.race([start(), aborted(o.signal)]).finally(() => clearTimeout(slow));
      if (o.signal.aborted) return;
      o.monitor.sessionPhase(null);
      o.logger.info('Telegram user session is up');
      firstDone();
      return;
    } catch (err) {
      if (o.signal.aborted) return;
      o.monitor.sessionPhase(null);
      if (err instanceof SessionExpiredError) {
        o.logger.warn(`Telegram user session is not available (${errorMessage(err)}); the bot works, jobs wait: send /login`);
        return;
      }
      const delay = o.delays[Math.min(attempt, o.delays.length - 1)]!;
      const line = `Telegram user session did not start (${errorMessage(err)}): retrying in ${Math.round(delay / 1000)} s`;
      o.logger.warn(line);
      o.monitor.noteError(line);
      o.monitor.sessionPhase({ state: 'offline', detail: `${errorMessage(err)}; retrying` });
      firstDone();
      const woke = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => {
          o.signal.removeEventListener('abort', onAbort);
          resolve(true);
        }, delay);
        const onAbort = () => {
          clearTimeout(timer);
          resolve(false);
        };
        o.signal.addEventListener('abort', onAbort, { once: true });
      });
      if (!woke) return;
    }
  }
}

function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

async function step(work: Promise<unknown> | undefined, what: string, logger: Logger): Promise<void> {
  if (!work) return;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const outcome = await Promise.race([
    work.then(
      () => 'ok' as const,
      (err: unknown) => {
        logger.warn({ err }, `${what} failed`);
        return 'failed' as const;
      },
    ),
    new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), SHUTDOWN_STEP_MS))),
  ]);
  clearTimeout(timer);
  if (outcome === 'late') logger.warn(`${what} took longer than ${SHUTDOWN_STEP_MS / 1000} s; going on with the shutdown`);
}
