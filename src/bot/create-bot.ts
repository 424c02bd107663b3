/**
 * Builds the owner's control bot: owner-only filter first, a child logger per update, auto-retry
 * (for the bot and, again, inside conversations, which build their own Api), one Composer per
 * feature inside an error boundary, and the unhandled feature last.
 */
import { autoRetry, type AutoRetryOptions } from '@grammyjs/auto-retry';
import { conversations } from '@grammyjs/conversations';
import { Bot, type Context, type Middleware } from 'grammy';
import { requireSettings, secretValues, type Config } from '../config.js';
import type { JobServiceApi } from '../engine/job-service-api.js';
import { SecretRegistry, secretsOf, type Logger } from '../logger.js';
import type { BotContext, BotDeps } from './context.js';
import { errorBoundaryHandler } from './errors.js';
import { createInfoFeature } from './features/info.js';
import { createJobControlFeature } from './features/job-control.js';
import { createLinkFeature } from './features/link.js';
import { createTrackListUploadFeature } from './features/track-list-upload.js';
import { createLoginConversation, createLoginFeature } from './features/login.js';
import { createMissingFeature } from './features/missing.js';
import { createProbeFeature } from './features/probe.js';
import { createAcceptBotFeature } from './features/accept-bot.js';
import { createSettingsFeature } from './features/settings.js';
import { createSpotifyConversation, createSpotifyFeature } from './features/spotify.js';
import { createUnhandledFeature } from './features/unhandled.js';
import { LoginNoticeThrottle, Notifications } from './notifications.js';
import { createWatchFeature, type WatchControl } from './features/watch.js';
import { canWatch, watchEventView } from './watch-views.js';
import type { BotAccountControl, Check, ExchangeProbe, ProgressMessageStore, SettingsStore, SpotifyLogin, TelegramLoginFlow } from './ports.js';
import { ProgressMessages } from './progress-messages.js';

export interface CreateBotOptions {
  config: Config;
  logger: Logger;
  service: JobServiceApi;
  login: TelegramLoginFlow;
  spotify: SpotifyLogin;
  settings: SettingsStore;
  /** Shown in short form by /status. */
  checks?: Check[];
  /** `/probe`: one recorded exchange with the external bot. */
  prober?: ExchangeProbe;
  /** `/acceptbot`: accept the account the bot username now names. */
  botAccount?: BotAccountControl;
  /** Persists which message shows which job (defaults to memory). */
  progressStore?: ProgressMessageStore;
  /** Overrides config.telegram.botApiRoot (a local Bot API server, or a fake in tests). */
  apiRoot?: string;
  fetch?: typeof fetch;
  /** Minimum time between edits of one progress message (default 3 s). */
  progressIntervalMs?: number;
  /** FloodWaits at least this long ring the phone (default 180 s). */
  floodNoticeSeconds?: number;
  autoRetry?: Partial<AutoRetryOptions>;
  /** Playlist watch (/watch, /watches, its notices); absent: those commands are not there. */
  watches?: WatchControl;
}

export interface CrateBot {
  bot: Bot<BotContext>;
  progress: ProgressMessages;
  notifications: Notifications;
}

