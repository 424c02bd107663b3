/**
 * The actions of a chat exchange and what their immediate answers mean: presses with their toasts
 * (a stop, "not available", a stale button, a throttle waited out and pressed again) and the
 * throttle waits themselves.
 */
import { SafetyStopError } from '../domain/errors.js';
import type { BotMessage } from '../domain/telegram.js';
import type { AcquireOutcome, AcquireRequest } from '../engine/ports.js';
import { beforeSend, callGateway, type StepDeps } from './file-step.js';
import { readToast, type ToastReading } from './protocol.js';
import type { Conversation, Expectation, ReplyRouter } from './reply-router.js';
import { clip, gateStop, promoStop } from './stops.js';
import type { LosslessTimeouts } from './chat-strategy.js';

/** Throttle replies answered by waiting and asking again, per attempt. */
export const MAX_THROTTLES = 3;
/** Added to the seconds a throttle reply names (at least this, or 10 % of them). */
const THROTTLE_MARGIN_MS = 2_000;
/** The first back-off when a throttle reply names no time (doubled each time). */
const THROTTLE_BACKOFF_MS = 30_000;
const EMPTY_MESSAGE: BotMessage = { id: 0, date: 0, editDate: null, out: false, text: '', buttons: [], media: 'none', document: null, replyToMessageId: null };

export interface ChatActionDeps extends StepDeps {
  router: ReplyRouter;
  timeouts: LosslessTimeouts;
}

export type PersistClick = { before?: () => Promise<void>; after?: () => Promise<void>; failed?: () => Promise<void> };

/** What a click writes to SQLite: before it goes out, once Telegram took it, and when it failed. */
interface ClickPersistence {
  before?: () => Promise<void>;
  after?: () => Promise<void>;
  failed?: () => Promise<void>;
}

export class ChatActions {
  constructor(private readonly o: ChatActionDeps) {}

  /** Waits as long as the bot asked (plus a margin), or backs off when it did not say. */
  async waitOutThrottle(request: AcquireRequest, seconds: number | null, nth: number): Promise<void> {
    const ms = seconds !== null ? seconds * 1000 + Math.max(THROTTLE_MARGIN_MS, seconds * 100) : THROTTLE_BACKOFF_MS * 2 ** (nth - 1);
    this.o.logger.info({ trackId: request.track.id, waitMs: ms }, 'the bot asked to slow down; waiting before asking again');
    // A long wait holds every track (the bot limits the account, not one request), and the
    // engine's inactivity watchdog knows to wait for it.
    if (ms > this.o.timeouts.replyMs / 2) this.o.pacer.noteFloodWait(Math.ceil(ms / 1000));
    await this.o.router.clock.sleep(ms, request.signal);
  }

  /**
   * Clicks and reads the toast: stops the job for quota / promo / ban / gate, or returns the
   * outcome a toast decides for this track (not available, a stale button); null goes on.
   * A throttle toast waits as asked and clicks once more.
   */
  async clickToast(
    request: AcquireRequest,
    conv: Conversation,
    kind: Expectation,
    messageId: number,
    data: string,
    persist: ClickPersistence = {},
  ): Promise<AcquireOutcome | null> {
    for (let attempt = 1; ; attempt++) {
      const toast = await this.click(request, conv, kind, messageId, data, persist);
      if (toast === null) return null;
      switch (toast.kind) {
        case 'unavailable':
          conv.expectation = null;
          return unavailable(toast.text);
        case 'stale':
          conv.expectation = null;
          return { kind: 'failed', reason: `the bot says the button is no longer valid ("${clip(toast.text)}")`, retryable: true };
        case 'throttle':
          conv.expectation = null;
          if (attempt > MAX_THROTTLES) return { kind: 'failed', reason: `the bot asked to slow down ("${clip(toast.text)}")`, retryable: true };
          await this.waitOutThrottle(request, toast.seconds, attempt);
          continue;
        default:
          return null;
      }
    }
  }


  private async click(
    request: AcquireRequest,
    conv: Conversation,
    kind: Expectation,
    messageId: number,
    data: string,
    persist: ClickPersistence = {},
  ): Promise<ToastReading | null> {
    await this.o.pacer.acquire('click', { signal: request.signal, trackId: request.track.id });
    await beforeSend(this.o.pacer, 'click', () => persist.before?.());
    conv.expect(kind, messageId);
    const answer = await callGateway(this.o.pacer, () => {
      this.o.pacer.sending?.('click');
      return this.o.gateway.clickButton(messageId, data);
    }).catch(async (err: unknown) => {
      await persist.failed?.().catch(() => undefined);
      return unexpect(conv)(err);
    });
    await persist.after?.();
    const toast = readToast(answer.message, { echo: conv.echo });
    if (toast?.kind === 'promo') throw promoStop(toast.text);
    if (toast?.kind === 'quota' || toast?.kind === 'restricted') throw new SafetyStopError(toast.kind, `@LosslessRobot says: "${clip(toast.text)}"`);
    if (toast?.kind === 'gate') throw gateStop({ ...EMPTY_MESSAGE, text: toast.text }, [], 'its answer to a button press');
    return toast;
  }
}

/**
 * The action did not go out (FloodWait, dropped connection): no reply is coming, so the
 * conversation must not stay "waiting for a menu" — closed like that it would leave a ghost that
 * takes the next menu of this track (the retry's) as a late answer.
 */
export function unexpect(conv: Conversation): (err: unknown) => never {
  return (err) => {
    conv.expectation = null;
    conv.sendFailed();
    throw err;
  };
}

/** "Not available" outcomes: about the track, not the query, so it is not asked for by name too. */
export const TRACK_UNAVAILABLE = new WeakSet<AcquireOutcome>();

export function unavailable(text: string): AcquireOutcome {
  const outcome: AcquireOutcome = { kind: 'not_found', reason: `the bot says this track is not available ("${clip(text)}")` };
  TRACK_UNAVAILABLE.add(outcome);
  return outcome;
}

