/**
 * Builds the engine's TrackAcquirer for @LosslessRobot: one reply router (the single listener on
 * the bot chat) shared by the configured strategy and by `listMenuRows` (the owner's manual pick,
 * always from the bot's own chat menu).
 */
import type { Logger } from '../logger.js';
import type { TrackRecord } from '../domain/job.js';
import type { TelegramGateway } from '../domain/telegram.js';
import type { AcquireOutcome, AcquireRequest, Clock, MessagePacer, TrackAcquirer } from '../engine/ports.js';
import { ChatStrategy, type LosslessTimeouts, type MenuRows } from './chat-strategy.js';
import { InlineStrategy } from './inline-strategy.js';
import type { ProtocolMatcher } from './matcher.js';
import { createMatcher } from './default-matcher.js';
import { ReplyRouter } from './reply-router.js';
import { FirstContact, type FirstContactStore } from './first-contact.js';

export { FIRST_CONTACT_KEY, settingFirstContactStore, parseFirstContact, type FirstContactRecord } from './first-contact.js';
import { DEFAULT_UNKNOWN_REPLY_LIMIT, UnansweredReplies } from './unanswered.js';

export interface LosslessAcquirerDeps {
  gateway: TelegramGateway;
  pacer: MessagePacer;
  mode: 'chat' | 'inline';
  logger: Logger;
  timeouts: LosslessTimeouts;
  /** Defaults to the real matcher (src/matching + picker); tests use the same. */
  matcher?: ProtocolMatcher;
  /** Time for timeouts and polling (the engine's clock; scaled in benchmarks). */
  clock?: Clock;
  /** Poll the bot chat this often while waiting, for updates GramJS missed (default 15 s; 0 = off). */
  pollIntervalMs?: number;
  /** Menu pages looked at before not_found (default 3). */
  maxPages?: number;
  /**
   * Where "/start was sent once" is kept (SQLite in production). Absent: Crate never sends
   * /start (tests of other behaviours, which count messages).
   */
  firstContact?: FirstContactStore;
  /** Tracks in a row ending on the same unreadable reply before the job pauses (UNKNOWN_REPLY_LIMIT, default 3). */
  unknownReplyLimit?: number;
}

export interface LosslessAcquirer extends TrackAcquirer {
  /**
   * The owner's "pick a row from the bot's own menu": sends the track's request and returns the
   * track rows of the first menu page (texts, as `chooseRow` stores them), clicking nothing.
   */
  listMenuRows(track: TrackRecord, options?: { signal?: AbortSignal }): Promise<string[]>;
  /** The same with the menu's details (query used, message id, row indexes among all buttons). */
  menuRows(track: TrackRecord, options?: { signal?: AbortSignal }): Promise<MenuRows>;
  /** Stops listening to the chat (in-flight acquires then time out). */
  close(): void;
  /** Sizes of the reply router's internal tables (soak tests: bounded, nothing left when idle). */
  debugSizes(): Record<string, number>;
}

export function createLosslessAcquirer(deps: LosslessAcquirerDeps): LosslessAcquirer {
  const matcher = deps.matcher ?? createMatcher();
  const logger = deps.logger.child({ component: 'lossless' });
  const router = new ReplyRouter(deps.gateway, {
    logger,
    matcher,
    pollIntervalMs: deps.pollIntervalMs ?? 15_000,
    // A menu later than two reply timeouts is not worth guarding against any longer.
    lateMenuMs: deps.timeouts.replyMs * 2,
    onFloodWait: (s) => deps.pacer.noteFloodWait(s),
    ...(deps.clock ? { clock: deps.clock } : {}),
  });
  const unanswered = new UnansweredReplies(deps.unknownReplyLimit ?? DEFAULT_UNKNOWN_REPLY_LIMIT);
  const firstContact = deps.firstContact
    ? new FirstContact({ gateway: deps.gateway, pacer: deps.pacer, router, store: deps.firstContact, logger, replyMs: deps.timeouts.replyMs })
    : undefined;
  const common = {
    gateway: deps.gateway,
    pacer: deps.pacer,
    matcher,
    logger,
    router,
    timeouts: deps.timeouts,
    unanswered,
    ...(firstContact ? { firstContact } : {}),
  };
  const chat = new ChatStrategy({ ...common, ...(deps.maxPages !== undefined ? { maxPages: deps.maxPages } : {}) });
  const strategy: TrackAcquirer = deps.mode === 'inline' ? new InlineStrategy(common) : chat;
  return {
    acquire: async (request: AcquireRequest): Promise<AcquireOutcome> => {
      unanswered.begin(request.track.id);
      try {
        const outcome = await strategy.acquire(request);
        unanswered.end(request.track.id);
        return outcome;
      } catch (err) {
        unanswered.abandon(request.track.id);
        throw err;
      }
    },
    menuRows: (track, options) => chat.listMenuRows(track, options?.signal ?? new AbortController().signal),
    listMenuRows: async (track, options) =>
      (await chat.listMenuRows(track, options?.signal ?? new AbortController().signal)).rows.map((r) => r.text),
    close: () => router.stop(),
    debugSizes: () => router.debugSizes(),
  };
}

/**
 * Timeouts from RESPONSE_TIMEOUT (seconds). The file wait ends a little before the engine's own
 * inactivity watchdog (same setting, counted from our last recorded step), so the acquirer can
 * still say what happened (e.g. only a wrong file came) instead of being cut off. Menus get a
 * shorter wait: the bot sends them within seconds when it answers at all.
 */
export function losslessTimeouts(responseTimeoutSeconds: number): LosslessTimeouts {
  const totalMs = responseTimeoutSeconds * 1000;
  const fileMs = Math.max(totalMs - 10_000, Math.round(totalMs * 0.9));
  return { replyMs: Math.min(fileMs, 120_000), fileMs };
}