export function createBot(token: string, options: CreateBotOptions): CrateBot {
  const { config, logger } = options;
  requireSettings(config, ['controlBot']);
  const ownerId = config.telegram.ownerId as number;
  // The logger's registry when there is one: a secret stored later (a Spotify login) is kept out of replies too.
  const secrets = secretsOf(logger) ?? new SecretRegistry();
  secrets.add(...secretValues(config), token);
  const loginNotice = new LoginNoticeThrottle();

  const bot = new Bot<BotContext>(token, {
    client: {
      apiRoot: options.apiRoot ?? config.telegram.botApiRoot,
      // A Bot API that accepts the connection and never answers must not hold a call for grammY's
      // default 500 s (getUpdates long-polls 30 s of it).
      timeoutSeconds: 60,
      ...(options.fetch ? { fetch: options.fetch } : {}),
    },
  });
  // 429s (and 5xx / network blips) are retried after Telegram's retry_after instead of failing the edit.
  const retryOptions: Partial<AutoRetryOptions> = { maxDelaySeconds: 300, maxRetryAttempts: 5, ...options.autoRetry };
  const retry = autoRetry(retryOptions);
  // Not getMe and getUpdates: auto-retry repeats network errors silently and without end, while
  // run-bot tells the owner the Bot API cannot be reached and grammY's polling loop retries by itself.
  bot.api.config.use((prev, method, payload, signal) =>
    method === 'getMe' || method === 'getUpdates' ? prev(method, payload, signal) : retry(prev, method, payload, signal),
  );
  const conversationPlugins: Middleware<Context>[] = [
    async (ctx, next) => {
      ctx.api.config.use(autoRetry(retryOptions));
      await next();
    },
  ];

  // Owner only, before anything else: strangers get no answer at all, not even to a button press.
  bot.use(async (ctx, next) => {
    const senderId = ctx.from?.id ?? null;
    if (senderId !== ownerId) {
      logger.debug({ senderId, updateId: ctx.update.update_id, kind: updateKind(ctx) }, 'dropped an update not from the owner');
      return;
    }
    if (ctx.chat && ctx.chat.type !== 'private') {
      logger.debug({ chatType: ctx.chat.type, updateId: ctx.update.update_id }, 'dropped an owner update outside the private chat');
      return;
    }
    await next();
  });
  bot.use(async (ctx, next) => {
    ctx.logger = logger.child({ updateId: ctx.update.update_id });
    ctx.logger.debug({ kind: updateKind(ctx) }, 'update');
    await next();
  });

  const progress = new ProgressMessages({
    api: bot.api,
    service: options.service,
    chatId: ownerId,
    ...(options.progressStore ? { store: options.progressStore } : {}),
    intervalMs: options.progressIntervalMs ?? 3000,
    logger: logger.child({ part: 'progress' }),
  });
  const notifications = new Notifications({
    api: bot.api,
    service: options.service,
    chatId: ownerId,
    logger: logger.child({ part: 'notifications' }),
    floodNoticeSeconds: options.floodNoticeSeconds ?? 180,
    loginNotice,
    ...(options.watches ? watchNotices(options.watches) : {}),
  });

  const deps: BotDeps = {
    config,
    logger,
    service: options.service,
    login: options.login,
    spotify: options.spotify,
    settings: options.settings,
    checks: options.checks ?? [],
    progress,
    ownerId,
    secrets,
    loginNotice,
    ...(options.prober ? { prober: options.prober } : {}),
    ...(options.botAccount ? { botAccount: options.botAccount } : {}),
  };

  const guarded = bot.errorBoundary(errorBoundaryHandler(secrets, logger));
  guarded.use(conversations());
  guarded.use(createLoginConversation(deps, conversationPlugins));
  guarded.use(createSpotifyConversation(deps, conversationPlugins));
  guarded.use(createInfoFeature(deps));
  guarded.use(createLoginFeature());
  guarded.use(createSpotifyFeature());
  guarded.use(createSettingsFeature(deps));
  guarded.use(createJobControlFeature(deps));
  guarded.use(createMissingFeature(deps));
  guarded.use(createProbeFeature(deps));
  guarded.use(createAcceptBotFeature(deps));
  if (options.watches) guarded.use(createWatchFeature(deps, options.watches));
  guarded.use(createLinkFeature(deps));
  guarded.use(createTrackListUploadFeature(deps, { token, apiRoot: options.apiRoot ?? config.telegram.botApiRoot, ...(options.fetch ? { fetch: options.fetch } : {}) }));
  guarded.use(createUnhandledFeature());

  // Errors the boundary did not catch (there should be none) must not stop polling.
  bot.catch((err) => logger.error({ err: err.error }, 'unhandled bot error'));

  return { bot, progress, notifications };
}

function updateKind(ctx: Context): string {
  return Object.keys(ctx.update).find((k) => k !== 'update_id') ?? 'unknown';
}

function watchNotices(watches: WatchControl) {
  return {
    quietJob: (jobId: number) => watches.isWatchRun(jobId),
    finishedButtons: (job: Parameters<typeof canWatch>[0]) => (canWatch(job, watches.list()) ? [{ text: '⏰ Watch', action: 'watchAdd' as const, id: job.id }] : []),
    moreViews: (event: Parameters<typeof watchEventView>[0]) => watchEventView(event, Date.now()),
  };
}
